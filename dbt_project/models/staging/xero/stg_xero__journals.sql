-- Xero general-ledger journals (immutable: a change is a reversing journal).
with source as (
    select * from {{ source('xero', 'journal') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('journal_id') }} as journal_id,
    journal_number,
    journal_date,
    created_date_utc as created_at,
    reference,
    {{ id_str('source_id') }} as source_id,
    {{ code_str('source_type') }} as source_type,
    coalesce(created_date_utc, _fivetran_synced) as modified_at,
    coalesce(source_relation, 'xero') as source_relation,
    'xero' as source_system,
    _source_file,
    _source_row,
    _extract_date,
    _loaded_at
from source
