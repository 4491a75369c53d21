{#- Dates shared by the revenue and AR models. -#}

{#- The as-of date of a finance model: the var when set (YYYY-MM-DD), else the latest business date in the
    data (fallback_sql, a scalar subquery), so a rebuild of the same extracts gives the same answer
    whatever day it runs. -#}
{% macro finance_as_of_date(var_name, fallback_sql) -%}
    {%- set v = var(var_name, none) -%}
    {%- if v -%}
        cast('{{ v }}' as date)
    {%- else -%}
        cast(({{ fallback_sql }}) as date)
    {%- endif -%}
{%- endmacro %}

{#- One row per month start (column month_start, a DATE) from start_expr's month to end_expr's month. -#}
{% macro month_starts(start_expr, end_expr) -%}
    select date_day as month_start
    from ({{ throughline.day_series(dbt.date_trunc('month', start_expr), end_expr) }}) as days
    where date_day = cast({{ dbt.date_trunc('month', 'date_day') }} as date)
{%- endmacro %}

{#- Whole months from month_a to month_b (both first-of-month dates): 0 for the same month. -#}
{% macro months_between(month_a, month_b) -%}
    {{ dbt.datediff(month_a, month_b, 'month') }}
{%- endmacro %}

{#- Aging bucket label for days past due, with edges from var ar_aging_bucket_edges (ascending, e.g.
    [30, 60, 90]): Current (<= 0), 1-30, 31-60, 61-90, 90+. Non-overlapping: overdue starts at +1 day. -#}
{% macro aging_bucket(days_past_due_expr) -%}
    {%- set edges = var('ar_aging_bucket_edges') -%}
    case
        when {{ days_past_due_expr }} is null then 'Unknown'
        when {{ days_past_due_expr }} <= 0 then 'Current'
        {%- set ns = namespace(lo=1) %}
        {%- for e in edges %}
        when {{ days_past_due_expr }} <= {{ e }} then '{{ ns.lo }}-{{ e }}'
        {%- set ns.lo = e + 1 %}
        {%- endfor %}
        else '{{ edges[-1] }}+'
    end
{%- endmacro %}

{#- Sort order of the aging bucket (0 = Current, 1.. = overdue buckets, 99 = Unknown). -#}
{% macro aging_bucket_order(days_past_due_expr) -%}
    {%- set edges = var('ar_aging_bucket_edges') -%}
    case
        when {{ days_past_due_expr }} is null then 99
        when {{ days_past_due_expr }} <= 0 then 0
        {%- for e in edges %}
        when {{ days_past_due_expr }} <= {{ e }} then {{ loop.index }}
        {%- endfor %}
        else {{ edges | length + 1 }}
    end
{%- endmacro %}

{#- Left join of the monthly average/closing rate (int_fx_rates_periodic) for (from_col -> to_col) in the
    month starting period_start_col, as alias. Use with fx_rate(alias, from, to, 'closing_rate'). -#}
{% macro join_periodic_rate(alias, from_col, to_col, period_start_col) -%}
    left join {{ ref('int_fx_rates_periodic') }} as {{ alias }}
        on {{ alias }}.period_start = {{ period_start_col }}
        and {{ alias }}.from_currency = {{ from_col }}
        and {{ alias }}.to_currency = {{ to_col }}
{%- endmacro %}
