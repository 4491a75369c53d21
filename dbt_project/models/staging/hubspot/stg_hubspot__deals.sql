-- Deals with HubSpot's enumerations decoded to the canonical CRM values (forecast category, deal type).
with source as (
    select * from {{ source('hubspot', 'deal') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('deal_id') }} as deal_id,
    {{ id_str('deal_pipeline_id') }} as pipeline_id,
    {{ id_str('deal_pipeline_stage_id') }} as stage_id,
    {{ id_str('owner_id') }} as owner_id,
    property_dealname as deal_name,
    property_amount as amount,
    {{ code_str('property_deal_currency_code') }} as currency_code,
    cast(property_closedate as date) as close_date,
    case lower(trim(property_dealtype))
        when 'newbusiness' then 'New Business'
        when 'existingbusiness' then 'Existing Business'
        when 'renewal' then 'Renewal'
        else property_dealtype
    end as deal_type,
    case upper(trim(property_hs_manual_forecast_category))
        when 'OMIT' then 'Omitted'
        when 'PIPELINE' then 'Pipeline'
        when 'BEST_CASE' then 'BestCase'
        when 'COMMIT' then 'Commit'
        when 'CLOSED' then 'Closed'
        else property_hs_manual_forecast_category
    end as forecast_category,
    property_hs_forecast_probability as forecast_probability,
    property_lead_source as lead_source,
    property_contract_type as contract_type_label,
    {{ decode_contract_type('property_contract_type') }} as contract_type,
    property_nte_amount as nte_amount,
    {{ code_str('property_contracting_entity') }} as legal_entity_code,
    property_delivery_start_date as delivery_start_date,
    property_delivery_end_date as delivery_end_date,
    {{ id_str('property_erp_sales_order_id') }} as erp_sales_order_id,
    {{ id_str('property_psa_project_id') }} as psa_project_id,
    property_createdate as created_at,
    property_hs_lastmodifieddate as modified_at,
    'hubspot' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
