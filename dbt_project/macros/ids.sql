{#- Cross-system ids: every *_id column in staging is a trimmed string (NULL when blank), whatever the
    source type, so CRM, PSA and ERP ids compare without casts downstream. -#}
{% macro id_str(expr) -%}
    nullif(trim(cast({{ expr }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{#- ISO codes (currency, country, entity): trimmed upper case, NULL when blank. -#}
{% macro code_str(expr) -%}
    nullif(upper(trim(cast({{ expr }} as {{ dbt.type_string() }}))), '')
{%- endmacro %}

{#- Free-text labels and statuses: trimmed lower case, NULL when blank. -#}
{% macro label_str(expr) -%}
    nullif(lower(trim(cast({{ expr }} as {{ dbt.type_string() }}))), '')
{%- endmacro %}

{#- Composite natural key as one string: parts joined with '-' (NULL parts become '?'). -#}
{% macro composite_key(parts) -%}
    {%- set casted = [] -%}
    {%- for p in parts -%}
        {%- do casted.append("coalesce(cast(" ~ p ~ " as " ~ dbt.type_string() ~ "), '?')") -%}
        {%- if not loop.last -%}{%- do casted.append("'-'") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.concat(casted) }}
{%- endmacro %}
