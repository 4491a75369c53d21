-- Xero quotes; amounts in the quote currency, currency_rate = units of it per unit of the base currency. What a
-- firm fills in for an accepted quote to be its contract: reference = CRM opportunity id, title = PSA project
-- code, terms = contract type (decoded).
with source as (
    select * from {{ source('xero', 'quote') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('quote_id') }} as quote_id,
    {{ id_str('contact_id') }} as contact_id,
    {{ id_str('quote_number') }} as quote_number,
    trim(reference) as reference,
    trim(title) as title,
    summary,
    terms,
    {{ decode_contract_type('terms') }} as contract_type,
    {{ code_str('status') }} as status,
    {{ adapter.quote('date') }} as quote_date,
    expiry_date,
    {{ code_str('currency_code') }} as currency_code,
    cast(coalesce(currency_rate, 1) as {{ throughline.rate_type() }}) as currency_rate,
    line_amount_types,
    coalesce(sub_total, 0) as sub_total,
    coalesce(total_tax, 0) as total_tax,
    coalesce(total, 0) as total,
    coalesce(updated_date_utc, _fivetran_synced) as modified_at,
    coalesce(source_relation, 'xero') as source_relation,
    'xero' as source_system,
    _source_file,
    _source_row,
    _extract_date,
    _loaded_at
from source
