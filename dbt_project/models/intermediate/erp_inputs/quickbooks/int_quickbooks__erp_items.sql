-- QuickBooks items (products and services) as the canonical ERP items (the columns of stg_netsuite__items): one
-- row per canonical item (int_quickbooks__keys); QuickBooks has no item code of its own (the name is the code)
-- and no class on the item.
with keys as (
    select * from {{ ref('int_quickbooks__keys') }}
)

select
    k.record_key as item_id,
    i.item_name as item_code,
    i.item_name,
    i.item_type,
    cast(null as {{ dbt.type_string() }}) as description,
    cast(null as {{ dbt.type_string() }}) as class_id,
    coalesce(a.record_key, i.income_account_id) as income_account_id,
    not coalesce(i.is_active, true) as is_inactive,
    i.modified_at,
    'quickbooks' as source_system,
    i._source_file,
    i._source_row,
    i._loaded_at
from {{ ref('stg_quickbooks__items') }} as i
inner join keys as k
    on k.entity = 'item' and i.source_relation = k.source_relation and i.item_id = k.source_id and k.is_primary
left join keys as a
    on a.entity = 'account' and i.source_relation = a.source_relation and i.income_account_id = a.source_id
