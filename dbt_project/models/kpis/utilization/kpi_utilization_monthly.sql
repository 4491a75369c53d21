{#- One row per month x PSA resource with capacity or counted time in the month (docs/metrics.md,
    Utilization; definition version var kpi_definition_versions.utilization). Months run from the first
    month with time or capacity to the month of the as-of date (var kpi_as_of_date, else the latest approved
    time-entry date); that month is partial: capacity and hours count only up to the as-of date.
      capacity_hours = gross working-calendar hours - public holidays - deducted time off, prorated for
                       employment dates (int_resource_days_calendared);
      billable_hours = counted hours flagged billable; productive_hours = counted hours that are billable
                       or of a work type in utilization_productive_work_types; total_hours = all counted
                       hours (counted = approved, var utilization_approved_only);
      *_utilization  = hours / capacity_hours (NULL when capacity is 0);
      target         = the effective-dated target in force on the month's last reported day
                       (int_resource_capacity_versions_dated; the current PSA target if no version is known);
      target_billable_hours = target x capacity_hours; target_attainment = billable / target billable hours.
    Numerators and denominators sit beside every ratio: roll up as sum / sum, never a mean of ratios. -#}

{%- set as_of = utilization_as_of_date(ref('fct_time_entries'), 'is_approved') %}

with as_of as (
    select {{ as_of }} as as_of_date
),

capacity as (
    select
        psa_resource_id,
        month_start_date,
        sum(case when is_working_day then 1 else 0 end) as employed_working_days,
        sum(gross_capacity_hours) as gross_capacity_hours,
        sum(holiday_hours) as holiday_hours,
        sum(time_off_hours) as time_off_hours,
        sum(net_capacity_hours) as capacity_hours
    from {{ ref('int_resource_days_calendared') }}
    where calendar_date <= (select as_of_date from as_of)
    group by psa_resource_id, month_start_date
),

-- Counted time summed per month (fct_time_entries_monthly). By default the as-of date is the latest approved
-- day and only approved time counts, so the as-of month is whole in the monthly sum; otherwise that month
-- comes from the fact, up to the as-of day.
time_months as (
    {{ throughline.time_entry_months_through('(select as_of_date from as_of)', rated=false,
        whole_as_of_month=not var('kpi_as_of_date', none) and var('utilization_approved_only')) }}
),

hours as (
    select
        coalesce(psa_resource_id, '-1') as psa_resource_id,
        month_start_date,
        sum(case when is_billable then hours else 0 end) as billable_hours,
        sum(
            case
                when is_billable or work_type in {{ string_list(var('utilization_productive_work_types')) }}
                    then hours
                else 0
            end
        ) as productive_hours,
        sum(hours) as total_hours
    from time_months
    where time_entry_status in {{ utilization_counted_time_statuses() }}
    group by coalesce(psa_resource_id, '-1'), month_start_date
),

resource_months as (
    select psa_resource_id, month_start_date from capacity
    union
    select psa_resource_id, month_start_date from hours
),

resources as (
    select
        psa_resource_id,
        resource_key,
        legal_entity_key,
        service_line_key,
        practice_id,
        practice_name,
        role_id,
        employment_type,
        employment_type = 'contractor' or coalesce(is_contractor_psa_only, false) as is_contractor,
        utilization_target
    from {{ ref('dim_resource') }}
    where psa_resource_id is not null
),

targets as (
    select psa_resource_id, effective_from_date, effective_to_date, utilization_target
    from {{ ref('int_resource_capacity_versions_dated') }}
),

months as (
    select
        rm.psa_resource_id,
        rm.month_start_date,
        {{ throughline.month_end('rm.month_start_date') }} as month_end_date,
        a.as_of_date
    from resource_months as rm
    cross join as_of as a
),

joined as (
    select
        m.month_start_date,
        m.month_end_date,
        m.as_of_date,
        case when m.month_end_date < m.as_of_date then m.month_end_date else m.as_of_date end
            as target_reference_date,
        coalesce(r.resource_key, '-1') as resource_key,
        m.psa_resource_id,
        coalesce(r.legal_entity_key, '-1') as legal_entity_key,
        coalesce(r.service_line_key, '-1') as service_line_key,
        r.practice_id,
        r.practice_name,
        r.role_id,
        r.employment_type,
        coalesce(r.is_contractor, false) as is_contractor,
        r.utilization_target as current_utilization_target,
        coalesce(c.employed_working_days, 0) as employed_working_days,
        coalesce(c.gross_capacity_hours, 0) as gross_capacity_hours,
        coalesce(c.holiday_hours, 0) as holiday_hours,
        coalesce(c.time_off_hours, 0) as time_off_hours,
        coalesce(c.capacity_hours, 0) as capacity_hours,
        coalesce(h.billable_hours, 0) as billable_hours,
        coalesce(h.productive_hours, 0) as productive_hours,
        coalesce(h.total_hours, 0) as total_hours
    from months as m
    left join capacity as c
        on c.psa_resource_id = m.psa_resource_id and c.month_start_date = m.month_start_date
    left join hours as h
        on h.psa_resource_id = m.psa_resource_id and h.month_start_date = m.month_start_date
    left join resources as r
        on r.psa_resource_id = m.psa_resource_id
),

with_target as (
    select
        j.*,
        coalesce(t.utilization_target, j.current_utilization_target) as target_utilization
    from joined as j
    left join targets as t
        on t.psa_resource_id = j.psa_resource_id
        and (t.effective_from_date is null or j.target_reference_date >= t.effective_from_date)
        and (t.effective_to_date is null or j.target_reference_date <= t.effective_to_date)
),

final as (
    select
        *,
        cast(target_utilization * capacity_hours as decimal(38, 4)) as target_billable_hours
    from with_target
)

select
    month_start_date,
    month_end_date,
    resource_key,
    psa_resource_id,
    legal_entity_key,
    service_line_key,
    practice_id,
    practice_name,
    role_id,
    employment_type,
    is_contractor,
    {% if var('utilization_include_contractors') -%}
    true
    {%- else -%}
    not is_contractor
    {%- endif %} as is_in_firm_totals,
    cast(employed_working_days as integer) as employed_working_days,
    cast(gross_capacity_hours as decimal(38, 4)) as gross_capacity_hours,
    cast(holiday_hours as decimal(38, 4)) as holiday_hours,
    cast(time_off_hours as decimal(38, 4)) as time_off_hours,
    cast(capacity_hours as decimal(38, 4)) as capacity_hours,
    cast(billable_hours as decimal(38, 4)) as billable_hours,
    cast(productive_hours as decimal(38, 4)) as productive_hours,
    cast(total_hours as decimal(38, 4)) as total_hours,
    {{ safe_ratio('billable_hours', 'capacity_hours') }} as billable_utilization,
    {{ safe_ratio('productive_hours', 'capacity_hours') }} as productive_utilization,
    {{ safe_ratio('total_hours', 'capacity_hours') }} as total_utilization,
    target_utilization,
    target_billable_hours,
    {{ safe_ratio('billable_hours', 'target_billable_hours') }} as target_attainment,
    employed_working_days > 0 and gross_capacity_hours = 0 as is_capacity_missing,
    month_end_date > as_of_date as is_partial_month,
    as_of_date,
    {{ kpi_definition_version('utilization') }} as definition_version
from final
