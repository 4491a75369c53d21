{#- Helpers of the commercial-chain and client-master checks (models/reconciliation/checks/recon_r*.sql). -#}

{#- Left join, as `alias`, of the spot rate from `currency_col` to the reporting currency on `date_col`;
    a date past the last day with rates (a close date in the future) uses that last day. Use with
    throughline.fx_rate(alias, currency_col, "'<reporting currency>'") so the same currency gives 1. -#}
{% macro recon_join_reporting_rate(alias, currency_col, date_col) -%}
    left join {{ ref('int_fx_rates_daily') }} as {{ alias }}
        on {{ alias }}.from_currency = {{ currency_col }}
        and {{ alias }}.to_currency = '{{ var("reporting_currency") }}'
        and {{ alias }}.rate_date = case
            when {{ date_col }} > (select max(rate_date) from {{ ref('int_fx_rates_daily') }} where not is_rate_missing)
                then (select max(rate_date) from {{ ref('int_fx_rates_daily') }} where not is_rate_missing)
            else {{ date_col }} end
{%- endmacro %}

{#- `amount` converted to the reporting currency with the rate joined by recon_join_reporting_rate. -#}
{% macro recon_to_reporting(amount, alias, currency_col) -%}
    ({{ amount }}) * {{ throughline.fx_rate(alias, currency_col, "'" ~ var('reporting_currency') ~ "'") }}
{%- endmacro %}
