-- Harvest projects as the canonical PSA projects: not billable -> non_billable, fixed fee -> fixed_fee, a
-- monthly money budget (budget_is_monthly, budget_by project_cost) -> retainer of that monthly amount, else
-- time_and_materials. budget_amount = the fee of a fixed-fee project, else a money budget (cost_budget: in
-- Harvest that is fees, not the firm's cost, so budget_cost stays NULL); hour budgets (budget_by
-- project/person/task) -> budget_hours. The project manager is the first user flagged manager on the project.
-- Projects of the firm's own client (var harvest_internal_clients) are internal: no client. A Harvest project
-- names no legal entity (its people do, as roles: int_harvest__psa_resources); its entity is var
-- harvest_legal_entity, since neither its manager's nor its team's entity is reliably the contracting one.
{%- set entity = var('harvest_legal_entity') %}
with projects as (
    select
        *,
        case when not coalesce(is_billable, false) then 'non_billable'
            when is_fixed_fee then 'fixed_fee'
            when budget_is_monthly and budget_by = 'project_cost' then 'retainer'
            else 'time_and_materials' end as billing_type
    from {{ ref('stg_harvest__projects') }}
),

internal_clients as (
    select client_id
    from {{ ref('stg_harvest__clients') }}
    where lower(client_name) in {{ throughline.string_list(var('harvest_internal_clients')) }}
),

managers as (
    select project_id, min(user_id) as project_manager_resource_id
    from {{ ref('stg_harvest__user_assignments') }}
    where is_project_manager
    group by project_id
)

select
    p.project_id,
    p.project_code,
    p.project_name,
    case when p.client_id not in (select i.client_id from internal_clients as i) then p.client_id end as client_id,
    cast(null as {{ dbt.type_string() }}) as crm_opportunity_id,
    cast(null as {{ dbt.type_string() }}) as erp_sales_order_id,
    cast(null as {{ dbt.type_string() }}) as erp_job_id,
    {{ "'" ~ entity | upper ~ "'" if entity else "cast(null as " ~ dbt.type_string() ~ ")" }} as legal_entity_code,
    cast(null as {{ dbt.type_string() }}) as practice_id,
    p.billing_type,
    {{ throughline.decode_contract_type('p.billing_type') }} as contract_type,
    p.is_billable,
    p.currency_code,
    case when p.billing_type = 'fixed_fee' then p.fee
        when p.billing_type <> 'retainer' and p.budget_by = 'project_cost' then p.cost_budget end as budget_amount,
    case when p.budget_by in ('project', 'person', 'task') then p.budget end as budget_hours,
    cast(null as decimal(18, 2)) as budget_cost,
    cast(null as decimal(18, 2)) as eac_cost,
    cast(null as decimal(18, 2)) as nte_amount,
    case when p.billing_type = 'retainer' then p.cost_budget end as retainer_monthly_amount,
    p.start_date,
    p.end_date,
    case when p.is_active then 'active' else 'closed' end as project_status,
    m.project_manager_resource_id,
    p.created_at,
    p.modified_at,
    'harvest' as source_system,
    p._source_file,
    p._source_row,
    p._loaded_at
from projects as p
left join managers as m on m.project_id = p.project_id
