{#- Table and view materializations for DuckDB that replace a relation inside one transaction.

    dbt's table and view materializations (dbt-duckdb 1.11's table, dbt-adapters' view) are written for
    databases whose DDL is not transactional: they build `<name>__dbt_tmp`, rename the old relation to
    `<name>__dbt_backup`, rename the new one into place, commit and drop the backup; the table's also looks
    for indexes to drop. DuckDB's DDL is transactional, so dropping the old relation and creating the new one
    in the transaction that writes its comments is as safe: a failed model rolls back and leaves the last
    build's relation in place, and no reader ever sees the name missing (the nightly builds into its own file
    and publishes it whole). That is five statements less per table and three per view, each a round trip
    through dbt's Python (a macro context, two events). At scale xs, where a node costs more than its data,
    the table models' node time of an incremental night fell 10.6 s -> 7.1 s and its dbt step 28.2 s ->
    23.5 s with item 46 (docs/performance.md, item 47).

    Kept from the adapter's: the contract (create_table_as enforces it), pre- and post-hooks, grants and
    persist_docs, in the same order. Not kept: `partitioned_by`, `sorted_by` (DuckLake only) and `indexes`,
    which fail with a message below; Python models, which dbt refuses (`supported_languages`); and the
    adapter's handling of foreign keys that point at a rebuilt table (the project declares none; DuckDB
    would refuse the drop with a dependency error). Only the DuckDB target uses these; Spark keeps
    dbt-spark's. The root project's materializations take precedence over the adapter's. -#}

{% macro duckdb_replace_unsupported(model_config) %}
  {%- for key in ['partitioned_by', 'sorted_by', 'indexes'] if model_config.get(key) -%}
    {% do exceptions.raise_compiler_error(
      "config '" ~ key ~ "' is not supported by the project's DuckDB materializations "
      ~ "(dbt_project/macros/duckdb_materializations.sql)") %}
  {%- endfor -%}
{% endmacro %}

{% macro duckdb_drop_in_transaction(relation) %}
  {#- The old relation, dropped in the build's transaction: `drop table` or `drop view`, by what it is. -#}
  {% if relation is not none %}
    drop {{ relation.type }} {{ relation }};
  {% endif %}
{% endmacro %}

{% materialization table, adapter="duckdb", supported_languages=['sql'] %}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set grant_config = config.get('grants') -%}
  {% do duckdb_replace_unsupported(config) %}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% call statement('main') -%}
    {{ duckdb_drop_in_transaction(existing_relation) }}
    {{ create_table_as(False, target_relation, compiled_code) }}
  {%- endcall %}
  {% if existing_relation is not none %}
    {% do adapter.cache_dropped(existing_relation) %}
  {% endif %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke(existing_relation, full_refresh_mode=True)) %}
  {% do persist_docs(target_relation, model) %}
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{% materialization view, adapter="duckdb" %}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='view') -%}
  {%- set grant_config = config.get('grants') -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% call statement('main') -%}
    {{ duckdb_drop_in_transaction(existing_relation) }}
    {{ get_create_view_as_sql(target_relation, sql) }}
  {%- endcall %}
  {% if existing_relation is not none %}
    {% do adapter.cache_dropped(existing_relation) %}
  {% endif %}

  {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke(existing_relation, full_refresh_mode=True)) %}
  {% do persist_docs(target_relation, model) %}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
