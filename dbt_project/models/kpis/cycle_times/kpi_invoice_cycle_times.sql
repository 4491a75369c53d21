{#- Invoice cycle time (cycle v1, docs/metrics.md; domain reference §6.2, §10): one row per customer invoice x
    billing trigger, i.e. per group of the invoice's billed lines that answer to the same trigger event
    (int_invoice_lines_triggered: T&M service period end, milestone acceptance, retainer period start,
    expense approval). days_trigger_to_invoice = invoice document date - trigger date.
    Credit-and-rebill is measured to the first correct invoice: when a credit memo with reason REBILL credits
    the invoice, invoice_cycle_days runs to the first later invoice on the same project dated on or after
    that credit memo (null, and is_rebill_pending, until one exists). The billed amount of the lines is
    carried as booked (entity currency) and at spot on the invoice date (reporting), for weighting. -#}

with triggered_lines as (
    select * from {{ ref('int_invoice_lines_triggered') }}
),

invoice_lines as (
    select
        invoice_line_id, project_key, client_key, contract_key, legal_entity_key, service_line_key,
        entity_currency_code, reporting_currency_code, amount_entity, amount_reporting, is_fx_rate_missing
    from {{ ref('fct_invoice_lines') }}
    where transaction_type = 'invoice'
),

projects as (
    select project_key, contract_type from {{ ref('dim_project') }}
),

lines as (
    select
        t.invoice_transaction_id,
        t.invoice_number,
        t.invoice_date,
        t.invoice_created_date,
        t.trigger_type,
        t.trigger_date_basis,
        t.trigger_date,
        t.psa_milestone_id,
        coalesce(il.project_key, '-1') as project_key,
        coalesce(p.contract_type, t.contract_type) as contract_type,
        coalesce(il.client_key, '-1') as client_key,
        coalesce(il.contract_key, '-1') as contract_key,
        coalesce(il.legal_entity_key, '-1') as legal_entity_key,
        coalesce(il.service_line_key, '-1') as service_line_key,
        coalesce(il.entity_currency_code, '-1') as entity_currency_code,
        il.reporting_currency_code,
        cast(il.amount_entity as numeric(18, 2)) as amount_entity,
        cast(round(il.amount_reporting, 2) as numeric(18, 2)) as amount_reporting,
        coalesce(il.is_fx_rate_missing, true) as is_fx_rate_missing
    from triggered_lines as t
    left join invoice_lines as il on il.invoice_line_id = t.invoice_line_id
    left join projects as p on p.project_key = il.project_key
),

invoice_triggers as (
    select
        invoice_transaction_id,
        trigger_type,
        trigger_date_basis,
        trigger_date,
        psa_milestone_id,
        max(invoice_number) as invoice_number,
        max(invoice_date) as invoice_date,
        max(invoice_created_date) as invoice_created_date,
        max(project_key) as project_key,
        max(contract_type) as contract_type,
        max(client_key) as client_key,
        max(contract_key) as contract_key,
        max(legal_entity_key) as legal_entity_key,
        max(service_line_key) as service_line_key,
        max(entity_currency_code) as entity_currency_code,
        max(reporting_currency_code) as reporting_currency_code,
        count(*) as line_count,
        sum(amount_entity) as billed_amount_entity,
        sum(amount_reporting) as billed_amount_reporting,
        max(case when is_fx_rate_missing then 1 else 0 end) = 1 as is_fx_rate_missing
    from lines
    group by invoice_transaction_id, trigger_type, trigger_date_basis, trigger_date, psa_milestone_id
),

invoices as (
    select distinct invoice_transaction_id, invoice_date, project_key
    from invoice_triggers
),

-- credit memos that reverse an invoice so that it can be issued again correctly
rebill_credits as (
    select created_from_transaction_id as invoice_transaction_id, min(transaction_date) as rebill_credit_date
    from {{ ref('fct_invoice_lines') }}
    where transaction_type = 'credit_memo'
        and credit_reason_code = 'REBILL'
        and not is_voided
        and created_from_transaction_id is not null
    group by created_from_transaction_id
),

-- the first later invoice on the same project, dated on or after the rebill credit memo
rebills as (
    select invoice_transaction_id, rebill_credit_date, rebill_invoice_transaction_id, rebill_invoice_date
    from (
        select
            rc.invoice_transaction_id,
            rc.rebill_credit_date,
            nxt.invoice_transaction_id as rebill_invoice_transaction_id,
            nxt.invoice_date as rebill_invoice_date,
            row_number() over (
                partition by rc.invoice_transaction_id order by nxt.invoice_date, nxt.invoice_transaction_id
            ) as rebill_rank
        from rebill_credits as rc
        inner join invoices as orig on orig.invoice_transaction_id = rc.invoice_transaction_id
        left join invoices as nxt
            on nxt.project_key = orig.project_key
                and orig.project_key <> '-1'
                and nxt.invoice_transaction_id <> orig.invoice_transaction_id
                and nxt.invoice_date >= rc.rebill_credit_date
    ) as ranked
    where rebill_rank = 1
),

measured as (
    select
        it.*,
        rb.rebill_credit_date,
        rb.rebill_invoice_transaction_id,
        rb.rebill_invoice_date,
        rb.invoice_transaction_id is not null as is_credited_for_rebill,
        case when rb.invoice_transaction_id is null then it.invoice_date else rb.rebill_invoice_date end
            as first_correct_invoice_date,
        {{ cycle_days('it.trigger_date', 'it.invoice_date') }} as days_trigger_to_invoice
    from invoice_triggers as it
    left join rebills as rb on rb.invoice_transaction_id = it.invoice_transaction_id
)

select
    invoice_transaction_id,
    invoice_number,
    {{ dbt.concat([
        'trigger_type',
        "'|'", "coalesce(cast(trigger_date as " ~ dbt.type_string() ~ "), 'undated')",
        "'|'", "coalesce(trigger_date_basis, 'none')",
        "'|'", "coalesce(psa_milestone_id, '')"]) }} as billing_trigger_key,
    invoice_date,
    cast({{ dbt.date_trunc('month', 'invoice_date') }} as date) as invoice_month_start_date,
    invoice_created_date,
    project_key,
    contract_type,
    client_key,
    contract_key,
    legal_entity_key,
    service_line_key,
    trigger_type,
    trigger_date_basis,
    trigger_date,
    psa_milestone_id,
    cast(line_count as integer) as line_count,
    entity_currency_code,
    cast(billed_amount_entity as numeric(18, 2)) as billed_amount_entity,
    reporting_currency_code,
    cast(billed_amount_reporting as numeric(18, 2)) as billed_amount_reporting,
    is_fx_rate_missing,
    cast(days_trigger_to_invoice as integer) as days_trigger_to_invoice,
    is_credited_for_rebill,
    rebill_credit_date,
    rebill_invoice_transaction_id,
    first_correct_invoice_date,
    cast({{ cycle_days('trigger_date', 'first_correct_invoice_date') }} as integer) as invoice_cycle_days,
    trigger_date is null as is_trigger_missing,
    coalesce(days_trigger_to_invoice < 0, false) as is_invoiced_before_trigger,
    is_credited_for_rebill and rebill_invoice_date is null as is_rebill_pending,
    {{ kpi_definition_version('cycle_times') }} as definition_version
from measured
