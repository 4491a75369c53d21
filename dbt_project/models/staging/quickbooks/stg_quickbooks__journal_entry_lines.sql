-- Journal entry lines, signed: debits positive, credits negative.
with source as (
    select * from {{ source('quickbooks', 'journal_entry_line') }}
    where not coalesce(_is_deleted, false)
)

select
    coalesce(source_relation, '') as source_relation,
    {{ composite_key(['journal_entry_id', adapter.quote('index')]) }} as journal_entry_line_id,
    {{ id_str('journal_entry_id') }} as journal_entry_id,
    {{ adapter.quote('index') }} as line_index,
    {{ id_str('account_id') }} as account_id,
    case when lower(posting_type) = 'credit' then -amount else amount end as signed_amount,
    lower(posting_type) as posting_type,
    {{ id_str('customer_id') }} as customer_id,
    {{ id_str('class_id') }} as class_id,
    description,
    _fivetran_synced as modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
