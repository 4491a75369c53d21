{#- Every application of a credit memo or payment to a customer invoice (NetSuite transaction links), in
    order per invoice (application date, then applying document id), with the invoice's total and
    currency, the applying document's currency, and the running totals E2 and E3 compare with the invoice
    total: credits applied up to and including this credit, credits applied in all, and payments applied
    up to and including this payment. Amounts are in the invoice's transaction currency (NetSuite's
    link foreign amount). Voided applying documents and voided invoices are left out. -#}
with links as (
    select * from {{ throughline.erp_input('transaction_links') }}
    where link_type in ('payment', 'credit_memo_application')
        and previous_transaction_type = 'invoice'
),

documents as (
    select * from {{ ref('int_erp_documents_resolved') }}
),

applications as (
    select
        l.transaction_link_id as application_id,
        l.previous_transaction_id as invoice_transaction_id,
        l.link_type_code,
        l.next_transaction_id as applying_transaction_id,
        case l.link_type when 'payment' then 'payment' else 'credit_memo' end as application_type,
        coalesce(l.link_date, d.transaction_date) as application_date,
        coalesce(l.amount_transaction, 0) as applied_amount,
        d.transaction_currency_code as applying_currency_code,
        i.transaction_number as invoice_number,
        coalesce(i.total_amount, 0) as invoice_total,
        i.transaction_currency_code as invoice_currency_code,
        i.transaction_rate_to_reporting as invoice_rate_to_reporting,
        i.client_key,
        i.project_key,
        i.legal_entity_key
    from links as l
    inner join documents as d on l.next_transaction_id = d.transaction_id
    inner join documents as i on l.previous_transaction_id = i.transaction_id
    where not d.is_voided and not i.is_voided
)

select
    a.*,
    sum(case when a.application_type = 'credit_memo' then a.applied_amount else 0 end)
        over (partition by a.invoice_transaction_id) as credits_applied_total,
    case when a.application_type = 'credit_memo' then sum(a.applied_amount) over (
        partition by a.invoice_transaction_id, a.application_type
        order by a.application_date, a.applying_transaction_id, a.application_id
        rows between unbounded preceding and current row) end as cumulative_credits,
    case when a.application_type = 'payment' then sum(a.applied_amount) over (
        partition by a.invoice_transaction_id, a.application_type
        order by a.application_date, a.applying_transaction_id, a.application_id
        rows between unbounded preceding and current row) end as cumulative_payments
from applications as a
