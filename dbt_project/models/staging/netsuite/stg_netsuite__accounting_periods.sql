-- Fiscal calendar (months, quarters, years).
with source as (
    select * from {{ source('netsuite', 'accountingperiod') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as accounting_period_id,
    periodname as period_name,
    startdate as start_date,
    enddate as end_date,
    isquarter as is_quarter,
    isyear as is_year,
    isadjust as is_adjustment,
    isposting as is_posting,
    {{ adapter.quote('closed') }} as is_closed,
    closedondate as closed_on_date,
    {{ id_str(adapter.quote('parent')) }} as parent_accounting_period_id,
    lastmodifieddate as modified_at,
    'netsuite' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
