-- Xero invoices (real ledger, tag xero): typed, nothing else.
select
    invoice_id,
    invoice_number,
    {{ adapter.quote('type') }} as invoice_type,
    status,
    cast({{ adapter.quote('date') }} as date) as invoice_date,
    currency_code,
    cast(currency_rate as {{ throughline.rate_type() }}) as currency_rate,
    line_amount_types,
    cast(sub_total as {{ throughline.amount_type() }}) as sub_total,
    cast(total_tax as {{ throughline.amount_type() }}) as total_tax,
    cast(total as {{ throughline.amount_type() }}) as total,
    cast(amount_paid as {{ throughline.amount_type() }}) as amount_paid,
    cast(amount_credited as {{ throughline.amount_type() }}) as amount_credited,
    cast(amount_due as {{ throughline.amount_type() }}) as amount_due
from {{ source('xero', 'invoice') }}
