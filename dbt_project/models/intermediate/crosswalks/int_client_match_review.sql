-- crosswalk v1: client matches a person must decide (later breaks), never silently guessed.
-- One row per (reason, pair or record): conflicting evidence on a pair, a record with two counterparts at
-- its best evidence level (ambiguous_left/right), a pair that was one record's best but lost to a stronger
-- match of the other (outranked: typically a duplicate record), and records whose accepted links put two
-- records of one system into one client (cluster_conflict).
with candidates as (
    select * from {{ ref('int_client_candidates_scored') }}
),

records as (
    select * from {{ ref('int_client_records') }}
),

matched as (
    select * from {{ ref('int_clients_matched') }}
),

pair_reviews as (
    select
        case when review_reason like 'conflicting_evidence:%' then 'conflicting_evidence'
            else review_reason end as review_reason,
        pair_type,
        left_system,
        left_id,
        left_name,
        right_system,
        right_id,
        right_name,
        match_method,
        match_score,
        name_similarity,
        case
            when review_reason like 'conflicting_evidence:%' then
                {{ dbt.concat(["'evidence contradicts itself: '", "substr(review_reason, 22)"]) }}
            when review_reason = 'ambiguous_left' then
                {{ dbt.concat(['left_system', "' record matches '", 'cast(left_candidates_at_best as ' ~ dbt.type_string() ~ ')',
                    "' '", 'right_system', "' records by '", 'match_method']) }}
            when review_reason = 'ambiguous_right' then
                {{ dbt.concat(['right_system', "' record matches '", 'cast(right_candidates_at_best as ' ~ dbt.type_string() ~ ')',
                    "' '", 'left_system', "' records by '", 'match_method']) }}
            else {{ dbt.concat(["'best '", 'match_method', "' candidate is already matched more strongly'"]) }}
        end as review_detail
    from candidates
    where review_reason is not null
),

cluster_reviews as (
    select
        'cluster_conflict' as review_reason,
        cast(null as {{ dbt.type_string() }}) as pair_type,
        r.source_system as left_system,
        r.record_id as left_id,
        r.record_name as left_name,
        cast(null as {{ dbt.type_string() }}) as right_system,
        cast(null as {{ dbt.type_string() }}) as right_id,
        cast(null as {{ dbt.type_string() }}) as right_name,
        cast(null as {{ dbt.type_string() }}) as match_method,
        cast(null as {{ dbt.type_float() }}) as match_score,
        cast(null as {{ dbt.type_float() }}) as name_similarity,
        'accepted links join two records of the same system; records kept apart' as review_detail
    from matched as m
    inner join records as r on r.client_record_key = m.client_key
    where m.is_cluster_conflict
),

unioned as (
    select * from pair_reviews
    union all
    select * from cluster_reviews
)

select
    {{ dbt.concat(['review_reason', "'|'", "coalesce(left_system, '')", "':'", "coalesce(left_id, '')", "'|'",
        "coalesce(right_system, '')", "':'", "coalesce(right_id, '')"]) }} as review_id,
    unioned.*,
    'crosswalk v1' as definition_version
from unioned
