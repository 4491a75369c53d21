-- Change orders (contract amendments on the PSA side).
with source as (
    select * from {{ source('psa', 'change_orders') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as change_order_id,
    {{ id_str('project_id') }} as project_id,
    {{ code_str(adapter.quote('number')) }} as change_order_number,
    {{ adapter.quote('title') }} as title,
    {{ label_str(adapter.quote('status')) }} as change_order_status,
    amount_change,
    hours_change,
    new_end_date,
    bill_rate_change_pct,
    requested_date,
    approved_date,
    {{ id_str('erp_sales_order_id') }} as erp_sales_order_id,
    created_at,
    updated_at as modified_at,
    'psa' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
