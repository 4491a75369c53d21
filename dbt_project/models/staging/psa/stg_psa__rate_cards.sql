-- Effective-dated standard bill rates per role and currency (effective_to inclusive).
with source as (
    select * from {{ source('psa', 'rate_cards') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as rate_card_id,
    rate_card as rate_card_name,
    {{ id_str('role_id') }} as role_id,
    {{ code_str(adapter.quote('currency')) }} as currency_code,
    bill_rate,
    effective_from,
    effective_to,
    updated_at as modified_at,
    'psa' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
