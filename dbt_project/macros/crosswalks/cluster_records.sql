{#- Connected components over accepted crosswalk links (crosswalk v1).

    `nodes`: CTE with node_key (unique, e.g. 'crm:001...'); `edges`: CTE with node_a, node_b (accepted
    links). Returns node_key, component_key = the smallest node_key reachable from it. Written as a
    recursive CTE body (UNION, so cycles terminate); the calling model must open with `with recursive`. -#}
{% macro connected_components_ctes(nodes, edges) -%}
    {#- output, not return(): a return() inside crosswalk_cluster_ctes would replace its whole output -#}
    {{ adapter.dispatch('connected_components_ctes', 'throughline')(nodes, edges) }}
{%- endmacro %}

{% macro default__connected_components_ctes(nodes, edges) -%}
cc_edges as (
    select node_a as node_from, node_b as node_to from {{ edges }}
    union
    select node_b as node_from, node_a as node_to from {{ edges }}
),

cc_reach(node_key, reached_key) as (
    select node_key, node_key from {{ nodes }}
    union
    select r.node_key, e.node_to
    from cc_reach as r
    inner join cc_edges as e on e.node_from = r.reached_key
),

cc_components as (
    select node_key, min(reached_key) as component_key
    from cc_reach
    group by node_key
)
{%- endmacro %}

{#- Spark's recursive CTEs allow only UNION ALL, which never terminates on a cycle. The same components by
    min-label propagation, unrolled: every node starts with its own key and takes the smallest label among
    itself and its neighbours, `rounds` times (each round reads the previous one once, so the plan grows
    linearly); after as many rounds as the component's diameter each node holds the smallest key of its
    component, as on DuckDB. Crosswalk components join one record per system (plus conflicts): their
    diameter is a handful of links, far below 16. -#}
{% macro spark__connected_components_ctes(nodes, edges, rounds=16) -%}
cc_edges as (
    select node_a as node_from, node_b as node_to from {{ edges }}
    union
    select node_b as node_from, node_a as node_to from {{ edges }}
    union
    select node_key as node_from, node_key as node_to from {{ nodes }}
),

cc_label_0 as (
    select node_key, node_key as label from {{ nodes }}
),
{%- for i in range(1, rounds + 1) %}

cc_label_{{ i }} as (
    select e.node_from as node_key, min(l.label) as label
    from cc_edges as e
    inner join cc_label_{{ i - 1 }} as l on l.node_key = e.node_to
    group by e.node_from
),
{%- endfor %}

cc_components as (
    select l.node_key, l.label as component_key
    from cc_label_{{ rounds }} as l
    inner join {{ nodes }} as n on n.node_key = l.node_key
)
{%- endmacro %}

{#- The clustering shared by the crosswalk v1 models (int_clients_matched, int_deals_matched), as CTEs:
    accepted (accepted pair links as node_a/node_b with pair_type, match_method, match_score), nodes,
    the connected components, membership (node_key, component_key, is_cluster_conflict: a component
    holding two records of one system is split, each record its own component), in_review (records in a
    pair sent to review) and direct (accepted links of non-conflicting components, by component_key).
    `records`: CTE with record_key_column, source_system; `candidates`: CTE of scored pair candidates.
    The calling model must open with `with recursive`. -#}
{% macro crosswalk_cluster_ctes(records, candidates, record_key_column) -%}
accepted as (
    select
        {{ dbt.concat(['left_system', "':'", 'left_id']) }} as node_a,
        {{ dbt.concat(['right_system', "':'", 'right_id']) }} as node_b,
        pair_type,
        match_method,
        match_score
    from {{ candidates }}
    where is_accepted
),

nodes as (
    select {{ record_key_column }} as node_key from {{ records }}
),

{{ throughline.connected_components_ctes('nodes', 'accepted') }},

component_sizes as (
    select
        c.component_key,
        sum(case when r.source_system = 'crm' then 1 else 0 end) as n_crm,
        sum(case when r.source_system = 'erp' then 1 else 0 end) as n_erp,
        sum(case when r.source_system = 'psa' then 1 else 0 end) as n_psa
    from cc_components as c
    inner join {{ records }} as r on r.{{ record_key_column }} = c.node_key
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
    select {{ dbt.concat(['left_system', "':'", 'left_id']) }} as node_key from {{ candidates }}
    where review_reason is not null
    union
    select {{ dbt.concat(['right_system', "':'", 'right_id']) }} from {{ candidates }}
    where review_reason is not null
),

direct as (
    select m.component_key, a.pair_type, a.match_method, a.match_score
    from accepted as a
    inner join membership as m on m.node_key = a.node_a
    where not m.is_cluster_conflict
)
{%- endmacro %}
