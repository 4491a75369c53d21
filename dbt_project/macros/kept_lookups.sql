{#- What an incremental fact's lookups gave the rows it holds, kept between nights (docs/performance.md, item 74).

    changed_lookups compares, each night, the values the target holds for its lookups (a project's client and
    entity, a day's rates) with what the lookups give now. Those values are few (125 K distinct project x
    person contexts among the 20.8 M time entries at scale xl), but finding them grouped every row of the
    target on a dozen columns, each night: 1.9 s of the time fact's select at xl. They are kept instead, one
    table per comparison in the ops schema (ops.<fact>__lookups_<digest of the columns>), by the fact's
    post-hook:
      a build from empty (or a night without the table)  the target's distinct values, as changed_lookups
                                                         grouped them;
      an incremental night    the kept values that still match the lookups, plus those of the rows the night
                              wrote (their _built_at is this build's stamp, a constant: DuckDB reads only
                              the row groups that hold it).
    Each table's comment names the build that kept it (its stamp), and a night uses a table only when no row
    of the target is newer: a target written some other way since (the Spark engine's hand-back of a fact it
    rebuilt whole) is compared the slow way, and its values kept again.
    Why dropping the values that no longer match is exact: such values made the night re-read every row that
    holds them (changed_lookups), and the re-read rows hold tonight's values, which the night adds. A value
    kept whose rows have all gone (a deleted entry) only costs a comparison. So every value a row of the target
    holds from its lookups is kept, and changed_lookups finds the same rows from the kept values as from the
    target. On Spark the facts are rebuilt whole and nothing is kept.

    A fact lists its comparisons once (lookup_set), for the select and the post-hook alike:
      keys, columns, joins, inputs  as changed_lookups takes them;
      only_when                     a condition on the source row that must also hold (a currency looked up
                                    only when the entry has none). -#}

{% macro lookup_set(keys, columns, joins, inputs=[], only_when=none) -%}
    {{ return({'keys': keys, 'columns': columns, 'joins': joins, 'inputs': inputs, 'only_when': only_when}) }}
{%- endmacro %}

{#- The target columns a comparison reads: keys, inputs, then the looked-up columns. -#}
{% macro lookup_columns(lookup) -%}
    {{ return((lookup['keys'].keys() | list + lookup['inputs'] + lookup['columns'].keys() | list) | unique | list) }}
{%- endmacro %}

{#- The conditions of incremental_lookback's `reread` for a fact's comparisons, each reading its kept values
    when they are usable (one question for all of them). -#}
{% macro changed_lookups_of(lookups) -%}
    {%- set conditions = [] -%}
    {%- set reading = execute and is_incremental() -%}
    {%- set usable = throughline.usable_kept_lookups() if reading else [] -%}
    {%- for l in lookups -%}
        {%- set kept = throughline.kept_lookups(throughline.lookup_columns(l)) if reading else none -%}
        {%- set changed = throughline.changed_lookups(l['keys'], l['columns'], l['joins'], l['inputs'],
            kept=kept if kept is not none and kept.identifier in usable else none) -%}
        {%- do conditions.append(changed if l['only_when'] is none
            else '(' ~ l['only_when'] ~ ' and ' ~ changed ~ ')') -%}
    {%- endfor -%}
    {{ return(conditions) }}
{%- endmacro %}

{#- True when a held value (t.<column>) is not what its lookup gives now. -#}
{% macro lookups_differ(columns) -%}
    ({%- for column, expression in columns.items() %}
        {{ 'or ' if not loop.first }}t.{{ column }} is distinct from ({{ expression }})
    {%- endfor %})
{%- endmacro %}

{#- The table that keeps the values of `columns` for this model (a relation; none on Spark). -#}
{% macro kept_lookups(columns) -%}
    {{ return(adapter.dispatch('kept_lookups', 'throughline')(columns)) }}
{%- endmacro %}

{% macro spark__kept_lookups(columns) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro default__kept_lookups(columns) -%}
    {%- set name = this.identifier ~ '__lookups_' ~ local_md5(columns | join(','))[:8] -%}
    {{ return(api.Relation.create(database=this.database, schema='ops', identifier=name, type='table')) }}
{%- endmacro %}

{#- This model's kept tables, as {name: usable}: usable when no row of the target is newer than the build
    that kept it (a row written tonight left out when `tonight` is given: the post-hook's question). One
    query for all of them. -#}
{% macro kept_lookups_held(tonight=none) -%}
    {%- set held -%}
        select
            table_name,
            coalesce(try_cast(regexp_extract(comment, 'kept at the build of ([^;]+);', 1) as timestamp)
                >= coalesce((select max(_built_at) from {{ this }}
                    {%- if tonight %} where _built_at <> {{ tonight }}{% endif %}), '-infinity'::timestamp),
                false) as usable
        from duckdb_tables()
        where database_name = '{{ this.database }}' and schema_name = 'ops'
            and starts_with(table_name, '{{ this.identifier }}__lookups_')
    {%- endset -%}
    {%- set out = {} -%}
    {%- for row in run_query(held).rows -%}
        {%- do out.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {{ return(out) }}
{%- endmacro %}

{#- The names of this model's kept tables a night may read (kept_lookups_held). -#}
{% macro usable_kept_lookups() -%}
    {%- set names = [] -%}
    {%- for name, usable in throughline.kept_lookups_held().items() if usable -%}
        {%- do names.append(name) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{#- Post-hook of a fact: keep what its rows hold from their lookups (above), and drop the tables of
    comparisons the fact no longer makes. -#}
{% macro keep_lookups(lookups) -%}
    {{ return(adapter.dispatch('keep_lookups', 'throughline')(lookups)) }}
{%- endmacro %}

{% macro spark__keep_lookups(lookups) -%}
{%- endmacro %}

{% macro default__keep_lookups(lookups) -%}
    {%- set kept_names = [] %}
    {%- set held = throughline.kept_lookups_held(tonight=throughline.build_stamp()) if execute else {} %}
    create schema if not exists {{ adapter.quote(this.database) }}.ops;
    {%- for l in lookups %}
        {%- set columns = throughline.lookup_columns(l) %}
        {%- set kept = throughline.kept_lookups(columns) %}
        {%- do kept_names.append(kept.identifier) %}
        {%- if is_incremental() and held.get(kept.identifier) %}
    delete from {{ kept }}
    where rowid in (
        select t.rowid
        from {{ kept }} as t
        {{ l['joins'] }}
        where {{ throughline.lookups_differ(l['columns']) }}
    );
    insert into {{ kept }}
    select distinct {{ columns | join(', ') }}
    from {{ this }}
    where _built_at = {{ throughline.build_stamp() }}
    except
    select * from {{ kept }};
        {%- else %}
    create or replace table {{ kept }} as
    select distinct {{ columns | join(', ') }}
    from {{ this }};
        {%- endif %}
    comment on table {{ kept }} is 'What the rows of {{ this.identifier }} hold from their lookups ({{ columns | join(', ') }}), kept at the build of {{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}; read by its next night''s comparison (macros/kept_lookups.sql)';
    {%- endfor %}
    {%- for name in held if name not in kept_names %}
    drop table {{ adapter.quote(this.database) }}.ops.{{ adapter.quote(name) }};
    {%- endfor %}
{%- endmacro %}
