-- Harvest roles (team groupings) with their users as a JSON array.
with source as (
    select * from {{ source('harvest', 'roles') }}
)

select
    {{ id_str('id') }} as role_id,
    {{ adapter.quote('name') }} as role_name,
    cast(user_ids as {{ dbt.type_string() }}) as user_ids_json,
    created_at,
    updated_at as modified_at,
    'harvest' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
