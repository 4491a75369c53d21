-- CRM side of the client master.
with source as (
    select * from {{ source('salesforce', 'account') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as account_id,
    {{ adapter.quote('name') }} as account_name,
    account_number,
    {{ adapter.quote('type') }} as account_type,
    industry,
    billing_city,
    billing_country,
    {{ code_str('billing_country_code') }} as country_code,
    website,
    {{ id_str('owner_id') }} as owner_user_id,
    {{ id_str('parent_id') }} as parent_account_id,
    number_of_employees,
    annual_revenue,
    {{ code_str('currency_iso_code') }} as currency_code,
    {{ id_str('registration_number_c') }} as registration_number,
    {{ id_str('erp_customer_id_c') }} as erp_customer_id,
    {{ id_str('psa_client_id_c') }} as psa_client_id,
    created_date as created_at,
    last_modified_date as last_modified_at,
    system_modstamp as modified_at,
    'salesforce' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
