{#- Snapshots on Spark's plain Parquet tables (the local `spark` target has no Delta/Iceberg jars offline).
    dbt-spark's own snapshot materialization refuses any format but delta/iceberg/hudi because it ends in
    MERGE INTO. This one keeps dbt-spark's behaviour for those formats (same steps, same MERGE) and, for
    Parquet, replaces the MERGE with a rewrite that has the same result: the snapshot's rows with
    dbt_valid_to closed where the staging table says 'update' or 'delete', plus the staging 'insert' rows,
    written to <snapshot>__dbt_rewrite and swapped in (drop + rename). The first run is dbt's own
    build_snapshot_table, as on DuckDB. A cluster on Delta uses the MERGE path (docs/scale-out.md). -#}
{% materialization snapshot, adapter='spark' %}
  {%- set target_table = model.get('alias', model.get('name')) -%}
  {%- set strategy_name = config.get('strategy') -%}
  {%- set file_format = config.get('file_format') or 'parquet' -%}
  {%- set grant_config = config.get('grants') -%}
  {% set target_relation_exists, target_relation = get_or_create_relation(
      database=none, schema=model.schema, identifier=target_table, type='table') -%}
  {% if not adapter.check_schema_exists(model.database, model.schema) %}
    {% do create_schema(model.schema) %}
  {% endif %}
  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}
  {% set strategy_macro = strategy_dispatch(strategy_name) %}
  {% set strategy = strategy_macro(model, "snapshotted_data", "source_data", model['config'], target_relation_exists) %}
  {% if not target_relation_exists %}
    {% call statement('main') %}
      {{ create_table_as(False, target_relation, build_snapshot_table(strategy, model['compiled_code'])) }}
    {% endcall %}
  {% else %}
    {% set columns = config.get("snapshot_table_column_names") or get_snapshot_table_column_names() %}
    {{ adapter.valid_snapshot_target(target_relation, columns) }}
    {% set staging_table = spark_build_snapshot_staging_table(strategy, sql, target_relation) %}
    {% set missing_columns = adapter.get_missing_columns(staging_table, target_relation)
        | rejectattr('name', 'in', ['dbt_change_type', 'DBT_CHANGE_TYPE', 'dbt_unique_key', 'DBT_UNIQUE_KEY'])
        | list %}
    {% do create_columns(target_relation, missing_columns) %}
    {% if file_format in ['delta', 'iceberg', 'hudi'] %}
      {% set source_columns = adapter.get_columns_in_relation(staging_table)
          | rejectattr('name', 'in', ['dbt_change_type', 'DBT_CHANGE_TYPE', 'dbt_unique_key', 'DBT_UNIQUE_KEY'])
          | list %}
      {% set quoted = [] %}
      {% for column in source_columns %}{% do quoted.append(adapter.quote(column.name)) %}{% endfor %}
      {% call statement('main') %}
        {{ snapshot_merge_sql(target=target_relation, source=staging_table, insert_cols=quoted) }}
      {% endcall %}
    {% else %}
      {% do throughline.spark_snapshot_rewrite(target_relation, staging_table, columns) %}
    {% endif %}
  {% endif %}
  {% do apply_grants(target_relation, grant_config, should_revoke(target_relation_exists, full_refresh_mode)) %}
  {% do persist_docs(target_relation, model) %}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}
  {% if staging_table is defined %}
    {% do post_snapshot(staging_table) %}
  {% endif %}
  {{ run_hooks(post_hooks, inside_transaction=False) }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{#- The MERGE of dbt's snapshot (close changed/deleted versions, insert new ones) as a rewrite of a Parquet
    table: Spark cannot overwrite a table it reads, so the result goes to a new table that replaces it. -#}
{% macro spark_snapshot_rewrite(target_relation, staging_table, columns) %}
  {%- set valid_to = columns.dbt_valid_to -%}
  {%- set scd_id = columns.dbt_scd_id -%}
  {%- set target_columns = adapter.get_columns_in_relation(target_relation) | map(attribute='name') | list -%}
  {%- set rewrite = api.Relation.create(schema=target_relation.schema,
      identifier=target_relation.identifier ~ '__dbt_rewrite', type='table') -%}
  {% do adapter.drop_relation(rewrite) %}
  {% set select_sql %}
    select
      {%- for c in target_columns %}
      {% if c | lower == valid_to | lower -%}
        case when t.{{ c }} is null and s.closed_at is not null then s.closed_at else t.{{ c }} end as {{ c }}
      {%- else -%}
        t.{{ c }}
      {%- endif %}{{ ',' if not loop.last }}
      {%- endfor %}
    from {{ target_relation }} as t
    left join (
      select {{ scd_id }} as scd_id, max({{ valid_to }}) as closed_at
      from {{ staging_table }}
      where dbt_change_type in ('update', 'delete')
      group by {{ scd_id }}
    ) as s on t.{{ scd_id }} = s.scd_id
    union all
    select {% for c in target_columns %}{{ c }}{{ ', ' if not loop.last }}{% endfor %}
    from {{ staging_table }}
    where dbt_change_type = 'insert'
  {% endset %}
  {% call statement('main') %}
    {{ create_table_as(False, rewrite, select_sql) }}
  {% endcall %}
  {% do adapter.drop_relation(target_relation) %}
  {% call statement('swap_snapshot_rewrite') %}
    alter table {{ rewrite }} rename to {{ target_relation }}
  {% endcall %}
{% endmacro %}
