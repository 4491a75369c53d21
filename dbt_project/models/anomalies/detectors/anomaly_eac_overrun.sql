-- EAC_OVERRUN: a fixed-fee or milestone project whose estimate at completion (kpis.kpi_forecast_eac, the
-- latest snapshot: cost to date + remaining budgeted hours x budgeted cost rate) is above its contract
-- value (the PSA fee, dim_project.budget_amount, with approved change orders): a loss-making contract
-- before it is finished. Flagged when EAC / contract value >= 1 + anomaly_eac_min_overrun_pct. Score = that
-- ratio; money at risk = EAC - contract value, in the reporting currency at tonight's snapshot spot rate.
{%- set min_overrun = var('anomaly_eac_min_overrun_pct') %}

with latest as (
    select max(snapshot_date) as snapshot_date from {{ ref('kpi_forecast_eac') }}
),

eac as (
    select
        e.snapshot_date, e.project_key, e.client_key, e.legal_entity_key, e.contract_type,
        e.transaction_currency_code, e.cost_to_date_transaction, e.remaining_hours, e.eac_transaction,
        e.percent_complete, p.project_code, p.budget_amount as contract_value_transaction
    from {{ ref('kpi_forecast_eac') }} as e
    inner join latest as l on e.snapshot_date = l.snapshot_date
    inner join {{ ref('dim_project') }} as p on p.project_key = e.project_key
    where p.budget_amount > 0
),

scored as (
    select
        e.*,
        e.eac_transaction / e.contract_value_transaction as overrun_ratio,
        e.eac_transaction - e.contract_value_transaction as overrun_transaction,
        (e.eac_transaction - e.contract_value_transaction)
            * {{ throughline.fx_rate_to_reporting('fx_r', 'e.transaction_currency_code') }} as overrun_reporting
    from eac as e
    {{ throughline.join_spot_rate_to_reporting('fx_r', 'e.transaction_currency_code', 'e.snapshot_date') }}
)

select
    {{ throughline.anomaly_columns(
        detector_id="'EAC_OVERRUN'", source_system="'psa'", source_object="'projects'",
        record_key=throughline.recon_json([('project_id', 's.project_key', 'number')]),
        related_keys=throughline.recon_json([('project_code', 's.project_code', 'string'), ('snapshot_date', 's.snapshot_date', 'string'), ('eac', 's.eac_transaction', 'number'), ('contract_value', 's.contract_value_transaction', 'number'), ('cost_to_date', 's.cost_to_date_transaction', 'number'), ('remaining_hours', 's.remaining_hours', 'number')]),
        score='s.overrun_ratio', threshold=1 + min_overrun, client_key='s.client_key', project_key='s.project_key',
        legal_entity_key='s.legal_entity_key', currency_code='s.transaction_currency_code',
        amount_at_risk='s.overrun_transaction', amount_at_risk_reporting='s.overrun_reporting',
        event_date='s.snapshot_date',
        reason="s.contract_type || ' project: estimate at completion ' || " ~ throughline.anomaly_num('s.eac_transaction', 0) ~ " || ' ' || s.transaction_currency_code || ' (cost to date ' || " ~ throughline.anomaly_num('s.cost_to_date_transaction', 0) ~ " || ' + ' || " ~ throughline.anomaly_num('s.remaining_hours', 0) ~ " || ' h to go at the budgeted rate) is ' || " ~ throughline.anomaly_num('100 * (s.overrun_ratio - 1)') ~ " || ' % above the contract value of ' || " ~ throughline.anomaly_num('s.contract_value_transaction', 0)) }}
from scored as s
where s.overrun_ratio >= {{ 1 + min_overrun }}
