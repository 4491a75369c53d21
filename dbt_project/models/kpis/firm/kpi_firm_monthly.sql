{#- The firm's headline numbers: one row per month x legal entity, plus one consolidated row per month
    (legal_entity_key 'GROUP', is_consolidated). Every figure is re-aggregated here from the numerators and
    denominators of the KPI family marts (never an average of their ratios), so this table always agrees
    with them. Entity rows are in entity and reporting currency; the GROUP row in reporting currency only.
    Intercompany: revenue, cost and margin come from client projects only (no recharge revenue), AR and
    sales exclude intercompany customers, so the GROUP row is the plain sum of the entity rows.
    Contractors count in utilization per var utilization_include_contractors (is_in_firm_totals). Billing
    realization is on T&M work only: fixed-fee, milestone and retainer billing follows schedules, not hours. -#}


with entities as (
    select legal_entity_key, functional_currency_code as entity_currency_code
    from {{ ref('dim_legal_entity') }}
    where not is_unknown
),

utilization as (
    select
        month_start_date,
        legal_entity_key,
        sum(capacity_hours) as capacity_hours,
        sum(billable_hours) as billable_hours,
        sum(productive_hours) as productive_hours,
        sum(total_hours) as total_hours,
        sum(target_billable_hours) as target_billable_hours,
        cast(count(distinct case when capacity_hours > 0 then resource_key end) as bigint) as headcount_with_capacity
    from {{ ref('kpi_utilization_monthly') }}
    where is_in_firm_totals
    group by month_start_date, legal_entity_key
),

margin as (
    select
        month_start_date,
        legal_entity_key,
        sum(revenue_entity) as revenue_entity,
        sum(revenue_reporting) as revenue_reporting,
        sum(cost_entity) as cost_entity,
        sum(cost_reporting) as cost_reporting,
        sum(margin_entity) as margin_entity,
        sum(margin_reporting) as margin_reporting,
        sum(hours_total) as project_hours,
        sum(case when contract_type = 'time_and_materials' then standard_value_reporting end)
            as tm_standard_value_reporting,
        sum(case when contract_type = 'time_and_materials' then billed_reporting end) as tm_billed_reporting,
        sum(billed_reporting) as billed_reporting,
        sum(collected_reporting) as collected_reporting
    from {{ ref('kpi_project_margin_monthly') }}
    group by month_start_date, legal_entity_key
),

backlog as (
    select
        month_start_date,
        legal_entity_key,
        sum(backlog_entity) as backlog_entity,
        sum(backlog_reporting) as backlog_reporting,
        sum(overrun_reporting) as overrun_reporting
    from {{ ref('kpi_backlog_monthly') }}
    group by month_start_date, legal_entity_key
),

leakage as (
    select
        month_start_date,
        legal_entity_key,
        sum(leakage_total_reporting) as leakage_total_reporting,
        sum(revenue_reporting) as leakage_revenue_reporting,
        sum(unbilled_time_reporting) as unbilled_time_reporting,
        sum(unbilled_expenses_reporting) as unbilled_expenses_reporting
    from {{ ref('kpi_leakage_monthly') }}
    group by month_start_date, legal_entity_key
),

dso as (
    select * from {{ ref('kpi_dso_monthly') }} where not is_consolidated
),

lockup as (
    select * from {{ ref('kpi_lockup_monthly') }} where not is_consolidated
),

cycle as (
    select month_start_date, legal_entity_key, activation_days_median, invoice_cycle_days_median
    from {{ ref('kpi_cycle_times_monthly') }}
    where contract_type = 'all'
),

partial_months as (
    select month_start_date, max(case when is_partial_month then 1 else 0 end) = 1 as is_partial_month
    from {{ ref('kpi_utilization_monthly') }}
    group by month_start_date
),

months as (
    select month_start_date from utilization
    union
    select month_start_date from margin
    union
    select month_start_date from dso
),

entity_months as (
    select m.month_start_date, e.legal_entity_key, e.entity_currency_code
    from months as m
    cross join entities as e
),

by_entity as (
    select
        em.month_start_date,
        em.legal_entity_key,
        em.entity_currency_code,
        u.capacity_hours,
        u.billable_hours,
        u.productive_hours,
        u.total_hours,
        u.target_billable_hours,
        u.headcount_with_capacity,
        mg.revenue_entity,
        mg.revenue_reporting,
        mg.cost_entity,
        mg.cost_reporting,
        mg.margin_entity,
        mg.margin_reporting,
        mg.project_hours,
        mg.tm_standard_value_reporting,
        mg.tm_billed_reporting,
        mg.billed_reporting,
        mg.collected_reporting,
        b.backlog_entity,
        b.backlog_reporting,
        b.overrun_reporting,
        d.ar_entity,
        d.ar_reporting,
        d.current_ar_reporting,
        d.credit_sales_window_reporting,
        d.dso_window_days,
        d.dso_simple_days,
        d.dso_countback_days,
        d.bpdso_days,
        lk.wip_reporting,
        lk.wip_days,
        lk.debtor_days,
        lk.lockup_days,
        l.leakage_total_reporting,
        l.leakage_revenue_reporting,
        l.unbilled_time_reporting,
        l.unbilled_expenses_reporting,
        c.activation_days_median,
        c.invoice_cycle_days_median
    from entity_months as em
    left join utilization as u
        on em.month_start_date = u.month_start_date and em.legal_entity_key = u.legal_entity_key
    left join margin as mg
        on em.month_start_date = mg.month_start_date and em.legal_entity_key = mg.legal_entity_key
    left join backlog as b
        on em.month_start_date = b.month_start_date and em.legal_entity_key = b.legal_entity_key
    left join dso as d
        on em.month_start_date = d.month_start_date and em.legal_entity_key = d.legal_entity_key
    left join lockup as lk
        on em.month_start_date = lk.month_start_date and em.legal_entity_key = lk.legal_entity_key
    left join leakage as l
        on em.month_start_date = l.month_start_date and em.legal_entity_key = l.legal_entity_key
    left join cycle as c
        on em.month_start_date = c.month_start_date and em.legal_entity_key = c.legal_entity_key
),

group_dso as (
    select * from {{ ref('kpi_dso_monthly') }} where is_consolidated
),

group_lockup as (
    select * from {{ ref('kpi_lockup_monthly') }} where is_consolidated
),

consolidated as (
    select
        be.month_start_date,
        'GROUP' as legal_entity_key,
        cast(null as {{ dbt.type_string() }}) as entity_currency_code,
        sum(be.capacity_hours) as capacity_hours,
        sum(be.billable_hours) as billable_hours,
        sum(be.productive_hours) as productive_hours,
        sum(be.total_hours) as total_hours,
        sum(be.target_billable_hours) as target_billable_hours,
        cast(sum(be.headcount_with_capacity) as bigint) as headcount_with_capacity,
        cast(null as {{ throughline.amount_type() }}) as revenue_entity,
        sum(be.revenue_reporting) as revenue_reporting,
        cast(null as {{ throughline.amount_type() }}) as cost_entity,
        sum(be.cost_reporting) as cost_reporting,
        cast(null as {{ throughline.amount_type() }}) as margin_entity,
        sum(be.margin_reporting) as margin_reporting,
        sum(be.project_hours) as project_hours,
        sum(be.tm_standard_value_reporting) as tm_standard_value_reporting,
        sum(be.tm_billed_reporting) as tm_billed_reporting,
        sum(be.billed_reporting) as billed_reporting,
        sum(be.collected_reporting) as collected_reporting,
        cast(null as {{ throughline.amount_type() }}) as backlog_entity,
        sum(be.backlog_reporting) as backlog_reporting,
        sum(be.overrun_reporting) as overrun_reporting,
        cast(null as {{ throughline.amount_type() }}) as ar_entity,
        max(gd.ar_reporting) as ar_reporting,
        max(gd.current_ar_reporting) as current_ar_reporting,
        max(gd.credit_sales_window_reporting) as credit_sales_window_reporting,
        max(gd.dso_window_days) as dso_window_days,
        max(gd.dso_simple_days) as dso_simple_days,
        max(gd.dso_countback_days) as dso_countback_days,
        max(gd.bpdso_days) as bpdso_days,
        max(gl.wip_reporting) as wip_reporting,
        max(gl.wip_days) as wip_days,
        max(gl.debtor_days) as debtor_days,
        max(gl.lockup_days) as lockup_days,
        sum(be.leakage_total_reporting) as leakage_total_reporting,
        sum(be.leakage_revenue_reporting) as leakage_revenue_reporting,
        sum(be.unbilled_time_reporting) as unbilled_time_reporting,
        sum(be.unbilled_expenses_reporting) as unbilled_expenses_reporting,
        max(gc.activation_days_median) as activation_days_median,
        max(gc.invoice_cycle_days_median) as invoice_cycle_days_median
    from by_entity as be
    left join group_dso as gd on be.month_start_date = gd.month_start_date
    left join group_lockup as gl on be.month_start_date = gl.month_start_date
    left join cycle as gc on be.month_start_date = gc.month_start_date and gc.legal_entity_key = 'GROUP'
    group by be.month_start_date
),

all_rows as (
    select *, false as is_consolidated from by_entity
    union all
    select *, true as is_consolidated from consolidated
)

select
    month_start_date,
    {{ throughline.month_end('month_start_date') }} as month_end_date,
    legal_entity_key,
    is_consolidated,
    coalesce(pm.is_partial_month, false) as is_partial_month,
    entity_currency_code,
    {{ reporting_currency_literal() }} as reporting_currency_code,
    {{ safe_ratio('billable_hours', 'capacity_hours') }} as billable_utilization,
    {{ safe_ratio('productive_hours', 'capacity_hours') }} as productive_utilization,
    {{ safe_ratio('total_hours', 'capacity_hours') }} as total_utilization,
    {{ safe_ratio('billable_hours', 'target_billable_hours') }} as target_attainment,
    capacity_hours,
    billable_hours,
    productive_hours,
    total_hours,
    target_billable_hours,
    headcount_with_capacity,
    revenue_entity,
    revenue_reporting,
    cost_entity,
    cost_reporting,
    margin_entity,
    margin_reporting,
    {{ safe_ratio('margin_reporting', 'revenue_reporting') }} as margin_pct,
    project_hours,
    {{ safe_ratio('revenue_reporting', 'project_hours') }} as effective_bill_rate_reporting,
    tm_standard_value_reporting,
    tm_billed_reporting,
    billed_reporting,
    collected_reporting,
    {{ safe_ratio('tm_billed_reporting', 'tm_standard_value_reporting') }} as billing_realization,
    {{ safe_ratio(firm_trailing_sum('tm_billed_reporting'), firm_trailing_sum('tm_standard_value_reporting')) }}
        as billing_realization_12m,
    {{ safe_ratio('collected_reporting', 'billed_reporting') }} as collection_realization,
    backlog_entity,
    backlog_reporting,
    overrun_reporting,
    ar_entity,
    ar_reporting,
    current_ar_reporting,
    credit_sales_window_reporting,
    dso_window_days,
    dso_simple_days,
    dso_countback_days,
    bpdso_days,
    wip_reporting,
    wip_days,
    debtor_days,
    lockup_days,
    leakage_total_reporting,
    leakage_revenue_reporting,
    {{ safe_ratio('leakage_total_reporting', 'leakage_revenue_reporting') }} as leakage_pct_of_revenue,
    unbilled_time_reporting,
    unbilled_expenses_reporting,
    activation_days_median,
    invoice_cycle_days_median,
    {{ kpi_definition_version('firm') }} as definition_version
from all_rows
left join partial_months as pm using (month_start_date)
