-- Departments (locations).
with source as (
    select * from {{ source('quickbooks', 'department') }}
    where not coalesce(_is_deleted, false)
)

select
    coalesce(source_relation, '') as source_relation,
    {{ id_str('id') }} as department_id,
    name as department_name,
    fully_qualified_name,
    {{ id_str('parent_department_id') }} as parent_department_id,
    active as is_active,
    updated_at as modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
