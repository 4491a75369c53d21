{#- The capacity calendar (int_resource_days_calendared) is built incrementally by resource. A resource's days
    depend on its PSA record (hire and termination dates, entity, country, weekly capacity, and through the
    resource snapshot its capacity versions), its time off, its country's public holidays, the span (the
    first month with time to the utilization as-of date) and two parameters. A night recomputes every day of
    the resources whose record or time off has a version loaded since the last build (every version of each
    such time-off record: the resource it moved from, a deleted one's resource), adds the new days of the
    span for the others, and drops the resources that left the PSA. Anything else that moved (the span's
    start, an as-of date earlier than the last build's, a public holiday, a parameter, a PSA without
    ingestion's history tables) makes it a build of every day, as from empty (docs/performance.md, item 31). -#}

{#- The parameters a calendar row was built with, as one text value stored on the row. -#}
{% macro resource_calendar_parameters() -%}
    workdays={{ var('utilization_workdays_per_week') }};time_off={{ var('utilization_deducted_time_off_statuses') | join(',') }}
{%- endmacro %}

{#- The span as one row: span_start_date (first day of the first month with PSA time) and span_end_date (the
    utilization as-of date). -#}
{% macro resource_calendar_span() -%}
    select
        cast({{ dbt.date_trunc('month', 'min(spent_date)') }} as date) as span_start_date,
        {{ utilization_as_of_date(throughline.psa_input('time_entries'), "time_entry_status = 'approved'") }}
            as span_end_date
    from {{ throughline.psa_input('time_entries') }}
{%- endmacro %}

{#- The history tables a night reads to find what changed, by source table name; none when one is missing. -#}
{% macro resource_calendar_histories() -%}
    {%- set histories = {} -%}
    {%- for name in ['resources', 'time_off', 'holidays'] -%}
        {%- set history = throughline.psa_raw_history(name) -%}
        {%- if history is none -%}
            {{ return(none) }}
        {%- endif -%}
        {%- do histories.update({name: history}) -%}
    {%- endfor -%}
    {{ return(histories) }}
{%- endmacro %}

{#- How this build may proceed: none to build every day, else {since: the newest load the last build saw,
    through: the last day it calendared}. Queries the table and the span at compile time. -#}
{% macro resource_calendar_plan() -%}
    {#- a unit test has no `this`; Spark rebuilds the table whole (incremental_materialization) -#}
    {%- if this is none or not (execute and is_incremental()) or throughline.source_system('psa') != 'psa' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set histories = throughline.resource_calendar_histories() -%}
    {%- set held_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- if histories is none or 'inputs_loaded_through' not in held_columns -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set held_sql -%}
        select max(inputs_loaded_through), min(span_start_date), max(span_start_date), max(span_end_date),
            count(*) filter (where calendar_parameters <> '{{ throughline.resource_calendar_parameters() }}')
        from {{ this }}
    {%- endset -%}
    {%- set held = run_query(held_sql).rows[0] -%}
    {%- set now = run_query(throughline.resource_calendar_span()).rows[0] -%}
    {%- if held[0] is none or held[1] != now[0] or held[2] != now[0] or now[1] is none or now[1] < held[3]
        or held[4] > 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set holidays_sql -%}
        select count(*) from {{ histories['holidays'] }}
        where _loaded_at > cast('{{ held[0] }}' as {{ dbt.type_timestamp() }})
    {%- endset -%}
    {%- set holidays_changed = run_query(holidays_sql).rows[0][0] -%}
    {%- if holidays_changed > 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return({'since': held[0], 'through': held[3]}) }}
{%- endmacro %}

{#- The resources whose days a night recomputes (text ids, never null). -#}
{% macro resource_calendar_changed_resources(plan) -%}
    {%- set histories = throughline.resource_calendar_histories() -%}
    {%- set since = "cast('" ~ plan.since ~ "' as " ~ dbt.type_timestamp() ~ ")" -%}
    select changed.resource_id
    from (
        select {{ throughline.id_str('r.id') }} as resource_id
        from {{ histories['resources'] }} as r
        where r._loaded_at > {{ since }}
        union
        select {{ throughline.id_str('o.resource_id') }} as resource_id
        from {{ histories['time_off'] }} as o
        where o.id in (select n.id from {{ histories['time_off'] }} as n where n._loaded_at > {{ since }})
    ) as changed
    where changed.resource_id is not null
{%- endmacro %}

{#- Pre-hook: clear what this build rewrites: every row when it builds every day, else the changed resources'
    rows and those of resources no longer in the PSA. -#}
{% macro resource_calendar_reset() -%}
    {%- if this is not none and execute and is_incremental() -%}
        {%- set plan = throughline.resource_calendar_plan() -%}
        {%- if plan is none -%}
            delete from {{ this }}
        {%- else -%}
            delete from {{ this }}
            where psa_resource_id in ({{ throughline.resource_calendar_changed_resources(plan) }})
                or psa_resource_id not in (
                    select resource_id from {{ throughline.psa_input('resources') }} where resource_id is not null
                )
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
