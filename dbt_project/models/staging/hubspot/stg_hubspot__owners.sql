-- HubSpot owners (deal and company owners).
with source as (
    select * from {{ source('hubspot', 'owner') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('owner_id') }} as owner_id,
    {{ dbt.concat(["coalesce(first_name, '')", "' '", "coalesce(last_name, '')"]) }} as owner_name,
    first_name,
    last_name,
    {{ label_str('email') }} as email,
    {{ adapter.quote('type') }} as owner_type,
    {{ id_str('active_user_id') }} as user_id,
    active_user_id is not null as is_active,
    created_at,
    updated_at as modified_at,
    'hubspot' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
