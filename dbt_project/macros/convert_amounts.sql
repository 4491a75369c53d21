{#- Currency conversion shared by the facts: transaction currency -> legal entity's functional currency ->
    reporting currency (var reporting_currency), with the rate type used and a missing-rate flag. Rates
    come from int_fx_rates_daily (spot, joined by join_spot_rate) or int_fx_rates_periodic (average /
    closing, joined by join_periodic_rate); fx_rate() makes a same-currency rate exactly 1. -#}

{#- The reporting currency as a SQL string literal. -#}
{% macro reporting_currency_literal() -%}
    {{ dbt.string_literal(var('reporting_currency')) }}
{%- endmacro %}

{#- Spot rate (alias.rate) from from_col to the reporting currency. -#}
{% macro fx_rate_to_reporting(alias, from_col, rate_column='rate') -%}
    {{ fx_rate(alias, from_col, reporting_currency_literal(), rate_column) }}
{%- endmacro %}

{#- Left join of the daily spot rate from from_col to the reporting currency on date_col. -#}
{% macro join_spot_rate_to_reporting(alias, from_col, date_col) -%}
    {{ join_spot_rate(alias, from_col, reporting_currency_literal(), date_col) }}
{%- endmacro %}

{#- select body adding spot rates on date_col to every row of relation (aliased b): fx_rate_to_entity
    (transaction -> entity currency), reporting_currency_code, fx_rate_to_reporting, one more rate to the
    reporting currency per entry of extra_rates_to_reporting ({output column: currency column}), and
    fx_rate_type = 'spot'. Pair with spot_amount_columns() and fx_rate_missing_flag() in the next select. -#}
{% macro select_with_spot_rates(relation, date_col, transaction_currency='transaction_currency_code',
        entity_currency='entity_currency_code', extra_rates_to_reporting={}) -%}
    select
        b.*,
        {{ fx_rate('fx_e', 'b.' ~ transaction_currency, 'b.' ~ entity_currency) }} as fx_rate_to_entity,
        {{ reporting_currency_literal() }} as reporting_currency_code,
        {{ fx_rate_to_reporting('fx_r', 'b.' ~ transaction_currency) }} as fx_rate_to_reporting,
        {%- for column_name, currency in extra_rates_to_reporting.items() %}
        {{ fx_rate_to_reporting('fx_x' ~ loop.index, 'b.' ~ currency) }} as {{ column_name }},
        {%- endfor %}
        'spot' as fx_rate_type
    from {{ relation }} as b
    {{ join_spot_rate('fx_e', 'b.' ~ transaction_currency, 'b.' ~ entity_currency, 'b.' ~ date_col) }}
    {{ join_spot_rate_to_reporting('fx_r', 'b.' ~ transaction_currency, 'b.' ~ date_col) }}
    {%- for column_name, currency in extra_rates_to_reporting.items() %}
    {{ join_spot_rate_to_reporting('fx_x' ~ loop.index, 'b.' ~ currency, 'b.' ~ date_col) }}
    {%- endfor %}
{%- endmacro %}

{#- <name>_entity and <name>_reporting from <name>_transaction for each name in amount_names, using the
    fx_rate_to_entity / fx_rate_to_reporting columns of select_with_spot_rates(). -#}
{% macro spot_amount_columns(amount_names) -%}
    {%- for name in amount_names %}
    {{ name }}_transaction * fx_rate_to_entity as {{ name }}_entity,
    {{ name }}_transaction * fx_rate_to_reporting as {{ name }}_reporting{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- True when either leg of a transaction -> entity -> reporting conversion has no rate. -#}
{% macro fx_rate_missing_flag(entity_rate='fx_rate_to_entity', reporting_rate='fx_rate_to_reporting') -%}
    ({{ entity_rate }} is null or {{ reporting_rate }} is null)
{%- endmacro %}

{#- Period-rate conversion columns (rate_type 'average' or 'closing' from int_fx_rates_periodic, joined as
    fx_e and fx_r by join_periodic_rates): entity_currency_code, fx_rate_to_entity, <amount_name>_entity,
    reporting_currency_code, fx_rate_to_reporting, <amount_name>_reporting (amounts rounded to 2 places),
    fx_rate_type. entity_currency is the joined functional currency (NULL when the entity is unknown). -#}
{% macro periodic_conversion_columns(amount_expr, amount_name, from_col, entity_currency, rate_type) -%}
    {%- set rate_column = rate_type ~ '_rate' -%}
    coalesce({{ entity_currency }}, '-1') as entity_currency_code,
    {{ fx_rate('fx_e', from_col, entity_currency, rate_column) }} as fx_rate_to_entity,
    {{ throughline.round_double(amount_expr ~ ' * ' ~ fx_rate('fx_e', from_col, entity_currency, rate_column)) }}
        as {{ amount_name }}_entity,
    {{ reporting_currency_literal() }} as reporting_currency_code,
    {{ fx_rate_to_reporting('fx_r', from_col, rate_column) }} as fx_rate_to_reporting,
    {{ throughline.round_double(amount_expr ~ ' * ' ~ fx_rate_to_reporting('fx_r', from_col, rate_column)) }}
        as {{ amount_name }}_reporting,
    {{ dbt.string_literal(rate_type) }} as fx_rate_type
{%- endmacro %}

{#- Missing-rate flag for periodic_conversion_columns(). -#}
{% macro periodic_rate_missing_flag(from_col, entity_currency, rate_type) -%}
    {{ fx_rate_missing_flag(fx_rate('fx_e', from_col, entity_currency, rate_type ~ '_rate'),
        fx_rate_to_reporting('fx_r', from_col, rate_type ~ '_rate')) }}
{%- endmacro %}

{#- Left joins of the period rates (from_col -> entity_currency as fx_e, -> reporting currency as fx_r)
    for the period starting on period_start_col. -#}
{% macro join_periodic_rates(from_col, entity_currency, period_start_col) -%}
    {{ join_periodic_rate('fx_e', from_col, entity_currency, period_start_col) }}
    {{ join_periodic_rate('fx_r', from_col, reporting_currency_literal(), period_start_col) }}
{%- endmacro %}
