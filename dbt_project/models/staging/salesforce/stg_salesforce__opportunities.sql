-- Deals, with the stage decoded to open/won/lost and the commercial model decoded.
with source as (
    select * from {{ source('salesforce', 'opportunity') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as opportunity_id,
    {{ id_str('account_id') }} as account_id,
    {{ adapter.quote('name') }} as opportunity_name,
    stage_name,
    {{ decode_salesforce_stage_category('stage_name') }} as stage_category,
    amount,
    {{ code_str('currency_iso_code') }} as currency_code,
    close_date,
    probability,
    forecast_category,
    is_closed,
    is_won,
    {{ adapter.quote('type') }} as opportunity_type,
    lead_source,
    {{ id_str('owner_id') }} as owner_user_id,
    contract_type_c as contract_type_label,
    {{ decode_contract_type('contract_type_c') }} as contract_type,
    nte_amount_c as nte_amount,
    {{ code_str('contracting_entity_c') }} as legal_entity_code,
    delivery_start_date_c as delivery_start_date,
    delivery_end_date_c as delivery_end_date,
    {{ id_str('erp_sales_order_id_c') }} as erp_sales_order_id,
    {{ id_str('psa_project_id_c') }} as psa_project_id,
    created_date as created_at,
    last_modified_date as last_modified_at,
    system_modstamp as modified_at,
    'salesforce' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
