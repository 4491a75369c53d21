with recursive
-- crosswalk v1: one row per deal (opportunity <-> original sales order <-> PSA project), from accepted pair
-- links in int_deal_candidates_scored, clustered as for clients. is_inferred when any link of the deal rests
-- on the client/amount/date fallback rather than recorded ids; has_review_items when one of its records was
-- in a pair sent to review (ambiguous, outranked); a cluster holding two records of one system is split.
records as (
    select * from {{ ref('int_deal_records') }}
),

candidates as (
    select * from {{ ref('int_deal_candidates_scored') }}
),

{{ throughline.crosswalk_cluster_ctes('records', 'candidates', 'deal_record_key') }},

deals as (
    select
        m.component_key,
        max(case when r.source_system = 'crm' then r.record_id end) as crm_opportunity_id,
        max(case when r.source_system = 'erp' then r.record_id end) as erp_sales_order_id,
        max(case when r.source_system = 'psa' then r.record_id end) as psa_project_id,
        max(case when r.source_system = 'crm' then r.client_key end) as crm_client_key,
        max(case when r.source_system = 'erp' then r.client_key end) as erp_client_key,
        max(case when r.source_system = 'psa' then r.client_key end) as psa_client_key,
        count(*) as systems_matched,
        max(case when m.is_cluster_conflict then 1 else 0 end) = 1 as is_cluster_conflict,
        max(case when ir.node_key is not null or m.is_cluster_conflict then 1 else 0 end) = 1 as has_review_items
    from membership as m
    inner join records as r on r.deal_record_key = m.node_key
    left join in_review as ir on ir.node_key = m.node_key
    group by m.component_key
)

select
    d.component_key as deal_key,
    d.crm_opportunity_id,
    d.erp_sales_order_id,
    d.psa_project_id,
    coalesce(d.erp_client_key, d.crm_client_key, d.psa_client_key) as client_key,
    (d.crm_client_key is not null and d.erp_client_key is not null and d.crm_client_key <> d.erp_client_key)
        or (d.crm_client_key is not null and d.psa_client_key is not null and d.crm_client_key <> d.psa_client_key)
        or (d.erp_client_key is not null and d.psa_client_key is not null and d.erp_client_key <> d.psa_client_key)
        as has_client_mismatch,
    case when d.crm_opportunity_id is null or d.erp_sales_order_id is null then null
        else coalesce(ce.match_method, 'transitive') end as crm_erp_match_method,
    ce.match_score as crm_erp_match_score,
    case when d.crm_opportunity_id is null or d.psa_project_id is null then null
        else coalesce(cp.match_method, 'transitive') end as crm_psa_match_method,
    cp.match_score as crm_psa_match_score,
    case when d.erp_sales_order_id is null or d.psa_project_id is null then null
        else coalesce(ep.match_method, 'transitive') end as erp_psa_match_method,
    ep.match_score as erp_psa_match_score,
    coalesce('inferred' in (ce.match_method, cp.match_method, ep.match_method), false) as is_inferred,
    d.systems_matched,
    d.is_cluster_conflict,
    d.has_review_items,
    'crosswalk v1' as definition_version
from deals as d
left join direct as ce on ce.component_key = d.component_key and ce.pair_type = 'crm_erp'
left join direct as cp on cp.component_key = d.component_key and cp.pair_type = 'crm_psa'
left join direct as ep on ep.component_key = d.component_key and ep.pair_type = 'erp_psa'
