-- Deal pipelines.
with source as (
    select * from {{ source('hubspot', 'deal_pipeline') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('pipeline_id') }} as pipeline_id,
    label as pipeline_name,
    active as is_active,
    display_order,
    created_at,
    updated_at as modified_at,
    'hubspot' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
