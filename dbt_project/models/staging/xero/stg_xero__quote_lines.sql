-- Xero quote lines (line_amount includes tax when the quote's line_amount_types is Inclusive).
with source as (
    select * from {{ source('xero', 'quote_line_item') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('line_item_id') }} as line_item_id,
    {{ id_str('quote_id') }} as quote_id,
    {{ id_str('account_code') }} as account_code,
    {{ id_str('item_code') }} as item_code,
    description,
    quantity,
    unit_amount,
    discount_rate,
    coalesce(line_amount, 0) as line_amount,
    coalesce(tax_amount, 0) as tax_amount,
    tax_type,
    _fivetran_synced as modified_at,
    coalesce(source_relation, 'xero') as source_relation,
    'xero' as source_system,
    _source_file,
    _source_row,
    _extract_date,
    _loaded_at
from source
