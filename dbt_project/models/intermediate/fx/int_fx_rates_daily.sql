{#- Spot rates for every (from_currency, to_currency, day): 1 from_currency = rate to_currency.
    Pairs with the base are direct (or inverse when converting from the base); any other pair is
    triangulated through the base: rate = rate_to_base(from) / rate_to_base(to). A pair is missing
    (rate NULL, is_rate_missing) when either leg is missing on that day. -#}

with legs as (
    select * from {{ ref('int_fx_base_rates_daily') }}
)

select
    f.rate_date,
    f.currency_code as from_currency,
    t.currency_code as to_currency,
    case
        when f.currency_code = t.currency_code then cast(1.0 as {{ dbt.type_float() }})
        when t.rate_to_base > 0 then f.rate_to_base / t.rate_to_base
    end as rate,
    case
        when f.currency_code = t.currency_code then 'identity'
        when t.is_base_currency then 'direct'
        when f.is_base_currency then 'inverse'
        else 'triangulated'
    end as rate_source,
    case when f.currency_code = t.currency_code then 0
        else greatest(f.gap_days, t.gap_days) end as gap_days,
    f.currency_code <> t.currency_code
        and (f.rate_to_base is null or t.rate_to_base is null) as is_rate_missing
from legs as f
inner join legs as t on f.rate_date = t.rate_date
