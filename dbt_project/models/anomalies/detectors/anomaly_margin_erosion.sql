-- MARGIN_EROSION: a client project whose inception-to-date margin is falling and now sits below its plan.
-- Reads kpis.kpi_project_margin_monthly (complete months only: the as-of month has cost but no month-end
-- revenue yet) and the plan in dim_project (budget_amount and budget_cost: planned margin = 1 - cost /
-- amount). Flagged when each of the last anomaly_margin_decline_months complete months earned a margin
-- below the plan (an erosion that goes on, not one bad month), the ITD margin fell by at least
-- anomaly_margin_min_drop over those months, and it ends at least anomaly_margin_min_shortfall below the
-- plan. A margin that starts high (a first month billed in full) and settles on the plan falls too, but
-- not below the plan. Score = how far below the plan the project earned over those months (plan margin -
-- the window's margin; no revenue at all counts as a margin of -100 %): how much it loses now. (The ITD drop
-- was the score before: it moves most on a young project settling from a first month billed in full, and
-- ranked such a one above a planted erosion on the s firm, seed 11.) Billing types in
-- anomaly_margin_billing_types only: milestone revenue comes on acceptance, so a milestone project's ITD
-- margin saws down between acceptances by design (its burn is FF_BURN_AHEAD's and EAC_OVERRUN's to judge).
{%- set months = var('anomaly_margin_decline_months') %}
{%- set min_drop = var('anomaly_margin_min_drop') %}
{%- set min_shortfall = var('anomaly_margin_min_shortfall') %}

with months_done as (
    select month_start_date, month_end_date, project_key, client_key, legal_entity_key, contract_type,
        revenue_reporting, cost_reporting, revenue_itd_reporting, cost_itd_reporting, margin_itd_pct
    from {{ ref('kpi_project_margin_monthly') }}
    where not is_partial_month
),

latest as (
    select max(month_start_date) as last_month from months_done
),

series as (
    select m.*, l.last_month
    from months_done as m
    cross join latest as l
),

plan as (
    select
        project_key, project_code, billing_type, end_date,
        (budget_amount - budget_cost) / budget_amount as plan_margin_pct
    from {{ ref('dim_project') }}
    where budget_amount > 0 and budget_cost is not null and not coalesce(is_internal, false)
        and billing_type in {{ throughline.string_list(var('anomaly_margin_billing_types')) }}
),

-- the last `months` complete months of each project: how many earned a margin below the plan (in money, so
-- a month with cost and no revenue counts)
trend as (
    select
        s.project_key, count(*) as months_below_plan,
        sum(s.revenue_reporting) as window_revenue, sum(s.cost_reporting) as window_cost
    from series as s
    inner join plan as p on p.project_key = s.project_key
    where s.month_start_date > {{ dbt.dateadd('month', -months, 's.last_month') }}
        and s.month_start_date <= s.last_month
        and s.revenue_reporting - s.cost_reporting < p.plan_margin_pct * s.revenue_reporting
    group by s.project_key
),

scored as (
    select
        cur.project_key, cur.client_key, cur.legal_entity_key, cur.month_end_date, cur.revenue_itd_reporting,
        p.project_code, p.billing_type, p.plan_margin_pct, t.months_below_plan,
        base.margin_itd_pct as start_itd_pct,
        cur.margin_itd_pct as itd_pct,
        base.margin_itd_pct - cur.margin_itd_pct as drop_pct,
        p.plan_margin_pct - cur.margin_itd_pct as shortfall_pct,
        p.plan_margin_pct - case
            when t.window_revenue > 0 then (t.window_revenue - t.window_cost) / t.window_revenue else -1
        end as window_shortfall_pct
    from series as cur
    inner join series as base
        on base.project_key = cur.project_key
        and base.month_start_date = {{ dbt.dateadd('month', -months, 'cur.last_month') }}
    inner join trend as t on t.project_key = cur.project_key
    inner join plan as p on p.project_key = cur.project_key
    where cur.month_start_date = cur.last_month
        and cur.revenue_itd_reporting > 0
        and (p.end_date is null or p.end_date >= cur.last_month)
)

select
    {{ throughline.anomaly_columns(
        detector_id="'MARGIN_EROSION'", source_system="'psa'", source_object="'projects'",
        record_key=throughline.recon_json([('project_id', 's.project_key', 'number')]),
        related_keys=throughline.recon_json([('project_code', 's.project_code', 'string'), ('plan_margin_pct', 'round(s.plan_margin_pct, 3)', 'number'), ('itd_margin_pct_start', 'round(s.start_itd_pct, 3)', 'number'), ('itd_margin_pct', 'round(s.itd_pct, 3)', 'number')]),
        score='s.window_shortfall_pct', threshold='0', client_key='s.client_key', project_key='s.project_key',
        legal_entity_key='s.legal_entity_key', currency_code="'" ~ var('reporting_currency') ~ "'",
        amount_at_risk='s.shortfall_pct * s.revenue_itd_reporting',
        amount_at_risk_reporting='s.shortfall_pct * s.revenue_itd_reporting',
        event_date='s.month_end_date',
        reason="s.billing_type || ' project: inception-to-date margin ' || " ~ throughline.anomaly_num('100 * s.itd_pct') ~ " || ' %, ' || " ~ throughline.anomaly_num('100 * s.shortfall_pct') ~ " || ' points under the plan of ' || " ~ throughline.anomaly_num('100 * s.plan_margin_pct') ~ " || ' %, down ' || " ~ throughline.anomaly_num('100 * s.drop_pct') ~ " || ' points in " ~ months ~ " months, each below plan; earned ' || " ~ throughline.anomaly_num('100 * s.window_shortfall_pct') ~ " || ' points under plan over them'") }}
from scored as s
where s.months_below_plan = {{ months }}
    and s.drop_pct >= {{ min_drop }}
    and s.shortfall_pct >= {{ min_shortfall }}
