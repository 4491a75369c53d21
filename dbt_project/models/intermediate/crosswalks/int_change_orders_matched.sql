-- crosswalk v1: PSA change orders <-> NetSuite amendment sales orders (custbody_parent_contract set).
-- Level 1 cross_system_id: the change order records the amendment's id or the amendment records the change
-- order's id. Level 2 inferred: the amendment amends the contract of the change order's project (via
-- int_deals_matched), amount_change equals the amendment total within var deal_amount_tolerance and the
-- dates (approved or requested vs amendment date) are at most var deal_match_window_days apart.
-- One row per change order and per amendment: matched pairs once, the rest unmatched on one side.
with change_orders as (
    select
        co.change_order_id,
        co.project_id,
        co.change_order_number,
        co.change_order_status,
        co.amount_change,
        coalesce(co.approved_date, co.requested_date) as change_date,
        co.erp_sales_order_id,
        d.erp_sales_order_id as project_contract_id
    from {{ throughline.psa_input('change_orders') }} as co
    left join {{ ref('int_deals_matched') }} as d on d.psa_project_id = co.project_id
),

amendments as (
    select
        transaction_id,
        transaction_number,
        parent_contract_transaction_id,
        total_amount,
        transaction_date,
        psa_change_order_id
    from {{ throughline.erp_input('transactions') }}
    where transaction_type = 'sales_order' and parent_contract_transaction_id is not null
),

pairs as (
    select
        co.change_order_id,
        a.transaction_id,
        (co.erp_sales_order_id = a.transaction_id or a.psa_change_order_id = co.change_order_id) as has_id_evidence,
        abs({{ dbt.datediff('co.change_date', 'a.transaction_date', 'day') }}) as days_apart
    from change_orders as co
    inner join amendments as a
        on co.erp_sales_order_id = a.transaction_id
        or a.psa_change_order_id = co.change_order_id
        or (
            a.parent_contract_transaction_id = co.project_contract_id
            and abs(a.total_amount - co.amount_change)
                <= {{ var('deal_amount_tolerance') }} * (case when abs(a.total_amount) > abs(co.amount_change)
                    then abs(a.total_amount) else abs(co.amount_change) end)
            and abs({{ dbt.datediff('co.change_date', 'a.transaction_date', 'day') }})
                <= {{ var('deal_match_window_days') }}
        )
),

candidates as (
    select
        'psa_erp' as pair_type,
        change_order_id as left_id,
        transaction_id as right_id,
        case when has_id_evidence then 1 else 2 end as match_level,
        case when has_id_evidence then 'cross_system_id' else 'inferred' end as match_method,
        case when has_id_evidence then cast(1.0 as {{ dbt.type_float() }})
            else cast(1.0 - days_apart / ({{ var('deal_match_window_days') }} + 1.0) as {{ dbt.type_float() }})
            end as match_score,
        cast(null as {{ dbt.type_string() }}) as conflict_reason
    from pairs
),

resolved as (
    {{ throughline.resolve_pairs('candidates') }}
),

accepted as (
    select * from resolved where is_accepted
),

review as (
    {{ throughline.pair_review_reasons('resolved', 'psa', 'erp') }}
)

select
    {{ dbt.concat(["coalesce(co.change_order_id, '-')", "'|'", "coalesce(a.transaction_id, '-')"]) }}
        as change_order_match_key,
    co.change_order_id as psa_change_order_id,
    coalesce(co.project_id, d.psa_project_id) as psa_project_id,
    co.change_order_number,
    co.change_order_status,
    co.amount_change,
    a.transaction_id as erp_amendment_id,
    a.parent_contract_transaction_id as erp_parent_contract_id,
    a.total_amount as amendment_amount,
    case when co.change_order_id is not null and a.transaction_id is not null then acc.match_method
        else 'unmatched' end as match_method,
    acc.match_score,
    coalesce(rc.review_reason, ra.review_reason) as review_reason,
    'crosswalk v1' as definition_version
from change_orders as co
left join accepted as acc on acc.left_id = co.change_order_id
full outer join amendments as a on a.transaction_id = acc.right_id
left join {{ ref('int_deals_matched') }} as d on d.erp_sales_order_id = a.parent_contract_transaction_id
left join review as rc on rc.source_system = 'psa' and rc.record_id = co.change_order_id
left join review as ra on ra.source_system = 'erp' and ra.record_id = a.transaction_id
