with recursive
-- crosswalk v1: one row per conformed client. Records joined by accepted pair links (int_client_candidates_scored)
-- form connected components; a component holding two records of the same system is a conflict, so its
-- records stay apart (each its own client) and are listed in int_client_match_review. A link that was not
-- accepted directly but holds through the third system is 'transitive' (score = the weaker path link).
records as (
    select * from {{ ref('int_client_records') }}
),

candidates as (
    select * from {{ ref('int_client_candidates_scored') }}
),

{{ throughline.crosswalk_cluster_ctes('records', 'candidates', 'client_record_key') }},

members as (
    select
        m.component_key,
        m.is_cluster_conflict,
        ir.node_key is not null as is_in_review,
        r.*
    from membership as m
    inner join records as r on r.client_record_key = m.node_key
    left join in_review as ir on ir.node_key = m.node_key
),

clients as (
    select
        component_key,
        max(case when source_system = 'crm' then record_id end) as crm_account_id,
        max(case when source_system = 'erp' then record_id end) as erp_customer_id,
        max(case when source_system = 'psa' then record_id end) as psa_client_id,
        max(case when source_system = 'crm' then record_name end) as crm_account_name,
        max(case when source_system = 'erp' then record_name end) as erp_customer_name,
        max(case when source_system = 'psa' then record_name end) as psa_client_name,
        max(case when source_system = 'crm' then country_code end) as crm_country_code,
        max(case when source_system = 'erp' then country_code end) as erp_country_code,
        max(case when source_system = 'psa' then country_code end) as psa_country_code,
        max(registration_id_normalised) as registration_id,
        count(*) as systems_matched,
        max(case when is_prospect then 1 else 0 end) = 1 as is_prospect,
        max(case when is_cluster_conflict then 1 else 0 end) = 1 as is_cluster_conflict,
        max(case when is_in_review or is_cluster_conflict then 1 else 0 end) = 1 as is_duplicate_suspect
    from members
    group by component_key
),

links as (
    select
        c.*,
        ce.match_method as ce_method, ce.match_score as ce_score,
        cp.match_method as cp_method, cp.match_score as cp_score,
        ep.match_method as ep_method, ep.match_score as ep_score
    from clients as c
    left join direct as ce on ce.component_key = c.component_key and ce.pair_type = 'crm_erp'
    left join direct as cp on cp.component_key = c.component_key and cp.pair_type = 'crm_psa'
    left join direct as ep on ep.component_key = c.component_key and ep.pair_type = 'erp_psa'
),

per_link as (
    select
        l.*,
        case when crm_account_id is null or erp_customer_id is null then null
            else coalesce(ce_method, 'transitive') end as crm_erp_match_method,
        case when crm_account_id is null or erp_customer_id is null then null
            when ce_score is not null then ce_score
            when cp_score < ep_score then cp_score else ep_score end as crm_erp_match_score,
        case when crm_account_id is null or psa_client_id is null then null
            else coalesce(cp_method, 'transitive') end as crm_psa_match_method,
        case when crm_account_id is null or psa_client_id is null then null
            when cp_score is not null then cp_score
            when ce_score < ep_score then ce_score else ep_score end as crm_psa_match_score,
        case when erp_customer_id is null or psa_client_id is null then null
            else coalesce(ep_method, 'transitive') end as erp_psa_match_method,
        case when erp_customer_id is null or psa_client_id is null then null
            when ep_score is not null then ep_score
            when ce_score < cp_score then ce_score else cp_score end as erp_psa_match_score
    from links as l
)

select
    component_key as client_key,
    crm_account_id,
    erp_customer_id,
    psa_client_id,
    coalesce(erp_customer_name, crm_account_name, psa_client_name) as client_name,
    crm_account_name,
    erp_customer_name,
    psa_client_name,
    coalesce(erp_country_code, crm_country_code, psa_country_code) as country_code,
    registration_id,
    crm_erp_match_method,
    crm_erp_match_score,
    crm_psa_match_method,
    crm_psa_match_score,
    erp_psa_match_method,
    erp_psa_match_score,
    -- the weakest link decides how the client as a whole was matched
    case
        when systems_matched = 1 then 'unmatched'
        when 'fuzzy_name' in (ce_method, cp_method, ep_method) then 'fuzzy_name'
        when 'registration_id' in (ce_method, cp_method, ep_method) then 'registration_id'
        else 'cross_system_id'
    end as match_method,
    case when systems_matched = 1 then null
        else least(coalesce(ce_score, 1.0), coalesce(cp_score, 1.0), coalesce(ep_score, 1.0)) end as match_score,
    systems_matched,
    is_prospect,
    is_cluster_conflict,
    is_duplicate_suspect,
    'crosswalk v1' as definition_version
from per_link
