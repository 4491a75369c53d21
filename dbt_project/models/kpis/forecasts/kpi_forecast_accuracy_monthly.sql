{#- Forecast accuracy by month (docs/metrics.md#forecasts-and-their-accuracy): one row per target month x
    kind x grain x horizon, summed over the keys of kpi_forecast_errors (never a mean of percentages):
      wape       = Σ|A - F| / Σ A            (NULL when Σ A = 0)
      accuracy   = 1 - |Σ A - Σ F| / Σ A     (the total's accuracy; per key in kpi_forecast_errors)
      bias       = Σ F - Σ A                 (signed: > 0 over-forecast), relative_bias = bias / Σ A
      conversion = Σ A / Σ F                 (backlog conversion: revenue from the opening backlog ÷ its
                                              scheduled conversion) -#}

select
    {{ composite_key(['target_month', 'kind', 'grain', 'horizon_months']) }} as forecast_accuracy_id,
    target_month as month_start_date,
    {{ throughline.month_end('target_month') }} as month_end_date,
    kind,
    grain,
    horizon_months,
    count(*) as key_count,
    sum(forecast_value) as forecast_total,
    sum(actual_value) as actual_total,
    sum(abs_error) as abs_error_total,
    {{ safe_ratio('sum(abs_error)', 'sum(actual_value)') }} as wape,
    1 - {{ safe_ratio('abs(sum(actual_value) - sum(forecast_value))', 'sum(actual_value)') }} as accuracy,
    sum(forecast_value) - sum(actual_value) as bias,
    {{ safe_ratio('sum(forecast_value) - sum(actual_value)', 'sum(actual_value)') }} as relative_bias,
    {{ safe_ratio('sum(actual_value)', 'sum(forecast_value)') }} as conversion_ratio,
    {{ kpi_definition_version('forecasts') }} as definition_version
from {{ ref('kpi_forecast_errors') }}
group by target_month, kind, grain, horizon_months
