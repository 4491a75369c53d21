{#- Pair resolution shared by every crosswalk (crosswalk v1).

    `candidates` is a CTE name with one row per candidate pair: pair_type, left_id, right_id,
    match_level (1 = strongest evidence), match_method, match_score, conflict_reason (NULL unless the
    pair's own evidence contradicts itself). Returns a select over it adding:
      left_best_level / left_candidates_at_best: the left record's strongest level and how many
        counterparts it has there (likewise right_*);
      is_accepted: no conflict, the pair is at the best level of BOTH records and each has exactly one
        counterpart at that level (mutually unique best; never a tie-break on score);
      review_reason: why a pair that was someone's best did not make it (NULL for accepted pairs and for
        weaker alternatives that neither record needed):
        conflicting_evidence:<detail> | ambiguous_left | ambiguous_right | outranked. -#}
{% macro resolve_pairs(candidates) -%}
    select
        r.*,
        (r.conflict_reason is null
            and r.match_level = r.left_best_level and r.match_level = r.right_best_level
            and r.left_candidates_at_best = 1 and r.right_candidates_at_best = 1) as is_accepted,
        case
            when r.conflict_reason is not null
                then {{ dbt.concat(["'conflicting_evidence:'", 'r.conflict_reason']) }}
            when r.match_level = r.left_best_level and r.left_candidates_at_best > 1 then 'ambiguous_left'
            when r.match_level = r.right_best_level and r.right_candidates_at_best > 1 then 'ambiguous_right'
            when r.match_level = r.left_best_level and r.match_level = r.right_best_level then null
            when r.match_level = r.left_best_level or r.match_level = r.right_best_level then 'outranked'
        end as review_reason
    from (
        select
            b.*,
            sum(case when b.match_level = b.left_best_level then 1 else 0 end)
                over (partition by b.pair_type, b.left_id) as left_candidates_at_best,
            sum(case when b.match_level = b.right_best_level then 1 else 0 end)
                over (partition by b.pair_type, b.right_id) as right_candidates_at_best
        from (
            select
                c.*,
                min(c.match_level) over (partition by c.pair_type, c.left_id) as left_best_level,
                min(c.match_level) over (partition by c.pair_type, c.right_id) as right_best_level
            from {{ candidates }} as c
        ) as b
    ) as r
{%- endmacro %}

{#- select body: why each record of a resolve_pairs() result went to review, one row per (record_id,
    source_system) with the first review_reason; left ids belong to left_system, right ids to right_system. -#}
{% macro pair_review_reasons(resolved, left_system, right_system) -%}
    select left_id as record_id, {{ dbt.string_literal(left_system) }} as source_system, min(review_reason) as review_reason
    from {{ resolved }} where review_reason is not null group by left_id
    union all
    select right_id, {{ dbt.string_literal(right_system) }}, min(review_reason)
    from {{ resolved }} where review_reason is not null group by right_id
{%- endmacro %}

{#- select body: the cross-system ids each crosswalk record carries, one row per (record, referenced system):
    record_key_column, source_system, target_system, target_id. ref_columns maps each system ('crm', 'erp',
    'psa') to the records column holding the id it references there; a record's own system is skipped. -#}
{% macro cross_system_refs(records, record_key_column, ref_columns) -%}
    {%- for system, column in ref_columns.items() %}
    select {{ record_key_column }}, source_system, {{ dbt.string_literal(system) }}
        {%- if loop.first %} as target_system{% endif %}, {{ column }}{% if loop.first %} as target_id{% endif %}
    from {{ records }} where {{ column }} is not null and source_system <> {{ dbt.string_literal(system) }}
    {%- if not loop.last %}
    union all{% endif %}
    {%- endfor %}
{%- endmacro %}
