-- Legal entities; legal_entity_code is the code CRM and PSA use.
with source as (
    select * from {{ source('netsuite', 'subsidiary') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as subsidiary_id,
    {{ adapter.quote('name') }} as subsidiary_name,
    fullname as subsidiary_full_name,
    legalname as legal_name,
    {{ code_str('externalid') }} as legal_entity_code,
    {{ code_str('country') }} as country_code,
    {{ id_str(adapter.quote('currency')) }} as currency_id,
    {{ id_str(adapter.quote('parent')) }} as parent_subsidiary_id,
    iselimination as is_elimination,
    isinactive as is_inactive,
    {{ id_str('federalidnumber') }} as tax_id,
    lastmodifieddate as modified_at,
    'netsuite' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
