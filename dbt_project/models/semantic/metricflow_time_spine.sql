{#- MetricFlow's time spine: one row per calendar day over the same span as dim_date (vars date_spine_start
    and date_spine_end). MetricFlow joins metrics to it for metric_time, cumulative metrics and gap filling;
    built from the dispatched day series, so it needs no source data and never fails on a bad night. -#}
with days as (
    {{ throughline.day_series("'" ~ var('date_spine_start') ~ "'", "'" ~ var('date_spine_end') ~ "'") }}
)

select cast(date_day as date) as date_day
from days
