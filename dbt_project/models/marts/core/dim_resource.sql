-- Conformed resource (crosswalk v1): one row per person from int_resources_matched: PSA resources (key =
-- PSA resource id; contractors are PSA-only) and NetSuite employees without a PSA resource (key 'erp:<id>').
-- PSA attributes win where both systems hold them; '-1' = unknown member.
with people as (
    select * from {{ ref('int_resources_matched') }}
),

resources as (
    select * from {{ throughline.psa_input('resources') }}
),

employees as (
    select * from {{ throughline.erp_input('employees') }}
),

roles as (
    select role_id, role_code, role_name, role_level from {{ throughline.psa_input('roles') }}
),

practices as (
    select practice_id, practice_name, service_line_name from {{ throughline.psa_input('practices') }}
),

entities as (
    select legal_entity_key, legal_entity_code, erp_subsidiary_id from {{ ref('dim_legal_entity') }}
    where not is_unknown
),

service_lines as (
    select service_line_key from {{ ref('dim_service_line') }} where not is_unknown
)

select
    cast(p.resource_key as {{ dbt.type_string() }}) as resource_key,
    p.psa_resource_id,
    p.erp_employee_id,
    coalesce(r.employee_number, em.employee_number) as employee_number,
    coalesce(r.first_name, em.first_name) as first_name,
    coalesce(r.last_name, em.last_name) as last_name,
    coalesce(r.email, em.email) as email,
    coalesce(le_psa.legal_entity_key, le_erp.legal_entity_key, '-1') as legal_entity_key,
    r.country_code,
    r.role_id,
    ro.role_code,
    ro.role_name,
    ro.role_level,
    r.practice_id,
    pr.practice_name,
    coalesce(sl.service_line_key, '-1') as service_line_key,
    coalesce(r.employment_type, 'employee') as employment_type,
    coalesce(r.hire_date, em.hire_date) as hire_date,
    coalesce(r.termination_date, em.release_date) as termination_date,
    r.weekly_capacity_hours,
    r.utilization_target,
    r.cost_rate,
    r.cost_currency_code,
    em.labor_cost_rate as erp_labor_cost_rate,
    coalesce(r.is_active, not coalesce(em.is_inactive, false)) as is_active,
    p.match_method,
    p.psa_resource_id is null as is_erp_only,
    p.is_contractor_psa_only,
    false as is_unknown,
    p.definition_version
from people as p
left join resources as r on r.resource_id = p.psa_resource_id
left join employees as em on em.employee_id = p.erp_employee_id
left join roles as ro on ro.role_id = r.role_id
left join practices as pr on pr.practice_id = r.practice_id
left join entities as le_psa on le_psa.legal_entity_code = r.legal_entity_code
left join entities as le_erp on le_erp.erp_subsidiary_id = em.subsidiary_id
left join service_lines as sl on {{ service_line_key('pr.service_line_name') }} = sl.service_line_key

union all

select
    '-1', null, null, null, null, 'Unknown', null, '-1', null, null, null, null, null, null, null, '-1', null,
    null, null, null, null, null, null, null, null, 'unmatched', false, false, true, 'crosswalk v1'
