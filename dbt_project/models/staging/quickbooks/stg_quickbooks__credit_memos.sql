-- Credit memos (credit notes).
with source as (
    select * from {{ source('quickbooks', 'credit_memo') }}
    where not coalesce(_is_deleted, false)
)

select
    coalesce(source_relation, '') as source_relation,
    {{ id_str('id') }} as credit_memo_id,
    {{ id_str('doc_number') }} as credit_memo_number,
    {{ id_str('customer_id') }} as customer_id,
    transaction_date as credit_memo_date,
    {{ code_str('currency_id') }} as currency_code,
    exchange_rate,
    total_amount,
    remaining_credit,
    updated_at as modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _extract_date,
    _loaded_at
from source
