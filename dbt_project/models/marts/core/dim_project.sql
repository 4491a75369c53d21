-- Conformed project (crosswalk v1): one row per PSA project with its client, contract (ERP sales order) and
-- opportunity from int_deals_matched, legal entity and service line; '-1' = unknown member.
with projects as (
    select * from {{ throughline.psa_input('projects') }}
),

practices as (
    select practice_id, practice_name, service_line_name from {{ throughline.psa_input('practices') }}
),

clients as (
    select client_key, psa_client_id from {{ ref('int_clients_matched') }} where psa_client_id is not null
),

deals as (
    select * from {{ ref('int_deals_matched') }} where psa_project_id is not null
),

entities as (
    select legal_entity_key from {{ ref('dim_legal_entity') }} where not is_unknown
),

service_lines as (
    select service_line_key from {{ ref('dim_service_line') }} where not is_unknown
)

select
    cast(p.project_id as {{ dbt.type_string() }}) as project_key,
    p.project_code,
    p.project_name,
    coalesce(c.client_key, '-1') as client_key,
    p.client_id as psa_client_id,
    coalesce(d.erp_sales_order_id, '-1') as contract_key,
    d.deal_key,
    d.crm_opportunity_id,
    p.erp_job_id,
    coalesce(e.legal_entity_key, '-1') as legal_entity_key,
    coalesce(sl.service_line_key, '-1') as service_line_key,
    p.practice_id,
    pr.practice_name,
    p.contract_type,
    p.billing_type,
    coalesce(p.is_billable, false) as is_billable,
    p.client_id is null as is_internal,
    p.currency_code,
    p.budget_amount,
    p.budget_hours,
    p.budget_cost,
    p.eac_cost,
    p.nte_amount,
    p.retainer_monthly_amount,
    p.start_date,
    p.end_date,
    p.project_status,
    p.project_manager_resource_id as project_manager_resource_key,
    coalesce(d.is_inferred, false) as is_deal_link_inferred,
    false as is_unknown,
    'crosswalk v1' as definition_version
from projects as p
left join practices as pr on pr.practice_id = p.practice_id
left join clients as c on c.psa_client_id = p.client_id
left join deals as d on d.psa_project_id = p.project_id
left join entities as e on e.legal_entity_key = p.legal_entity_code
left join service_lines as sl on {{ service_line_key('pr.service_line_name') }} = sl.service_line_key

union all

select
    '-1', null, 'Unknown', '-1', null, '-1', null, null, null, '-1', '-1', null, null, null, null, false, false,
    null, null, null, null, null, null, null, null, null, null, null, false, true, 'crosswalk v1'
