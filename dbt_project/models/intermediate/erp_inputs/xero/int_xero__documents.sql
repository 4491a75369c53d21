-- Every Xero document the ERP inputs carry, one row each (helper of the erp_inputs mapping; the columns
-- transactions, transaction_lines and the accounting lines share): sales invoices (ACCREC) -> invoice, bills
-- (ACCPAY) -> vendor_bill, credit notes ACCRECCREDIT -> credit_memo and ACCPAYCREDIT -> vendor_credit, the
-- settlements of sales invoices (int_xero__invoice_settlements) -> payment / credit_memo, and every other
-- journal source (bill payments, spend / receive money, transfers, manual journals, payment journals not
-- matched to one invoice; a journal without a source is its own document) -> its source type in lower case
-- ('journal' for manual journals, 'fx_revaluation' for those whose narration says revaluation, as Xero's currency
-- revaluation names them; 'payment' for a payment journal no invoice claims: cash not applied), so that every journal line has a header. Drafts, submitted and deleted
-- documents are not posted and are left out; voided ones stay, flagged.
-- Each document keeps its organisation (source_relation); its contact is the canonical one (int_xero__shared_records).
-- exchange_rate = base currency per unit of the document currency (1 / Xero's currency_rate).
with invoices as (
    select
        invoice_id as transaction_id, invoice_number as transaction_number, invoice_type as type_code,
        case invoice_type when 'ACCREC' then 'invoice' when 'ACCPAY' then 'vendor_bill' end as transaction_type,
        invoice_date as transaction_date, due_date, fully_paid_on_date as close_date, status as status_code,
        currency_code, currency_rate, contact_id, reference, total, total_tax, source_relation,
        modified_at, source_system, _source_file, _source_row, _extract_date, _loaded_at
    from {{ ref('stg_xero__invoices') }}
    where status in ('AUTHORISED', 'PAID', 'VOIDED') and invoice_type in ('ACCREC', 'ACCPAY')
),

credit_notes as (
    select
        credit_note_id, credit_note_number, credit_note_type,
        case credit_note_type when 'ACCRECCREDIT' then 'credit_memo' when 'ACCPAYCREDIT' then 'vendor_credit' end,
        credit_note_date, cast(null as date), fully_paid_on_date, status,
        currency_code, currency_rate, contact_id, reference, total, total_tax, source_relation,
        modified_at, source_system, _source_file, _source_row, _extract_date, _loaded_at
    from {{ ref('stg_xero__credit_notes') }}
    where coalesce(status, 'AUTHORISED') in ('AUTHORISED', 'PAID', 'VOIDED')
        and credit_note_type in ('ACCRECCREDIT', 'ACCPAYCREDIT')
),

settlements as (
    select
        applying_transaction_id, cast(null as {{ dbt.type_string() }}),
        case application_type when 'payment' then 'ACCRECPAYMENT' else 'ACCRECCREDIT' end,
        application_type, max(application_date), cast(null as date), max(application_date), 'PAID',
        max(currency_code), max(currency_rate), max(contact_id), cast(null as {{ dbt.type_string() }}),
        sum(applied_amount), cast(0 as {{ throughline.amount_type() }}), max(source_relation),
        max(modified_at), 'xero', max(_source_file), max(_source_row), max(_extract_date), max(_loaded_at)
    from {{ ref('int_xero__invoice_settlements') }}
    where applying_transaction_id not in (select c.credit_note_id from {{ ref('stg_xero__credit_notes') }} as c)
    group by applying_transaction_id, application_type
),

journal_sources as (
    select
        coalesce(j.source_id, j.journal_id) as transaction_id,
        j.source_type,
        max(j.source_relation) as source_relation,
        min(j.journal_date) as journal_date,
        max(j.reference) as reference,
        max(j.modified_at) as modified_at,
        max(j._source_file) as _source_file,
        min(j._source_row) as _source_row,
        max(j._extract_date) as _extract_date,
        max(j._loaded_at) as _loaded_at
    from {{ ref('stg_xero__journals') }} as j
    group by coalesce(j.source_id, j.journal_id), j.source_type
),

documents as (
    select * from invoices
    union all
    select * from credit_notes
    union all
    select * from settlements
),

other_sources as (
    select
        s.transaction_id, cast(null as {{ dbt.type_string() }}), coalesce(s.source_type, 'JOURNAL'),
        case
            when s.source_type = 'MANJOURNAL' and lower(s.reference) like '%revaluation%' then 'fx_revaluation'
            when s.source_type = 'MANJOURNAL' or s.source_type is null then 'journal'
            when s.source_type = 'ACCRECPAYMENT' then 'payment'
            else lower(s.source_type) end,
        s.journal_date, cast(null as date), s.journal_date as posted_on, 'POSTED',
        b.base_currency_code, cast(1 as {{ throughline.rate_type() }}), cast(null as {{ dbt.type_string() }}),
        s.reference, cast(null as {{ throughline.amount_type() }}), cast(null as {{ throughline.amount_type() }}),
        s.source_relation, s.modified_at, 'xero', s._source_file, s._source_row, s._extract_date, s._loaded_at
    from journal_sources as s
    inner join {{ ref('int_xero__base_currency') }} as b on b.source_relation = s.source_relation
    where s.transaction_id not in (select d.transaction_id from documents as d)
),

posted as (
    select * from documents
    union all
    select * from other_sources
)

-- the contact as the canonical customer / supplier (int_xero__shared_records: one record in several
-- organisations is one contact)
select
    p.transaction_id, p.transaction_number, p.type_code, p.transaction_type, p.transaction_date, p.due_date,
    p.close_date, p.status_code, p.currency_code, p.currency_rate,
    coalesce(r.canonical_id, p.contact_id) as contact_id,
    p.reference, p.total, p.total_tax, p.source_relation, p.modified_at, p.source_system, p._source_file,
    p._source_row, p._extract_date, p._loaded_at
from posted as p
left join {{ ref('int_xero__shared_records') }} as r on r.record_type = 'contact' and r.record_id = p.contact_id
