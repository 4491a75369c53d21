-- One canonical rate role per Harvest user (Harvest's bill rates belong to people); the Harvest team roles
-- (stg_harvest__roles) are groupings, not price points, and are not mapped.
select
    user_id as role_id,
    user_id as role_code,
    {{ dbt.concat(["coalesce(first_name, '')", "' '", "coalesce(last_name, '')"]) }} as role_name,
    cast(null as {{ dbt.type_bigint() }}) as role_level,
    default_hourly_rate is not null as is_billable,
    modified_at,
    'harvest' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from {{ ref('stg_harvest__users') }}
