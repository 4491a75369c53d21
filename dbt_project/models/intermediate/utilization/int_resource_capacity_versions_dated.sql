{#- One row per PSA resource x version of its capacity settings (weekly_capacity_hours, utilization_target),
    with the dates each version is in force. The PSA overwrites these fields; their history is the snapshot
    snap_psa__resource_capacity (one version per nightly run that saw a change). Rule (docs/metrics.md,
    Utilization): a version is in force from the day it was first seen (the date of the snapshot's
    dbt_valid_from) until the day before the next version was first seen; before the first known version
    the earliest known version applies (effective_from_date NULL = since always). Several versions first
    seen on one day collapse to the last of them. -#}

with snapshot_versions as (
    select
        resource_id as psa_resource_id,
        weekly_capacity_hours,
        utilization_target,
        dbt_valid_from,
        cast(dbt_valid_from as date) as first_seen_date
    from {{ ref('snap_psa__resource_capacity') }}
),

last_per_day as (
    select
        *,
        row_number() over (
            partition by psa_resource_id, first_seen_date order by dbt_valid_from desc
        ) as rank_in_day
    from snapshot_versions
),

ordered as (
    select
        psa_resource_id,
        weekly_capacity_hours,
        utilization_target,
        first_seen_date,
        row_number() over (partition by psa_resource_id order by first_seen_date) as version_number,
        lead(first_seen_date) over (partition by psa_resource_id order by first_seen_date) as next_first_seen_date
    from last_per_day
    where rank_in_day = 1
)

select
    psa_resource_id,
    cast(version_number as integer) as version_number,
    first_seen_date,
    case when version_number > 1 then first_seen_date end as effective_from_date,
    cast({{ dbt.dateadd('day', -1, 'next_first_seen_date') }} as date) as effective_to_date,
    weekly_capacity_hours,
    utilization_target,
    next_first_seen_date is null as is_current_version
from ordered
