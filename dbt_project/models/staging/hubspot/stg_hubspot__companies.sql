-- CRM side of the client master, as HubSpot companies.
with source as (
    select * from {{ source('hubspot', 'company') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as company_id,
    property_name as company_name,
    upper(trim(property_type)) as company_type,
    lower(trim(property_lifecyclestage)) as lifecycle_stage,
    property_industry as industry,
    property_domain as domain,
    property_website as website,
    property_city as city,
    property_state as state,
    property_country as country,
    {{ code_str('property_hs_country_code') }} as country_code,
    property_annualrevenue as annual_revenue,
    property_numberofemployees as number_of_employees,
    {{ id_str('property_hubspot_owner_id') }} as owner_id,
    {{ id_str('property_hs_parent_company_id') }} as parent_company_id,
    {{ code_str('property_account_currency') }} as currency_code,
    {{ id_str('property_registration_number') }} as registration_number,
    {{ id_str('property_erp_customer_id') }} as erp_customer_id,
    {{ id_str('property_psa_client_id') }} as psa_client_id,
    property_createdate as created_at,
    property_hs_lastmodifieddate as modified_at,
    'hubspot' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
