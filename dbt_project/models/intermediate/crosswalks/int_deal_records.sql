-- crosswalk v1: the three faces of a deal in one shape: won (or linked) CRM opportunities (int_crm__opportunities), original
-- NetSuite sales orders (contracts; amendments, which carry a parent contract, are matched separately in
-- int_change_orders_matched) and client-facing PSA projects, each with its conformed client_key.
with clients as (
    select * from {{ ref('int_clients_matched') }}
),

currencies as (
    select currency_id, currency_code from {{ throughline.erp_input('currencies') }}
),

opportunities as (
    select
        'crm' as source_system,
        o.opportunity_id as record_id,
        o.opportunity_name as record_name,
        c.client_key,
        o.amount,
        o.currency_code,
        o.close_date as booking_date,
        coalesce(o.delivery_start_date, o.close_date) as start_date,
        o.opportunity_id as ref_crm_opportunity_id,
        o.erp_sales_order_id as ref_erp_sales_order_id,
        o.psa_project_id as ref_psa_project_id
    from {{ ref('int_crm__opportunities') }} as o
    left join clients as c on c.crm_account_id = o.account_id
    where o.stage_category = 'won' or o.erp_sales_order_id is not null or o.psa_project_id is not null
),

sales_orders as (
    select
        'erp' as source_system,
        t.transaction_id as record_id,
        t.transaction_number as record_name,
        c.client_key,
        t.total_amount as amount,
        cur.currency_code,
        t.transaction_date as booking_date,
        coalesce(t.contract_start_date, t.transaction_date) as start_date,
        t.crm_opportunity_id as ref_crm_opportunity_id,
        t.transaction_id as ref_erp_sales_order_id,
        t.psa_project_id as ref_psa_project_id
    from {{ throughline.erp_input('transactions') }} as t
    left join clients as c on c.erp_customer_id = t.entity_id
    left join currencies as cur on cur.currency_id = t.currency_id
    where t.transaction_type = 'sales_order' and t.parent_contract_transaction_id is null
),

projects as (
    select
        'psa' as source_system,
        p.project_id as record_id,
        p.project_name as record_name,
        c.client_key,
        p.budget_amount as amount,
        p.currency_code,
        cast(null as date) as booking_date,
        p.start_date,
        p.crm_opportunity_id as ref_crm_opportunity_id,
        p.erp_sales_order_id as ref_erp_sales_order_id,
        p.project_id as ref_psa_project_id
    from {{ throughline.psa_input('projects') }} as p
    left join clients as c on c.psa_client_id = p.client_id
    where p.client_id is not null
)

select
    {{ dbt.concat(['source_system', "':'", 'record_id']) }} as deal_record_key,
    u.*,
    'crosswalk v1' as definition_version
from (
    select * from opportunities
    union all
    select * from sales_orders
    union all
    select * from projects
) as u
