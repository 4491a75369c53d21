{#- Sum of a kpi_firm_monthly column over the 12 months ending with the row's month, per legal entity (rows
    are dense: every entity has a row every month). A month's billings mostly bill the previous month's work,
    so month-by-month realization swings with billing timing; twelve months do not. -#}
{% macro firm_trailing_sum(column) -%}
    sum({{ column }}) over (partition by legal_entity_key order by month_start_date
        rows between 11 preceding and current row)
{%- endmacro %}
