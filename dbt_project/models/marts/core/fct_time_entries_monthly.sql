{{ config(
    materialized=throughline.incremental_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ throughline.time_entry_months_reset() }}"
) }}
{#- The time entries summed per month: one row per month and every column the month-grained KPIs filter or
    group time by (person, project, role, status, work type, billable and approved flags, bill and cost
    currencies), with hours, billable hours, cost and the standard (rate-card) value of billable time.
    Engagement margin and utilization read it instead of the time fact: every month when their as-of date
    is the latest approved day (the default), else the months before the as-of month, that month coming
    from the fact up to the as-of day (macro time_entry_months_through).
    A night sums again only the months whose entries changed since the last build (macro
    time_entry_months_to_sum: another count of entries, or an entry the fact wrote since); its pre-hook
    drops those months first. Rate cards that differ from those the rows were summed with sum every month
    again. On Spark the model is rebuilt whole, as the facts are. -#}

{%- set months = throughline.time_entry_months_to_sum() %}
{%- if months is none %}
{%- set where = '1 = 1' %}
{%- elif months %}
{%- set where = throughline.in_months('{e}.spent_date', months) %}
{%- else %}
{%- set where = '1 = 0' %}
{%- endif %}

select
    s.*,
    {{ throughline.time_entry_months_rate_cards() }} as rate_cards_loaded_through,
    {{ throughline.build_stamp() }} as _built_at
from ({{ throughline.time_entries_summed_by_month(ref('fct_time_entries'), where) }}) as s
