-- Harvest time entries as canonical PSA time (time-off tasks go to int_harvest__psa_time_off instead).
-- Status: macro harvest_status (approved when Harvest closed, billed or locked the entry). Work type:
-- presales tasks (var harvest_presales_tasks), else client on billable projects, else internal. Cost: the
-- entry's cost rate, else the user's cost rate in force that day, else the user's current cost rate. ERP
-- invoice: the one the entry's Harvest invoice became (int_harvest__erp_invoice_links).
with entries as (
    select * from {{ ref('stg_harvest__time_entries') }}
    where coalesce(task_name, '') not in {{ throughline.string_list(var('harvest_time_off_tasks')) }}
),

dated_cost as (
    select e.time_entry_id, max(c.cost_rate) as cost_rate
    from entries as e
    inner join {{ ref('stg_harvest__cost_rates') }} as c
        on c.user_id = e.user_id
        and (c.start_date is null or e.spent_date >= c.start_date)
        and (c.end_date is null or e.spent_date <= c.end_date)
    group by e.time_entry_id
)

select
    e.time_entry_id,
    e.user_id as resource_id,
    e.project_id,
    e.user_assignment_id as assignment_id,
    e.user_id as role_id,
    e.spent_date,
    e.hours,
    e.is_billable,
    case when e.task_name in {{ throughline.string_list(var('harvest_presales_tasks')) }} then 'presales'
        when coalesce(p.is_billable, false) then 'client' else 'internal' end as work_type,
    {{ throughline.harvest_status('e') }} as time_entry_status,
    cast(null as {{ dbt.type_timestamp() }}) as submitted_at,
    case when {{ throughline.harvest_status('e') }} = 'approved' then e.modified_at end as approved_at,
    cast(null as {{ dbt.type_string() }}) as approved_by_resource_id,
    e.bill_rate,
    coalesce(e.cost_rate, dc.cost_rate, u.cost_rate) as cost_rate,
    coalesce(e.currency_code, p.currency_code) as currency_code,
    '{{ var('harvest_account_currency') | upper }}' as cost_currency_code,
    l.erp_invoice_id,
    e.notes,
    e.created_at,
    e.modified_at,
    'harvest' as source_system,
    e._source_file,
    e._source_row,
    e._loaded_at
from entries as e
left join {{ ref('stg_harvest__projects') }} as p on p.project_id = e.project_id
left join {{ ref('stg_harvest__users') }} as u on u.user_id = e.user_id
left join dated_cost as dc on dc.time_entry_id = e.time_entry_id
left join {{ ref('int_harvest__erp_invoice_links') }} as l on l.harvest_invoice_id = e.harvest_invoice_id
