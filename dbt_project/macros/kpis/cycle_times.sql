{#- Cycle-time helpers (docs/metrics.md, "Cycle times"). -#}

{#- Continuous percentile (linear interpolation) of expr within the group, fraction in [0, 1]; median is
    fraction 0.5 (an even count gives the mean of the two middle values). Aggregate function. -#}
{% macro cycle_percentile(expr, fraction) -%}
    {{ return(adapter.dispatch('cycle_percentile', 'throughline')(expr, fraction)) }}
{%- endmacro %}
{#- Interpolated in double precision on every engine: DuckDB's quantile_cont of a DECIMAL returns the
    input's decimal type (the median of 1.01 and 1.02 is cut to 1.01), Spark's percentile_cont a double. -#}
{% macro default__cycle_percentile(expr, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by cast({{ expr }} as {{ throughline.ratio_type() }}))
{%- endmacro %}
{% macro duckdb__cycle_percentile(expr, fraction) -%}
    quantile_cont(cast({{ expr }} as double), {{ fraction }})
{%- endmacro %}

{#- Days from start_date to end_date on the var cycle_time_day_basis (negative when end is before start).
    cycle v1 supports 'calendar' (weekends included, APQC); any other value is a compile error rather than a
    silently different number. -#}
{% macro cycle_days(start_date, end_date) -%}
    {%- set basis = var('cycle_time_day_basis') -%}
    {%- if basis == 'calendar' -%}
        {{ dbt.datediff(start_date, end_date, 'day') }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("cycle_time_day_basis '" ~ basis ~ "' is not supported by "
            ~ "cycle v1 (only 'calendar')") }}
    {%- endif -%}
{%- endmacro %}

