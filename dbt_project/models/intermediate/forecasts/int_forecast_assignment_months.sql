{#- The plan of each PSA assignment by month: planned days (weekdays of the assignment span that are not
    public holidays of the resource's country), scheduled hours (hours_per_week / workdays per week x
    planned days) and the bill rate (the assignment's rate, else the role's rate card in the project
    currency valid on the first planned day). Known to a snapshot when the assignment was last modified
    before it (modified_at), so a snapshot never sees a schedule made after it. -#}
{%- set workdays = var('utilization_workdays_per_week') | int %}

with assignments as (
    select
        a.assignment_id,
        a.project_id as project_key,
        a.resource_id as psa_resource_id,
        a.role_id,
        a.start_date,
        a.end_date,
        a.hours_per_week,
        a.bill_rate,
        a.modified_at,
        r.country_code,
        p.currency_code as transaction_currency_code
    from {{ throughline.psa_input('assignments') }} as a
    left join {{ throughline.psa_input('resources') }} as r on a.resource_id = r.resource_id
    left join {{ throughline.psa_input('projects') }} as p on a.project_id = p.project_id
    where a.start_date is not null and a.end_date is not null and a.end_date >= a.start_date
),

days as (
    {{ throughline.day_series("(select min(start_date) from assignments)", "(select max(end_date) from assignments)") }}
),

holidays as (
    select distinct country_code, holiday_date
    from {{ throughline.psa_input('holidays') }}
),

planned_days as (
    select
        a.assignment_id,
        cast({{ dbt.date_trunc('month', 'd.date_day') }} as date) as month_start,
        count(*) as planned_days,
        min(d.date_day) as first_planned_day
    from assignments as a
    inner join days as d on d.date_day between a.start_date and a.end_date
    left join holidays as h on h.country_code = a.country_code and h.holiday_date = d.date_day
    where {{ throughline.iso_day_of_week('d.date_day') }} <= {{ workdays }}
        and h.holiday_date is null
    group by a.assignment_id, cast({{ dbt.date_trunc('month', 'd.date_day') }} as date)
)

select
    a.assignment_id,
    a.project_key,
    a.psa_resource_id,
    a.role_id,
    a.modified_at,
    pd.month_start,
    pd.planned_days,
    cast(a.hours_per_week / {{ workdays }} * pd.planned_days as {{ throughline.ratio_type() }}) as scheduled_hours,
    a.transaction_currency_code,
    coalesce(a.bill_rate, rc.bill_rate) as bill_rate
from assignments as a
inner join planned_days as pd on a.assignment_id = pd.assignment_id
left join {{ ref('int_rate_cards_dated') }} as rc
    on rc.role_id = a.role_id
    and rc.currency_code = a.transaction_currency_code
    and pd.first_planned_day between rc.valid_from and coalesce(rc.valid_to, cast('9999-12-31' as date))
