{#- A list var (or one string) as a parenthesised SQL list of string literals for IN: ('a', 'b');
    (null) when the list is empty, so `x in (null)` matches nothing instead of being a syntax error. -#}
{% macro string_list(values) -%}
    {%- if values is string -%}{%- set values = [values] -%}{%- endif -%}
    ({%- for v in values -%}{{ dbt.string_literal(v) }}{{ ", " if not loop.last }}{%- endfor -%}
    {%- if values | length == 0 -%}null{%- endif -%})
{%- endmacro %}
