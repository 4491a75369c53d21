{#- Helpers shared by the conformed marts. -#}

{#- Conformed service line key from any system's service line name: lower snake case ("Data & AI" ->
    "data_ai"). NetSuite class names, PSA practice service lines and Salesforce product families meet here. -#}
{% macro service_line_key(name_expr) -%}
    {%- set snake = throughline.regex_replace_all('lower(trim(' ~ name_expr ~ '))', '[^a-z0-9]+', '_') -%}
    nullif({{ throughline.regex_replace_all(snake, '^_+|_+$', '') }}, '')
{%- endmacro %}

{#- Rate from a joined int_fx_rates_daily / int_fx_rates_periodic row (alias.rate_column), exactly 1 when
    both currencies are the same (even outside the rate table's date span). -#}
{% macro fx_rate(alias, from_col, to_col, rate_column='rate') -%}
    case when {{ from_col }} = {{ to_col }} then cast(1.0 as {{ dbt.type_float() }})
        else {{ alias }}.{{ rate_column }} end
{%- endmacro %}

{#- Left join of the daily spot rate for (from_col -> to_col) on date_col, as alias. -#}
{% macro join_spot_rate(alias, from_col, to_col, date_col) -%}
    left join {{ ref('int_fx_rates_daily') }} as {{ alias }}
        on {{ alias }}.rate_date = {{ date_col }}
        and {{ alias }}.from_currency = {{ from_col }}
        and {{ alias }}.to_currency = {{ to_col }}
{%- endmacro %}

{#- Incremental filter of a fact: the source rows loaded within var('incremental_lookback_days') of the newest
    row already in the target, or for which a condition of `reread` holds (conditions on the source rows, usually
    changed_lookups(): rows whose dimension or rate has changed since they were built). Only when the model runs
    incrementally, so that an incremental night writes the rows a build from empty would. -#}
{% macro incremental_lookback(loaded_at_expr, reread=[]) -%}
    {%- if is_incremental() -%}
        ({{ loaded_at_expr }} >= (
            select {{ dbt.dateadd('day', -1 * (var('incremental_lookback_days') | int), 'max(_loaded_at)') }}
            from {{ this }}
        )
        {%- for condition in reread %}
            or {{ condition }}
        {%- endfor -%})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Condition on a fact's source rows: true when the values the target holds for the row's lookups are no longer
    what the lookups give now: a dimension that arrived late or changed (a project moved to another client, an
    entity resolved), a rate that arrived or was corrected. Exact, whatever the row's age.
      keys    {target column: the source expression it was built from}: the inputs of the lookups;
      columns {target column: its expression over the lookups, as the model computes it};
      joins   the lookups, joined on t.<column> (t: the target's distinct keys, inputs and columns);
      inputs  more target columns the joins read (a currency a rate is looked up for).
      kept    the table that keeps those values between nights, when it may be read (the time fact's:
              changed_lookups_of and keep_lookups, macros/kept_lookups.sql): a night then reads those few rows
              instead of grouping every row of the target; else they are grouped from the target.
    The target's distinct keys, inputs and columns (a few per key) joined to the lookups. Only valid inside incremental_lookback (it reads {{ this }}). A
    target built before one of those columns existed (an upgrade) is re-read whole, once: `true`. -#}
{% macro changed_lookups(keys, columns, joins, inputs=[], kept=none) -%}
    {%- set needed = throughline.lookup_columns({'keys': keys, 'columns': columns, 'inputs': inputs}) -%}
    {%- if execute and is_incremental() -%}
        {%- set held = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
        {%- set missing = needed | reject('in', held) | list -%}
        {%- if missing -%}
            {{ log('changed_lookups: ' ~ this ~ ' lacks ' ~ missing | join(', ') ~ ': every row is re-read',
                info=true) }}
            {{- return('true') -}}
        {%- endif -%}
    {%- endif %}
    exists (
        select 1
        from (
            {%- if kept is not none %}
            select * from {{ kept }}
            {%- else %}
            select distinct {{ needed | join(', ') }}
            from {{ this }}
            {%- endif %}
        ) as t
        {{ joins }}
        where {{ throughline.lookups_differ(columns) }}
        {%- for column, source in keys.items() %}
            and t.{{ column }} is not distinct from {{ source }}
        {%- endfor %}
    )
{%- endmacro %}

{#- Post-hook for incremental facts: drop rows whose source record no longer exists (deleted upstream). -#}
{% macro delete_vanished_rows(key_column, source_relation, source_key) -%}
    {{ return(adapter.dispatch('delete_vanished_rows', 'throughline')(key_column, source_relation, source_key)) }}
{%- endmacro %}

{#- Spark: the facts are rebuilt whole (incremental_materialization), so no row can have vanished. -#}
{% macro spark__delete_vanished_rows(key_column, source_relation, source_key) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ key_column }} not in (
            select {{ source_key }} from {{ source_relation }} where {{ source_key }} is not null
        )
    {%- endif -%}
{%- endmacro %}

{% macro default__delete_vanished_rows(key_column, source_relation, source_key) -%}
    delete from {{ this }}
    where {{ key_column }} not in (
        select {{ source_key }} from {{ source_relation }} where {{ source_key }} is not null
    )
{%- endmacro %}

{#- The history table ingestion keeps beside a raw current-state table (<table>__history: every landed version
    with its _loaded_at; ingestion/warehouse.py), or none when it does not exist. raw: the source relation,
    or its node in the graph (none for a disabled source). -#}
{% macro raw_history(raw) -%}
    {%- if raw is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.get_relation(raw.database, raw.schema, raw.identifier ~ '__history')) }}
{%- endmacro %}

{#- The history table of the PSA export's object `name`, found through the graph so that a firm on another
    PSA, whose `psa` source is disabled, parses; none when it does not exist. -#}
{% macro psa_raw_history(name) -%}
    {{ return(throughline.raw_history(graph.sources.get('source.throughline.psa.' ~ name))) }}
{%- endmacro %}

{#- Post-hook for a staged table built incrementally from a raw current-state table (source_relation): drop the
    rows whose record has left it since the last build (deleted upstream, or gone with a reloaded file), without
    comparing every key of the history each night.
      key_column  the staged key; raw_key the raw key column; staged_key its expression (id_str(raw_key)),
                  one-to-one on the raw key.
    Ingestion keeps every landed version in <source>__history (ingestion/warehouse.py): a record can only leave
    the current table after a version of it was loaded since the last build, so the keys to judge are those of
    the history rows loaded since then. "Since then" is bounded from below by the newest _loaded_at among the
    rows this build did not rewrite (all built by earlier builds, from rows loaded before them). The one other
    way out is a reload (ingestion/reload.py removes a superseded load's rows from the history): after the
    cheap step the table must hold exactly as many rows as the live source; when it does not (a reload, or no
    history table), the whole-table anti-join runs, as delete_vanished_rows does. -#}
{% macro delete_vanished_source_rows(key_column, source_relation, raw_key, staged_key) -%}
    {{ return(adapter.dispatch('delete_vanished_source_rows', 'throughline')(
        key_column, source_relation, raw_key, staged_key)) }}
{%- endmacro %}

{#- Spark: the staged table is rebuilt whole (incremental_materialization), so no row can have vanished. -#}
{% macro spark__delete_vanished_source_rows(key_column, source_relation, raw_key, staged_key) -%}
{%- endmacro %}

{% macro default__delete_vanished_source_rows(key_column, source_relation, raw_key, staged_key) -%}
    {%- if execute and is_incremental() -%}
        {%- set live -%}
            (select {{ raw_key }} from {{ source_relation }} where not coalesce(_is_deleted, false))
        {%- endset -%}
        {%- set history = throughline.raw_history(source_relation) -%}
        {%- set since = run_query('select max(_loaded_at) from ' ~ this
            ~ ' where _built_at <> ' ~ throughline.build_stamp()).columns[0].values()[0] -%}
        {%- if history is not none and since is not none -%}
            {#- strictly after: the rows not rewritten tonight were loaded before an earlier build, which dropped
                what had left the source by then (a night's rows share one _loaded_at: >= would take them all) -#}
            {%- set touched -%}
                (select {{ raw_key }} from {{ history }}
                 where _loaded_at > cast('{{ since }}' as {{ dbt.type_timestamp() }}))
            {%- endset -%}
            {#- the few keys gone, in a temporary table: its exact size lets the delete hash them, not the target.
                The live rows among the touched keys by an inner join on the distinct touched keys: the engine
                hashes those few and can skip live rows by them as it scans (DuckDB pushes the join's key filter
                into the scan); `in (touched)` hashed the live side's 20.8 M keys at xl (docs/performance.md
                item 63). Same rows: `except` compares the sets. -#}
            {%- do run_query('create or replace temporary table throughline_vanished_keys as select ' ~ staged_key
                ~ ' as vanished_key from (select ' ~ raw_key ~ ' from ' ~ touched ~ ' as touched except select live.'
                ~ raw_key ~ ' from ' ~ source_relation ~ ' as live inner join (select distinct ' ~ raw_key
                ~ ' from ' ~ touched ~ ' as t) as touched_keys on touched_keys.' ~ raw_key ~ ' = live.' ~ raw_key
                ~ ' where not coalesce(live._is_deleted, false)) as gone') -%}
            {%- do run_query('delete from ' ~ this ~ ' where ' ~ key_column
                ~ ' in (select vanished_key from throughline_vanished_keys)') -%}
            {%- do run_query('drop table throughline_vanished_keys') -%}
        {%- endif -%}
        {%- set counts = run_query('select (select count(*) from ' ~ this ~ '), (select count(*) from '
            ~ live ~ ' as live)').rows[0] -%}
        {%- if history is none or counts[0] != counts[1] -%}
            {{ log(this ~ ': ' ~ counts[0] ~ ' rows against ' ~ counts[1] ~ ' live source rows'
                ~ (', no history table' if history is none else '') ~ ': whole-table check', info=true) }}
            {{ throughline.default__delete_vanished_rows(key_column,
                '(select ' ~ staged_key ~ ' as ' ~ key_column ~ ' from ' ~ live ~ ' as live) as live', key_column) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- Post-hook of the time fact (time_entry_id): on the PSA export, the check bounded by the raw history
    (delete_vanished_source_rows; the fact holds one row per live raw entry, as the staged table does); on
    another PSA (Harvest), the whole-table comparison with its mapped input. -#}
{% macro delete_vanished_time_entries() -%}
    {%- if throughline.source_system('psa') == 'psa' -%}
        {{ throughline.delete_vanished_source_rows('time_entry_id', source('psa', 'time_entries'), 'id', id_str('id')) }}
    {%- else -%}
        {{ throughline.delete_vanished_rows('time_entry_id', throughline.psa_input('time_entries'), 'time_entry_id') }}
    {%- endif -%}
{%- endmacro %}

{#- Conformed service line of a PSA fact row: the project's practice (project_context.service_line_key,
    from int_psa_project_context) when the project has one, else the person's practice
    (resource_context.service_line_key, from int_psa_resource_context); '-1' when it does not resolve. -#}
{% macro psa_service_line_key(project_context, resource_context) -%}
    coalesce(case when {{ project_context }}.psa_practice_id is not null then {{ project_context }}.service_line_key
        else {{ resource_context }}.service_line_key end, '-1')
{%- endmacro %}
