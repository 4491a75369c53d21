{#- The PSA's own time totals per project and report period beside the sum of its detailed time entries over
    the same days, for check PSA_REPORT_HOURS_MISMATCH. Harvest exports both (reports/time/projects and
    time_entries); the PSA export has no report, so this is empty for it. Detail counts every entry on the
    project (time-off tasks included), as Harvest's report does. -#}
{%- if throughline.source_system('psa') == 'harvest' %}

with detail as (
    select
        r.project_id,
        r.period_start,
        r.period_end,
        sum(t.hours) as detail_hours,
        sum(case when t.is_billable then t.hours else 0 end) as detail_billable_hours,
        sum(case when t.is_billable then t.hours * coalesce(t.bill_rate, 0) else 0 end) as detail_billable_amount,
        count(t.time_entry_id) as detail_entries
    from {{ ref('stg_harvest__time_projects') }} as r
    left join {{ ref('stg_harvest__time_entries') }} as t
        on t.project_id = r.project_id and t.spent_date >= r.period_start and t.spent_date <= r.period_end
    group by r.project_id, r.period_start, r.period_end
)

select
    r.project_id,
    r.period_start,
    r.period_end,
    r.currency_code,
    r.total_hours as reported_hours,
    r.billable_hours as reported_billable_hours,
    r.billable_amount as reported_billable_amount,
    coalesce(d.detail_hours, 0) as detail_hours,
    coalesce(d.detail_billable_hours, 0) as detail_billable_hours,
    coalesce(d.detail_billable_amount, 0) as detail_billable_amount,
    coalesce(d.detail_entries, 0) as detail_entries,
    'harvest' as source_system,
    'time_projects' as source_object
from {{ ref('stg_harvest__time_projects') }} as r
left join detail as d
    on d.project_id = r.project_id and d.period_start = r.period_start and d.period_end = r.period_end

{%- else %}

select
    cast(null as {{ dbt.type_string() }}) as project_id,
    cast(null as date) as period_start,
    cast(null as date) as period_end,
    cast(null as {{ dbt.type_string() }}) as currency_code,
    cast(null as decimal(12, 2)) as reported_hours,
    cast(null as decimal(12, 2)) as reported_billable_hours,
    cast(null as decimal(18, 2)) as reported_billable_amount,
    cast(null as decimal(12, 2)) as detail_hours,
    cast(null as decimal(12, 2)) as detail_billable_hours,
    cast(null as decimal(18, 2)) as detail_billable_amount,
    cast(null as {{ dbt.type_bigint() }}) as detail_entries,
    cast(null as {{ dbt.type_string() }}) as source_system,
    cast(null as {{ dbt.type_string() }}) as source_object
where 1 = 0

{%- endif %}
