{#- Frozen forecasts (docs/metrics.md#forecasts-and-their-accuracy): one row per snapshot date x kind x grain x
    key x target month. Incremental with the append strategy: a run only adds the (snapshot_date, kind) pairs
    the table does not hold yet, so a row once written is never rewritten, even when a later extract would
    rebuild that date differently (that difference is what forecast accuracy measures).
      revenue      reporting currency; grains project (backlog only), client, practice, entity, firm
      utilization  scheduled hours (forecast_denominator = capacity hours); grains resource, practice,
                   entity, firm
      eac          estimate at completion, contract currency; grain project; target month = snapshot month -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    unique_key=['snapshot_date', 'kind', 'grain', 'grain_key', 'target_month'],
    on_schema_change='fail'
) }}

{#- Each kind reads the lines of the snapshot dates it has not frozen yet: the lines hold every snapshot, and
    summing them all to keep tonight's would cost more each month the firm ages. -#}
with
{%- if is_incremental() %}
frozen as (
    select distinct kind, snapshot_date from {{ this }}
),
{%- endif %}

revenue as (
    select * from {{ ref('kpi_forecast_revenue_lines') }} as l
    where {{ throughline.forecast_kind_not_frozen('revenue', 'l') }}
),

revenue_rows as (
    {%- for grain, key in [('project', 'project_key'), ('client', 'client_key'), ('practice', 'practice_id'),
        ('entity', 'legal_entity_key'), ('firm', "'GROUP'")] %}
    select
        snapshot_date, 'revenue' as kind, '{{ grain }}' as grain, coalesce({{ key }}, '-1') as grain_key,
        target_month, horizon_months, {{ reporting_currency_literal() }} as unit,
        sum(amount_reporting) as forecast_value,
        sum(case when is_backlog then amount_reporting else 0 end) as forecast_backlog,
        sum(case when is_backlog then 0 else amount_reporting end) as forecast_pipeline,
        cast(null as {{ throughline.amount_type() }}) as forecast_denominator
    from revenue
    {%- if grain == 'project' %}
    where is_backlog
    {%- endif %}
    group by snapshot_date, coalesce({{ key }}, '-1'), target_month, horizon_months
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

utilization as (
    select * from {{ ref('kpi_forecast_utilization_lines') }} as l
    where {{ throughline.forecast_kind_not_frozen('utilization', 'l') }}
),

utilization_rows as (
    {%- for grain, key in [('resource', 'resource_key'), ('practice', 'practice_id'),
        ('entity', 'legal_entity_key'), ('firm', "'GROUP'")] %}
    select
        snapshot_date, 'utilization' as kind, '{{ grain }}' as grain, coalesce({{ key }}, '-1') as grain_key,
        target_month, horizon_months, 'hours' as unit,
        sum(scheduled_hours) as forecast_value,
        cast(null as {{ throughline.amount_type() }}) as forecast_backlog,
        cast(null as {{ throughline.amount_type() }}) as forecast_pipeline,
        sum(capacity_hours) as forecast_denominator
    from utilization
    group by snapshot_date, coalesce({{ key }}, '-1'), target_month, horizon_months
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

eac_rows as (
    select
        snapshot_date, 'eac' as kind, 'project' as grain, project_key as grain_key,
        snapshot_month as target_month, 0 as horizon_months, transaction_currency_code as unit,
        eac_transaction as forecast_value,
        cast(null as {{ throughline.amount_type() }}) as forecast_backlog,
        cast(null as {{ throughline.amount_type() }}) as forecast_pipeline,
        cost_to_date_transaction as forecast_denominator
    from {{ ref('kpi_forecast_eac') }} as l
    where {{ throughline.forecast_kind_not_frozen('eac', 'l') }}
),

all_rows as (
    select * from revenue_rows
    union all
    select * from utilization_rows
    union all
    select * from eac_rows
),

snapshot_types as (
    select snapshot_date, snapshot_type from {{ ref('int_forecast_snapshot_dates') }}
)

select
    {{ composite_key(['a.snapshot_date', 'a.kind', 'a.grain', 'a.grain_key', 'a.target_month']) }}
        as forecast_snapshot_id,
    a.snapshot_date,
    s.snapshot_type,
    a.kind,
    a.grain,
    a.grain_key,
    a.target_month,
    a.horizon_months,
    a.unit,
    cast(a.forecast_value as {{ throughline.amount_type() }}) as forecast_value,
    cast(a.forecast_backlog as {{ throughline.amount_type() }}) as forecast_backlog,
    cast(a.forecast_pipeline as {{ throughline.amount_type() }}) as forecast_pipeline,
    cast(a.forecast_denominator as {{ throughline.amount_type() }}) as forecast_denominator,
    case
        when a.kind = 'utilization' then {{ safe_ratio('a.forecast_value', 'a.forecast_denominator') }}
        when a.kind = 'eac' then {{ safe_ratio('a.forecast_denominator', 'a.forecast_value') }}
    end as forecast_ratio,
    {{ kpi_definition_version('forecasts') }} as definition_version,
    cast({{ dbt.current_timestamp() }} as timestamp) as recorded_at
from all_rows as a
inner join snapshot_types as s on a.snapshot_date = s.snapshot_date
