{#- One row per calendar day and currency: units of the NetSuite base currency per unit of the currency.
    Gap rule: the last observed rate is carried forward for at most var('fx_max_gap_days') days; after that
    the rate is NULL and rate_status = 'missing' (a break downstream, never a silent stale rate).
    Quotes of the base currency in another currency are inverted; quotes between two non-base currencies
    are ignored (everything triangulates through the base). The base currency itself has rate 1. -#}
{%- set max_gap = var('fx_max_gap_days') | int -%}

with currencies as (
    select currency_id, currency_code, is_base_currency
    from {{ throughline.erp_input('currencies') }}
),

base_currency as (
    select currency_id, currency_code
    from currencies
    where is_base_currency
),

quotes as (
    -- 1 currency = exchange_rate base
    select r.currency_rate_id, r.effective_date, r.modified_at, c.currency_code,
        r.exchange_rate as rate_to_base
    from {{ throughline.erp_input('currency_rates') }} as r
    inner join base_currency as b on r.base_currency_id = b.currency_id
    inner join currencies as c on r.transaction_currency_id = c.currency_id
    where r.exchange_rate > 0 and c.currency_id <> b.currency_id

    union all

    -- 1 base = exchange_rate currency, inverted
    select r.currency_rate_id, r.effective_date, r.modified_at, c.currency_code,
        1.0 / r.exchange_rate as rate_to_base
    from {{ throughline.erp_input('currency_rates') }} as r
    inner join base_currency as b on r.transaction_currency_id = b.currency_id
    inner join currencies as c on r.base_currency_id = c.currency_id
    where r.exchange_rate > 0 and c.currency_id <> b.currency_id
),

observed as (
    -- one rate per currency and day: the most recently modified quote wins
    select currency_code, effective_date as rate_date, rate_to_base
    from (
        select quotes.*,
            row_number() over (
                partition by currency_code, effective_date
                order by modified_at desc, currency_rate_id desc
            ) as recency
        from quotes
    ) as ranked
    where recency = 1
),

days as (
    {{ throughline.day_series(
        '(select min(rate_date) from observed)',
        '(select ' ~ dbt.dateadd('day', max_gap, 'max(rate_date)') ~ ' from observed)'
    ) }}
),

grid as (
    select d.date_day as rate_date, c.currency_code, o.rate_to_base as observed_rate,
        case when o.rate_to_base is not null then d.date_day end as observed_on
    from days as d
    cross join (select distinct currency_code from observed) as c
    left join observed as o
        on o.currency_code = c.currency_code and o.rate_date = d.date_day
),

filled as (
    select rate_date, currency_code,
        {{ throughline.last_value_ignore_nulls('observed_rate', 'currency_code', 'rate_date') }} as last_rate,
        {{ throughline.last_value_ignore_nulls('observed_on', 'currency_code', 'rate_date') }} as last_observed_on
    from grid
),

foreign_currencies as (
    select rate_date, currency_code,
        case when {{ dbt.datediff('last_observed_on', 'rate_date', 'day') }} <= {{ max_gap }}
            then last_rate end as rate_to_base,
        last_observed_on as observed_on,
        {{ dbt.datediff('last_observed_on', 'rate_date', 'day') }} as gap_days,
        case
            when last_observed_on is null then 'missing'
            when last_observed_on = rate_date then 'observed'
            when {{ dbt.datediff('last_observed_on', 'rate_date', 'day') }} <= {{ max_gap }} then 'carried_forward'
            else 'missing'
        end as rate_status
    from filled
)

select rate_date, currency_code, rate_to_base, observed_on, gap_days, rate_status,
    false as is_base_currency
from foreign_currencies

union all

select d.date_day as rate_date, b.currency_code, cast(1.0 as {{ dbt.type_float() }}) as rate_to_base,
    d.date_day as observed_on, 0 as gap_days, 'base' as rate_status, true as is_base_currency
from days as d
cross join base_currency as b
