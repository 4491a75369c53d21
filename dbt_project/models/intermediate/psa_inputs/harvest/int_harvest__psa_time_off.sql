-- Time tracked on Harvest's time-off tasks (var harvest_time_off_tasks: Vacation, Sick, Holiday, ...) as
-- canonical time off; Harvest records it as time, so it counts as approved once recorded.
select
    time_entry_id as time_off_id,
    user_id as resource_id,
    spent_date as off_date,
    hours,
    task_name as time_off_type,
    'approved' as time_off_status,
    modified_at,
    'harvest' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from {{ ref('stg_harvest__time_entries') }}
where task_name in {{ throughline.string_list(var('harvest_time_off_tasks')) }}
