{#- One row per CRM opportunity (Salesforce opportunity or HubSpot deal) with its objective won/lost
    timestamps from stage history and its amount in deal, contracting-entity and reporting currency. Rates
    are spot on the close date, capped at the last day rates exist (open pipeline closes in the future).
    client_key / contract_key / project_key from int_clients_matched and int_deals_matched ('-1'
    unresolved). -#}

with opportunities as (
    select * from {{ ref('int_crm__opportunities') }}
),

history as (
    select
        opportunity_id,
        min(case when stage_category = 'won' then changed_at end) as first_won_at,
        min(case when stage_category = 'lost' then changed_at end) as first_lost_at,
        count(*) as stage_change_count
    from {{ ref('int_crm__opportunity_history') }}
    group by 1
),

entities as (
    select * from {{ ref('dim_legal_entity') }} where not is_unknown
),

clients_by_crm as (
    select crm_account_id, client_key from {{ ref('int_clients_matched') }} where crm_account_id is not null
),

deals as (
    select crm_opportunity_id, erp_sales_order_id, psa_project_id from {{ ref('int_deals_matched') }}
    where crm_opportunity_id is not null
),

rate_span as (
    select max(rate_date) as last_rate_date
    from {{ ref('int_fx_rates_daily') }}
    where not is_rate_missing
),

base as (
    select
        o.opportunity_id,
        o.opportunity_name,
        coalesce(cc.client_key, '-1') as client_key,
        coalesce(d.erp_sales_order_id, '-1') as contract_key,
        coalesce(d.psa_project_id, '-1') as project_key,
        o.account_id as crm_account_id,
        o.owner_user_id as crm_owner_user_id,
        o.stage_name,
        o.stage_category,
        coalesce(o.is_won, o.stage_category = 'won') as is_won,
        coalesce(o.is_closed, o.stage_category <> 'open') as is_closed,
        o.opportunity_type,
        o.lead_source,
        o.forecast_category,
        o.probability,
        o.contract_type,
        coalesce(e.legal_entity_key, '-1') as legal_entity_key,
        o.created_at,
        o.close_date,
        h.first_won_at,
        h.first_lost_at,
        coalesce(h.stage_change_count, 0) as stage_change_count,
        o.delivery_start_date,
        o.delivery_end_date,
        o.erp_sales_order_id,
        o.psa_project_id,
        coalesce(o.currency_code, '-1') as transaction_currency_code,
        o.amount as amount_transaction,
        o.nte_amount as nte_amount_transaction,
        coalesce(e.functional_currency_code, '-1') as entity_currency_code,
        case when o.close_date is null or o.close_date > rs.last_rate_date then rs.last_rate_date
            else o.close_date end as fx_rate_date,
        o._loaded_at
    from opportunities as o
    left join history as h on o.opportunity_id = h.opportunity_id
    left join entities as e on o.legal_entity_code = e.legal_entity_code
    left join clients_by_crm as cc on o.account_id = cc.crm_account_id
    left join deals as d on o.opportunity_id = d.crm_opportunity_id
    cross join rate_span as rs
),

converted as (
    {{ select_with_spot_rates('base', 'fx_rate_date') }}
)

select
    converted.*,
    {{ spot_amount_columns(['amount']) }},
    {{ fx_rate_missing_flag() }} as is_fx_rate_missing
from converted
