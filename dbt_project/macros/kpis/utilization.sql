{#- Utilization family helpers (docs/metrics.md, "Utilization"). -#}

{#- The utilization as-of date, a DATE expression: var kpi_as_of_date, else the latest approved time-entry
    date in time_entries_relation (status_predicate selects its approved rows). Capacity and hours are
    counted up to and including this day; its month is partial when the day is not the month end. -#}
{% macro utilization_as_of_date(time_entries_relation, status_predicate) -%}
    {{ finance_as_of_date('kpi_as_of_date',
        "select max(spent_date) from " ~ time_entries_relation ~ " where " ~ status_predicate) }}
{%- endmacro %}

{#- Time-entry statuses counted in utilization numerators: approved only (var utilization_approved_only,
    default true), else approved and submitted (drafts and rejected time never count). -#}
{% macro utilization_counted_time_statuses() -%}
    {%- if var('utilization_approved_only') -%}
        {{ string_list(['approved']) }}
    {%- else -%}
        {{ string_list(['approved', 'submitted']) }}
    {%- endif -%}
{%- endmacro %}
