-- Classes (a services firm's service lines).
with source as (
    select * from {{ source('quickbooks', 'class') }}
    where not coalesce(_is_deleted, false)
)

select
    coalesce(source_relation, '') as source_relation,
    {{ id_str('id') }} as class_id,
    name as class_name,
    fully_qualified_name,
    {{ id_str('parent_class_id') }} as parent_class_id,
    active as is_active,
    updated_at as modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
