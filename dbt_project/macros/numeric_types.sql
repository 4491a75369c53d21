{#- Fixed-point types for values that are summed. Sums of doubles depend on the order parallel threads add
    them up in, so a rerun of the same night could differ in the last digit; decimal sums are exact. -#}

{% macro amount_type() -%}
    {{ return(adapter.dispatch('amount_type', 'throughline')()) }}
{%- endmacro %}

{% macro default__amount_type() -%} numeric(38, 6) {%- endmacro %}

{% macro rate_type() -%}
    {{ return(adapter.dispatch('rate_type', 'throughline')()) }}
{%- endmacro %}

{% macro default__rate_type() -%} numeric(38, 12) {%- endmacro %}
