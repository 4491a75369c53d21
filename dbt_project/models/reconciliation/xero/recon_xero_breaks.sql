-- E1-E4 on a Xero ledger read from Xero's own invoice headers (built when the firm's ERP is xero; tag xero;
-- python -m throughline.xero runs it on the real ledger in ../shared/external/xero), in the shared break columns.
-- Xero has no payment or credit-note application rows in this extract, so E2/E3 use the invoice header's
-- applied amounts (amount_credited, amount_paid) against its total, plus the header's own balance.
-- detected_on = the newest journal date (the ledger's as-of); amounts in the invoice currency, reporting =
-- the organisation's base currency at the invoice's own rate (int_xero__erp_subsidiaries says which it is).
{%- set tolerance = var('recon_xero_tolerance', 0.01) %}

with invoices as (
    select * from {{ ref('stg_xero__invoices') }}
    where status not in ('VOIDED', 'DELETED', 'DRAFT')
),

as_of as (
    select max(journal_date) as night from {{ ref('stg_xero__journals') }}
),

lines as (
    select invoice_id, count(*) as line_count, sum(line_amount) as line_amount, sum(tax_amount) as tax_amount
    from {{ ref('stg_xero__invoice_lines') }}
    group by invoice_id
),

e1 as (
    select
        invoices.*,
        lines.line_amount + case when invoices.line_amount_types = 'Inclusive' then 0 else lines.tax_amount end
            as expected_total,
        lines.line_count
    from invoices
    inner join lines on lines.invoice_id = invoices.invoice_id
),

breaks as (
    select
        {{ throughline.recon_columns(
            check_id="'E1'", source_system="'xero'", source_object="'invoice'",
            record_key=throughline.recon_json([('id', 'invoice_id', 'string')]),
            related_keys=throughline.recon_json([('type', 'invoice_type', 'string'), ('number', 'invoice_number', 'string')]),
            currency_code='currency_code', expected_amount='expected_total', actual_amount='total',
            difference_amount='total - expected_total', amount_at_risk='abs(total - expected_total)',
            amount_at_risk_reporting='abs(total - expected_total) / currency_rate', event_date='invoice_date',
            detected_on='(select night from as_of)') }}
    from e1
    where abs(total - expected_total) > {{ tolerance }} * line_count

    union all

    select
        {{ throughline.recon_columns(
            check_id="'E2_EXCEEDS_INVOICE'", source_system="'xero'", source_object="'invoice'",
            record_key=throughline.recon_json([('id', 'invoice_id', 'string')]),
            related_keys=throughline.recon_json([('type', 'invoice_type', 'string'), ('number', 'invoice_number', 'string')]),
            currency_code='currency_code', expected_amount='total', actual_amount='amount_credited',
            difference_amount='amount_credited - total', amount_at_risk='amount_credited - total',
            amount_at_risk_reporting='(amount_credited - total) / currency_rate', event_date='invoice_date',
            detected_on='(select night from as_of)') }}
    from invoices
    where amount_credited > total + {{ tolerance }}

    union all

    select
        {{ throughline.recon_columns(
            check_id="'E3'", source_system="'xero'", source_object="'invoice'",
            record_key=throughline.recon_json([('id', 'invoice_id', 'string')]),
            related_keys=throughline.recon_json([('type', 'invoice_type', 'string'), ('number', 'invoice_number', 'string')]),
            currency_code='currency_code', expected_amount='total - credited_capped', actual_amount='amount_paid',
            difference_amount='amount_paid - (total - credited_capped)',
            amount_at_risk='amount_paid - (total - credited_capped)',
            amount_at_risk_reporting='(amount_paid - (total - credited_capped)) / currency_rate',
            event_date='invoice_date', detected_on='(select night from as_of)') }}
    -- credits count at most up to the total: credits above it are E2_EXCEEDS_INVOICE's break, not E3's
    from (select *, least(amount_credited, total) as credited_capped from invoices) as capped
    where amount_paid > total - credited_capped + {{ tolerance }}

    union all

    -- the header's own balance: due = total - paid - credited (a PAID invoice has nothing due)
    select
        {{ throughline.recon_columns(
            check_id="'E3_DUE_MISMATCH'", source_system="'xero'", source_object="'invoice'",
            record_key=throughline.recon_json([('id', 'invoice_id', 'string')]),
            related_keys=throughline.recon_json([('type', 'invoice_type', 'string'), ('status', 'status', 'string')]),
            currency_code='currency_code', expected_amount='total - amount_paid - amount_credited',
            actual_amount='amount_due', difference_amount='amount_due - (total - amount_paid - amount_credited)',
            amount_at_risk='abs(amount_due - (total - amount_paid - amount_credited))',
            amount_at_risk_reporting='abs(amount_due - (total - amount_paid - amount_credited)) / currency_rate',
            event_date='invoice_date', detected_on='(select night from as_of)') }}
    from invoices
    where abs(amount_due - (total - amount_paid - amount_credited)) > {{ tolerance }}
        or (status = 'PAID' and abs(amount_due) > {{ tolerance }})

    union all

    select
        {{ throughline.recon_columns(
            check_id="'E4'", source_system="'xero'", source_object="'account'",
            record_key=throughline.recon_json([
                ('organisation', 'source_relation', 'string'),
                ('account_code', "'" ~ var('xero_ar_account_code') ~ "'", 'string')]),
            related_keys=throughline.recon_json([('as_of', 'cast(night as ' ~ dbt.type_string() ~ ')', 'string')]),
            currency_code='base_currency_code', expected_amount='subledger', actual_amount='gl',
            difference_amount='gl - subledger', amount_at_risk='abs(gl - subledger)',
            amount_at_risk_reporting='abs(gl - subledger)', event_date='night', detected_on='night') }}
    from (
        -- per organisation (source_relation): the receivable control account is system account DEBTORS or the code
        select
            b.source_relation,
            b.base_currency_code,
            (select night from as_of) as night,
            coalesce(s.subledger, 0) as subledger,
            coalesce(g.gl, 0) as gl
        from {{ ref('int_xero__base_currency') }} as b
        left join (
            select source_relation, sum(amount_due / currency_rate) as subledger
            from invoices where invoice_type = 'ACCREC' group by source_relation
        ) as s on s.source_relation = b.source_relation
        left join (
            select source_relation, sum(net_amount) as gl
            from {{ ref('stg_xero__journal_lines') }}
            where account_code = '{{ var('xero_ar_account_code') }}' or account_id in (
                select a.account_id from {{ ref('stg_xero__accounts') }} as a where a.system_account = 'DEBTORS'
            )
            group by source_relation
        ) as g on g.source_relation = b.source_relation
    ) as control
    where abs(gl - subledger) > {{ var('recon_xero_e4_tolerance', 1.0) }}
)

select * from breaks
