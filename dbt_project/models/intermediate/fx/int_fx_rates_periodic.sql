{#- Monthly rates per currency pair: average (income statement) and closing (balances at period end).
    NetSuite's consolidated exchange rates win where they exist for the pair and month (they are what the
    ledger consolidates with); otherwise the rates are derived from the daily spot rates: the average of
    the observed (not carried-forward) days, and the spot rate on the last calendar day of the month. -#}

with daily as (
    select * from {{ ref('int_fx_rates_daily') }}
),

derived as (
    select
        cast({{ dbt.date_trunc('month', 'rate_date') }} as date) as period_start,
        from_currency,
        to_currency,
        coalesce(
            {#- exact decimal sums: a double sum depends on the order threads add it up in -#}
            avg(case when gap_days = 0 then cast(rate as {{ throughline.rate_type() }}) end),
            avg(cast(rate as {{ throughline.rate_type() }}))
        ) as average_rate,
        max(case when rate_date = {{ throughline.month_end('rate_date') }} then rate end) as closing_rate
    from daily
    group by 1, 2, 3
),

currencies as (
    select currency_id, currency_code from {{ throughline.erp_input('currencies') }}
),

erp_direct as (
    select
        p.start_date as period_start,
        fc.currency_code as from_currency,
        tc.currency_code as to_currency,
        max(c.average_rate) as average_rate,
        max(c.closing_rate) as closing_rate
    from {{ throughline.erp_input('consolidated_exchange_rates') }} as c
    inner join {{ throughline.erp_input('accounting_periods') }} as p
        on c.accounting_period_id = p.accounting_period_id
    inner join currencies as fc on c.from_currency_id = fc.currency_id
    inner join currencies as tc on c.to_currency_id = tc.currency_id
    where not coalesce(p.is_quarter, false)
        and not coalesce(p.is_year, false)
        and coalesce(c.accounting_book_id, '1') = '1'
        and fc.currency_code <> tc.currency_code
    group by 1, 2, 3
),

erp as (
    select period_start, from_currency, to_currency, average_rate, closing_rate from erp_direct
    union all
    select period_start, to_currency, from_currency,
        case when average_rate > 0 then 1.0 / average_rate end,
        case when closing_rate > 0 then 1.0 / closing_rate end
    from erp_direct
),

erp_unique as (
    select period_start, from_currency, to_currency,
        max(average_rate) as average_rate, max(closing_rate) as closing_rate
    from erp
    group by 1, 2, 3
),

pairs as (
    select period_start, from_currency, to_currency from derived
    union
    select period_start, from_currency, to_currency from erp_unique
)

select
    p.period_start,
    {{ throughline.month_end('p.period_start') }} as period_end,
    p.from_currency,
    p.to_currency,
    coalesce(e.average_rate, d.average_rate) as average_rate,
    coalesce(e.closing_rate, d.closing_rate) as closing_rate,
    case
        when e.average_rate is not null then 'netsuite_consolidated'
        when d.average_rate is not null then 'daily_average'
    end as average_rate_source,
    case
        when e.closing_rate is not null then 'netsuite_consolidated'
        when d.closing_rate is not null then 'daily_month_end'
    end as closing_rate_source,
    d.average_rate as derived_average_rate,
    d.closing_rate as derived_closing_rate,
    e.average_rate as erp_average_rate,
    e.closing_rate as erp_closing_rate
from pairs as p
left join derived as d
    on p.period_start = d.period_start and p.from_currency = d.from_currency and p.to_currency = d.to_currency
left join erp_unique as e
    on p.period_start = e.period_start and p.from_currency = e.from_currency and p.to_currency = e.to_currency
