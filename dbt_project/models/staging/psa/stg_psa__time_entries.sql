-- Daily time entries.
with source as (
    select * from {{ source('psa', 'time_entries') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as time_entry_id,
    {{ id_str('resource_id') }} as resource_id,
    {{ id_str('project_id') }} as project_id,
    {{ id_str('assignment_id') }} as assignment_id,
    {{ id_str('role_id') }} as role_id,
    spent_date,
    {{ adapter.quote('hours') }} as hours,
    is_billable,
    {{ label_str('work_type') }} as work_type,
    {{ label_str(adapter.quote('status')) }} as time_entry_status,
    submitted_at,
    approved_at,
    {{ id_str('approved_by_id') }} as approved_by_resource_id,
    bill_rate,
    cost_rate,
    {{ code_str(adapter.quote('currency')) }} as currency_code,
    {{ code_str('cost_currency') }} as cost_currency_code,
    {{ id_str('erp_invoice_id') }} as erp_invoice_id,
    notes,
    created_at,
    updated_at as modified_at,
    'psa' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
