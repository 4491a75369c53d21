-- Roles (grades) that rate cards price.
with source as (
    select * from {{ source('psa', 'roles') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as role_id,
    {{ code_str('code') }} as role_code,
    {{ adapter.quote('name') }} as role_name,
    {{ adapter.quote('level') }} as role_level,
    is_billable,
    updated_at as modified_at,
    'psa' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
