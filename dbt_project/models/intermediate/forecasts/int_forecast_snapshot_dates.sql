{#- The dates forecasts are frozen at (docs/metrics.md#forecasts-and-their-accuracy): every month start after
    the first revenue month up to tonight, rebuilt from the history as it stood then, plus tonight (the latest
    PSA extract night, or var forecast_as_of_date). A snapshot knows the events dated BEFORE its date. Its
    target months start at the snapshot's month when it is a month start, else at the next month; horizon h
    is the h-th target month (1 .. var forecast_max_horizon_months). -#}

with history as (
    select cast(min(revenue_month) as date) as first_revenue_month
    from {{ ref('int_revenue_by_contract_month') }}
),

tonight as (
    select {{ finance_as_of_date('forecast_as_of_date',
        "select max(extract_date) from " ~ ref('stg_raw__extract_nights') ~ " where source_system = '" ~ throughline.source_system('psa') ~ "'") }}
        as snapshot_date
),

month_starts as (
    {{ month_starts("(select first_revenue_month from history)", "(select snapshot_date from tonight)") }}
),

dates as (
    select month_start as snapshot_date, 'month_start' as snapshot_type
    from month_starts
    where month_start > (select first_revenue_month from history)
    union all
    select snapshot_date, 'nightly' as snapshot_type
    from tonight
    where snapshot_date <> cast({{ dbt.date_trunc('month', 'snapshot_date') }} as date)
)

select
    snapshot_date,
    snapshot_type,
    case when snapshot_type = 'month_start' then snapshot_date
        else cast({{ dbt.dateadd('month', 1, dbt.date_trunc('month', 'snapshot_date')) }} as date)
    end as first_target_month,
    {#- the last month whose average rate is known on the snapshot date: amounts are frozen at it -#}
    cast({{ dbt.date_trunc('month', dbt.dateadd('day', -1, 'snapshot_date')) }} as date) as rate_month
from dates
