{#- Settlements of invoices (ar v1): every payment and credit memo application to an invoice, dated by the
    application date (NetSuite link date, else the applying document's date), in the invoice's transaction
    currency. Applications from voided payments or credit memos are dropped. -#}

with links as (
    select * from {{ throughline.erp_input('transaction_links') }}
    where link_type in ('payment', 'credit_memo_application')
        and previous_transaction_type = 'invoice'
),

applying_docs as (
    select transaction_id, transaction_type, transaction_date, is_voided, status
    from {{ throughline.erp_input('transactions') }}
    where transaction_type in ('payment', 'credit_memo')
)

select
    l.transaction_link_id as application_id,
    l.previous_transaction_id as invoice_transaction_id,
    l.next_transaction_id as applying_transaction_id,
    case l.link_type when 'payment' then 'payment' else 'credit_memo' end as application_type,
    coalesce(l.link_date, d.transaction_date) as application_date,
    l.amount_transaction as applied_amount
from links as l
inner join applying_docs as d on l.next_transaction_id = d.transaction_id
where not coalesce(d.is_voided, false) and coalesce(d.status, '') <> 'voided'
