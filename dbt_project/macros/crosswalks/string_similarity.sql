{#- String similarity in [0, 1] for fuzzy name matching (crosswalk v1 uses Jaro-Winkler). Models only call
    throughline.string_similarity; add an <adapter>__ variant to port the project. -#}
{% macro string_similarity(a, b) -%}
    {{ return(adapter.dispatch('string_similarity', 'throughline')(a, b)) }}
{%- endmacro %}

{% macro duckdb__string_similarity(a, b) -%}
    jaro_winkler_similarity({{ a }}, {{ b }})
{%- endmacro %}

{% macro default__string_similarity(a, b) -%}
    {{ exceptions.raise_compiler_error(
        "throughline.string_similarity has no implementation for adapter '" ~ adapter.type() ~ "': add a "
        ~ adapter.type() ~ "__string_similarity macro (Jaro-Winkler in [0, 1]) in "
        ~ "dbt_project/macros/crosswalks/string_similarity.sql") }}
{%- endmacro %}
