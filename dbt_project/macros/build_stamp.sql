{#- The rows the last build wrote. An incremental fact stamps each row it writes with the build's start
    (`_built_at`, run_started_at: one value per dbt invocation). A build from empty stamps every row; an
    incremental night only the rows it re-read (new, in the lookback, or whose lookups changed:
    changed_lookups). So "the rows of the newest stamp" is what that build could have got wrong, and the
    data tests and great-expectations suites judge those, not the history they judged on earlier nights
    (docs/performance.md, item 20). -#}

{% macro build_stamp() -%}
    {#- run_started_at is always set under dbt; sqlfluff's templater (make lint) has no such context -#}
    {%- if run_started_at is defined -%}
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        current_timestamp
    {%- endif -%}
{%- endmacro %}

{#- dbt's hook for a generic data test's `where` config, overridden for the root project: a model declaring
    a `_built_at` column is tested on the rows of its last build (with the test's own `where`, if any). Every
    row of such a model is a row some build wrote and its tests judged; what a later night can change in an
    old row (a lookup) makes the night re-read, and so re-stamp, it. An append-only history stamped under
    another name says which in its `meta` (`build_stamp_column`: kpi_forecast_snapshots' `recorded_at`, one
    value per build), so its tests judge what the night appended, not every night's snapshot again: a row
    once written is never rewritten, and a night appends only keys the table lacks. `dbt test --vars
    '{test_every_row: true}'` judges every row, as an audit. -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {#- the tested model's declared columns (the graph, no query per test); a test on no model has none -#}
    {%- set tested = graph.nodes.get(model.attached_node) if execute and model.attached_node else none -%}
    {%- set stamp = none if tested is none
        else ('_built_at' if '_built_at' in tested.columns else tested.config.meta.get('build_stamp_column')) -%}
    {%- set last_build_only = stamp is not none and not var('test_every_row', false) -%}
    {%- if where or last_build_only -%}
        {%- set filtered -%}
            (select * from {{ relation }}
            where {{ where if where else 'true' }}
            {%- if last_build_only %}
                and {{ stamp }} = (select max({{ stamp }}) from {{ relation }})
            {%- endif -%}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}
