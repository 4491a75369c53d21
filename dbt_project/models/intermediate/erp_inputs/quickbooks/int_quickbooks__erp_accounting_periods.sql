-- Canonical accounting periods (the columns of stg_netsuite__accounting_periods): QuickBooks posts by date and
-- has no period table, so the periods are the calendar months of the project's date spine (vars
-- date_spine_start / date_spine_end), id the month's first day (YYYY-MM-DD, as on the mapped transactions);
-- none is closed (QuickBooks' closing date is not in the sync).
with days as (
    {{ throughline.day_series("'" ~ var('date_spine_start') ~ "'", "'" ~ var('date_spine_end') ~ "'") }}
),

months as (
    select distinct cast({{ dbt.date_trunc('month', 'date_day') }} as date) as start_date from days
)

select
    cast(start_date as {{ dbt.type_string() }}) as accounting_period_id,
    cast(start_date as {{ dbt.type_string() }}) as period_name,
    start_date,
    {{ throughline.month_end('start_date') }} as end_date,
    false as is_quarter,
    false as is_year,
    false as is_adjustment,
    true as is_posting,
    false as is_closed,
    cast(null as date) as closed_on_date,
    cast(null as {{ dbt.type_string() }}) as parent_accounting_period_id,
    cast(null as {{ dbt.type_timestamp() }}) as modified_at,
    'quickbooks' as source_system,
    cast(null as {{ dbt.type_string() }}) as _source_file,
    cast(null as {{ dbt.type_bigint() }}) as _source_row,
    cast(null as {{ dbt.type_timestamp() }}) as _loaded_at
from months
