-- Harvest clients as the canonical PSA clients (columns of stg_psa__clients). Harvest keeps no CRM/ERP ids,
-- country or registration number: those stay NULL and the crosswalk matches on names. The firm's own client
-- (Harvest needs one for internal projects; var harvest_internal_clients names it) is not a client.
select
    client_id,
    client_name,
    currency_code,
    cast(null as {{ dbt.type_string() }}) as country_code,
    cast(null as {{ dbt.type_string() }}) as registration_number,
    cast(null as {{ dbt.type_string() }}) as crm_account_id,
    cast(null as {{ dbt.type_string() }}) as erp_customer_id,
    is_active,
    created_at,
    modified_at,
    'harvest' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from {{ ref('stg_harvest__clients') }}
where coalesce(lower(client_name) not in {{ throughline.string_list(var('harvest_internal_clients')) }}, true)
