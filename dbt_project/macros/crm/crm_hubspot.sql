{#- HubSpot staging mapped into the canonical CRM shape (same columns and order as crm_salesforce.sql).
    A company's type comes from HubSpot's type (PROSPECT, PARTNER) or, failing that, its lifecycle stage
    (customer); a deal's client is its primary associated company (association type 5), else the lowest
    associated company id; stage and won/closed flags come from the pipeline stage; probability
    (fraction -> percent) is the deal's forecast probability, else its stage's. -#}
{% macro crm_hubspot_accounts() -%}
select
    company_id as account_id,
    company_name as account_name,
    case
        when company_type = 'PROSPECT' then 'Prospect'
        when company_type = 'PARTNER' then 'Partner'
        when lifecycle_stage = 'customer' then 'Customer'
        when company_type is not null then {{ dbt.concat(["upper(substr(company_type, 1, 1))",
                                                         "lower(substr(company_type, 2))"]) }}
    end as account_type,
    country_code, currency_code, registration_number, erp_customer_id, psa_client_id,
    owner_id as owner_user_id, created_at, modified_at, source_system, _source_file, _source_row, _loaded_at
from {{ ref('stg_hubspot__companies') }}
{%- endmacro %}

{% macro crm_hubspot_opportunities() -%}
with primary_company as (
    select deal_id, company_id
    from (
        select
            deal_id, company_id,
            row_number() over (
                partition by deal_id order by case when is_primary then 0 else 1 end, company_id
            ) as rn
        from {{ ref('stg_hubspot__deal_companies') }}
    ) as ranked
    where rn = 1
)

select
    d.deal_id as opportunity_id,
    pc.company_id as account_id,
    d.deal_name as opportunity_name,
    s.stage_name,
    coalesce(s.stage_category, 'open') as stage_category,
    d.amount,
    d.currency_code,
    d.close_date,
    round(coalesce(d.forecast_probability, s.probability) * 100, 4) as probability,
    d.forecast_category,
    s.is_closed,
    s.is_won,
    d.deal_type as opportunity_type,
    d.lead_source,
    d.owner_id as owner_user_id,
    d.contract_type_label,
    d.contract_type,
    d.nte_amount,
    d.legal_entity_code,
    d.delivery_start_date,
    d.delivery_end_date,
    d.erp_sales_order_id,
    d.psa_project_id,
    d.created_at,
    d.modified_at as last_modified_at,
    d.modified_at,
    d.source_system,
    d._source_file,
    d._source_row,
    d._loaded_at
from {{ ref('stg_hubspot__deals') }} as d
left join primary_company as pc on pc.deal_id = d.deal_id
left join {{ ref('stg_hubspot__deal_pipeline_stages') }} as s on s.stage_id = d.stage_id
{%- endmacro %}

{% macro crm_hubspot_opportunity_history() -%}
select
    h.deal_stage_id as opportunity_history_id,
    h.deal_id as opportunity_id,
    s.stage_name,
    coalesce(s.stage_category, 'open') as stage_category,
    d.amount,  -- HubSpot keeps no amount per stage change: the deal's current amount
    s.probability * 100 as probability,  -- HubSpot: a fraction; canonical (Salesforce): a percentage
    h.entered_at as changed_at,
    h.modified_at,
    h.source_system,
    h._source_file,
    h._source_row,
    h._loaded_at
from {{ ref('stg_hubspot__deal_stages') }} as h
left join {{ ref('stg_hubspot__deal_pipeline_stages') }} as s on s.stage_id = h.stage_id
left join {{ ref('stg_hubspot__deals') }} as d on d.deal_id = h.deal_id
{%- endmacro %}

{% macro crm_hubspot_products() -%}
select
    product_id, product_name, sku as product_code, service_line_name, true as is_active, modified_at,
    source_system, _source_file, _source_row, _loaded_at
from {{ ref('stg_hubspot__products') }}
{%- endmacro %}
