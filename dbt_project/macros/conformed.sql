{#- Helpers shared by the conformed marts. -#}

{#- Conformed service line key from any system's service line name: lower snake case ("Data & AI" ->
    "data_ai"). NetSuite class names, PSA practice service lines and Salesforce product families meet here. -#}
{% macro service_line_key(name_expr) -%}
    {%- set snake = throughline.regex_replace_all('lower(trim(' ~ name_expr ~ '))', '[^a-z0-9]+', '_') -%}
    nullif({{ throughline.regex_replace_all(snake, '^_+|_+$', '') }}, '')
{%- endmacro %}

{#- Rate from a joined int_fx_rates_daily / int_fx_rates_periodic row (alias.rate_column), exactly 1 when
    both currencies are the same (even outside the rate table's date span). -#}
{% macro fx_rate(alias, from_col, to_col, rate_column='rate') -%}
    case when {{ from_col }} = {{ to_col }} then cast(1.0 as {{ dbt.type_float() }})
        else {{ alias }}.{{ rate_column }} end
{%- endmacro %}

{#- Left join of the daily spot rate for (from_col -> to_col) on date_col, as alias. -#}
{% macro join_spot_rate(alias, from_col, to_col, date_col) -%}
    left join {{ ref('int_fx_rates_daily') }} as {{ alias }}
        on {{ alias }}.rate_date = {{ date_col }}
        and {{ alias }}.from_currency = {{ from_col }}
        and {{ alias }}.to_currency = {{ to_col }}
{%- endmacro %}

{#- Incremental filter: rows loaded within var('incremental_lookback_days') of the newest row already in
    the target, and, with `unresolved` (a condition on the target's columns), the target's rows a lookup
    left unresolved when they were built: a rate, project or entity that arrives nights after the row is
    picked up then, as a build from empty would pick it up (`key_expr`: the unique key in this model's SQL,
    `alias.column`, the column of the same name in the target). Only when the model runs incrementally. -#}
{% macro incremental_lookback(loaded_at_expr, key_expr=none, unresolved=none) -%}
    {%- if is_incremental() -%}
        ({{ loaded_at_expr }} >= (
            select {{ dbt.dateadd('day', -1 * (var('incremental_lookback_days') | int), 'max(_loaded_at)') }}
            from {{ this }}
        )
        {%- if unresolved %}
            or {{ key_expr }} in (select {{ key_expr.split('.')[-1] }} from {{ this }} where {{ unresolved }})
        {%- endif -%})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Post-hook for incremental facts: drop rows whose source record no longer exists (deleted upstream). -#}
{% macro delete_vanished_rows(key_column, source_relation, source_key) -%}
    {{ return(adapter.dispatch('delete_vanished_rows', 'throughline')(key_column, source_relation, source_key)) }}
{%- endmacro %}

{#- Spark: the facts are rebuilt whole (incremental_materialization), so no row can have vanished. -#}
{% macro spark__delete_vanished_rows(key_column, source_relation, source_key) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ key_column }} not in (
            select {{ source_key }} from {{ source_relation }} where {{ source_key }} is not null
        )
    {%- endif -%}
{%- endmacro %}

{% macro default__delete_vanished_rows(key_column, source_relation, source_key) -%}
    delete from {{ this }}
    where {{ key_column }} not in (
        select {{ source_key }} from {{ source_relation }} where {{ source_key }} is not null
    )
{%- endmacro %}

{#- Conformed service line of a PSA fact row: the project's practice (project_context.service_line_key,
    from int_psa_project_context) when the project has one, else the person's practice
    (resource_context.service_line_key, from int_psa_resource_context); '-1' when it does not resolve. -#}
{% macro psa_service_line_key(project_context, resource_context) -%}
    coalesce(case when {{ project_context }}.psa_practice_id is not null then {{ project_context }}.service_line_key
        else {{ resource_context }}.service_line_key end, '-1')
{%- endmacro %}
