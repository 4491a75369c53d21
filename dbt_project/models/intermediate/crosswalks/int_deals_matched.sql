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

accepted as (
    select
        {{ dbt.concat(['left_system', "':'", 'left_id']) }} as node_a,
        {{ dbt.concat(['right_system', "':'", 'right_id']) }} as node_b,
        pair_type,
        match_method,
        match_score
    from candidates
    where is_accepted
),

nodes as (
    select deal_record_key as node_key from records
),

{{ throughline.connected_components_ctes('nodes', 'accepted') }},

component_sizes as (
    select
        c.component_key,
        sum(case when r.source_system = 'crm' then 1 else 0 end) as n_crm,
        sum(case when r.source_system = 'erp' then 1 else 0 end) as n_erp,
        sum(case when r.source_system = 'psa' then 1 else 0 end) as n_psa
    from cc_components as c
    inner join records as r on r.deal_record_key = c.node_key
    group by c.component_key
),

membership as (
    select
        c.node_key,
        case when s.n_crm > 1 or s.n_erp > 1 or s.n_psa > 1 then c.node_key else c.component_key end
            as component_key,
        (s.n_crm > 1 or s.n_erp > 1 or s.n_psa > 1) as is_cluster_conflict
    from cc_components as c
    inner join component_sizes as s on s.component_key = c.component_key
),

in_review as (
    select {{ dbt.concat(['left_system', "':'", 'left_id']) }} as node_key from candidates
    where review_reason is not null
    union
    select {{ dbt.concat(['right_system', "':'", 'right_id']) }} from candidates
    where review_reason is not null
),

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
),

direct as (
    select m.component_key, a.pair_type, a.match_method, a.match_score
    from accepted as a
    inner join membership as m on m.node_key = a.node_a
    where not m.is_cluster_conflict
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
