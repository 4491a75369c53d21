-- Harvest users: capacity converted from seconds to hours per week.
with source as (
    select * from {{ source('harvest', 'users') }}
)

select
    {{ id_str('id') }} as user_id,
    first_name,
    last_name,
    {{ label_str('email') }} as email,
    {{ adapter.quote('timezone') }} as timezone_name,
    cast(weekly_capacity as {{ throughline.amount_type() }}) / 3600 as weekly_capacity_hours,
    is_contractor,
    is_active,
    default_hourly_rate,
    cost_rate,
    cast(roles as {{ dbt.type_string() }}) as role_names_json,
    created_at,
    updated_at as modified_at,
    'harvest' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
