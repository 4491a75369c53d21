-- Billable items.
with source as (
    select * from {{ source('netsuite', 'item') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as item_id,
    {{ id_str('itemid') }} as item_code,
    fullname as item_name,
    itemtype as item_type,
    {{ adapter.quote('description') }} as description,
    {{ id_str(adapter.quote('class')) }} as class_id,
    {{ id_str('incomeaccount') }} as income_account_id,
    isinactive as is_inactive,
    lastmodifieddate as modified_at,
    'netsuite' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
