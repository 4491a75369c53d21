-- Xero invoice lines (real ledger, tag xero): typed, nothing else.
select
    line_item_id,
    invoice_id,
    account_code,
    cast(coalesce(nullif(line_amount, ''), '0') as {{ throughline.amount_type() }}) as line_amount,
    cast(coalesce(nullif(tax_amount, ''), '0') as {{ throughline.amount_type() }}) as tax_amount
from {{ source('xero', 'invoice_line_item') }}
