-- ERP side of the client master; intercompany customers flagged.
with source as (
    select * from {{ source('netsuite', 'customer') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as customer_id,
    entityid as customer_number,
    companyname as company_name,
    altname as alt_name,
    {{ label_str('email') }} as email,
    {{ id_str(adapter.quote('currency')) }} as currency_id,
    {{ id_str('subsidiary') }} as subsidiary_id,
    {{ id_str(adapter.quote('parent')) }} as parent_customer_id,
    terms as payment_terms_days,
    {{ id_str('vatregnumber') }} as registration_number,
    {{ code_str('custentity_country_code') }} as country_code,
    {{ id_str('custentity_sf_account_id') }} as crm_account_id,
    {{ id_str('custentity_psa_client_id') }} as psa_client_id,
    {{ id_str('externalid') }} as external_id,
    {{ id_str('representingsubsidiary') }} as representing_subsidiary_id,
    representingsubsidiary is not null as is_intercompany,
    isperson as is_person,
    isinactive as is_inactive,
    datecreated as created_at,
    lastmodifieddate as modified_at,
    'netsuite' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
