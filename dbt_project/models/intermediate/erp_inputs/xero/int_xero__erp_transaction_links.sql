-- Settlements of Xero sales invoices (int_xero__invoice_settlements: the invoice header's amount_paid and
-- amount_credited) as the canonical ERP document links (the columns of stg_netsuite__transaction_links):
-- payment -> link_type payment, credit -> credit_memo_application, from the invoice's main line. Amounts in
-- the invoice currency and, at the invoice's rate, in the base currency.
select
    {{ composite_key(['s.invoice_id', 's.applying_transaction_id', 's.application_type']) }} as transaction_link_id,
    s.invoice_id as previous_transaction_id,
    cast(0 as {{ dbt.type_bigint() }}) as previous_line_id,
    s.applying_transaction_id as next_transaction_id,
    cast(0 as {{ dbt.type_bigint() }}) as next_line_id,
    case s.application_type when 'payment' then 'Payment' else 'CreditMemoApplication' end as link_type_code,
    case s.application_type when 'payment' then 'payment' else 'credit_memo_application' end as link_type,
    'invoice' as previous_transaction_type,
    s.application_type as next_transaction_type,
    s.application_date as link_date,
    cast(s.applied_amount as decimal(18, 2)) as amount_transaction,
    cast(s.applied_amount / s.currency_rate as decimal(18, 2)) as amount_functional,
    cast(s.modified_at as {{ dbt.type_timestamp() }}) as modified_at,
    'xero' as source_system,
    s._source_file,
    s._source_row,
    s._loaded_at
from {{ ref('int_xero__invoice_settlements') }} as s
