{{ config(
    materialized=throughline.incremental_materialization(),
    unique_key='resource_day_key',
    incremental_strategy='delete+insert',
    pre_hook="{{ throughline.time_entry_days_checked_reset() }}",
    post_hook="{{ throughline.time_entry_days_checked_tidy() }}"
) }}
{#- The PSA hygiene checks decided within one resource-day (reference §8.6), one row per flagged entry:
      PSA_OVER_DAILY_MAX  the entry, in PSA order (created_at, then id), that takes its resource's day past
                          var('recon_psa_max_daily_hours'), and every later entry of that day;
      PSA_DUPLICATE_TIME  an entry alike in resource, project, day, hours, work type and notes to an earlier
                          one (the first in PSA order is the original).
    recon_psa_hygiene reads these flags and the fact's columns of the flagged entries. Each check needs all
    entries of a day, and finding them in the whole history (grouping 20.8 M entries at scale xl) was most
    of that model's time; a night re-checks only the days its loads touched (macro
    time_entry_days_checked_since): it writes the flags of those days and one marker row per day (no check)
    so that delete+insert by resource_day_key clears their earlier flags, then drops the markers
    (docs/performance.md, item 30). On Spark the model is rebuilt whole, as the facts are. -#}

{%- set since = throughline.time_entry_days_checked_since() %}
{%- set max_hours = var('recon_psa_max_daily_hours') %}
{%- set day_key = throughline.resource_day_key('resource_id', 'spent_date') %}
{%- set order_in_psa = 'order by x.created_at, cast(x.time_entry_id as ' ~ dbt.type_bigint() ~ ')' %}
{%- set alike = 'partition by x.resource_id, x.project_id, x.spent_date, x.hours, x.work_type, x.notes' %}

{#- The entries judged, read by four steps below. An incremental night's few are a CTE, which DuckDB keeps once
    for the four. A build from empty reads every entry: kept as one CTE, DuckDB materialised 20.8 M entries with
    their notes at xl (15 s of CPU for the model), while each step reading the staged table itself takes only
    its columns (7 s; docs/performance.md item 64). -#}
{%- set entries_select -%}
    select
        e.time_entry_id, e.resource_id, e.project_id, e.spent_date, e.hours, e.work_type, e.notes, e.created_at
    from {{ throughline.psa_input('time_entries') }} as e
    {%- if since is not none %}
    where exists (
        select 1 from touched_days as t
        where t.resource_id is not distinct from e.resource_id and t.spent_date = e.spent_date
    )
    {%- endif %}
{%- endset %}
{%- set entries = 'entries' if since is not none else '(' ~ entries_select ~ ')' %}

with
{%- if since is not none %}
{%- set history = throughline.psa_raw_history('time_entries') %}

-- Days of every version of each entry with a version loaded since the last build, and the days already
-- holding a flag (an entry a reload took out of the history leaves no version to find it by).
touched_days as (
    select {{ throughline.id_str('h.resource_id') }} as resource_id, h.spent_date
    from {{ history }} as h
    where h.id in (
        select n.id from {{ history }} as n
        where n._loaded_at > cast('{{ since }}' as {{ dbt.type_timestamp() }})
    )
    union
    select resource_id, spent_date from {{ this }}
),

entries as (
    {{ entries_select }}
),
{%- endif %}

-- Only days whose positive hours pass the maximum can hold a running total past it.
heavy_days as (
    select resource_id, spent_date
    from {{ entries }} as e
    group by resource_id, spent_date
    having sum(case when hours > 0 then hours else 0 end) > {{ max_hours }}
),

day_running as (
    select
        x.time_entry_id,
        x.resource_id,
        x.spent_date,
        sum(x.hours) over (
            partition by x.resource_id, x.spent_date {{ order_in_psa }}
            rows between unbounded preceding and current row
        ) as day_hours_so_far,
        sum(x.hours) over (partition by x.resource_id, x.spent_date) as day_hours
    from {{ entries }} as x
    where exists (
        select 1 from heavy_days as h
        where h.resource_id is not distinct from x.resource_id and h.spent_date = x.spent_date
    )
),

-- Entries sharing resource, project, day, hours and work type with another are the candidates, found by one
-- hash of the five (a collision only adds a candidate, which the exact partition then ranks alone).
duplicate_candidates as (
    select {{ throughline.row_hash(['resource_id', 'project_id', 'spent_date', 'hours', 'work_type']) }} as group_hash
    from {{ entries }} as e
    group by 1
    having count(*) > 1
),

duplicates_ranked as (
    select
        x.time_entry_id,
        x.resource_id,
        x.spent_date,
        row_number() over ({{ alike }} {{ order_in_psa }}) as copy_number,
        first_value(x.time_entry_id) over ({{ alike }} {{ order_in_psa }}) as original_time_entry_id
    from {{ entries }} as x
    where {{ throughline.row_hash(['x.resource_id', 'x.project_id', 'x.spent_date', 'x.hours', 'x.work_type']) }}
        in (select c.group_hash from duplicate_candidates as c)
),

flagged as (
    select
        {{ day_key }} as resource_day_key, resource_id, spent_date, time_entry_id,
        'PSA_OVER_DAILY_MAX' as check_id,
        day_hours,
        cast(null as {{ dbt.type_string() }}) as original_time_entry_id
    from day_running
    where day_hours_so_far > {{ max_hours }}

    union all

    select
        {{ day_key }} as resource_day_key, resource_id, spent_date, time_entry_id,
        'PSA_DUPLICATE_TIME' as check_id,
        null as day_hours,
        original_time_entry_id
    from duplicates_ranked
    where copy_number > 1
    {%- if since is not none %}

    union all

    -- one marker per day re-checked: delete+insert clears the day's earlier flags; the post-hook drops it
    select
        {{ day_key }} as resource_day_key,
        resource_id,
        spent_date,
        null as time_entry_id,
        null as check_id,
        null as day_hours,
        null as original_time_entry_id
    from touched_days
    {%- endif %}
)

select
    f.*,
    cast({{ max_hours }} as decimal(18, 4)) as max_daily_hours,
    cast('{{ var("recon_definition_version") }}' as {{ dbt.type_string() }}) as definition_version,
    (select max(_loaded_at) from {{ throughline.psa_input('time_entries') }}) as entries_loaded_through,
    {{ throughline.build_stamp() }} as _built_at
from flagged as f
