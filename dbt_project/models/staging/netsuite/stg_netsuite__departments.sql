-- Departments (= PSA practices).
with source as (
    select * from {{ source('netsuite', 'department') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as department_id,
    {{ adapter.quote('name') }} as department_name,
    fullname as department_full_name,
    {{ id_str(adapter.quote('parent')) }} as parent_department_id,
    isinactive as is_inactive,
    lastmodifieddate as modified_at,
    'netsuite' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
