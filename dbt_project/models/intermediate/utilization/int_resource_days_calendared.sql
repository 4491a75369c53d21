{{ config(
    materialized=throughline.incremental_materialization(),
    unique_key=['psa_resource_id', 'calendar_date'],
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    pre_hook="{{ throughline.resource_calendar_reset() }}"
) }}
{#- One row per PSA resource x calendar day of its employment (hire_date .. termination_date, both
    inclusive) within the data span: from the first day of the month of the earliest PSA time entry to the
    utilization as-of date (var kpi_as_of_date, else the latest approved time-entry date). Days outside
    employment have no row, so capacity is prorated for joiners and leavers by construction.
    Capacity of a day (docs/metrics.md, Utilization):
      gross    = weekly_capacity_hours in force that day / utilization_workdays_per_week on working days
                 (ISO weekday <= utilization_workdays_per_week, i.e. Mon-Fri), else 0: the person's own
                 work week, so part-timers are right; a missing weekly capacity counts as 0;
      holiday  = the whole gross capacity when the day is a public holiday of the resource's country;
      time off = time off with a status in utilization_deducted_time_off_statuses, capped at the capacity
                 left after the holiday (so 0 on holidays and weekends, never more than the day);
      net      = gross - holiday - time off (the utilization denominator).
    Built incrementally by resource (macros/resource_calendar.sql): a night recomputes the resources whose PSA
    record or time off changed and adds the span's new days for the others; the span, the parameters and the
    newest load seen are kept on every row to decide it. -#}

{%- set workdays = var('utilization_workdays_per_week') %}
{%- set plan = throughline.resource_calendar_plan() %}

with span as (
    {{ throughline.resource_calendar_span() }}
),

days as (
    {{ throughline.day_series('(select span_start_date from span)', '(select span_end_date from span)') }}
),

resources as (
    select resource_id, legal_entity_code, country_code, hire_date, termination_date, weekly_capacity_hours
    from {{ throughline.psa_input('resources') }}
),
{%- if plan is not none %}

changed_resources as (
    {{ throughline.resource_calendar_changed_resources(plan) }}
),
{%- endif %}

capacity_versions as (
    select psa_resource_id, effective_from_date, effective_to_date, weekly_capacity_hours
    from {{ ref('int_resource_capacity_versions_dated') }}
),

holidays as (
    select distinct country_code, holiday_date
    from {{ throughline.psa_input('holidays') }}
),

time_off as (
    select resource_id, off_date, sum(hours) as recorded_time_off_hours
    from {{ throughline.psa_input('time_off') }}
    where time_off_status in {{ string_list(var('utilization_deducted_time_off_statuses')) }}
    group by resource_id, off_date
),

{%- set employed_day_columns %}
        r.resource_id as psa_resource_id,
        d.date_day as calendar_date,
        r.legal_entity_code,
        r.country_code,
        r.weekly_capacity_hours as current_weekly_capacity_hours,
        {{ throughline.iso_day_of_week('d.date_day') }} <= {{ workdays }} as is_working_day
{%- endset %}
{%- set employed %}
        on d.date_day >= coalesce(r.hire_date, d.date_day)
        and (r.termination_date is null or d.date_day <= r.termination_date)
{%- endset %}

employed_days as (
    select {{ employed_day_columns }}
    from resources as r
    inner join days as d {{ employed }}
    {%- if plan is not none %}
    where r.resource_id in (select c.resource_id from changed_resources as c)

    union all

    -- the span's new days for the resources that did not change
    select {{ employed_day_columns }}
    from resources as r
    inner join days as d {{ employed }}
    where d.date_day > cast('{{ plan.through }}' as date)
        and r.resource_id not in (select c.resource_id from changed_resources as c)
    {%- endif %}
),

with_capacity as (
    select
        e.*,
        coalesce(v.weekly_capacity_hours, e.current_weekly_capacity_hours) as weekly_capacity_hours,
        h.holiday_date is not null as is_public_holiday,
        coalesce(t.recorded_time_off_hours, 0) as recorded_time_off_hours
    from employed_days as e
    left join capacity_versions as v
        on v.psa_resource_id = e.psa_resource_id
        and (v.effective_from_date is null or e.calendar_date >= v.effective_from_date)
        and (v.effective_to_date is null or e.calendar_date <= v.effective_to_date)
    left join holidays as h
        on h.country_code = e.country_code and h.holiday_date = e.calendar_date
    left join time_off as t
        on t.resource_id = e.psa_resource_id and t.off_date = e.calendar_date
),

gross as (
    select
        *,
        cast(
            case when is_working_day then coalesce(weekly_capacity_hours, 0) / {{ workdays }} else 0 end
            as decimal(18, 4)
        ) as gross_capacity_hours
    from with_capacity
),

deducted as (
    select
        *,
        case when is_working_day and is_public_holiday then gross_capacity_hours else 0 end as holiday_hours
    from gross
),

capped as (
    select
        *,
        case
            when recorded_time_off_hours <= 0 then 0
            when recorded_time_off_hours < gross_capacity_hours - holiday_hours then recorded_time_off_hours
            else gross_capacity_hours - holiday_hours
        end as time_off_hours
    from deducted
)

select
    psa_resource_id,
    calendar_date,
    cast({{ dbt.date_trunc('month', 'calendar_date') }} as date) as month_start_date,
    legal_entity_code,
    country_code,
    is_working_day,
    is_public_holiday,
    cast(weekly_capacity_hours as decimal(18, 4)) as weekly_capacity_hours,
    gross_capacity_hours,
    cast(holiday_hours as decimal(18, 4)) as holiday_hours,
    cast(recorded_time_off_hours as decimal(18, 4)) as recorded_time_off_hours,
    cast(time_off_hours as decimal(18, 4)) as time_off_hours,
    cast(gross_capacity_hours - holiday_hours - time_off_hours as decimal(18, 4)) as net_capacity_hours,
    (select span_start_date from span) as span_start_date,
    (select span_end_date from span) as span_end_date,
    (select max(loaded_through) from (
        select max(_loaded_at) as loaded_through from {{ throughline.psa_input('resources') }}
        union all
        select max(_loaded_at) as loaded_through from {{ throughline.psa_input('time_off') }}
        union all
        select max(_loaded_at) as loaded_through from {{ throughline.psa_input('holidays') }}
    ) as inputs) as inputs_loaded_through,
    '{{ throughline.resource_calendar_parameters() }}' as calendar_parameters,
    {{ throughline.build_stamp() }} as _built_at
from capped
