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
    cast({{ numerator }} as {{ throughline.ratio_type() }})
        / nullif(cast({{ denominator }} as {{ throughline.ratio_type() }}), 0)
{%- endmacro %}

{#- Type of KPI ratios and day counts: 64-bit floating point (dbt.type_float() is 32-bit on DuckDB). -#}
{% macro ratio_type() -%}
    {{ return(adapter.dispatch('ratio_type', 'throughline')()) }}
{%- endmacro %}

{% macro default__ratio_type() -%} double precision {%- endmacro %}

{% macro duckdb__ratio_type() -%} double {%- endmacro %}

{% macro spark__ratio_type() -%} double {%- endmacro %}
