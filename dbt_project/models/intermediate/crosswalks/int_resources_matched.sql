-- crosswalk v1: NetSuite employees <-> PSA resources. Level 1 cross_system_id (the employee records the
-- resource id or the resource records the employee id), level 2 employee_number, level 3 email (trimmed,
-- lower case). Accepted only when mutually unique best (macro resolve_pairs). Contractors exist in the PSA
-- only. One row per person: matched pairs once, the rest unmatched on one side.
with employees as (
    select * from {{ throughline.erp_input('employees') }}
),

resources as (
    select * from {{ throughline.psa_input('resources') }}
),

-- Each evidence is its own equi-join (a hash join), then the pairs are made distinct: one join on the four
-- conditions OR-ed together can only be a nested loop, every employee against every resource (12 s at xl).
linked as (
    select e.employee_id, r.resource_id
    from employees as e inner join resources as r on e.psa_resource_id = r.resource_id
    union
    select e.employee_id, r.resource_id
    from employees as e inner join resources as r on r.erp_employee_id = e.employee_id
    union
    select e.employee_id, r.resource_id
    from employees as e inner join resources as r on e.employee_number = r.employee_number
    union
    select e.employee_id, r.resource_id
    from employees as e inner join resources as r
        on {{ throughline.normalise_email('e.email') }} = {{ throughline.normalise_email('r.email') }}
),

pairs as (
    select
        e.employee_id,
        r.resource_id,
        (e.psa_resource_id = r.resource_id or r.erp_employee_id = e.employee_id) as has_id_evidence,
        e.employee_number = r.employee_number as has_number_evidence
    from linked as l
    inner join employees as e on l.employee_id = e.employee_id
    inner join resources as r on l.resource_id = r.resource_id
),

candidates as (
    select
        'erp_psa' as pair_type,
        employee_id as left_id,
        resource_id as right_id,
        case when has_id_evidence then 1 when has_number_evidence then 2 else 3 end as match_level,
        case when has_id_evidence then 'cross_system_id' when has_number_evidence then 'employee_number'
            else 'email' end as match_method,
        cast(1.0 as {{ dbt.type_float() }}) as match_score,
        cast(null as {{ dbt.type_string() }}) as conflict_reason
    from pairs
),

resolved as (
    {{ throughline.resolve_pairs('candidates') }}
),

accepted as (
    select * from resolved where is_accepted
),

review as (
    {{ throughline.pair_review_reasons('resolved', 'erp', 'psa') }}
)

select
    coalesce(r.resource_id, {{ dbt.concat(["'erp:'", 'e.employee_id']) }}) as resource_key,
    r.resource_id as psa_resource_id,
    e.employee_id as erp_employee_id,
    case when r.resource_id is not null and e.employee_id is not null then acc.match_method
        else 'unmatched' end as match_method,
    acc.match_score,
    r.resource_id is not null and e.employee_id is null and r.employment_type = 'contractor' as is_contractor_psa_only,
    coalesce(rr.review_reason, re.review_reason) as review_reason,
    'crosswalk v1' as definition_version
from resources as r
left join accepted as acc on acc.right_id = r.resource_id
full outer join employees as e on e.employee_id = acc.left_id
left join review as rr on rr.source_system = 'psa' and rr.record_id = r.resource_id
left join review as re on re.source_system = 'erp' and re.record_id = e.employee_id
