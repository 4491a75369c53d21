{#- One row per PSA project with the conformed keys every PSA fact needs: client (int_clients_matched),
    contract (the project's sales order in int_deals_matched), legal entity and its functional currency,
    and the service line of the project's own practice. '-1' when a key does not resolve.
    service_line_key stays NULL when the project has no practice (internal projects) or its practice does
    not resolve: facts then fall back to the person's practice (macro psa_service_line_key). -#}

with projects as (
    select * from {{ throughline.psa_input('projects') }}
),

practices as (
    select practice_id, service_line_name from {{ throughline.psa_input('practices') }}
),

entities as (
    select legal_entity_key, legal_entity_code, functional_currency_code
    from {{ ref('int_legal_entities_resolved') }}
),

clients_by_psa as (
    select psa_client_id, client_key from {{ ref('int_clients_matched') }} where psa_client_id is not null
),

deals_by_project as (
    select psa_project_id, erp_sales_order_id from {{ ref('int_deals_matched') }}
    where psa_project_id is not null and erp_sales_order_id is not null
),

service_lines as (
    select service_line_key from {{ ref('int_service_lines_unioned') }}
)

select
    p.project_id as psa_project_id,
    p.client_id as psa_client_id,
    coalesce(cl.client_key, '-1') as client_key,
    coalesce(dl.erp_sales_order_id, '-1') as contract_key,
    coalesce(e.legal_entity_key, '-1') as legal_entity_key,
    coalesce(e.functional_currency_code, '-1') as entity_currency_code,
    p.practice_id as psa_practice_id,
    sl.service_line_key,
    p.contract_type,
    p.currency_code as project_currency_code
from projects as p
left join clients_by_psa as cl on p.client_id = cl.psa_client_id
left join deals_by_project as dl on p.project_id = dl.psa_project_id
left join entities as e on p.legal_entity_code = e.legal_entity_code
left join practices as pr on p.practice_id = pr.practice_id
left join service_lines as sl on {{ service_line_key('pr.service_line_name') }} = sl.service_line_key
