{#- Connected components over accepted crosswalk links (crosswalk v1).

    `nodes`: CTE with node_key (unique, e.g. 'crm:001...'); `edges`: CTE with node_a, node_b (accepted
    links). Returns node_key, component_key = the smallest node_key reachable from it. Written as a
    recursive CTE body (UNION, so cycles terminate); the calling model must open with `with recursive`. -#}
{% macro connected_components_ctes(nodes, edges) -%}
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
