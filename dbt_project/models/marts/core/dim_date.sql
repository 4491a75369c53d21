-- Calendar from var date_spine_start to date_spine_end with the NetSuite posting period of each day.
with days as (
    {{ throughline.day_series("'" ~ var('date_spine_start') ~ "'", "'" ~ var('date_spine_end') ~ "'") }}
),

periods as (
    select accounting_period_id, period_name, start_date, end_date, is_closed
    from {{ throughline.erp_input('accounting_periods') }}
    where not coalesce(is_quarter, false) and not coalesce(is_year, false) and not coalesce(is_adjustment, false)
),

periods_unique as (
    select * from (
        select periods.*, row_number() over (partition by start_date order by accounting_period_id) as rn
        from periods
    ) as p
    where rn = 1
)

select
    d.date_day,
    cast(extract(year from d.date_day) as integer) as year_number,
    cast(extract(quarter from d.date_day) as integer) as quarter_number,
    cast(extract(month from d.date_day) as integer) as month_number,
    cast(extract(day from d.date_day) as integer) as day_of_month,
    cast({{ throughline.iso_day_of_week('d.date_day') }} as integer) as iso_day_of_week,
    cast({{ throughline.iso_day_of_week('d.date_day') }} as integer) >= 6 as is_weekend,
    cast({{ dbt.date_trunc('month', 'd.date_day') }} as date) as month_start,
    {{ throughline.month_end('d.date_day') }} as month_end,
    d.date_day = {{ throughline.month_end('d.date_day') }} as is_month_end,
    cast({{ dbt.date_trunc('quarter', 'd.date_day') }} as date) as quarter_start,
    p.accounting_period_id as erp_accounting_period_id,
    p.period_name as accounting_period_name,
    coalesce(p.is_closed, false) as is_period_closed
from days as d
left join periods_unique as p
    on d.date_day between p.start_date and p.end_date
