-- Products: one per service line and delivery model.
with source as (
    select * from {{ source('hubspot', 'product') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as product_id,
    property_name as product_name,
    {{ id_str('property_hs_sku') }} as sku,
    property_service_line as service_line_name,
    property_description as description,
    property_price as unit_price,
    property_createdate as created_at,
    property_hs_lastmodifieddate as modified_at,
    'hubspot' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
