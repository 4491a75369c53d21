-- Xero invoices: sales (ACCREC) and bills (ACCPAY); amounts in the invoice currency, currency_rate = units of it per unit of the base currency.
with source as (
    select * from {{ source('xero', 'invoice') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('invoice_id') }} as invoice_id,
    {{ id_str('contact_id') }} as contact_id,
    {{ id_str('invoice_number') }} as invoice_number,
    reference,
    {{ code_str(adapter.quote('type')) }} as invoice_type,
    {{ code_str('status') }} as status,
    {{ adapter.quote('date') }} as invoice_date,
    due_date,
    fully_paid_on_date,
    {{ code_str('currency_code') }} as currency_code,
    cast(coalesce(currency_rate, 1) as {{ throughline.rate_type() }}) as currency_rate,
    line_amount_types,
    coalesce(sub_total, 0) as sub_total,
    coalesce(total_tax, 0) as total_tax,
    coalesce(total, 0) as total,
    coalesce(amount_paid, 0) as amount_paid,
    coalesce(amount_credited, 0) as amount_credited,
    coalesce(amount_due, 0) as amount_due,
    coalesce(updated_date_utc, _fivetran_synced) as modified_at,
    coalesce(source_relation, 'xero') as source_relation,
    'xero' as source_system,
    _source_file,
    _source_row,
    _extract_date,
    _loaded_at
from source
