-- Projects with budgets; billing_type decoded to the canonical contract_type.
with source as (
    select * from {{ source('psa', 'projects') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as project_id,
    {{ id_str('code') }} as project_code,
    {{ adapter.quote('name') }} as project_name,
    {{ id_str('client_id') }} as client_id,
    {{ id_str('crm_opportunity_id') }} as crm_opportunity_id,
    {{ id_str('erp_sales_order_id') }} as erp_sales_order_id,
    {{ id_str('erp_job_id') }} as erp_job_id,
    {{ code_str('legal_entity') }} as legal_entity_code,
    {{ id_str('practice_id') }} as practice_id,
    {{ label_str('billing_type') }} as billing_type,
    {{ decode_contract_type('billing_type') }} as contract_type,
    is_billable,
    {{ code_str(adapter.quote('currency')) }} as currency_code,
    budget_amount,
    budget_hours,
    budget_cost,
    eac_cost,
    nte_amount,
    retainer_monthly_amount,
    start_date,
    end_date,
    {{ label_str(adapter.quote('status')) }} as project_status,
    {{ id_str('project_manager_id') }} as project_manager_resource_id,
    created_at,
    updated_at as modified_at,
    'psa' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
