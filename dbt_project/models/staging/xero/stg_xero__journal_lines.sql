-- Xero journal lines in the base currency (debit positive).
with source as (
    select * from {{ source('xero', 'journal_line') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('journal_line_id') }} as journal_line_id,
    {{ id_str('journal_id') }} as journal_id,
    {{ id_str('account_id') }} as account_id,
    {{ id_str('account_code') }} as account_code,
    account_name,
    {{ code_str('account_type') }} as account_type,
    description,
    coalesce(net_amount, 0) as net_amount,
    coalesce(tax_amount, 0) as tax_amount,
    coalesce(gross_amount, 0) as gross_amount,
    tax_type,
    _fivetran_synced as modified_at,
    coalesce(source_relation, 'xero') as source_relation,
    'xero' as source_system,
    _source_file,
    _source_row,
    _extract_date,
    _loaded_at
from source
