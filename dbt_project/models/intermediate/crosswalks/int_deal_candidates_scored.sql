-- crosswalk v1: candidate deal pairs (crm-erp opportunity/sales order, crm-psa opportunity/project, erp-psa
-- sales order/project). Level 1 cross_system_id: either side records the other's id. Level 2 inferred:
-- same conformed client, same currency, amounts equal within var deal_amount_tolerance and start dates at
-- most var deal_match_window_days apart (score 1 - days apart / (window + 1)). Decision as for clients
-- (macro resolve_pairs): accepted only when mutually unique best.
with records as (
    select * from {{ ref('int_deal_records') }}
),

refs as (
    {{ throughline.cross_system_refs('records', 'deal_record_key',
        {'crm': 'ref_crm_opportunity_id', 'erp': 'ref_erp_sales_order_id', 'psa': 'ref_psa_project_id'}) }}
),

id_pairs as (
    select
        case when f.source_system < t.source_system then f.deal_record_key else t.deal_record_key end as left_key,
        case when f.source_system < t.source_system then t.deal_record_key else f.deal_record_key end as right_key
    from refs as f
    inner join records as t on t.source_system = f.target_system and t.record_id = f.target_id
),

inferred_pairs as (
    select
        a.deal_record_key as left_key,
        b.deal_record_key as right_key,
        abs({{ dbt.datediff('a.start_date', 'b.start_date', 'day') }}) as days_apart
    from records as a
    inner join records as b
        on a.client_key = b.client_key
        and a.currency_code = b.currency_code
        and a.source_system < b.source_system
    where abs(a.amount - b.amount)
            <= {{ var('deal_amount_tolerance') }} * (case when abs(a.amount) > abs(b.amount)
                then abs(a.amount) else abs(b.amount) end)
        and abs({{ dbt.datediff('a.start_date', 'b.start_date', 'day') }}) <= {{ var('deal_match_window_days') }}
),

pairs as (
    select
        coalesce(i.left_key, n.left_key) as left_key,
        coalesce(i.right_key, n.right_key) as right_key,
        i.left_key is not null as has_id_evidence,
        n.days_apart
    from (select distinct left_key, right_key from id_pairs) as i
    full outer join inferred_pairs as n on n.left_key = i.left_key and n.right_key = i.right_key
),

candidates as (
    select
        {{ dbt.concat(['l.source_system', "'_'", 'r.source_system']) }} as pair_type,
        l.source_system as left_system,
        l.record_id as left_id,
        r.source_system as right_system,
        r.record_id as right_id,
        l.client_key as left_client_key,
        r.client_key as right_client_key,
        p.has_id_evidence,
        p.days_apart,
        case when p.has_id_evidence then 1 else 2 end as match_level,
        case when p.has_id_evidence then 'cross_system_id' else 'inferred' end as match_method,
        case when p.has_id_evidence then cast(1.0 as {{ dbt.type_float() }})
            else cast(1.0 - p.days_apart / ({{ var('deal_match_window_days') }} + 1.0) as {{ dbt.type_float() }})
            end as match_score,
        cast(null as {{ dbt.type_string() }}) as conflict_reason
    from pairs as p
    inner join records as l on l.deal_record_key = p.left_key
    inner join records as r on r.deal_record_key = p.right_key
)

select
    resolved.*,
    'crosswalk v1' as definition_version
from ({{ throughline.resolve_pairs('candidates') }}) as resolved
