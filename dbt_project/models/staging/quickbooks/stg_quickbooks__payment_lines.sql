-- What each payment settles.
with source as (
    select * from {{ source('quickbooks', 'payment_line') }}
    where not coalesce(_is_deleted, false)
)

select
    coalesce(source_relation, '') as source_relation,
    {{ composite_key(['payment_id', adapter.quote('index')]) }} as payment_line_id,
    {{ id_str('payment_id') }} as payment_id,
    {{ adapter.quote('index') }} as line_index,
    amount,
    {{ id_str('invoice_id') }} as invoice_id,
    {{ id_str('credit_memo_id') }} as credit_memo_id,
    {{ id_str('journal_entry_id') }} as journal_entry_id,
    _fivetran_synced as modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
