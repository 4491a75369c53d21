{#- QuickBooks jobs (sub-customers with job = true, how QuickBooks tracks a project) with the PSA project each
    one is: the PSA project that names the job as its ERP job (erp_job_id = the job's id), else the one whose
    project code is the job's name (as a PSA-to-QuickBooks integration names the project it creates). A document
    or journal line on a job is on that project, and belongs to the job's parent customer as the client. -#}
with jobs as (
    select * from {{ ref('stg_quickbooks__customers') }} where is_job
),

keys as (
    select * from {{ ref('int_quickbooks__keys') }} where entity = 'customer'
),

projects as (
    select project_id, project_code, erp_job_id from {{ throughline.psa_input('projects') }}
),

matched as (
    select
        j.source_relation,
        j.customer_id,
        p.project_id,
        row_number() over (
            partition by j.source_relation, j.customer_id
            order by case when p.erp_job_id = j.customer_id then 0 else 1 end, p.project_id
        ) as rn
    from jobs as j
    inner join projects as p on p.erp_job_id = j.customer_id or p.project_code = j.customer_name
)

select
    j.source_relation,
    j.customer_id,
    k.record_key as job_key,
    coalesce(pk.record_key, j.parent_customer_id) as parent_customer_key,
    j.customer_name as job_name,
    m.project_id as psa_project_id
from jobs as j
left join keys as k on j.source_relation = k.source_relation and j.customer_id = k.source_id
left join keys as pk on j.source_relation = pk.source_relation and j.parent_customer_id = pk.source_id
left join matched as m on j.source_relation = m.source_relation and j.customer_id = m.customer_id and m.rn = 1
