-- Every anomaly signal raised tonight by the SQL detectors (models/anomalies/detectors/), with the
-- detector's title, severity and owner from its declaration, and its rank within the detector (1 = most
-- unusual): precision is measured on the top-k. A record a reconciliation check already names (same source
-- object and record key in marts.recon_breaks) is left to its break: the queue has it once.
{%- set detectors = [
        ref('anomaly_expense_outliers'),
        ref('anomaly_time_round_padding'),
        ref('anomaly_time_offday_novelty'),
        ref('anomaly_engagement_burn'),
        ref('anomaly_late_payment_drift'),
        ref('anomaly_margin_erosion'),
        ref('anomaly_eac_overrun'),
] %}

with found as (
    {% for detector in detectors %}
    select * from {{ detector }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    {{ dbt.hash("found.detector_id || '|' || found.record_key") }} as signal_id,
    found.detector_id,
    d.detector_title,
    d.severity,
    d.owner,
    found.source_system,
    found.source_object,
    found.record_key,
    found.related_keys,
    found.client_key,
    found.project_key,
    found.resource_key,
    found.legal_entity_key,
    found.currency_code,
    found.score,
    found.threshold,
    row_number() over (partition by found.detector_id order by found.score desc, found.record_key asc) as score_rank,
    found.amount_at_risk,
    found.amount_at_risk_reporting,
    found.event_date,
    found.detected_on,
    found.reason
from found
left join {{ ref('anomaly_detectors') }} as d on d.detector_id = found.detector_id
where not exists (
    select 1 from {{ ref('recon_breaks') }} as b
    where b.source_object = found.source_object and b.record_key = found.record_key
)
