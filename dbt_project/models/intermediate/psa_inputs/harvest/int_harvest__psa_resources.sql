-- Harvest users as the canonical PSA resources. Harvest prices people, not grades, so each user is its own
-- rate role (role_id = user_id; see int_harvest__psa_roles). Hired = created in Harvest; an archived user
-- left on its last change. Cost is in the account currency (var harvest_account_currency).
-- Harvest has no legal-entity field, so firms name the entity as a Harvest role: the legal entity is the one
-- the user's roles name (var harvest_role_entities maps a role name to an entity code; else a role equal to an
-- entity's code or name, ignoring case), else var harvest_legal_entity. Several matches: the first by
-- (mapped, code, name) then code.
{%- set entity = var('harvest_legal_entity') %}
{%- set mapped = var('harvest_role_entities', {}) or {} %}
with entity_names as (
    {%- for role, code in mapped.items() %}
    select {{ dbt.string_literal(role) }} as role_name, {{ dbt.string_literal(code | upper) }} as legal_entity_code,
        1 as preference
    union all
    {%- endfor %}
    select legal_entity_code as role_name, legal_entity_code, 2 as preference
    from {{ ref('int_legal_entities_resolved') }}
    where legal_entity_code is not null
    union all
    select legal_entity_name as role_name, legal_entity_code, 3 as preference
    from {{ ref('int_legal_entities_resolved') }}
    where legal_entity_code is not null and legal_entity_name is not null
),

role_matches as (
    select
        u.user_id,
        n.legal_entity_code,
        row_number() over (partition by u.user_id order by n.preference, n.legal_entity_code) as match_rank
    from {{ ref('stg_harvest__users') }} as u
    inner join entity_names as n
        on lower(u.role_names_json) like {{ dbt.concat(["'%\"'", "lower(trim(n.role_name))", "'\"%'"]) }}
),

user_entities as (
    select user_id, legal_entity_code from role_matches where match_rank = 1
)

select
    u.user_id as resource_id,
    cast(null as {{ dbt.type_string() }}) as employee_number,
    cast(null as {{ dbt.type_string() }}) as erp_employee_id,
    u.first_name,
    u.last_name,
    u.email,
    coalesce(e.legal_entity_code, {{ "'" ~ entity | upper ~ "'" if entity else "cast(null as " ~ dbt.type_string() ~ ")" }})
        as legal_entity_code,
    cast(null as {{ dbt.type_string() }}) as country_code,
    u.user_id as role_id,
    cast(null as {{ dbt.type_string() }}) as practice_id,
    case when u.is_contractor then 'contractor' else 'employee' end as employment_type,
    cast(u.created_at as date) as hire_date,
    case when not u.is_active then cast(u.modified_at as date) end as termination_date,
    cast(u.weekly_capacity_hours as decimal(9, 2)) as weekly_capacity_hours,
    u.cost_rate,
    '{{ var('harvest_account_currency') | upper }}' as cost_currency_code,
    cast(null as {{ throughline.ratio_type() }}) as utilization_target,
    u.is_active,
    u.created_at,
    u.modified_at,
    'harvest' as source_system,
    u._source_file,
    u._source_row,
    u._loaded_at
from {{ ref('stg_harvest__users') }} as u
left join user_entities as e on e.user_id = u.user_id
