-- QuickBooks customers as the canonical ERP customers (the columns of stg_netsuite__customers). One company:
-- every customer is subsidiary 1 and none is intercompany. QuickBooks has no CRM / PSA ids, country or terms
-- on the customer (null); jobs (sub-customers) are kept, with their parent, and their documents count for the
-- parent (int_quickbooks__documents).
select
    customer_id,
    customer_name as customer_number,
    coalesce(company_name, customer_name) as company_name,
    customer_name as alt_name,
    email,
    currency_code as currency_id,
    '1' as subsidiary_id,
    parent_customer_id,
    cast(null as {{ dbt.type_bigint() }}) as payment_terms_days,
    registration_number,
    cast(null as {{ dbt.type_string() }}) as country_code,
    cast(null as {{ dbt.type_string() }}) as crm_account_id,
    cast(null as {{ dbt.type_string() }}) as psa_client_id,
    cast(null as {{ dbt.type_string() }}) as external_id,
    cast(null as {{ dbt.type_string() }}) as representing_subsidiary_id,
    false as is_intercompany,
    false as is_person,
    not coalesce(is_active, true) as is_inactive,
    created_at,
    modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from {{ ref('stg_quickbooks__customers') }}
