{#- The raw layer on Spark (docs/scale-out.md): ingestion/spark_handoff.py exports every DuckDB raw table to
    Parquet under $THROUGHLINE_SPARK_RAW/<schema>/<table>/; at the start of every dbt invocation on Spark
    this registers each enabled source as an external Parquet table of that name (schema = Spark
    database), so staging reads raw_psa.time_entries on Spark exactly as on DuckDB. Only the sources an enabled model reads. Re-registered each time:
    a table keeps the schema it was created with, and the night's export may have added a column.
    Without THROUGHLINE_SPARK_RAW (a compile, or a cluster whose raw tables already exist) it does nothing. -#}
{% macro spark_register_raw() %}
    {%- set raw_dir = env_var('THROUGHLINE_SPARK_RAW', '') -%}
    {%- if execute and target.type == 'spark' and raw_dir -%}
        {#- only the sources an enabled model reads (a disabled source system, e.g. Xero, has no export) -#}
        {%- set used = [] -%}
        {%- for node in graph.nodes.values() -%}
            {%- for dep in node.depends_on.nodes if dep.startswith('source.') and dep not in used -%}
                {%- do used.append(dep) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- set seen = [] -%}
        {%- for source in graph.sources.values() | sort(attribute='unique_id') if source.unique_id in used -%}
            {%- if source.schema not in seen -%}
                {%- do seen.append(source.schema) -%}
                {%- do run_query('create database if not exists ' ~ source.schema) -%}
            {%- endif -%}
            {%- set name = source.schema ~ '.' ~ source.identifier -%}
            {%- do run_query('drop table if exists ' ~ name) -%}
            {%- do run_query('create table ' ~ name ~ " using parquet location '" ~ raw_dir ~ '/'
                ~ source.schema ~ '/' ~ source.identifier ~ "'") -%}
        {%- endfor -%}
        {{ log('registered ' ~ (used | length) ~ ' raw tables from ' ~ raw_dir, info=true) }}
    {%- endif -%}
{% endmacro %}
