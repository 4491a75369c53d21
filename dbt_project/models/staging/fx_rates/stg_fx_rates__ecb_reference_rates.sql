{#- The ECB euro reference rates as published (eurofxref-hist.csv: one row per day, one column per currency,
    units of that currency per 1 EUR), unpivoted to the long shape of stg_fx_rates__daily_rates: one row per
    day and currency, base EUR. 'N/A' (no rate that day) and empty cells are no rate: the cells are text in the
    contract and cast here, so one N/A never rejects a day's other rates. The currency list is the contract's
    (tests/sources/fx_rates checks they agree). -#}
{%- set ecb_currencies = [
    'usd', 'jpy', 'bgn', 'cyp', 'czk', 'dkk', 'eek', 'gbp', 'huf', 'ltl', 'lvl', 'mtl', 'pln', 'rol', 'ron',
    'sek', 'sit', 'skk', 'chf', 'isk', 'nok', 'hrk', 'rub', 'trl', 'try', 'aud', 'brl', 'cad', 'cny', 'hkd',
    'idr', 'ils', 'inr', 'krw', 'mxn', 'myr', 'nzd', 'php', 'sgd', 'thb', 'zar'
] -%}

with source as (
    select * from {{ source('fx_rates', 'ecb_reference_rates') }}
    where not coalesce(_is_deleted, false)
),

unpivoted as (
    {%- for code in ecb_currencies %}
    select
        {{ adapter.quote('date') }} as rate_date,
        '{{ code | upper }}' as quote_currency_code,
        {{ throughline.try_cast('nullif(trim(' ~ adapter.quote(code) ~ "), '')", 'double') }} as rate,
        _source_file,
        _source_row,
        _loaded_at
    from source
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    rate_date,
    'EUR' as base_currency_code,
    quote_currency_code,
    rate,
    cast(null as {{ dbt.type_timestamp() }}) as updated_at,
    'ecb' as rate_source,
    'fx_rates' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from unpivoted
where rate > 0
