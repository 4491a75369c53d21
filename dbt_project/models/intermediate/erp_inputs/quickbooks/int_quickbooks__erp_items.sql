-- QuickBooks items (products and services) as the canonical ERP items (the columns of stg_netsuite__items);
-- QuickBooks has no item code of its own (the name is the code) and no class on the item.
select
    item_id,
    item_name as item_code,
    item_name,
    item_type,
    cast(null as {{ dbt.type_string() }}) as description,
    cast(null as {{ dbt.type_string() }}) as class_id,
    income_account_id,
    not coalesce(is_active, true) as is_inactive,
    modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from {{ ref('stg_quickbooks__items') }}
