-- Harvest's own time report per person and period (from/to inclusive).
with source as (
    select * from {{ source('harvest', 'time_team') }}
)

select
    {{ id_str('user_id') }} as user_id,
    user_name,
    is_contractor,
    total_hours,
    billable_hours,
    {{ code_str(adapter.quote('currency')) }} as currency_code,
    billable_amount,
    {{ throughline.yyyymmdd_to_date(adapter.quote('from')) }} as period_start,
    {{ throughline.yyyymmdd_to_date(adapter.quote('to')) }} as period_end,
    'harvest' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
