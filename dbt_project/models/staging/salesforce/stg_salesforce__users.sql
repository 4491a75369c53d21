-- Salesforce users (deal and account owners).
with source as (
    select * from {{ source('salesforce', 'user') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as user_id,
    {{ adapter.quote('name') }} as user_name,
    first_name,
    last_name,
    {{ label_str('email') }} as email,
    {{ adapter.quote('title') }} as title,
    department,
    is_active,
    created_date as created_at,
    system_modstamp as modified_at,
    'salesforce' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
