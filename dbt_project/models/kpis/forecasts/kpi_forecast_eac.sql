{#- Estimate at completion as frozen at each snapshot (docs/metrics.md#eac), one row per snapshot x
    fixed-fee or milestone project booked before it and not closed before it:
      cost to date      = approved cost of the closed revenue months before the snapshot's month
                          (fct_revenue.approved_cost, contract currency)
      remaining effort  = max(budget hours as of the snapshot - approved hours to date, 0), where the
                          budget as of the snapshot leaves out change orders approved on or after it
      EAC               = cost to date + remaining effort x budgeted cost rate (budget_cost / budget_hours)
      percent complete  = cost to date / EAC -#}
{{ config(
    materialized=throughline.incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='snapshot_date',
    on_schema_change='append_new_columns',
    post_hook="{{ throughline.forecast_lines_drop_past_nightly('int_forecast_snapshot_dates') }}"
) }}

with snapshots as (  -- tonight's snapshots only: the others are frozen (macros/kpis/forecast_lines.sql)
    select snapshot_date, snapshot_type,
        cast({{ dbt.date_trunc('month', 'snapshot_date') }} as date) as snapshot_month
    from {{ ref('int_forecast_snapshot_dates') }} as s
    where {{ throughline.forecast_snapshot_to_build('s') }}
),

projects as (
    select
        p.project_key, p.client_key, p.legal_entity_key, coalesce(p.practice_id, '-1') as practice_id,
        p.contract_type, p.project_status, p.currency_code as transaction_currency_code,
        p.budget_hours, p.budget_cost, p.end_date,
        coalesce(c.contract_date, p.start_date) as booked_date
    from {{ ref('dim_project') }} as p
    left join {{ ref('dim_contract') }} as c on p.contract_key = c.contract_key and not c.is_amendment
    where not p.is_unknown and p.contract_type in ('fixed_fee', 'milestone')
        and p.budget_hours > 0 and p.budget_cost is not null
),

revenue as (
    select project_key, revenue_month, approved_cost, approved_hours
    from {{ ref('fct_revenue') }}
),

last_revenue as (
    select project_key, max(revenue_month) as last_revenue_month
    from revenue
    group by project_key
),

later_change_hours as (
    select s.snapshot_date, co.project_id as project_key, sum(co.hours_change) as hours_change
    from snapshots as s
    inner join {{ throughline.psa_input('change_orders') }} as co
        on co.change_order_status = 'approved' and co.approved_date >= s.snapshot_date
    group by s.snapshot_date, co.project_id
),

to_date as (
    select
        s.snapshot_date, s.snapshot_type, s.snapshot_month, p.project_key,
        coalesce(sum(r.approved_cost), 0) as cost_to_date,
        coalesce(sum(r.approved_hours), 0) as hours_to_date
    from snapshots as s
    inner join projects as p on p.booked_date < s.snapshot_date
    left join last_revenue as lr on p.project_key = lr.project_key
    left join revenue as r on r.project_key = p.project_key and r.revenue_month < s.snapshot_month
    where lr.last_revenue_month is null or lr.last_revenue_month >= s.snapshot_month
        or p.project_status not in ('closed', 'completed', 'cancelled')
    group by s.snapshot_date, s.snapshot_type, s.snapshot_month, p.project_key
),

estimated as (
    select
        d.*,
        p.client_key, p.legal_entity_key, p.practice_id, p.contract_type, p.transaction_currency_code,
        p.budget_hours - coalesce(l.hours_change, 0) as budget_hours_at_snapshot,
        {{ throughline.divide('p.budget_cost', 'p.budget_hours') }} as budgeted_cost_rate
    from to_date as d
    inner join projects as p on d.project_key = p.project_key
    left join later_change_hours as l on l.snapshot_date = d.snapshot_date and l.project_key = d.project_key
)

select
    snapshot_date,
    snapshot_type,
    snapshot_month,
    project_key,
    client_key,
    legal_entity_key,
    practice_id,
    contract_type,
    transaction_currency_code,
    cast(cost_to_date as numeric(18, 2)) as cost_to_date_transaction,
    cast(hours_to_date as numeric(18, 2)) as hours_to_date,
    cast(budget_hours_at_snapshot as numeric(18, 2)) as budget_hours_at_snapshot,
    cast(greatest(budget_hours_at_snapshot - hours_to_date, 0) as numeric(18, 2)) as remaining_hours,
    cast({{ throughline.round_double('cost_to_date + greatest(budget_hours_at_snapshot - hours_to_date, 0)
        * budgeted_cost_rate') }} as numeric(18, 2)) as eac_transaction,
    {{ safe_ratio('cost_to_date',
        'cost_to_date + greatest(budget_hours_at_snapshot - hours_to_date, 0) * budgeted_cost_rate') }}
        as percent_complete,
    {{ kpi_definition_version('forecasts') }} as definition_version
from estimated
