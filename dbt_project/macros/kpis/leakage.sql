{#- Leakage KPI helpers (models/kpis/leakage, docs/metrics.md "Leakage"). -#}

{#- The last day the leakage mart reports on, as a SQL date expression: var kpi_as_of_date, else the latest
    approved time-entry date or ERP invoice / credit-memo date, whichever is later. -#}
{% macro leakage_as_of_date() -%}
    {%- if var('kpi_as_of_date') -%}
        cast({{ dbt.string_literal(var('kpi_as_of_date')) }} as date)
    {%- else -%}
        (select max(d) from (
            select max(spent_date) as d from {{ ref('fct_time_entries') }} where is_approved
            union all
            select max(transaction_date) as d from {{ ref('fct_invoice_lines') }}
        ) as latest_dates)
    {%- endif -%}
{%- endmacro %}

{#- Rate of a periodic (month) rate row joined as alias, average or closing by the rate_type column, exactly
    1 when the currencies are equal. -#}
{% macro leakage_periodic_rate(alias, from_col, to_col, rate_type_col) -%}
    case
        when {{ from_col }} = {{ to_col }} then cast(1.0 as {{ dbt.type_float() }})
        when {{ rate_type_col }} = 'closing' then {{ alias }}.closing_rate
        else {{ alias }}.average_rate
    end
{%- endmacro %}
