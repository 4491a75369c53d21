{#- Model contracts on Spark. The YAML contracts name DuckDB types (varchar, json, numeric(p, s),
    varchar[]); Spark has no bare varchar and no json type, so before dbt casts the contract's columns
    (get_empty_schema_sql) each type is translated to Spark's (string, decimal(p, s), array<string>). The
    contract is still enforced: the model's own column types must match the translated ones. -#}
{% macro spark_contract_type(data_type) -%}
    {%- set t = (data_type or '') | trim | lower -%}
    {%- if t in ['varchar', 'text', 'json', 'uuid'] or t.startswith('varchar(') -%}string
    {%- elif t in ['varchar[]', 'text[]'] -%}array<string>
    {%- elif t == 'hugeint' -%}decimal(38,0)
    {%- elif t.startswith('numeric') -%}{{ t | replace('numeric', 'decimal') | replace(' ', '') }}
    {%- elif t.startswith('decimal') -%}{{ t | replace(' ', '') }}
    {%- elif t in ['integer', 'int4'] -%}int
    {%- else -%}{{ t }}
    {%- endif -%}
{%- endmacro %}

{% macro spark__get_empty_schema_sql(columns) -%}
    {%- set translated = {} -%}
    {%- for name in columns -%}
        {%- set column = {} -%}
        {%- do column.update(columns[name]) -%}
        {%- if column.get('data_type') is not none -%}
            {%- do column.update({'data_type': throughline.spark_contract_type(column['data_type'])}) -%}
        {%- endif -%}
        {%- do translated.update({name: column}) -%}
    {%- endfor -%}
    {{ return(dbt.default__get_empty_schema_sql(translated)) }}
{%- endmacro %}

{#- dbt-spark adds a contract's not-null and check constraints with ALTER TABLE when file_format is delta,
    and treats an unset file_format as delta; the local target's Parquet tables cannot be altered, so only
    a configured delta format (a cluster, docs/scale-out.md) gets them. The contract's columns and types
    are enforced either way. -#}
{% macro spark__persist_constraints(relation, model) -%}
    {%- if config.get('contract').enforced and config.get('file_format') == 'delta' -%}
        {% do alter_table_add_constraints(relation, model.constraints) %}
        {% do alter_column_set_constraints(relation, model.columns) %}
    {%- endif -%}
{%- endmacro %}
