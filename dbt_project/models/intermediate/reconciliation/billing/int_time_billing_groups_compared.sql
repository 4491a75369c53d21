{#- Approved T&M time against the invoice lines that bill it, per project x role x service month (the grain
    of an ERP time line: the billing run sums a month's approved time of one role on one project at one rate
    into one line, so no ERP record says which time entry a line billed). Only time linked to a posted,
    non-voided invoice is compared; unlinked time is B1's. Feeds the B2 (hours) and B3 (rate) checks.
    A line "matches" a contract rate when its unit rate is within var('recon_b3_rate_tolerance') of the bill
    rate of some approved time entry of the same group. -#}
{%- set rate_tolerance = var('recon_b3_rate_tolerance') %}

with invoices as (
    select transaction_id
    from {{ throughline.erp_input('transactions') }}
    where transaction_type = 'invoice' and not coalesce(is_voided, false)
),

billed_time as (
    select
        t.project_id,
        t.role_id,
        cast({{ dbt.date_trunc('month', 't.spent_date') }} as date) as period_start,
        t.hours,
        t.bill_rate,
        t.currency_code
    from {{ throughline.psa_input('time_entries') }} as t
    inner join invoices as i on t.erp_invoice_id = i.transaction_id
    where t.time_entry_status = 'approved' and t.role_id is not null
),

time_lines as (
    select
        l.psa_project_id as project_id,
        l.psa_role_id as role_id,
        cast(l.service_period_start as date) as period_start,
        l.transaction_id,
        l.quantity,
        l.unit_rate,
        l.amount_transaction
    from {{ throughline.erp_input('transaction_lines') }} as l
    inner join invoices as i on l.transaction_id = i.transaction_id
    where l.psa_role_id is not null
        and l.psa_project_id is not null
        and not coalesce(l.is_main_line, false)
        and not coalesce(l.is_tax_line, false)
),

time_by_group as (
    select
        project_id,
        role_id,
        period_start,
        min(currency_code) as currency_code,
        count(*) as time_entry_count,
        sum(hours) as approved_hours,
        sum(hours * bill_rate) as approved_value,
        max(bill_rate) as max_contract_rate
    from billed_time
    group by project_id, role_id, period_start
),

contract_rates as (
    select distinct project_id, role_id, period_start, bill_rate
    from billed_time
),

lines_rated as (
    {# each line, and whether some contract rate of its group's billed time matches its unit rate #}
    select
        l.project_id,
        l.role_id,
        l.period_start,
        l.transaction_id,
        l.quantity,
        l.unit_rate,
        l.amount_transaction,
        max(case when r.bill_rate is not null then 1 else 0 end) as is_rate_matched
    from time_lines as l
    left join contract_rates as r
        on l.project_id = r.project_id
        and l.role_id = r.role_id
        and l.period_start = r.period_start
        and abs(l.unit_rate - r.bill_rate) <= {{ rate_tolerance }}
    group by l.project_id, l.role_id, l.period_start, l.transaction_id, l.quantity, l.unit_rate,
        l.amount_transaction
),

lines_by_group as (
    select
        l.project_id,
        l.role_id,
        l.period_start,
        count(*) as invoice_line_count,
        count(distinct l.transaction_id) as invoice_count,
        min(l.transaction_id) as first_invoice_id,
        sum(l.quantity) as invoiced_hours,
        sum(l.amount_transaction) as invoiced_amount,
        sum(case when l.is_rate_matched = 0 and l.unit_rate < g.max_contract_rate then 1 else 0 end)
            as below_rate_line_count,
        sum(case when l.is_rate_matched = 0 and l.unit_rate < g.max_contract_rate then l.quantity else 0 end)
            as below_rate_hours,
        min(case when l.is_rate_matched = 0 and l.unit_rate < g.max_contract_rate then l.unit_rate end)
            as lowest_below_rate,
        sum(case when l.is_rate_matched = 0 and l.unit_rate < g.max_contract_rate
            then l.quantity * (g.max_contract_rate - l.unit_rate) else 0 end) as below_rate_shortfall
    from lines_rated as l
    left join time_by_group as g
        on l.project_id = g.project_id and l.role_id = g.role_id and l.period_start = g.period_start
    group by l.project_id, l.role_id, l.period_start
)

select
    coalesce(t.project_id, l.project_id) as project_id,
    coalesce(t.role_id, l.role_id) as role_id,
    coalesce(t.period_start, l.period_start) as period_start,
    t.currency_code,
    coalesce(t.time_entry_count, 0) as time_entry_count,
    cast(coalesce(t.approved_hours, 0) as numeric(18, 4)) as approved_hours,
    cast(coalesce(t.approved_value, 0) as numeric(18, 2)) as approved_value,
    t.max_contract_rate,
    coalesce(l.invoice_line_count, 0) as invoice_line_count,
    coalesce(l.invoice_count, 0) as invoice_count,
    l.first_invoice_id,
    cast(coalesce(l.invoiced_hours, 0) as numeric(18, 4)) as invoiced_hours,
    cast(coalesce(l.invoiced_amount, 0) as numeric(18, 2)) as invoiced_amount,
    coalesce(l.below_rate_line_count, 0) as below_rate_line_count,
    cast(coalesce(l.below_rate_hours, 0) as numeric(18, 4)) as below_rate_hours,
    l.lowest_below_rate,
    cast(coalesce(l.below_rate_shortfall, 0) as numeric(18, 2)) as below_rate_shortfall
from time_by_group as t
full outer join lines_by_group as l
    on t.project_id = l.project_id and t.role_id = l.role_id and t.period_start = l.period_start
