{#- Forecast vs actual per key (docs/metrics.md#forecasts-and-their-accuracy): one row per kind x grain x key
    x target month x horizon x snapshot, for the month-start snapshots, the scored horizons (var
    forecast_horizons) and the target months that have actuals. A key with an actual but no forecast counts
    with forecast 0, and one forecast but never realised (a cancelled deal, a slipped milestone) with
    actual 0. accuracy = 1 - |A - F| / A, NULL when A = 0 (never a division error).
      revenue             A = fct_revenue (reporting currency) of the target month
      utilization         A = approved billable hours (kpi_utilization_monthly); denominators = capacity
      backlog_conversion  contracts in the opening backlog (month end before the target month): A = their
                          revenue in the month, F = their scheduled conversion frozen at the month start
      backlog_data        per contract at each month end: F = PSA backlog, A = ERP backlog (sales order
                          incl. amendments dated by then - GL revenue journals to date, floored at 0),
                          reporting currency at the backlog's closing rate; T&M left out
      eac                 closed fixed-fee / milestone projects: F = EAC of the first snapshot at or past
                          var forecast_eac_percent_complete, A = final cost; target month = last revenue month -#}
{%- set horizons = var('forecast_horizons') %}

with snapshots as (
    select * from {{ ref('kpi_forecast_snapshots') }}
    where snapshot_type = 'month_start'
),

last_actual as (
    select max(revenue_month) as last_month from {{ ref('fct_revenue') }}
),

scored as (
    select *
    from snapshots
    where kind in ('revenue', 'utilization')
        and horizon_months in ({{ horizons | join(', ') }})
        and target_month <= (select last_month from last_actual)
),

revenue_facts as (
    select r.revenue_month as target_month, r.project_key, r.client_key, r.legal_entity_key,
        coalesce(p.practice_id, '-1') as practice_id,
        cast(r.amount_reporting as {{ throughline.amount_type() }}) as amount_reporting  -- exact sums: a rerun adds up the same
    from {{ ref('fct_revenue') }} as r
    left join {{ ref('dim_project') }} as p on r.project_key = p.project_key
),

utilization_facts as (
    select month_start_date as target_month, resource_key, legal_entity_key,
        coalesce(practice_id, '-1') as practice_id, billable_hours, capacity_hours
    from {{ ref('kpi_utilization_monthly') }}
),

actuals as (
    {%- for grain, key in [('project', 'project_key'), ('client', 'client_key'), ('practice', 'practice_id'),
        ('entity', 'legal_entity_key'), ('firm', "'GROUP'")] %}
    select 'revenue' as kind, '{{ grain }}' as grain, coalesce({{ key }}, '-1') as grain_key, target_month,
        sum(amount_reporting) as actual_value, cast(null as {{ throughline.amount_type() }}) as actual_denominator
    from revenue_facts
    group by coalesce({{ key }}, '-1'), target_month
    union all
    {%- endfor %}
    {%- for grain, key in [('resource', 'resource_key'), ('practice', 'practice_id'),
        ('entity', 'legal_entity_key'), ('firm', "'GROUP'")] %}
    select 'utilization' as kind, '{{ grain }}' as grain, coalesce({{ key }}, '-1') as grain_key, target_month,
        sum(billable_hours) as actual_value, sum(capacity_hours) as actual_denominator
    from utilization_facts
    group by coalesce({{ key }}, '-1'), target_month
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

scored_targets as (
    select distinct kind, snapshot_date, horizon_months, target_month from scored
),

actual_rows as (
    select a.kind, a.grain, a.grain_key, t.snapshot_date, t.horizon_months, a.target_month,
        a.actual_value, a.actual_denominator
    from actuals as a
    inner join scored_targets as t on a.kind = t.kind and a.target_month = t.target_month
),

kind_rows as (  -- a forecast and its actual side by side (a snapshot row is unique per key and target month)
    select
        coalesce(f.kind, a.kind) as kind,
        coalesce(f.grain, a.grain) as grain,
        coalesce(f.grain_key, a.grain_key) as grain_key,
        coalesce(f.snapshot_date, a.snapshot_date) as snapshot_date,
        coalesce(f.horizon_months, a.horizon_months) as horizon_months,
        coalesce(f.target_month, a.target_month) as target_month,
        coalesce(f.forecast_value, 0) as forecast_value,
        coalesce(a.actual_value, 0) as actual_value,
        f.forecast_denominator,
        a.actual_denominator
    from scored as f
    full outer join actual_rows as a
        on f.kind = a.kind and f.grain = a.grain and f.grain_key = a.grain_key
        and f.snapshot_date = a.snapshot_date and f.horizon_months = a.horizon_months
        and f.target_month = a.target_month
),

opening_backlog as (
    select project_key, cast({{ dbt.dateadd('month', 1, 'month_start_date') }} as date) as target_month
    from {{ ref('kpi_backlog_monthly') }}
    where backlog_transaction > 0 and not is_exit_month
),

conversion_rows as (
    select
        'backlog_conversion' as kind, 'project' as grain, b.project_key as grain_key,
        b.target_month as snapshot_date, 1 as horizon_months, b.target_month,
        coalesce(f.forecast_value, 0) as forecast_value, coalesce(a.actual_value, 0) as actual_value,
        cast(null as {{ throughline.amount_type() }}) as forecast_denominator,
        cast(null as {{ throughline.amount_type() }}) as actual_denominator
    from opening_backlog as b
    inner join (select distinct snapshot_date from snapshots) as s on s.snapshot_date = b.target_month
    left join snapshots as f
        on f.kind = 'revenue' and f.grain = 'project' and f.grain_key = b.project_key
        and f.snapshot_date = b.target_month and f.horizon_months = 1
    left join actuals as a
        on a.kind = 'revenue' and a.grain = 'project' and a.grain_key = b.project_key
        and a.target_month = b.target_month
    where b.target_month <= (select last_month from last_actual)
),

backlog_compared as (  -- the PSA backlog rows backlog_data compares with the ERP (T&M left out)
    select contract_key, project_key, month_start_date, month_end_date, backlog_reporting, fx_rate_to_reporting
    from {{ ref('kpi_backlog_monthly') }}
    where contract_type <> 'time_and_materials' and contract_key <> '-1' and not is_exit_month
),

contract_value_months as (  -- sales orders and amendments by the month end they are dated in
    select coalesce(root_contract_key, contract_key) as contract_key,
        {{ throughline.month_end('contract_date') }} as month_end_date, sum(contract_amount) as amount
    from {{ ref('dim_contract') }}
    where not is_unknown and contract_date is not null
    group by coalesce(root_contract_key, contract_key), {{ throughline.month_end('contract_date') }}
),

contract_points as (
    select distinct contract_key, month_end_date from backlog_compared
),

erp_value as (  -- contract value dated by each month end (backlog month ends are month ends)
    {{ throughline.running_total_at('contract_value_months', 'contract_points', 'contract_key', 'month_end_date') }}
),

gl_revenue_months as (  -- revenue journals by the month end they are dated in (exact sums: decimals)
    select project_key, {{ throughline.month_end('transaction_date') }} as month_end_date,
        -sum(cast(amount_transaction as {{ throughline.amount_type() }})) as amount
    from {{ ref('fct_gl_lines') }}
    where transaction_type = 'journal' and account_type = 'income' and is_posting
        and project_key is not null and project_key <> '-1' and transaction_date is not null
    group by project_key, {{ throughline.month_end('transaction_date') }}
),

project_points as (
    select distinct project_key, month_end_date from backlog_compared
),

erp_revenue as (  -- GL revenue to date at each month end
    {{ throughline.running_total_at('gl_revenue_months', 'project_points', 'project_key', 'month_end_date') }}
),

data_rows as (
    select
        'backlog_data' as kind, 'project' as grain, b.project_key as grain_key,
        b.month_end_date as snapshot_date, 0 as horizon_months, b.month_start_date as target_month,
        cast(b.backlog_reporting as {{ throughline.amount_type() }}) as forecast_value,
        round(greatest(coalesce(v.running_total, 0) - coalesce(r.running_total, 0), 0)
            * b.fx_rate_to_reporting, 2) as actual_value,
        cast(null as {{ throughline.amount_type() }}) as forecast_denominator,
        cast(null as {{ throughline.amount_type() }}) as actual_denominator
    from backlog_compared as b
    left join erp_value as v on b.contract_key = v.contract_key and b.month_end_date = v.month_end_date
    left join erp_revenue as r on b.project_key = r.project_key and b.month_end_date = r.month_end_date
),

eac_at_threshold as (
    select e.*, row_number() over (partition by e.grain_key order by e.snapshot_date) as rn
    from snapshots as e
    where e.kind = 'eac' and e.forecast_ratio >= {{ var('forecast_eac_percent_complete') }}
),

final_cost as (
    select r.project_key, max(r.revenue_month) as last_month, sum(r.approved_cost) as final_cost,
        max(r.fx_rate_to_reporting) filter (where r.revenue_month = r2.last_month) as fx_rate_to_reporting
    from {{ ref('fct_revenue') }} as r
    inner join (select project_key, max(revenue_month) as last_month from {{ ref('fct_revenue') }}
        group by project_key) as r2 on r.project_key = r2.project_key
    inner join {{ ref('dim_project') }} as p on r.project_key = p.project_key
    where p.project_status in ('closed', 'completed') and p.contract_type in ('fixed_fee', 'milestone')
    group by r.project_key
),

eac_rows as (
    select
        'eac' as kind, 'project' as grain, e.grain_key, e.snapshot_date, 0 as horizon_months,
        c.last_month as target_month,
        {{ throughline.round_double('e.forecast_value * c.fx_rate_to_reporting') }} as forecast_value,
        {{ throughline.round_double('c.final_cost * c.fx_rate_to_reporting') }} as actual_value,
        cast(null as {{ throughline.amount_type() }}) as forecast_denominator,
        cast(null as {{ throughline.amount_type() }}) as actual_denominator
    from eac_at_threshold as e
    inner join final_cost as c on e.grain_key = c.project_key
    where e.rn = 1
),

all_rows as (
    select * from kind_rows
    union all
    select * from conversion_rows
    union all
    select * from data_rows
    union all
    select * from eac_rows
)

select
    {{ composite_key(['kind', 'grain', 'grain_key', 'snapshot_date', 'horizon_months', 'target_month']) }}
        as forecast_error_id,
    kind,
    grain,
    grain_key,
    snapshot_date,
    horizon_months,
    target_month,
    cast(forecast_value as {{ throughline.amount_type() }}) as forecast_value,
    cast(actual_value as {{ throughline.amount_type() }}) as actual_value,
    cast(forecast_value - actual_value as {{ throughline.amount_type() }}) as error,
    cast(abs(forecast_value - actual_value) as {{ throughline.amount_type() }}) as abs_error,
    1 - {{ safe_ratio('abs(forecast_value - actual_value)', 'actual_value') }} as accuracy,
    cast(forecast_denominator as {{ throughline.amount_type() }}) as forecast_denominator,
    cast(actual_denominator as {{ throughline.amount_type() }}) as actual_denominator,
    {{ kpi_definition_version('forecasts') }} as definition_version
from all_rows
