{#- The PSA checks decided within one resource-day (int_time_entry_days_checked: over the daily maximum,
    duplicate entries) are re-checked incrementally, on the days the entries loaded since the last build
    touch. A version of an entry can only arrive through ingestion's history table (<raw>__history, every
    landed version with its _loaded_at), so the days to re-check are those of every version, old and new,
    of each entry with a version loaded after the newest load the model has seen: a new entry's day, the
    day a changed entry left and the one it moved to, a deleted entry's day.

    time_entry_days_checked_since(): that newest load (a timestamp literal), or none when this build must
    check every day: a build from empty, a PSA without the history table (a mapped PSA such as Harvest),
    a model holding no flagged entry to date its last build, or a check parameter (recon_psa_max_daily_hours)
    or the definition version that differs from the one the rows were checked with. -#}
{% macro time_entry_days_checked_since() -%}
    {#- a unit test has no `this`: it checks its given entries whole -#}
    {%- if this is none or not (execute and is_incremental()) or throughline.source_system('psa') != 'psa' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set history = throughline.psa_raw_history('time_entries') -%}
    {%- if history is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set checked_with -%}
        max_daily_hours = cast({{ var('recon_psa_max_daily_hours') }} as decimal(18, 4))
        and definition_version = '{{ var('recon_definition_version') }}'
    {%- endset -%}
    {%- set held = run_query('select max(entries_loaded_through), count(*) filter (where not ('
        ~ checked_with ~ ')) from ' ~ this).rows[0] -%}
    {%- if held[0] is none or held[1] > 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(held[0]) }}
{%- endmacro %}

{#- Pre-hook: a build that checks every day (time_entry_days_checked_since() is none) on an existing table
    replaces every row, as a build from empty would. -#}
{% macro time_entry_days_checked_reset() -%}
    {%- if this is not none and execute and is_incremental()
        and throughline.time_entry_days_checked_since() is none -%}
        delete from {{ this }}
    {%- endif -%}
{%- endmacro %}

{#- Post-hook: drop the markers of the days re-checked (rows without a check), which only served to delete
    those days' earlier rows by key (delete+insert). -#}
{% macro time_entry_days_checked_tidy() -%}
    {%- if this is not none and execute and is_incremental() -%}
        delete from {{ this }} where check_id is null
    {%- endif -%}
{%- endmacro %}

{#- The text key of a resource-day ("<resource id>|<yyyy-mm-dd>"), the same on every engine. -#}
{% macro resource_day_key(resource_expr, date_expr) -%}
    {{ dbt.concat(["coalesce(" ~ resource_expr ~ ", '')", "'|'", "cast(" ~ date_expr ~ " as " ~ dbt.type_string() ~ ")"]) }}
{%- endmacro %}
