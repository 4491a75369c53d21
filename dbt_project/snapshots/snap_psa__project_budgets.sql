{#- History of PSA project budgets and estimates (budget, hours, cost, EAC, NTE, retainer, end date,
    status): the EAC snapshots fixed-fee percent complete needs, and the contract value before and after
    change orders. Check strategy: a version per change of these columns. -#}
{% snapshot snap_psa__project_budgets %}
{{ config(
    unique_key='project_id',
    strategy='check',
    check_cols=['budget_amount', 'budget_hours', 'budget_cost', 'eac_cost', 'nte_amount',
        'retainer_monthly_amount', 'start_date', 'end_date', 'project_status', 'contract_type'],
    hard_deletes='invalidate'
) }}
select
    project_id,
    erp_sales_order_id,
    contract_type,
    currency_code,
    budget_amount,
    budget_hours,
    budget_cost,
    eac_cost,
    nte_amount,
    retainer_monthly_amount,
    start_date,
    end_date,
    project_status,
    modified_at
from {{ throughline.psa_input('projects') }}
{% endsnapshot %}
