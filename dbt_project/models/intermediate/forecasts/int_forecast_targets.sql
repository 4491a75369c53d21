{#- One row per snapshot date x horizon: the target month each horizon of each snapshot forecasts
    (horizon 1 = first_target_month). Spine shared by the forecast schedules. -#}

with horizons as (
    {%- for h in range(1, (var('forecast_max_horizon_months') | int) + 1) %}
    select {{ h }} as horizon_months{% if not loop.last %} union all{% endif %}
    {%- endfor %}
)

select
    s.snapshot_date,
    s.snapshot_type,
    s.rate_month,
    h.horizon_months,
    cast({{ dbt.dateadd('month', 'h.horizon_months - 1', 's.first_target_month') }} as date) as target_month,
    {{ throughline.month_end(dbt.dateadd('month', 'h.horizon_months - 1', 's.first_target_month')) }}
        as target_month_end
from {{ ref('int_forecast_snapshot_dates') }} as s
cross join horizons as h
