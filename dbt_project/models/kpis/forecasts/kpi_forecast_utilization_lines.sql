{#- Utilization forecast as frozen at each snapshot (docs/metrics.md#utilization-forecast): one row per
    snapshot x target month x resource employed in the target month (hire and termination dates).
    scheduled_hours = Σ hours of the resource's assignments scheduled before the snapshot (every project);
    capacity_hours  = weekly capacity / workdays per week x weekdays employed in the month that are not
                      public holidays of the resource's country (time off is not known in advance, so the
                      forecast capacity is the gross capacity less holidays). -#}
{{ config(
    materialized=throughline.incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='snapshot_date',
    on_schema_change='append_new_columns',
    post_hook="{{ throughline.forecast_lines_drop_past_nightly('int_forecast_targets') }}"
) }}

{%- set workdays = var('utilization_workdays_per_week') | int %}

with targets as (  -- tonight's snapshots only: the lines of the others are frozen (macros/kpis/forecast_lines.sql)
    select t.* from {{ ref('int_forecast_targets') }} as t
    where {{ throughline.forecast_snapshot_to_build('t') }}
),

resources as (
    select resource_key, psa_resource_id, legal_entity_key, country_code,
        coalesce(practice_id, '-1') as practice_id, hire_date, termination_date, weekly_capacity_hours
    from {{ ref('dim_resource') }}
    where not is_unknown and psa_resource_id is not null and weekly_capacity_hours is not null
),

days as (
    {{ throughline.day_series("(select min(target_month) from targets)", "(select max(target_month_end) from targets)") }}
),

holidays as (
    select distinct country_code, holiday_date
    from {{ throughline.psa_input('holidays') }}
),

capacity as (
    select
        r.psa_resource_id,
        cast({{ dbt.date_trunc('month', 'd.date_day') }} as date) as month_start,
        sum(cast(r.weekly_capacity_hours / {{ workdays }} as {{ throughline.amount_type() }})) as capacity_hours
    from resources as r
    inner join days as d
        on d.date_day >= coalesce(r.hire_date, d.date_day)
        and (r.termination_date is null or d.date_day <= r.termination_date)
    left join holidays as h on h.country_code = r.country_code and h.holiday_date = d.date_day
    where {{ throughline.iso_day_of_week('d.date_day') }} <= {{ workdays }} and h.holiday_date is null
    group by r.psa_resource_id, cast({{ dbt.date_trunc('month', 'd.date_day') }} as date)
),

scheduled as (
    select t.snapshot_date, t.target_month, a.psa_resource_id, sum(cast(a.scheduled_hours as {{ throughline.amount_type() }})) as scheduled_hours
    from targets as t
    inner join {{ ref('int_forecast_assignment_months') }} as a
        on a.month_start = t.target_month and a.modified_at < t.snapshot_date
    group by t.snapshot_date, t.target_month, a.psa_resource_id
)

select
    t.snapshot_date,
    t.horizon_months,
    t.target_month,
    r.resource_key,
    r.psa_resource_id,
    r.legal_entity_key,
    r.practice_id,
    cast(coalesce(s.scheduled_hours, 0) as {{ throughline.amount_type() }}) as scheduled_hours,
    cast(c.capacity_hours as {{ throughline.amount_type() }}) as capacity_hours,
    {{ kpi_definition_version('forecasts') }} as definition_version
from targets as t
inner join capacity as c on c.month_start = t.target_month
inner join resources as r on c.psa_resource_id = r.psa_resource_id
left join scheduled as s
    on s.snapshot_date = t.snapshot_date and s.target_month = t.target_month
    and s.psa_resource_id = r.psa_resource_id
where r.hire_date is null or r.hire_date < t.snapshot_date
