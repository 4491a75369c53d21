-- Tonight's reconciliation breaks summed for the report and the morning review: by check, owner, severity
-- and age band, with open (not waived) and waived breaks and the money at risk in the reporting currency.
-- Age is the break's own age (event_date to detected_on); a break without an event date is 'undated'.
-- The band edges are the var recon_age_band_edges (default 30, 60, 90 days: 0-30, 31-60, 61-90, 90+).
{%- set edges = var('recon_age_band_edges') | list %}

with breaks as (
    select
        *,
        case
            when age_days is null then 'undated'
            {%- for edge in edges %}
            when age_days <= {{ edge }} then '{{ 0 if loop.first else edges[loop.index0 - 1] + 1 }}-{{ edge }}'
            {%- endfor %}
            else '{{ edges[-1] }}+'
        end as age_band,
        case
            when age_days is null then {{ edges | length + 1 }}
            {%- for edge in edges %}
            when age_days <= {{ edge }} then {{ loop.index0 }}
            {%- endfor %}
            else {{ edges | length }}
        end as age_band_order
    from {{ ref('recon_breaks') }}
)

select
    check_id,
    check_family,
    check_title,
    owner,
    severity,
    age_band,
    age_band_order,
    max(detected_on) as detected_on,
    cast(count(*) as {{ dbt.type_bigint() }}) as total_breaks,
    cast(sum(case when is_waived then 0 else 1 end) as {{ dbt.type_bigint() }}) as open_breaks,
    cast(sum(case when is_waived then 1 else 0 end) as {{ dbt.type_bigint() }}) as waived_breaks,
    cast(sum(case when is_acknowledged then 1 else 0 end) as {{ dbt.type_bigint() }}) as acknowledged_breaks,
    cast(coalesce(sum(case when is_waived then 0 else amount_at_risk_reporting end), 0)
        as {{ throughline.amount_type() }}) as amount_at_risk_reporting,
    cast(coalesce(sum(case when is_waived then amount_at_risk_reporting else 0 end), 0)
        as {{ throughline.amount_type() }}) as waived_amount_reporting,
    cast(sum(case when not is_waived and amount_at_risk_reporting is null and amount_at_risk is not null
        then 1 else 0 end) as {{ dbt.type_bigint() }}) as open_breaks_unpriced
from breaks
group by check_id, check_family, check_title, owner, severity, age_band, age_band_order
