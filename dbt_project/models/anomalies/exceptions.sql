-- One exception queue: tonight's reconciliation breaks (marts.recon_breaks, source_kind 'check') and
-- anomaly signals (marts.anomaly_signals, source_kind 'detector') with their lifecycle status (from
-- recon_break_history / anomaly_signal_history) and the controller's decision, joined on source_id +
-- record_key exactly like a break's (a waiver on a signal uses the detector id as check_id). The
-- cash-risk asset (orchestration/assets/anomalies.py) appends its signals (source_id CASH_LATE_RISK) after
-- dbt has built this table, with the same columns and decision rules.
{%- set _in_force = "decisions.decided_on <= s.detected_on and decisions.expires_on >= s.detected_on" %}

with breaks as (
    select
        b.break_id as exception_id, 'check' as source_kind, b.check_id as source_id,
        b.check_title as source_title, b.severity, b.owner, b.source_system, b.source_object, b.record_key,
        b.related_keys, b.client_key, b.project_key, cast(null as {{ dbt.type_string() }}) as resource_key,
        b.legal_entity_key, b.currency_code, cast(null as {{ throughline.rate_type() }}) as score,
        b.amount_at_risk, b.amount_at_risk_reporting, b.event_date, b.detected_on,
        b.check_title as reason, h.status, h.first_seen_on
    from {{ ref('recon_breaks') }} as b
    left join {{ ref('recon_break_history') }} as h on h.break_id = b.break_id
),

signals as (
    select
        s.signal_id as exception_id, 'detector' as source_kind, s.detector_id as source_id,
        s.detector_title as source_title, s.severity, s.owner, s.source_system, s.source_object,
        s.record_key, s.related_keys, s.client_key, s.project_key, s.resource_key, s.legal_entity_key,
        s.currency_code, s.score, s.amount_at_risk, s.amount_at_risk_reporting, s.event_date,
        s.detected_on, s.reason, h.status, h.first_seen_on
    from {{ ref('anomaly_signals') }} as s
    left join {{ ref('anomaly_signal_history') }} as h on h.signal_id = s.signal_id
),

queue as (
    select * from breaks
    union all
    select * from signals
)

select
    s.exception_id,
    s.source_kind,
    s.source_id,
    s.source_title,
    s.severity,
    s.owner,
    s.source_system,
    s.source_object,
    s.record_key,
    s.related_keys,
    s.client_key,
    s.project_key,
    s.resource_key,
    s.legal_entity_key,
    s.currency_code,
    s.score,
    s.amount_at_risk,
    s.amount_at_risk_reporting,
    s.event_date,
    s.detected_on,
    {{ dbt.datediff('s.event_date', 's.detected_on', 'day') }} as age_days,
    s.reason,
    s.status,
    s.first_seen_on,
    coalesce(decisions.decision = 'acknowledge' and {{ _in_force }}, false) as is_acknowledged,
    coalesce(decisions.decision = 'waive' and {{ _in_force }}, false) as is_waived,
    decisions.decision,
    decisions.reason as waiver_reason,
    decisions.decided_by,
    decisions.decided_on,
    decisions.expires_on as waiver_expires_on
from queue as s
left join {{ ref('stg_controller__break_decisions') }} as decisions
    on decisions.check_id = s.source_id and decisions.record_key = s.record_key
