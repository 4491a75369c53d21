{#- The definition version a KPI family implements (var kpi_definition_versions), as a SQL string literal.
    Every KPI mart row carries it so a changed convention never silently alters a trend. -#}
{% macro kpi_definition_version(family) -%}
    {%- set versions = var('kpi_definition_versions') -%}
    {%- if family not in versions -%}
        {{ exceptions.raise_compiler_error("kpi_definition_versions has no entry '" ~ family ~ "'") }}
    {%- endif -%}
    {{ dbt.string_literal(versions[family]) }}
{%- endmacro %}

{#- Safe ratio for KPI marts: numerator / denominator, NULL when the denominator is zero or NULL. Ratios are
    always recomputed from summed numerators and denominators at every grain, never averaged. -#}
{% macro safe_ratio(numerator, denominator) -%}
    cast({{ numerator }} as {{ dbt.type_float() }}) / nullif(cast({{ denominator }} as {{ dbt.type_float() }}), 0)
{%- endmacro %}
