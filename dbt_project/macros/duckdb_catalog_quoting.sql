{#- dbt-duckdb names the catalog after the warehouse file (`o'brien wäre.duckdb` -> `o'brien wäre`) and
    splices that name into string literals unescaped in the macros below, so a quote in the file name broke
    the build ("unterminated quoted identifier"). These overrides are the adapter's own macros (dbt-duckdb
    1.11) with every spliced name passed through adapter.escape_sql_string, as its newer macros already do
    (drop_foreign_key_dependents). The root project's macros take precedence over the adapter's. -#}

{% macro duckdb__create_schema(relation) -%}
  {%- call statement('create_schema') -%}
    {% set sql %}
        select type from duckdb_databases()
        where lower(database_name) = '{{ adapter.escape_sql_string(relation.database | lower) }}'
        and type != 'duckdb'
    {% endset %}
    {% set results = run_query(sql) %}
    {% if results|length == 0 %}
        create schema if not exists {{ relation.without_identifier() }}
    {% else %}
        {% set attached_type = results.columns[0].values()[0] %}
        {% if attached_type == 'sqlite' and relation.schema != 'main' %}
            {{ exceptions.raise_compiler_error(
                "Schema must be 'main' when writing to sqlite "
                ~ "instead got " ~ relation.schema
            )}}
        {% elif attached_type not in ['sqlite', 'mysql'] %}
            create schema if not exists {{ relation.without_identifier() }}
        {% endif %}
    {% endif %}
  {%- endcall -%}
{% endmacro %}

{% macro duckdb__list_schemas(database) -%}
  {% set sql %}
    select schema_name
    from system.information_schema.schemata
    {% if database is not none %}
    where lower(catalog_name) = '{{ adapter.escape_sql_string(database | lower) }}'
    {% endif %}
  {% endset %}
  {{ return(run_query(sql)) }}
{% endmacro %}

{% macro duckdb__check_schema_exists(information_schema, schema) -%}
  {% set sql -%}
        select count(*)
        from system.information_schema.schemata
        where lower(schema_name) = '{{ adapter.escape_sql_string(schema | lower) }}'
        and lower(catalog_name) = '{{ adapter.escape_sql_string(information_schema.database | lower) }}'
  {%- endset %}
  {{ return(run_query(sql)) }}
{% endmacro %}

{% macro duckdb__list_relations_without_caching(schema_relation) %}
  {% call statement('list_relations_without_caching', fetch_result=True) -%}
    select
      '{{ adapter.escape_sql_string(schema_relation.database) }}' as database,
      table_name as name,
      table_schema as schema,
      CASE table_type
        WHEN 'BASE TABLE' THEN 'table'
        WHEN 'VIEW' THEN 'view'
        WHEN 'LOCAL TEMPORARY' THEN 'table'
        END as type
    from system.information_schema.tables
    where lower(table_schema) = '{{ adapter.escape_sql_string(schema_relation.schema | lower) }}'
    and lower(table_catalog) = '{{ adapter.escape_sql_string(schema_relation.database | lower) }}'
  {% endcall %}
  {{ return(load_result('list_relations_without_caching').table) }}
{% endmacro %}

{% macro drop_indexes_on_relation(relation) -%}
  {% call statement('get_indexes_on_relation', fetch_result=True, auto_begin=False) %}
    SELECT index_name
    FROM duckdb_indexes()
    WHERE database_name = '{{ adapter.escape_sql_string(relation.database) }}'
      AND schema_name = '{{ adapter.escape_sql_string(relation.schema) }}'
      AND table_name = '{{ adapter.escape_sql_string(relation.identifier) }}'
  {% endcall %}
  {% set results = load_result('get_indexes_on_relation').table %}
  {% for row in results %}
    {% call statement('drop_index_' + loop.index|string, auto_begin=false) %}
      DROP INDEX {{ adapter.quote(relation.database) }}.{{ adapter.quote(relation.schema) }}.{{ adapter.quote(row[0]) }}
    {% endcall %}
  {% endfor %}
{%- endmacro %}
