-- What settled each Xero sales invoice (helper of the erp_inputs mapping). Xero's export has no payment
-- allocation rows, and its payment journals (source_type ACCRECPAYMENT, source_id = Xero's payment id) name no
-- invoice, so the invoice header says how much was applied (amount_paid: payments; amount_credited: credit
-- notes, overpayments, prepayments) and the payment journals say when, matched to invoices on the amount they
-- take off the receivable control account (system account DEBTORS, or code var xero_ar_account_code) at the invoice's own rate, which is how
-- Xero books a payment (the FX difference goes to a gain/loss line):
--   1. one journal dated the day the invoice was settled (fully_paid_on_date, else its last change) for
--      exactly the paid amount, and no other invoice or journal fits;
--   2. else the journals of that day that no other invoice claims, when together they are the paid amount;
--   3. else the instalments: each journal left goes to the next invoice settled on or after it, when the
--      journals of each invoice together are the paid amount.
-- Journals and invoices match within one organisation (source_relation). One application per journal (amounts in the invoice currency; the last instalment takes the rounding); an
-- invoice none of this explains keeps one payment 'xero-payment-<invoice id>' on its settlement day. Credits
-- are one application per invoice: from the one credit note of the same contact whose allocated amount (total -
-- remaining_credit) is the invoice's amount_credited, dated when that note was fully allocated; else
-- 'xero-credit-<invoice id>' on the invoice's settlement day.
{%- set ar_code = var('xero_ar_account_code') %}
{%- set tolerance = 0.01 %}
with invoices as (
    select
        *,
        coalesce(fully_paid_on_date, cast(modified_at as date)) as settled_on,
        amount_paid / currency_rate as paid_base
    from {{ ref('stg_xero__invoices') }}
    where invoice_type = 'ACCREC' and status in ('AUTHORISED', 'PAID')
),

paid as (
    select invoice_id, source_relation, settled_on, paid_base from invoices where amount_paid > 0
),

payment_journals as (
    select j.source_id, j.source_relation, j.journal_date, -sum(l.net_amount) as paid_base
    from {{ ref('stg_xero__journals') }} as j
    inner join {{ ref('stg_xero__journal_lines') }} as l on l.journal_id = j.journal_id
    where j.source_type = 'ACCRECPAYMENT' and (
        l.account_code = {{ dbt.string_literal(ar_code) }}
        or l.account_id in (
            select a.account_id from {{ ref('stg_xero__accounts') }} as a where a.system_account = 'DEBTORS'
        )
    )
    group by j.source_id, j.source_relation, j.journal_date
    having sum(l.net_amount) <> 0
),

single_candidates as (
    select
        i.invoice_id,
        p.source_id,
        count(*) over (partition by i.invoice_id) as per_invoice,
        count(*) over (partition by p.source_id) as per_payment
    from paid as i
    inner join payment_journals as p
        on p.source_relation = i.source_relation and p.journal_date = i.settled_on
        and abs(p.paid_base - i.paid_base) <= {{ tolerance }}
),

matched_single as (
    select invoice_id, source_id from single_candidates where per_invoice = 1 and per_payment = 1
),

open_invoices as (
    select * from paid where invoice_id not in (select invoice_id from matched_single)
),

open_journals as (
    select * from payment_journals where source_id not in (select source_id from matched_single)
),

same_day as (
    select
        i.invoice_id,
        p.source_id,
        i.paid_base as invoice_base,
        sum(p.paid_base) over (partition by i.invoice_id) as journals_base,
        count(*) over (partition by p.source_id) as per_payment
    from open_invoices as i
    inner join open_journals as p on p.source_relation = i.source_relation and p.journal_date = i.settled_on
),

matched_same_day as (
    select invoice_id, source_id
    from same_day
    where abs(journals_base - invoice_base) <= {{ tolerance }}
        and invoice_id not in (select s.invoice_id from same_day as s where s.per_payment > 1)
),

later_invoices as (
    select * from open_invoices where invoice_id not in (select invoice_id from matched_same_day)
),

later_journals as (
    select * from open_journals where source_id not in (select source_id from matched_same_day)
),

next_invoice as (
    select
        p.source_id,
        i.invoice_id,
        i.paid_base as invoice_base,
        p.paid_base,
        row_number() over (partition by p.source_id order by i.settled_on, i.invoice_id) as nearness,
        count(*) over (partition by p.source_id, i.settled_on) as same_day_invoices
    from later_journals as p
    inner join later_invoices as i on i.source_relation = p.source_relation and i.settled_on >= p.journal_date
),

instalments as (
    select
        invoice_id,
        source_id,
        invoice_base,
        sum(paid_base) over (partition by invoice_id) as journals_base
    from next_invoice
    where nearness = 1 and same_day_invoices = 1
),

matched as (
    select invoice_id, source_id from matched_single
    union all
    select invoice_id, source_id from matched_same_day
    union all
    select invoice_id, source_id from instalments where abs(journals_base - invoice_base) <= {{ tolerance }}
),

journal_applications as (
    select
        i.invoice_id,
        p.source_id,
        p.journal_date,
        i.amount_paid,
        cast(p.paid_base * i.currency_rate as decimal(18, 2)) as instalment,
        row_number() over (partition by i.invoice_id order by p.journal_date desc, p.source_id desc) as from_last
    from matched as m
    inner join invoices as i on i.invoice_id = m.invoice_id
    inner join payment_journals as p on p.source_id = m.source_id
),

payments as (
    select
        invoice_id,
        source_id as applying_transaction_id,
        true as is_payment_journal_matched,
        journal_date as application_date,
        case when from_last = 1
            then amount_paid - coalesce(sum(instalment) over (partition by invoice_id) - instalment, 0)
            else instalment end as applied_amount
    from journal_applications

    union all

    select
        invoice_id,
        {{ dbt.concat(["'xero-payment-'", 'invoice_id']) }},
        false,
        settled_on,
        amount_paid
    from invoices
    where amount_paid > 0 and invoice_id not in (select m.invoice_id from matched as m)
),

credit_candidates as (
    select
        i.invoice_id,
        n.credit_note_id,
        coalesce(n.fully_paid_on_date, cast(n.modified_at as date)) as allocated_on,
        count(*) over (partition by i.invoice_id) as per_invoice,
        count(*) over (partition by n.credit_note_id) as per_credit
    from invoices as i
    inner join {{ ref('stg_xero__credit_notes') }} as n
        on n.source_relation = i.source_relation and n.contact_id = i.contact_id
        and n.credit_note_type = 'ACCRECCREDIT' and n.status in ('AUTHORISED', 'PAID')
        and abs(n.total - coalesce(n.remaining_credit, 0) - i.amount_credited) <= {{ tolerance }}
        and n.credit_note_date <= i.settled_on
    where i.amount_credited > 0
),

credit_matches as (
    select invoice_id, credit_note_id, allocated_on from credit_candidates where per_invoice = 1 and per_credit = 1
)

select
    i.invoice_id,
    'payment' as application_type,
    p.applying_transaction_id,
    p.is_payment_journal_matched,
    p.application_date,
    cast(p.applied_amount as decimal(18, 2)) as applied_amount,
    i.contact_id,
    i.currency_code,
    i.currency_rate,
    i.source_relation,
    i.modified_at,
    i._source_file,
    i._source_row,
    i._extract_date,
    i._loaded_at
from payments as p
inner join invoices as i on i.invoice_id = p.invoice_id

union all

select
    i.invoice_id,
    'credit_memo',
    coalesce(c.credit_note_id, {{ dbt.concat(["'xero-credit-'", 'i.invoice_id']) }}),
    false,
    coalesce(c.allocated_on, i.settled_on),
    cast(i.amount_credited as decimal(18, 2)),
    i.contact_id,
    i.currency_code,
    i.currency_rate,
    i.source_relation,
    i.modified_at,
    i._source_file,
    i._source_row,
    i._extract_date,
    i._loaded_at
from invoices as i
left join credit_matches as c on c.invoice_id = i.invoice_id
where i.amount_credited > 0
