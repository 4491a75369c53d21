{#- The forecast lines (kpi_forecast_revenue_lines, kpi_forecast_utilization_lines, kpi_forecast_eac) are
    frozen at their snapshot date as kpi_forecast_snapshots is, so each night computes only the snapshots it
    does not hold yet (docs/metrics.md#snapshots-forecasts-frozen-when-they-were-made; docs/performance.md
    item 66). Rebuilding every month start each night would make a night's cost grow with the firm's age, and
    the lines of an old snapshot would drift from the frozen numbers they explain.

    forecast_snapshot_to_build(snapshot): whether tonight's build computes the snapshot of a row of
    int_forecast_snapshot_dates or int_forecast_targets (alias `snapshot`). On a build from empty (and on
    Spark, which rebuilds the lines whole as it does the facts) every snapshot; on an incremental night
    tonight's nightly snapshot and every month start the model holds no line of yet (the first night of a
    month, or a month start an earlier revenue month added). -#}
{% macro forecast_snapshot_to_build(snapshot) -%}
    {%- if this is not none and is_incremental() -%}
        ({{ snapshot }}.snapshot_type = 'nightly' or not exists (
            select 1 from {{ this }} as frozen where frozen.snapshot_date = {{ snapshot }}.snapshot_date
        ))
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Post-hook of the forecast lines: drop the lines of an earlier nightly snapshot. A night keeps tonight's
    nightly snapshot besides the month starts; last night's nightly lines are those whose date the snapshot
    spine (`dates`: int_forecast_snapshot_dates or int_forecast_targets, whichever the model reads, as dbt
    resolves a hook's ref only among the model's own) no longer lists. Month-start lines stay whatever the
    spine says (a night run with an earlier forecast_as_of_date does not erase later month starts), as in
    kpi_forecast_snapshots. -#}
{% macro forecast_lines_drop_past_nightly(dates) -%}
    {%- if this is not none and execute and is_incremental() -%}
        delete from {{ this }}
        where snapshot_date <> cast({{ dbt.date_trunc('month', 'snapshot_date') }} as date)
            and snapshot_date not in (select snapshot_date from {{ ref(dates) }})
    {%- endif -%}
{%- endmacro %}

{#- kpi_forecast_snapshots: whether the lines row `alias` belongs to a (snapshot date, `kind`) pair the table
    has not frozen yet (its CTE `frozen`: the pairs it holds). True on a build from empty. -#}
{% macro forecast_kind_not_frozen(kind, alias) -%}
    {%- if is_incremental() -%}
        not exists (select 1 from frozen as f where f.kind = '{{ kind }}' and f.snapshot_date = {{ alias }}.snapshot_date)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
