-- crosswalk v1: candidate client pairs across two systems (crm-erp, crm-psa, erp-psa) with the strongest
-- evidence found, its score, and the decision: accepted (mutually unique best) or why it went to review.
-- Levels: 1 cross_system_id (either side records the other's id), 2 registration_id (normalised
-- registration/tax ids equal), 3 fuzzy_name (same country, similarity of normalised names >=
-- var client_match_threshold).
with records as (
    select * from {{ ref('int_client_records') }}
),

refs as (
    {{ throughline.cross_system_refs('records', 'client_record_key',
        {'crm': 'ref_crm_account_id', 'erp': 'ref_erp_customer_id', 'psa': 'ref_psa_client_id'}) }}
),

id_pairs as (
    select f.client_record_key as key_a, t.client_record_key as key_b
    from refs as f
    inner join records as t on t.source_system = f.target_system and t.record_id = f.target_id
),

registration_pairs as (
    select a.client_record_key as key_a, b.client_record_key as key_b
    from records as a
    inner join records as b
        on a.registration_id_normalised = b.registration_id_normalised
        and a.source_system < b.source_system
),

name_pairs as (
    select a.client_record_key as key_a, b.client_record_key as key_b
    from records as a
    inner join records as b
        on a.country_code = b.country_code
        and a.source_system < b.source_system
    where {{ throughline.string_similarity('a.name_normalised', 'b.name_normalised') }}
        >= {{ var('client_match_threshold') }}
),

-- every pair oriented left < right by system (crm < erp < psa), with which evidence it has
pairs as (
    select
        case when a.source_system < b.source_system then a.client_record_key else b.client_record_key end
            as left_key,
        case when a.source_system < b.source_system then b.client_record_key else a.client_record_key end
            as right_key,
        max(e.is_id) as has_id_evidence,
        max(e.is_registration) as has_registration_evidence
    from (
        select key_a, key_b, 1 as is_id, 0 as is_registration from id_pairs
        union all
        select key_a, key_b, 0, 1 from registration_pairs
        union all
        select key_a, key_b, 0, 0 from name_pairs
    ) as e
    inner join records as a on a.client_record_key = e.key_a
    inner join records as b on b.client_record_key = e.key_b
    group by 1, 2
),

scored as (
    select
        {{ dbt.concat(['l.source_system', "'_'", 'r.source_system']) }} as pair_type,
        l.source_system as left_system,
        l.record_id as left_id,
        l.record_name as left_name,
        r.source_system as right_system,
        r.record_id as right_id,
        r.record_name as right_name,
        p.has_id_evidence = 1 as has_id_evidence,
        p.has_registration_evidence = 1 as has_registration_evidence,
        coalesce(l.country_code = r.country_code, false) as is_same_country,
        cast({{ throughline.string_similarity('l.name_normalised', 'r.name_normalised') }}
            as {{ dbt.type_float() }}) as name_similarity,
        l.registration_id_normalised as left_registration_id,
        r.registration_id_normalised as right_registration_id
    from pairs as p
    inner join records as l on l.client_record_key = p.left_key
    inner join records as r on r.client_record_key = p.right_key
),

candidates as (
    select
        s.*,
        case when has_id_evidence then 1 when has_registration_evidence then 2 else 3 end as match_level,
        case when has_id_evidence then 'cross_system_id'
            when has_registration_evidence then 'registration_id'
            else 'fuzzy_name' end as match_method,
        case when has_id_evidence or has_registration_evidence then cast(1.0 as {{ dbt.type_float() }})
            else name_similarity end as match_score,
        case
            when (has_id_evidence or has_registration_evidence)
                and left_registration_id is not null and right_registration_id is not null
                and left_registration_id <> right_registration_id
                then 'registration_id_differs'
            when has_id_evidence and coalesce(name_similarity, 0) < {{ var('client_conflict_name_floor') }}
                then 'names_dissimilar'
        end as conflict_reason
    from scored as s
)

select
    resolved.*,
    'crosswalk v1' as definition_version
from ({{ throughline.resolve_pairs('candidates') }}) as resolved
