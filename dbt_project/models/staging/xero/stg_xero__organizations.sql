-- A Xero organisation (one per source_relation); its base currency is the ledger's (blank in a cut-down export: var xero_base_currency).
with source as (
    select * from {{ source('xero', 'organization') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('organisation_id') }} as organisation_id,
    name as organisation_name,
    legal_name,
    short_code,
    {{ code_str('base_currency') }} as base_currency_code,
    {{ code_str('country_code') }} as country_code,
    financial_year_end_month,
    financial_year_end_day,
    created_date_utc as created_at,
    _fivetran_synced as modified_at,
    coalesce(source_relation, 'xero') as source_relation,
    'xero' as source_system,
    _source_file,
    _source_row,
    _extract_date,
    _loaded_at
from source
