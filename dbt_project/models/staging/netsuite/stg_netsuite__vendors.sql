-- Vendors; intercompany vendors flagged.
with source as (
    select * from {{ source('netsuite', 'vendor') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as vendor_id,
    entityid as vendor_name,
    companyname as company_name,
    {{ id_str('subsidiary') }} as subsidiary_id,
    {{ id_str(adapter.quote('currency')) }} as currency_id,
    {{ id_str('representingsubsidiary') }} as representing_subsidiary_id,
    representingsubsidiary is not null as is_intercompany,
    isinactive as is_inactive,
    lastmodifieddate as modified_at,
    'netsuite' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
