-- Harvest user assignments as canonical staffing: open-ended, in the user's rate role; the project rate is
-- an override only when the assignment does not use the user's default rates.
select
    user_assignment_id as assignment_id,
    project_id,
    user_id as resource_id,
    user_id as role_id,
    cast(null as date) as start_date,
    cast(null as date) as end_date,
    cast(null as decimal(9, 2)) as hours_per_week,
    case when not coalesce(use_default_rates, true) then hourly_rate end as bill_rate,
    modified_at,
    'harvest' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from {{ ref('stg_harvest__user_assignments') }}
