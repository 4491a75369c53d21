-- Customer invoices, amounts in the transaction currency.
with source as (
    select * from {{ source('quickbooks', 'invoice') }}
    where not coalesce(_is_deleted, false)
)

select
    coalesce(source_relation, '') as source_relation,
    {{ id_str('id') }} as invoice_id,
    {{ id_str('doc_number') }} as invoice_number,
    {{ id_str('customer_id') }} as customer_id,
    transaction_date as invoice_date,
    due_date,
    {{ code_str('currency_id') }} as currency_code,
    exchange_rate,
    total_amount,
    total_tax as tax_amount,
    balance as open_amount,
    home_total_amount,
    {{ id_str('class_id') }} as class_id,
    {{ id_str('department_id') }} as department_id,
    created_at,
    updated_at as modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _extract_date,
    _loaded_at
from source
