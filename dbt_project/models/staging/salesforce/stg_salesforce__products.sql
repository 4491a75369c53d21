-- Products: one per service line and delivery model.
with source as (
    select * from {{ source('salesforce', 'product_2') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as product_id,
    {{ adapter.quote('name') }} as product_name,
    {{ id_str('product_code') }} as product_code,
    {{ adapter.quote('family') }} as service_line_name,
    {{ adapter.quote('description') }} as description,
    is_active,
    created_date as created_at,
    system_modstamp as modified_at,
    'salesforce' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
