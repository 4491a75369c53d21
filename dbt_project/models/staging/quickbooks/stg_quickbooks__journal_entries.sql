-- Manual journal entries.
with source as (
    select * from {{ source('quickbooks', 'journal_entry') }}
    where not coalesce(_is_deleted, false)
)

select
    coalesce(source_relation, '') as source_relation,
    {{ id_str('id') }} as journal_entry_id,
    {{ id_str('doc_number') }} as journal_number,
    transaction_date as posting_date,
    {{ code_str('currency_id') }} as currency_code,
    exchange_rate,
    total_amount,
    coalesce(adjustment, false) as is_adjustment,
    updated_at as modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _extract_date,
    _loaded_at
from source
