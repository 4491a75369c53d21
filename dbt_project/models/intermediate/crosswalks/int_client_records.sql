-- crosswalk v1: every client-master record of the three systems in one shape, normalised for matching.
-- Intercompany NetSuite customers (representingsubsidiary set) are the group's own entities, not clients.
with crm as (
    select
        'crm' as source_system,
        account_id as record_id,
        account_name as record_name,
        country_code,
        currency_code,
        registration_number,
        account_id as ref_crm_account_id,
        erp_customer_id as ref_erp_customer_id,
        psa_client_id as ref_psa_client_id,
        coalesce(lower(account_type) = 'prospect', false) as is_prospect,
        _source_file,
        _source_row
    from {{ ref('int_crm__accounts') }}
),

erp as (
    select
        'erp' as source_system,
        customer_id as record_id,
        company_name as record_name,
        country_code,
        cast(null as {{ dbt.type_string() }}) as currency_code,
        registration_number,
        crm_account_id as ref_crm_account_id,
        customer_id as ref_erp_customer_id,
        psa_client_id as ref_psa_client_id,
        false as is_prospect,
        _source_file,
        _source_row
    from {{ throughline.erp_input('customers') }}
    where not coalesce(is_intercompany, false)
),

psa as (
    select
        'psa' as source_system,
        client_id as record_id,
        client_name as record_name,
        country_code,
        currency_code,
        registration_number,
        crm_account_id as ref_crm_account_id,
        erp_customer_id as ref_erp_customer_id,
        client_id as ref_psa_client_id,
        false as is_prospect,
        _source_file,
        _source_row
    from {{ throughline.psa_input('clients') }}
),

unioned as (
    select * from crm
    union all
    select * from erp
    union all
    select * from psa
)

select
    {{ dbt.concat(['source_system', "':'", 'record_id']) }} as client_record_key,
    source_system,
    record_id,
    record_name,
    {{ throughline.normalise_company_name('record_name') }} as name_normalised,
    country_code,
    currency_code,
    {{ throughline.normalise_registration_id('registration_number') }} as registration_id_normalised,
    ref_crm_account_id,
    ref_erp_customer_id,
    ref_psa_client_id,
    is_prospect,
    _source_file,
    _source_row,
    'crosswalk v1' as definition_version
from unioned
