{#- Salesforce staging is already in the canonical CRM shape: these select its columns in canonical order. -#}
{% macro crm_salesforce_accounts() -%}
select
    account_id, account_name, account_type, country_code, currency_code, registration_number,
    erp_customer_id, psa_client_id, owner_user_id, created_at, modified_at, source_system,
    _source_file, _source_row, _loaded_at
from {{ ref('stg_salesforce__accounts') }}
{%- endmacro %}

{% macro crm_salesforce_opportunities() -%}
select
    opportunity_id, account_id, opportunity_name, stage_name, stage_category, amount, currency_code,
    close_date, probability, forecast_category, is_closed, is_won, opportunity_type, lead_source,
    owner_user_id, contract_type_label, contract_type, nte_amount, legal_entity_code, delivery_start_date,
    delivery_end_date, erp_sales_order_id, psa_project_id, created_at, last_modified_at, modified_at,
    source_system, _source_file, _source_row, _loaded_at
from {{ ref('stg_salesforce__opportunities') }}
{%- endmacro %}

{% macro crm_salesforce_opportunity_history() -%}
select
    opportunity_history_id, opportunity_id, stage_name, stage_category, amount, probability, changed_at,
    modified_at, source_system, _source_file, _source_row, _loaded_at
from {{ ref('stg_salesforce__opportunity_history') }}
{%- endmacro %}

{% macro crm_salesforce_products() -%}
select
    product_id, product_name, product_code, service_line_name, is_active, modified_at, source_system,
    _source_file, _source_row, _loaded_at
from {{ ref('stg_salesforce__products') }}
{%- endmacro %}
