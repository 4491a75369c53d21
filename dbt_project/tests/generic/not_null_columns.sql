{#- Fails with one row per row of the model that has a NULL in any of the given columns, naming them in
    null_columns. A model's not-null columns are checked by this one test rather than a not_null test per
    column: every dbt test is a node with ~30 ms of fixed cost a night whatever the table's size
    (docs/performance.md, item 36). A model with a single not-null column keeps dbt's own not_null. -#}
{% test not_null_columns(model, column_names) %}
{%- set flags = [] -%}
{%- for column in column_names -%}
    {%- do flags.append("case when " ~ column ~ " is null then '" ~ column ~ " ' else '' end") -%}
{%- endfor %}
select
    trim({{ dbt.concat(flags) }}) as null_columns,
    {{ column_names | join(', ') }}
from {{ model }}
where {% for column in column_names %}{{ column }} is null{{ ' or ' if not loop.last }}{% endfor %}
{% endtest %}
