-- Calendar months from the first to the last document or journal date as the canonical ERP accounting periods
-- (the columns of stg_netsuite__accounting_periods): Xero posts by date and exports no period table or lock
-- dates, so every month is a posting period and none is closed. The id is the month's first day (YYYY-MM-DD).
with bounds as (
    select min(transaction_date) as first_day, max(transaction_date) as last_day
    from {{ ref('int_xero__documents') }}
),

days as (
    {{ throughline.day_series('(select first_day from bounds)', '(select last_day from bounds)') }}
),

months as (
    select distinct cast({{ dbt.date_trunc('month', 'date_day') }} as date) as start_date
    from days
)

select
    cast(start_date as {{ dbt.type_string() }}) as accounting_period_id,
    cast(start_date as {{ dbt.type_string() }}) as period_name,
    start_date,
    cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'start_date')) }} as date) as end_date,
    false as is_quarter,
    false as is_year,
    false as is_adjustment,
    true as is_posting,
    false as is_closed,
    cast(null as date) as closed_on_date,
    cast(null as {{ dbt.type_string() }}) as parent_accounting_period_id,
    cast(null as {{ dbt.type_timestamp() }}) as modified_at,
    'xero' as source_system,
    cast(null as {{ dbt.type_string() }}) as _source_file,
    cast(null as {{ dbt.type_bigint() }}) as _source_row,
    cast(null as {{ dbt.type_timestamp() }}) as _loaded_at
from months
