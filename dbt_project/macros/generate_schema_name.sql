{#- Schemas are exactly the configured names (staging, intermediate, marts, snapshots), not <target>_<name>,
    so analysts and the Dagster checks can address marts.fct_invoice_lines whatever the target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
