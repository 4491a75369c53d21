-- Pipeline stages, decoded to open / won / lost from HubSpot's closed flags.
with source as (
    select * from {{ source('hubspot', 'deal_pipeline_stage') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('stage_id') }} as stage_id,
    {{ id_str('pipeline_id') }} as pipeline_id,
    label as stage_name,
    display_order,
    probability,
    closed_won as is_won,
    is_closed,
    case
        when coalesce(closed_won, false) then 'won'
        when coalesce(is_closed, false) then 'lost'
        else 'open'
    end as stage_category,
    active as is_active,
    created_at,
    updated_at as modified_at,
    'hubspot' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
