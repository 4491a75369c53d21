{#- Helpers of the receivables KPI family (docs/metrics.md "DSO, aging, WIP and lock-up"). -#}

{#- A money amount as the family stores it: a decimal with 2 places (sums of decimals are exact, so a rerun
    never changes a figure in the last digit). -#}
{% macro receivables_amount(expr) -%}
    cast({{ expr }} as numeric(18, 2))
{%- endmacro %}

{#- Days counted for the month starting on month_start_expr: the calendar days of the month, or the fixed
    var dso_days_per_month when it is set (e.g. 30, the convention of count-back worked examples). -#}
{% macro receivables_days_in_month(month_start_expr) -%}
    {%- if var('dso_days_per_month', none) is not none -%}
        {{ var('dso_days_per_month') | int }}
    {%- else -%}
        {{ dbt.datediff(month_start_expr, dbt.dateadd('month', 1, month_start_expr), 'day') }}
    {%- endif -%}
{%- endmacro %}

{#- Calendar months of the simple-DSO window: var dso_window_days in average months (30.4375 days),
    rounded, at least 1 (90 days -> 3 months, 30 -> 1, 365 -> 12). -#}
{% macro dso_window_months() -%}
    {{- [1, ((var('dso_window_days') | float) / 30.4375) | round | int] | max -}}
{%- endmacro %}

{#- Share of an open item that is not tax: 1 - tax / original amount when var dso_exclude_tax (AR is
    tax-inclusive, sales are not), else 1. A double on every engine (Spark divides floats as doubles; a 32-bit
    float on DuckDB moved the net amounts by cents). -#}
{% macro receivables_net_of_tax_share(tax_expr, original_expr) -%}
    {%- if var('dso_exclude_tax') -%}
        case when {{ original_expr }} <> 0
            then 1 - cast(coalesce({{ tax_expr }}, 0) as {{ throughline.ratio_type() }})
                / cast({{ original_expr }} as {{ throughline.ratio_type() }})
            else 1 end
    {%- else -%}
        1
    {%- endif -%}
{%- endmacro %}

{#- Only months on or before var kpi_as_of_date when it is set (null = every month the data has). -#}
{% macro receivables_as_of_filter(month_end_expr) -%}
    {%- if var('kpi_as_of_date', none) is not none -%}
        {{ month_end_expr }} <= cast({{ dbt.string_literal(var('kpi_as_of_date')) }} as date)
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{#- Days measure = safe_ratio(numerator, denominator) x days, to 2 decimals, as a double (safe_ratio's float
    is widened before multiplying and rounding, so 76.32 stays 76.32); null when the denominator is <= 0
    (a negative sales or revenue base gives no meaningful days). -#}
{% macro receivables_days(numerator, denominator, days_expr) -%}
    case when {{ denominator }} > 0
        then {{ throughline.round_double('cast(' ~ safe_ratio(numerator, denominator) ~ ' as '
            ~ throughline.ratio_type() ~ ') * ' ~ days_expr) }}
    end
{%- endmacro %}
