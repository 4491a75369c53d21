{#- The raw layer on Spark (docs/scale-out.md): ingestion/spark_handoff.py exports every DuckDB raw table to
    Parquet under $THROUGHLINE_SPARK_RAW/<schema>/<table>/. A staging model's pre-hook (dbt_project.yml)
    registers each source that model reads as an external Parquet table of that name (schema = Spark
    database) just before the model builds, so staging reads raw_psa.time_entries on Spark exactly as on
    DuckDB. Every source is read by one staging model only, so parallel threads never race on a table.
    Re-registered on every build: a table keeps the schema it was created with, and the night's export may
    have added a column. Renders nothing on DuckDB, and nothing without THROUGHLINE_SPARK_RAW (a cluster
    whose raw tables already exist). -#}
{% macro spark_register_raw() %}
    {%- set raw_dir = env_var('THROUGHLINE_SPARK_RAW', '') -%}
    {%- if execute and target.type == 'spark' and raw_dir -%}
        {%- for dep in model.depends_on.nodes if dep.startswith('source.') -%}
            {%- set source = graph.sources[dep] -%}
            {%- set name = source.schema ~ '.' ~ source.identifier -%}
            {%- do run_query('create database if not exists ' ~ source.schema) -%}
            {%- do run_query('drop table if exists ' ~ name) -%}
            {%- do run_query('create table ' ~ name ~ ' using parquet location '
                ~ throughline.spark_path_literal(raw_dir ~ '/' ~ source.schema ~ '/' ~ source.identifier)) -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}

{#- A path as a Spark SQL string literal. The target keeps backslashes literal (escapedStringLiterals) and a
    LOCATION takes a literal, not an expression, so a path with a single quote is written in double quotes
    (a string literal on Spark unless doubleQuotedIdentifiers is on); one with both kinds is refused. -#}
{% macro spark_path_literal(path) -%}
    {%- if "'" not in path -%}
        '{{ path }}'
    {%- elif '"' not in path -%}
        "{{ path }}"
    {%- else -%}
        {{ exceptions.raise_compiler_error("THROUGHLINE_SPARK_RAW=" ~ path ~ " holds both a single and a double quote; Spark cannot read a table from such a path: choose another folder") }}
    {%- endif -%}
{%- endmacro %}
