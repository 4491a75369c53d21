{#- One row per month x legal entity (the resources' employing entity) plus one consolidated row per month
    (legal_entity_key 'GROUP', is_consolidated): the firm-level utilization roll-up of
    kpi_utilization_monthly, summing hours and capacity of the rows in firm totals (is_in_firm_totals: var
    utilization_include_contractors) and recomputing every ratio as sum / sum, never a mean of the
    resources' ratios. Hours carry no currency and there is nothing intercompany to eliminate, so the group
    row is the plain sum of the entity rows. -#}

with resource_months as (
    select * from {{ ref('kpi_utilization_monthly') }}
    where is_in_firm_totals
),

by_entity as (
    select
        month_start_date,
        month_end_date,
        legal_entity_key,
        false as is_consolidated,
        max(case when is_partial_month then 1 else 0 end) = 1 as is_partial_month,
        count(*) as resource_count,
        sum(case when is_contractor then 1 else 0 end) as contractor_count,
        sum(case when is_capacity_missing then 1 else 0 end) as capacity_missing_count,
        sum(gross_capacity_hours) as gross_capacity_hours,
        sum(holiday_hours) as holiday_hours,
        sum(time_off_hours) as time_off_hours,
        sum(capacity_hours) as capacity_hours,
        sum(billable_hours) as billable_hours,
        sum(productive_hours) as productive_hours,
        sum(total_hours) as total_hours,
        sum(target_billable_hours) as target_billable_hours
    from resource_months
    group by month_start_date, month_end_date, legal_entity_key
),

consolidated as (
    select
        month_start_date,
        month_end_date,
        'GROUP' as legal_entity_key,
        true as is_consolidated,
        max(case when is_partial_month then 1 else 0 end) = 1 as is_partial_month,
        sum(resource_count) as resource_count,
        sum(contractor_count) as contractor_count,
        sum(capacity_missing_count) as capacity_missing_count,
        sum(gross_capacity_hours) as gross_capacity_hours,
        sum(holiday_hours) as holiday_hours,
        sum(time_off_hours) as time_off_hours,
        sum(capacity_hours) as capacity_hours,
        sum(billable_hours) as billable_hours,
        sum(productive_hours) as productive_hours,
        sum(total_hours) as total_hours,
        sum(target_billable_hours) as target_billable_hours
    from by_entity
    group by month_start_date, month_end_date
),

unioned as (
    select * from by_entity
    union all
    select * from consolidated
)

select
    month_start_date,
    month_end_date,
    legal_entity_key,
    is_consolidated,
    cast(resource_count as integer) as resource_count,
    cast(contractor_count as integer) as contractor_count,
    cast(capacity_missing_count as integer) as capacity_missing_count,
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
    cast(target_billable_hours as decimal(38, 4)) as target_billable_hours,
    {{ safe_ratio('target_billable_hours', 'capacity_hours') }} as target_utilization,
    {{ safe_ratio('billable_hours', 'target_billable_hours') }} as target_attainment,
    is_partial_month,
    {{ kpi_definition_version('utilization') }} as definition_version
from unioned
