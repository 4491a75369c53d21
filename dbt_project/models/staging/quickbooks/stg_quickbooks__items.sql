-- Products and services sold.
with source as (
    select * from {{ source('quickbooks', 'item') }}
    where not coalesce(_is_deleted, false)
)

select
    coalesce(source_relation, '') as source_relation,
    {{ id_str('id') }} as item_id,
    name as item_name,
    type as item_type,
    {{ id_str('income_account_id') }} as income_account_id,
    unit_price,
    active as is_active,
    updated_at as modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
