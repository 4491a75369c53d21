-- Billing milestones and fixed-fee schedule items.
with source as (
    select * from {{ source('psa', 'milestones') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as milestone_id,
    {{ id_str('project_id') }} as project_id,
    {{ adapter.quote('name') }} as milestone_name,
    {{ adapter.quote('sequence') }} as milestone_sequence,
    amount,
    due_date,
    {{ label_str(adapter.quote('status')) }} as milestone_status,
    completed_date,
    accepted_date,
    {{ id_str('erp_invoice_id') }} as erp_invoice_id,
    updated_at as modified_at,
    'psa' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
