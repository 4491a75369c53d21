{#- One row per PSA expense claim, in the claim currency, the project legal entity's functional currency
    and the reporting currency (spot rate on spent_date). Billable amount includes the markup.
    Conformed keys come from the crosswalks (int_resources_matched, int_clients_matched,
    int_deals_matched); '-1' when a key does not resolve, so no row is dropped. -#}

with expenses as (
    select * from {{ ref('stg_psa__expenses') }}
),

projects as (
    select * from {{ ref('stg_psa__projects') }}
),

practices as (
    select practice_id, service_line_name from {{ ref('stg_psa__practices') }}
),

resources as (
    select resource_id, practice_id from {{ ref('stg_psa__resources') }}
),

entities as (
    select legal_entity_key, legal_entity_code, functional_currency_code
    from {{ ref('dim_legal_entity') }}
    where not is_unknown
),

clients_by_psa as (
    select psa_client_id, client_key from {{ ref('int_clients_matched') }} where psa_client_id is not null
),

deals_by_project as (
    select psa_project_id, erp_sales_order_id from {{ ref('int_deals_matched') }}
    where psa_project_id is not null and erp_sales_order_id is not null
),

people as (
    select psa_resource_id, resource_key from {{ ref('int_resources_matched') }} where psa_resource_id is not null
),

service_lines as (
    select service_line_key from {{ ref('dim_service_line') }} where not is_unknown
),

base as (
    select
        x.expense_id,
        coalesce(pe.resource_key, '-1') as resource_key,
        case when p.project_id is not null then p.project_id else '-1' end as project_key,
        coalesce(cl.client_key, '-1') as client_key,
        coalesce(dl.erp_sales_order_id, '-1') as contract_key,
        x.spent_date,
        x.resource_id as psa_resource_id,
        x.project_id as psa_project_id,
        p.client_id as psa_client_id,
        coalesce(e.legal_entity_key, '-1') as legal_entity_key,
        coalesce(sl.service_line_key, '-1') as service_line_key,
        x.expense_category,
        x.expense_status,
        x.expense_status = 'approved' as is_approved,
        coalesce(x.is_billable, false) as is_billable,
        x.markup_pct,
        coalesce(x.currency_code, '-1') as transaction_currency_code,
        x.amount as amount_transaction,
        case when coalesce(x.is_billable, false)
            then x.amount * (1 + coalesce(x.markup_pct, 0) / 100.0) else 0 end as billable_amount_transaction,
        coalesce(e.functional_currency_code, '-1') as entity_currency_code,
        x.erp_invoice_id,
        x.erp_invoice_id is not null as is_invoiced,
        x._loaded_at
    from expenses as x
    left join projects as p on x.project_id = p.project_id
    left join resources as r on x.resource_id = r.resource_id
    left join people as pe on x.resource_id = pe.psa_resource_id
    left join clients_by_psa as cl on p.client_id = cl.psa_client_id
    left join deals_by_project as dl on x.project_id = dl.psa_project_id
    -- the project's practice; internal projects have none, so the person's practice
    left join practices as pr on coalesce(p.practice_id, r.practice_id) = pr.practice_id
    left join entities as e on p.legal_entity_code = e.legal_entity_code
    left join service_lines as sl on {{ service_line_key('pr.service_line_name') }} = sl.service_line_key
),

converted as (
    select
        b.*,
        {{ fx_rate('fx_e', 'b.transaction_currency_code', 'b.entity_currency_code') }} as fx_rate_to_entity,
        {{ dbt.string_literal(var('reporting_currency')) }} as reporting_currency_code,
        {{ fx_rate('fx_r', 'b.transaction_currency_code', dbt.string_literal(var('reporting_currency'))) }}
            as fx_rate_to_reporting,
        'spot' as fx_rate_type
    from base as b
    {{ join_spot_rate('fx_e', 'b.transaction_currency_code', 'b.entity_currency_code', 'b.spent_date') }}
    {{ join_spot_rate('fx_r', 'b.transaction_currency_code', dbt.string_literal(var('reporting_currency')), 'b.spent_date') }}
)

select
    converted.*,
    amount_transaction * fx_rate_to_entity as amount_entity,
    amount_transaction * fx_rate_to_reporting as amount_reporting,
    billable_amount_transaction * fx_rate_to_entity as billable_amount_entity,
    billable_amount_transaction * fx_rate_to_reporting as billable_amount_reporting,
    (fx_rate_to_entity is null or fx_rate_to_reporting is null) as is_fx_rate_missing
from converted
