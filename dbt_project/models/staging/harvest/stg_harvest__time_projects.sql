-- Harvest's own time report per project and period (from/to inclusive).
with source as (
    select * from {{ source('harvest', 'time_projects') }}
)

select
    {{ id_str('project_id') }} as project_id,
    project_name,
    {{ id_str('client_id') }} as client_id,
    client_name,
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
