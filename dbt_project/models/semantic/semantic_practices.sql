{#- One row per PSA practice that has people: the `practice` entity of the semantic layer, so analysts can
    group utilization by practice__name. Taken from dim_resource, the same source as the practice_id and
    practice_name on kpi_utilization_monthly (a person's practice), so a join can never disagree with the mart.
    There is no conformed dim_practice; this small model stands in for one inside the semantic layer. -#}
with resource_practices as (
    select practice_id, practice_name, service_line_key
    from {{ ref('dim_resource') }}
    where practice_id is not null
),

practices as (
    select
        practice_id,
        max(practice_name) as practice_name,
        max(service_line_key) as service_line_key,
        count(*) as resource_count
    from resource_practices
    group by practice_id
)

select
    cast(practice_id as {{ dbt.type_string() }}) as practice_id,
    cast(practice_name as {{ dbt.type_string() }}) as practice_name,
    cast(service_line_key as {{ dbt.type_string() }}) as service_line_key,
    cast(resource_count as {{ dbt.type_bigint() }}) as resource_count
from practices
