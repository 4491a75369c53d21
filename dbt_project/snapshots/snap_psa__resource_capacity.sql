{#- History of each PSA resource's capacity, cost rate and utilisation target (overwritten in the PSA):
    a new version only when one of these columns changes (check strategy), not on unrelated edits. -#}
{% snapshot snap_psa__resource_capacity %}
{{ config(
    unique_key='resource_id',
    strategy='check',
    check_cols=['weekly_capacity_hours', 'cost_rate', 'cost_currency_code', 'utilization_target',
        'employment_type', 'legal_entity_code', 'role_id', 'practice_id', 'is_active', 'termination_date'],
    hard_deletes='invalidate'
) }}
select
    resource_id,
    erp_employee_id,
    legal_entity_code,
    role_id,
    practice_id,
    employment_type,
    hire_date,
    termination_date,
    weekly_capacity_hours,
    cost_rate,
    cost_currency_code,
    utilization_target,
    is_active,
    modified_at
from {{ throughline.psa_input('resources') }}
{% endsnapshot %}
