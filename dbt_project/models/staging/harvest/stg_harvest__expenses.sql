-- Harvest expenses with their references unpacked.
with source as (
    select * from {{ source('harvest', 'expenses') }}
)

select
    {{ id_str('id') }} as expense_id,
    spent_date,
    {{ id_str(throughline.json_field(adapter.quote('user'), 'id')) }} as user_id,
    {{ id_str(throughline.json_field('client', 'id')) }} as client_id,
    {{ code_str(throughline.json_field('client', 'currency')) }} as currency_code,
    {{ id_str(throughline.json_field('project', 'id')) }} as project_id,
    {{ label_str(throughline.json_field('expense_category', 'name')) }} as expense_category,
    {{ id_str(throughline.json_field('invoice', 'id')) }} as harvest_invoice_id,
    notes,
    units,
    total_cost as amount,
    billable as is_billable,
    is_closed,
    is_locked,
    is_billed,
    created_at,
    updated_at as modified_at,
    'harvest' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
