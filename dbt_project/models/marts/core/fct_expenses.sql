{#- One row per PSA expense claim, in the claim currency, the project legal entity's functional currency
    and the reporting currency (spot rate on spent_date). Billable amount includes the markup.
    Conformed keys come from the crosswalks via int_psa_project_context and int_psa_resource_context;
    '-1' when a key does not resolve, so no row is dropped. -#}

with expenses as (
    select * from {{ throughline.psa_input('expenses') }}
),

projects as (
    select * from {{ ref('int_psa_project_context') }}
),

people as (
    select * from {{ ref('int_psa_resource_context') }}
),

base as (
    select
        x.expense_id,
        coalesce(pe.resource_key, '-1') as resource_key,
        coalesce(p.psa_project_id, '-1') as project_key,
        coalesce(p.client_key, '-1') as client_key,
        coalesce(p.contract_key, '-1') as contract_key,
        x.spent_date,
        x.resource_id as psa_resource_id,
        x.project_id as psa_project_id,
        p.psa_client_id,
        coalesce(p.legal_entity_key, '-1') as legal_entity_key,
        {{ psa_service_line_key('p', 'pe') }} as service_line_key,
        x.expense_category,
        x.expense_status,
        x.expense_status = 'approved' as is_approved,
        coalesce(x.is_billable, false) as is_billable,
        x.markup_pct,
        coalesce(x.currency_code, '-1') as transaction_currency_code,
        x.amount as amount_transaction,
        case when coalesce(x.is_billable, false)
            then x.amount * (1 + coalesce(x.markup_pct, 0) / 100.0) else 0 end as billable_amount_transaction,
        coalesce(p.entity_currency_code, '-1') as entity_currency_code,
        x.erp_invoice_id,
        x.erp_invoice_id is not null as is_invoiced,
        x._loaded_at
    from expenses as x
    left join projects as p on x.project_id = p.psa_project_id
    left join people as pe on x.resource_id = pe.psa_resource_id
),

converted as (
    {{ select_with_spot_rates('base', 'spent_date') }}
)

select
    converted.*,
    {{ spot_amount_columns(['amount', 'billable_amount']) }},
    {{ fx_rate_missing_flag() }} as is_fx_rate_missing
from converted
