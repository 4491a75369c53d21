-- Classes (= service lines).
with source as (
    select * from {{ source('netsuite', 'classification') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as class_id,
    {{ adapter.quote('name') }} as class_name,
    fullname as class_full_name,
    {{ id_str(adapter.quote('parent')) }} as parent_class_id,
    isinactive as is_inactive,
    lastmodifieddate as modified_at,
    'netsuite' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
