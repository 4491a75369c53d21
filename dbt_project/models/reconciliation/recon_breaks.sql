-- Every reconciliation break found tonight: the union of the check family models
-- (models/reconciliation/checks/), with each check's severity and owner from its declaration
-- (marts.recon_checks) and a stable break id (check_id + record_key) that marts.recon_break_history tracks
-- across nights. The controller's decision on the break (stg_controller__break_decisions) is joined on
-- check_id + record_key: a decision is in force from decided_on to expires_on (inclusive) against the night
-- the break is detected on; a waived break stays here and stops counting against its family's threshold.
{%- set families = [
        ref('recon_r1_won_deals_without_project'),
        ref('recon_r2_projects_without_won_deal'),
        ref('recon_r3_contract_value_mismatches'),
        ref('recon_r4_erp_customer_mapping'),
        ref('recon_r5_currency_entity_mismatches'),
        ref('recon_r6_date_conflicts'),
        ref('recon_b1_unbilled_time'),
        ref('recon_b2_billed_hours_mismatches'),
        ref('recon_b3_rate_mismatches'),
        ref('recon_b4_unbilled_expenses'),
        ref('recon_b5_fixed_fee_overbilling'),
        ref('recon_b6_milestone_billing'),
        ref('recon_b7_revenue_vs_gl'),
        ref('recon_b8_contract_balances_vs_gl'),
        ref('recon_e1_invoice_totals'),
        ref('recon_e2_credit_memos'),
        ref('recon_e3_payment_applications'),
        ref('recon_e4_ar_vs_gl'),
        ref('recon_e5_deferred_revenue_rollforward'),
        ref('recon_e6_unbalanced_journals'),
        ref('recon_i1_ic_missing_counterparts'),
        ref('recon_i2_ic_amount_mismatches'),
        ref('recon_i3_ic_period_mismatches'),
        ref('recon_i4_ic_counterparty_mismatches'),
        ref('recon_i5_ic_fx_mismatches'),
        ref('recon_fx_rate_gaps'),
        ref('recon_psa_hygiene'),
        ref('recon_client_master'),
] %}

{%- set _in_force = "decisions.decided_on <= found.detected_on and decisions.expires_on >= found.detected_on" %}

with found as (
    {% for family in families %}
    select * from {{ family }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    {{ dbt.hash("found.check_id || '|' || found.record_key") }} as break_id,
    found.check_id,
    checks.check_family,
    checks.check_title,
    checks.severity,
    checks.owner,
    found.source_system,
    found.source_object,
    found.record_key,
    found.related_keys,
    found.client_key,
    found.project_key,
    found.legal_entity_key,
    found.currency_code,
    found.expected_amount,
    found.actual_amount,
    found.difference_amount,
    found.amount_at_risk,
    found.amount_at_risk_reporting,
    found.event_date,
    found.detected_on,
    {{ dbt.datediff('found.event_date', 'found.detected_on', 'day') }} as age_days,
    checks.definition_version,
    coalesce(decisions.decision = 'acknowledge' and {{ _in_force }}, false) as is_acknowledged,
    coalesce(decisions.decision = 'waive' and {{ _in_force }}, false) as is_waived,
    decisions.decision,
    decisions.reason as waiver_reason,
    decisions.decided_by,
    decisions.decided_on,
    decisions.expires_on as waiver_expires_on
from found
left join {{ ref('recon_checks') }} as checks on checks.check_id = found.check_id
left join {{ ref('stg_controller__break_decisions') }} as decisions
    on decisions.check_id = found.check_id and decisions.record_key = found.record_key
