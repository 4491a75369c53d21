-- Conformed contract (crosswalk v1): one row per NetSuite sales order, originals and amendments
-- (custbody_parent_contract). Value including amendments = the original's total plus every non-voided
-- amendment's; opportunity and project come from int_deals_matched. '-1' = unknown member.
with sales_orders as (
    select * from {{ throughline.erp_input('transactions') }}
    where transaction_type = 'sales_order'
),

currencies as (
    select currency_id, currency_code from {{ throughline.erp_input('currencies') }}
),

order_entities as (
    select transaction_id, min(subsidiary_id) as subsidiary_id
    from {{ throughline.erp_input('transaction_lines') }}
    group by transaction_id
),

entities as (
    select legal_entity_key, erp_subsidiary_id from {{ ref('dim_legal_entity') }} where not is_unknown
),

clients as (
    select client_key, erp_customer_id from {{ ref('int_clients_matched') }} where erp_customer_id is not null
),

deals as (
    select * from {{ ref('int_deals_matched') }} where erp_sales_order_id is not null
),

amendment_totals as (
    select
        parent_contract_transaction_id as contract_id,
        count(*) as amendment_count,
        sum(total_amount) as amendments_amount
    from sales_orders
    where parent_contract_transaction_id is not null
        and coalesce(status, '') <> 'voided' and not coalesce(is_voided, false)
    group by parent_contract_transaction_id
)

select
    cast(so.transaction_id as {{ dbt.type_string() }}) as contract_key,
    so.transaction_number as contract_number,
    so.parent_contract_transaction_id is not null as is_amendment,
    cast(coalesce(so.parent_contract_transaction_id, so.transaction_id) as {{ dbt.type_string() }})
        as root_contract_key,
    coalesce(c.client_key, '-1') as client_key,
    so.entity_id as erp_customer_id,
    coalesce(e.legal_entity_key, '-1') as legal_entity_key,
    so.contract_type,
    coalesce(cur.currency_code, '-1') as currency_code,
    so.transaction_date as contract_date,
    so.contract_start_date,
    so.contract_end_date,
    so.status as contract_status,
    so.total_amount as contract_amount,
    cast(coalesce(a.amendment_count, 0) as bigint) as amendment_count,
    cast(coalesce(a.amendments_amount, 0) as decimal(18, 2)) as amendments_amount,
    cast(so.total_amount + coalesce(a.amendments_amount, 0) as decimal(18, 2)) as contract_value_incl_amendments,
    so.nte_amount,
    d.deal_key,
    d.crm_opportunity_id,
    d.psa_project_id,
    coalesce(d.is_inferred, false) as is_deal_link_inferred,
    so.psa_change_order_id,
    false as is_unknown,
    'crosswalk v1' as definition_version
from sales_orders as so
left join currencies as cur on cur.currency_id = so.currency_id
left join order_entities as oe on oe.transaction_id = so.transaction_id
left join entities as e on e.erp_subsidiary_id = oe.subsidiary_id
left join clients as c on c.erp_customer_id = so.entity_id
left join amendment_totals as a on a.contract_id = so.transaction_id and so.parent_contract_transaction_id is null
left join deals as d on d.erp_sales_order_id = coalesce(so.parent_contract_transaction_id, so.transaction_id)

union all

select
    '-1', null, false, '-1', '-1', null, '-1', null, '-1', null, null, null, null, null, cast(0 as bigint),
    cast(0 as decimal(18, 2)), null, null, null, null, null, false, null, true, 'crosswalk v1'
