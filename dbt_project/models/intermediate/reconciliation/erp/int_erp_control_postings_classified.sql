{#- Every posting accounting line on an AR control account (account type accounts_receivable) or a
    deferred revenue account (deferred_revenue), classified by whether a subledger stands behind it:
    AR is moved by customer invoices, credit memos, payments, deposits, refunds and the FX revaluation of
    open items; deferred revenue by invoices and credit memos (deferrals) and by per-contract releases
    (a line that carries a PSA project). Anything else (a manual journal) moves the GL without the
    subledger, so the two no longer tie (E4, E5). Amounts signed debit positive, functional currency. -#}
with accounting_lines as (
    select * from {{ throughline.erp_input('transaction_accounting_lines') }}
    where coalesce(is_posting, true)
),

accounts as (
    select account_id, account_number, account_type
    from {{ throughline.erp_input('accounts') }}
    where account_type in ('accounts_receivable', 'deferred_revenue')
),

lines as (
    select transaction_line_id, psa_project_id from {{ throughline.erp_input('transaction_lines') }}
),

documents as (
    select * from {{ ref('int_erp_documents_resolved') }}
)

select
    al.transaction_accounting_line_id,
    al.transaction_id,
    al.line_id,
    al.accounting_book_id,
    a.account_number,
    case a.account_type when 'accounts_receivable' then 'ar' else 'deferred_revenue' end as control_account,
    d.transaction_number,
    d.transaction_type,
    d.transaction_date,
    l.psa_project_id,
    coalesce(al.amount_functional, coalesce(al.debit_amount, 0) - coalesce(al.credit_amount, 0)) as amount_entity,
    case
        when a.account_type = 'accounts_receivable'
            then d.transaction_type in ('invoice', 'credit_memo', 'payment', 'customer_deposit', 'customer_refund',
                'fx_revaluation')
        else d.transaction_type in ('invoice', 'credit_memo') or l.psa_project_id is not null
    end as is_subledger_backed,
    d.erp_subsidiary_id,
    d.legal_entity_key,
    d.client_key,
    d.project_key,
    d.entity_currency_code,
    d.entity_rate_to_reporting
from accounting_lines as al
inner join accounts as a on al.account_id = a.account_id
inner join documents as d on al.transaction_id = d.transaction_id
left join lines as l on al.transaction_line_id = l.transaction_line_id
