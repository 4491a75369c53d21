{#- Commercial chain (checks R1-R3, R5, R6): one row per conformed deal (int_deals_matched: opportunity <->
    original ERP sales order <-> PSA project, linked by recorded ids or the crosswalk's inference) with what
    each system says about it side by side: stage, amounts, currencies, entities and dates. The contract
    face is the ORIGINAL sales order; its end date is the latest end of the original and its live
    amendments (an amendment may extend the term), and the PSA budget is also shown net of approved change
    orders so it compares with the amount sold. -#}

with deals as (
    select * from {{ ref('int_deals_matched') }}
),

opportunities as (
    select * from {{ ref('int_crm__opportunities') }}
),

sales_orders as (
    select * from {{ throughline.erp_input('transactions') }}
    where transaction_type = 'sales_order'
),

currencies as (
    select currency_id, currency_code from {{ throughline.erp_input('currencies') }}
),

entities as (
    select legal_entity_key, erp_subsidiary_id, legal_entity_code
    from {{ ref('int_legal_entities_resolved') }}
),

order_entities as (
    select transaction_id, min(subsidiary_id) as subsidiary_id
    from {{ throughline.erp_input('transaction_lines') }}
    group by transaction_id
),

-- the term of a contract: the latest end date of the original and every live amendment
contract_terms as (
    select
        coalesce(parent_contract_transaction_id, transaction_id) as contract_id,
        max(contract_end_date) as contract_end_date,
        sum(case when parent_contract_transaction_id is not null then 1 else 0 end) as amendment_count
    from sales_orders
    where coalesce(status, '') <> 'voided' and not coalesce(is_voided, false)
    group by 1
),

projects as (
    select * from {{ throughline.psa_input('projects') }}
),

change_orders as (
    select project_id, sum(amount_change) as approved_change_orders_amount
    from {{ ref('int_change_orders_approved') }}
    group by project_id
),

approved_time as (
    select project_id, max(spent_date) as last_approved_spent_date
    from {{ throughline.psa_input('time_entries') }}
    where time_entry_status = 'approved'
    group by project_id
),

compared as (
    select
        d.deal_key,
        d.crm_opportunity_id,
        d.erp_sales_order_id,
        d.psa_project_id,
        d.client_key,
        d.is_inferred as is_deal_link_inferred,
        o.account_id as crm_account_id,
        o.stage_category as opportunity_stage_category,
        o.amount as opportunity_amount,
        o.currency_code as opportunity_currency_code,
        o.legal_entity_code as opportunity_entity_code,
        oe.legal_entity_key as opportunity_legal_entity_key,
        o.close_date as opportunity_close_date,
        so.total_amount as contract_amount,
        cur.currency_code as contract_currency_code,
        se.legal_entity_code as contract_entity_code,
        so.transaction_date as contract_date,
        so.contract_start_date,
        ct.contract_end_date,
        cast(coalesce(ct.amendment_count, 0) as bigint) as contract_amendment_count,
        p.client_id as psa_client_id,
        p.project_status,
        coalesce(p.is_billable, false) and coalesce(p.billing_type, '') <> 'non_billable'
            and p.client_id is not null as is_project_billable,
        p.budget_amount as project_budget_amount,
        cast(coalesce(co.approved_change_orders_amount, 0) as decimal(18, 2)) as project_change_orders_amount,
        cast(p.budget_amount - coalesce(co.approved_change_orders_amount, 0) as decimal(18, 2))
            as project_original_budget_amount,
        p.currency_code as project_currency_code,
        p.legal_entity_code as project_entity_code,
        pe.legal_entity_key as project_legal_entity_key,
        p.start_date as project_start_date,
        p.created_at as project_created_at,
        t.last_approved_spent_date
    from deals as d
    left join opportunities as o on o.opportunity_id = d.crm_opportunity_id
    left join sales_orders as so on so.transaction_id = d.erp_sales_order_id
    left join currencies as cur on cur.currency_id = so.currency_id
    left join order_entities as soe on soe.transaction_id = so.transaction_id
    left join entities as se on se.erp_subsidiary_id = soe.subsidiary_id
    left join contract_terms as ct on ct.contract_id = so.transaction_id
    left join projects as p on p.project_id = d.psa_project_id
    left join change_orders as co on co.project_id = p.project_id
    left join approved_time as t on t.project_id = p.project_id
    left join entities as oe on oe.legal_entity_code = o.legal_entity_code
    left join entities as pe on pe.legal_entity_code = p.legal_entity_code
)

select * from compared
