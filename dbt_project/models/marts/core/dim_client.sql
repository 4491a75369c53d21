-- Conformed client (crosswalk v1): one row per client from int_clients_matched (CRM account <-> ERP customer
-- <-> PSA client), plus the unknown member '-1' that unresolved facts point to.
select
    cast(client_key as {{ dbt.type_string() }}) as client_key,
    client_name,
    crm_account_id,
    erp_customer_id,
    psa_client_id,
    crm_account_name,
    erp_customer_name,
    psa_client_name,
    country_code,
    registration_id,
    match_method,
    cast(match_score as double) as match_score,
    crm_erp_match_method,
    cast(crm_erp_match_score as double) as crm_erp_match_score,
    crm_psa_match_method,
    cast(crm_psa_match_score as double) as crm_psa_match_score,
    erp_psa_match_method,
    cast(erp_psa_match_score as double) as erp_psa_match_score,
    cast(systems_matched as bigint) as systems_matched,
    is_prospect,
    is_duplicate_suspect,
    is_cluster_conflict,
    false as is_unknown,
    definition_version
from {{ ref('int_clients_matched') }}

union all

select
    '-1', 'Unknown', null, null, null, null, null, null, null, null, 'unmatched', null, null, null, null, null,
    null, null, cast(0 as bigint), false, false, false, true, 'crosswalk v1'
