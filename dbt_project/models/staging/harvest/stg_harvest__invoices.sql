-- Harvest invoices (headers; the lines stay JSON in line_items_json).
with source as (
    select * from {{ source('harvest', 'invoices') }}
)

select
    {{ id_str('id') }} as harvest_invoice_id,
    {{ id_str(throughline.json_field('client', 'id')) }} as client_id,
    {{ id_str(adapter.quote('number')) }} as invoice_number,
    {{ label_str(adapter.quote('state')) }} as invoice_state,
    amount as total_amount,
    due_amount,
    coalesce(tax_amount, 0) + coalesce(tax2_amount, 0) as tax_amount,
    discount_amount,
    {{ code_str(adapter.quote('currency')) }} as currency_code,
    issue_date,
    due_date,
    period_start,
    period_end,
    sent_at,
    paid_at,
    cast(line_items as {{ dbt.type_string() }}) as line_items_json,
    created_at,
    updated_at as modified_at,
    'harvest' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
