-- Credit memo lines.
with source as (
    select * from {{ source('quickbooks', 'credit_memo_line') }}
    where not coalesce(_is_deleted, false)
)

select
    coalesce(source_relation, '') as source_relation,
    {{ composite_key(['credit_memo_id', adapter.quote('index')]) }} as credit_memo_line_id,
    {{ id_str('credit_memo_id') }} as credit_memo_id,
    {{ adapter.quote('index') }} as line_index,
    amount,
    {{ id_str('sales_item_item_id') }} as item_id,
    {{ id_str('sales_item_account_id') }} as account_id,
    _fivetran_synced as modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
