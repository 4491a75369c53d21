{#- One row per PSA resource with its conformed resource_key (int_resources_matched, '-1' unresolved) and
    the service line of the person's practice (NULL when it does not resolve). PSA facts use the latter
    when the project has no practice of its own (macro psa_service_line_key). -#}

with resources as (
    select resource_id, practice_id from {{ throughline.psa_input('resources') }}
),

practices as (
    select practice_id, service_line_name from {{ throughline.psa_input('practices') }}
),

people as (
    select psa_resource_id, resource_key from {{ ref('int_resources_matched') }} where psa_resource_id is not null
),

service_lines as (
    select service_line_key from {{ ref('int_service_lines_unioned') }}
)

select
    r.resource_id as psa_resource_id,
    coalesce(pe.resource_key, '-1') as resource_key,
    r.practice_id as psa_practice_id,
    sl.service_line_key
from resources as r
left join people as pe on r.resource_id = pe.psa_resource_id
left join practices as pr on r.practice_id = pr.practice_id
left join service_lines as sl on {{ service_line_key('pr.service_line_name') }} = sl.service_line_key
