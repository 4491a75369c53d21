{#- A key column: fails with one row per value that is NULL or held by more than one row (n_records rows
    each). It is dbt's unique and not_null in one node and one scan of the table: every dbt test is a node
    with ~30 ms of fixed cost a night whatever the table's size (docs/performance.md, items 36 and 38). -#}
{% test primary_key(model, column_name) %}
select {{ column_name }}, count(*) as n_records
from {{ model }}
group by {{ column_name }}
having count(*) > 1 or {{ column_name }} is null
{% endtest %}
