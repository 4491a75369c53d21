-- Estimate lines (sales item, discount, subtotal, bundle and description lines).
with source as (
    select * from {{ source('quickbooks', 'estimate_line') }}
    where not coalesce(_is_deleted, false)
)

select
    coalesce(source_relation, '') as source_relation,
    {{ composite_key(['estimate_id', adapter.quote('index')]) }} as estimate_line_id,
    {{ id_str('estimate_id') }} as estimate_id,
    {{ adapter.quote('index') }} as line_index,
    description,
    amount,
    {{ id_str('sales_item_item_id') }} as sales_item_id,
    {{ id_str('coalesce(sales_item_item_id, item_id)') }} as item_id,
    sales_item_quantity as quantity,
    sales_item_unit_price as unit_price,
    {{ id_str('coalesce(sales_item_account_id, discount_account_id, account_id)') }} as account_id,
    {{ id_str('discount_account_id') }} as discount_account_id,
    {{ id_str('sales_item_class_id') }} as class_id,
    sales_item_service_date as service_date,
    _fivetran_synced as modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
