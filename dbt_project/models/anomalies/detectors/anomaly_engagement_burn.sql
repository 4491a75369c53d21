-- FF_BURN_AHEAD: a fixed-fee or milestone project whose recent burn runs well ahead of its own pace.
-- Flagged when the hours per person-day on the project over the last anomaly_burn_recent_days are at least
-- anomaly_burn_rate_ratio times the earlier ones (at least anomaly_burn_min_prior_days of earlier history):
-- the same people spend longer on the same fixed fee, which staffing changes do not explain. The projected
-- hours at completion (hours to date + recent hours per calendar day x days left) against budget_hours are
-- in related_keys and the reason, for the reviewer: revenue is recognised cost-to-cost and capped at the
-- contract value, so burn above the plan is margin lost.
{%- set recent = var('anomaly_burn_recent_days') %}
{%- set ratio_min = var('anomaly_burn_rate_ratio') %}
{%- set min_prior = var('anomaly_burn_min_prior_days') %}

with tonight as (
    select {{ throughline.recon_detected_on('psa') }} as night
),

projects as (
    select
        p.project_key, p.project_code, p.client_key, p.legal_entity_key, p.currency_code, p.billing_type,
        p.budget_hours, p.budget_amount, p.budget_cost, p.start_date, p.end_date, t.night,
        {{ dbt.datediff('p.start_date', 't.night', 'day') }} as days_elapsed,
        {{ dbt.datediff('t.night', 'p.end_date', 'day') }} as days_left
    from {{ ref('dim_project') }} as p
    cross join tonight as t
    where p.billing_type in ('fixed_fee', 'milestone') and p.budget_hours > 0
        and p.start_date <= {{ dbt.dateadd('day', -(recent + min_prior), 't.night') }}
        and p.end_date >= t.night
),

hours as (
    select
        p.project_key,
        sum(te.hours) as hours_itd,
        sum(case when te.spent_date > {{ dbt.dateadd('day', -recent, 'p.night') }} then te.hours else 0 end)
            as hours_recent,
        sum(case when te.spent_date > {{ dbt.dateadd('day', -recent, 'p.night') }} then te.cost_amount_reporting else 0 end)
            as cost_recent_reporting,
        count(distinct case when te.spent_date > {{ dbt.dateadd('day', -recent, 'p.night') }}
            then te.psa_resource_id || '|' || cast(te.spent_date as {{ dbt.type_string() }}) end) as person_days_recent,
        count(distinct case when te.spent_date <= {{ dbt.dateadd('day', -recent, 'p.night') }}
            then te.psa_resource_id || '|' || cast(te.spent_date as {{ dbt.type_string() }}) end) as person_days_prior,
        max(te.spent_date) as last_spent_date
    from projects as p
    inner join {{ ref('fct_time_entries') }} as te on te.project_key = p.project_key
    where te.hours > 0 and te.spent_date <= p.night
    group by p.project_key
),

paced as (
    select
        p.*, h.hours_itd, h.hours_recent, h.cost_recent_reporting, h.last_spent_date,
        {{ throughline.divide('h.hours_recent', recent) }} as recent_pace,
        {{ throughline.divide('h.hours_recent', 'nullif(h.person_days_recent, 0)') }} as recent_intensity,
        {{ throughline.divide('h.hours_itd - h.hours_recent', 'nullif(h.person_days_prior, 0)') }} as prior_intensity
    from projects as p
    inner join hours as h on h.project_key = p.project_key
),

scored as (
    select
        *,
        {{ throughline.divide('recent_intensity', 'prior_intensity') }} as pace_ratio,
        hours_itd + recent_pace * days_left as projected_hours
    from paced
    where prior_intensity > 0 and recent_intensity > 0
)

select
    {{ throughline.anomaly_columns(
        detector_id="'FF_BURN_AHEAD'", source_system="'psa'", source_object="'projects'",
        record_key=throughline.recon_json([('project_id', 's.project_key', 'number')]),
        related_keys=throughline.recon_json([('project_code', 's.project_code', 'string'), ('budget_hours', 's.budget_hours', 'number'), ('hours_to_date', 's.hours_itd', 'number'), ('projected_hours', throughline.round_double('s.projected_hours', 1), 'number')]),
        score='s.pace_ratio', threshold=ratio_min, client_key='s.client_key', project_key='s.project_key',
        legal_entity_key='s.legal_entity_key', currency_code="'" ~ var('reporting_currency') ~ "'",
        amount_at_risk='s.cost_recent_reporting * (1 - 1 / s.pace_ratio)',
        amount_at_risk_reporting='s.cost_recent_reporting * (1 - 1 / s.pace_ratio)',
        event_date='s.last_spent_date',
        reason="s.billing_type || ' project: ' || " ~ throughline.anomaly_num('s.pace_ratio') ~ " || 'x the earlier hours per person-day over the last " ~ recent ~ " days; projected ' || " ~ throughline.anomaly_num('s.projected_hours', 0) ~ " || ' h at completion against a budget of ' || " ~ throughline.anomaly_num('s.budget_hours', 0) ~ " || ' h'") }}
from scored as s
where s.pace_ratio >= {{ ratio_min }}
