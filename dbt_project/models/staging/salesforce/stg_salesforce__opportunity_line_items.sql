-- Deal lines, one per service-line product.
with source as (
    select * from {{ source('salesforce', 'opportunity_line_item') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as opportunity_line_item_id,
    {{ id_str('opportunity_id') }} as opportunity_id,
    {{ id_str('product_2_id') }} as product_id,
    {{ id_str('product_code') }} as product_code,
    {{ adapter.quote('name') }} as line_name,
    quantity,
    unit_price,
    list_price,
    discount as discount_pct,
    total_price,
    service_date,
    created_date as created_at,
    system_modstamp as modified_at,
    'salesforce' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
