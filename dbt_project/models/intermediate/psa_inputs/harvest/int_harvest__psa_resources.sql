-- Harvest users as the canonical PSA resources. Harvest prices people, not grades, so each user is its own
-- rate role (role_id = user_id; see int_harvest__psa_roles). Hired = created in Harvest; an archived user
-- left on its last change. Cost is in the account currency (var harvest_account_currency).
{%- set entity = var('harvest_legal_entity') %}
select
    user_id as resource_id,
    cast(null as {{ dbt.type_string() }}) as employee_number,
    cast(null as {{ dbt.type_string() }}) as erp_employee_id,
    first_name,
    last_name,
    email,
    {{ "'" ~ entity | upper ~ "'" if entity else "cast(null as " ~ dbt.type_string() ~ ")" }} as legal_entity_code,
    cast(null as {{ dbt.type_string() }}) as country_code,
    user_id as role_id,
    cast(null as {{ dbt.type_string() }}) as practice_id,
    case when is_contractor then 'contractor' else 'employee' end as employment_type,
    cast(created_at as date) as hire_date,
    case when not is_active then cast(modified_at as date) end as termination_date,
    cast(weekly_capacity_hours as decimal(9, 2)) as weekly_capacity_hours,
    cost_rate,
    '{{ var('harvest_account_currency') | upper }}' as cost_currency_code,
    cast(null as {{ throughline.ratio_type() }}) as utilization_target,
    is_active,
    created_at,
    modified_at,
    'harvest' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from {{ ref('stg_harvest__users') }}
