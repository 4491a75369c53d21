{#- A model's foreign keys: fails with one row per (column, value) whose value is not in the referenced
    model's field, counting the rows that hold it (n_records). `references` lists {column, to, field}, as
    dbt's relationships test takes one. A model's keys of one severity are one test rather than one node per
    column: every dbt test costs ~30 ms of dbt's own work a night (docs/performance.md, items 36 and 39). -#}
{% test relationships_columns(model, references) %}
{%- for ref_ in references %}
{%- if not loop.first %}
union all
{% endif %}
select
    '{{ ref_.column }}' as column_name,
    cast(child.child_value as {{ dbt.type_string() }}) as column_value,
    count(*) as n_records
from (select {{ ref_.column }} as child_value from {{ model }} where {{ ref_.column }} is not null) as child
left join {{ ref_.to }} as parent on child.child_value = parent.{{ ref_.field }}
where parent.{{ ref_.field }} is null
group by child.child_value
{%- endfor %}
{% endtest %}
