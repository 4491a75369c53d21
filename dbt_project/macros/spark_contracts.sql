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

{#- How the contract check compares types on Spark. DuckDB builds a contracted table from DDL with the
    contract's types and inserts the model's rows into it (an implicit cast); Spark's CREATE TABLE AS takes
    the select's own types, which differ from DuckDB's for the same SQL (datediff is int, not bigint; a sum
    of decimal(18,2) is decimal(28,2), not decimal(38,2)). So on Spark the check compares numbers as one
    family (every other type exactly) and spark__get_select_subquery casts
    every column to its contract type: the table's types are the contract's, as on DuckDB. -#}
{% macro spark__format_column(column) -%}
    {%- set data_type = column.dtype | lower -%}
    {%- if data_type in ['tinyint', 'smallint', 'int', 'integer', 'bigint', 'float', 'double', 'real']
        or data_type.startswith('decimal') -%}
        {%- set data_type = 'number' -%}
    {%- endif -%}
    {{ return({'name': column.name, 'data_type': data_type, 'formatted': column.column.lower() ~ ' ' ~ data_type}) }}
{%- endmacro %}

{% macro spark__get_select_subquery(sql) -%}
    select
    {%- for name, column in model['columns'].items() %}
        cast({{ adapter.quote(name) if column.get('quote') else name }}
            as {{ throughline.spark_contract_type(column['data_type']) }}) as {{ adapter.quote(name) if column.get('quote') else name }}{{ ',' if not loop.last }}
    {%- endfor %}
    from (
        {{ sql }}
    ) as model_subq
{%- endmacro %}
