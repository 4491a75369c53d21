{#- Normalisers shared by the client crosswalk (crosswalk v1). Portable SQL over the project's
    adapter-dispatched regex_replace_all. -#}

{#- Company name for fuzzy matching: lower case, dots and apostrophes dropped ("N.V." -> "nv"), other
    punctuation to spaces, legal-form tokens in var('client_legal_suffixes') removed wherever they stand
    as whole words, whitespace collapsed. NULL when nothing is left. -#}
{% macro normalise_company_name(expr) -%}
    {%- set suffixes = var('client_legal_suffixes') | join('|') -%}
    {%- set s = "lower(trim(cast(" ~ expr ~ " as " ~ dbt.type_string() ~ ")))" -%}
    {%- set s = throughline.regex_replace_all(s, "[.'']", "") -%}
    {%- set s = throughline.regex_replace_all(s, "[^a-z0-9]+", " ") -%}
    {%- set s = "' ' || " ~ s ~ " || ' '" -%}
    {#- twice: adjacent suffixes share the separating space, so one pass only removes every other one -#}
    {%- set s = throughline.regex_replace_all(s, " (" ~ suffixes ~ ") ", " ") -%}
    {%- set s = throughline.regex_replace_all(s, " (" ~ suffixes ~ ") ", " ") -%}
    {%- set s = throughline.regex_replace_all(s, " +", " ") -%}
    nullif(trim({{ s }}), '')
{%- endmacro %}

{#- Registration / VAT / tax id: upper case, everything but letters and digits removed. -#}
{% macro normalise_registration_id(expr) -%}
    nullif({{ throughline.regex_replace_all("upper(trim(cast(" ~ expr ~ " as " ~ dbt.type_string() ~ ")))",
        "[^A-Z0-9]", "") }}, '')
{%- endmacro %}

{#- Email for people matching: trimmed lower case. -#}
{% macro normalise_email(expr) -%}
    nullif(lower(trim(cast({{ expr }} as {{ dbt.type_string() }}))), '')
{%- endmacro %}
