-- LATE_PAYMENT_DRIFT: a client who has started to pay later. Days late of an invoice: at settlement, or
-- for one still open, days past due tonight (a lower bound). Only invoices at least anomaly_drift_late_days
-- past due count, so an open invoice has had time to be paid. Two ways to drift, either flags:
-- * a recent change: the client's invoices due in the last anomaly_late_recent_days (before those
--   anomaly_drift_late_days), at least anomaly_late_min_invoices of them, against its own earlier invoices
--   (the firm's when it has fewer than anomaly_late_min_prior_invoices): the recent median days late is at
--   least anomaly_drift_min_days_late and rose by at least anomaly_drift_min_rise_days (medians, not means:
--   one invoice never paid must not make a client look like a drifter), or the recent share of invoices
--   more than anomaly_drift_late_days late is at least anomaly_late_min_share and rose by at least
--   anomaly_late_min_increase (open invoices only give a lower bound of their days late, so a client who
--   has stopped paying shows in the share before the median);
-- * a sustained drift: over the invoices due in the last anomaly_drift_lookback_days (at least
--   anomaly_drift_min_lookback_invoices), the client is late far more often than the firm (share at least
--   anomaly_late_min_share, anomaly_late_min_increase above the firm's; median days late at least
--   anomaly_drift_min_days_late) and its settled invoices are paid later and later (least-squares slope of
--   days late on due date at least anomaly_drift_min_slope_days per 30 days); and it still has an invoice
--   in the recent window or money open. A client drifting for a year or more is late in its earlier
--   invoices too, so the first test sees no change against its own history (the s firm: 0 of 7 found).
-- Score = the median days late of the window that flagged (the recent one when both do): how late the
-- client now pays (the late share saturates at 1 for every drifter and cannot rank them).
{%- set late_days = var('anomaly_drift_late_days') %}
{%- set recent_days = var('anomaly_late_recent_days') %}
{%- set min_invoices = var('anomaly_late_min_invoices') %}
{%- set min_prior = var('anomaly_late_min_prior_invoices') %}
{%- set min_late = var('anomaly_drift_min_days_late') %}
{%- set min_rise = var('anomaly_drift_min_rise_days') %}
{%- set min_share = var('anomaly_late_min_share') %}
{%- set min_increase = var('anomaly_late_min_increase') %}
{%- set lookback_days = var('anomaly_drift_lookback_days') %}
{%- set min_lookback = var('anomaly_drift_min_lookback_invoices') %}
{%- set min_slope = var('anomaly_drift_min_slope_days') %}

with known as (
    select
        o.*,
        o.due_date > {{ dbt.dateadd('day', -(late_days + recent_days), 'o.as_of_date') }} as is_recent,
        o.due_date > {{ dbt.dateadd('day', -lookback_days, 'o.as_of_date') }} as is_lookback,
        not o.is_open and o.credited_amount < o.original_amount as is_paid,
        cast({{ dbt.datediff('o.as_of_date', 'o.due_date', 'day') }} as {{ throughline.ratio_type() }}) as due_day,
        coalesce(o.days_late_at_settlement, o.days_past_due_tonight) as days_late,
        cast(case when coalesce(o.days_late_at_settlement, o.days_past_due_tonight) > {{ late_days }} then 1 else 0 end
            as {{ throughline.ratio_type() }}) as late
    from {{ ref('anomaly_invoice_outcomes') }} as o
    where o.due_date <= {{ dbt.dateadd('day', -late_days, 'o.as_of_date') }}
),

firm as (
    select {{ throughline.cycle_percentile('days_late', 0.5) }} as firm_median, avg(late) as firm_share
    from known
    where not is_recent
),

firm_lookback as (
    select avg(late) as firm_lookback_share
    from known
    where is_lookback
),

-- the client's last anomaly_drift_lookback_days: late share, median days late, and the trend of days late
-- at settlement of the invoices paid (open invoices left out of the slope: their days late are lower
-- bounds that shrink with the due date, a trend of their own; and one settled by a credit note says
-- nothing about when the client pays)
lookback as (
    select
        erp_customer_id,
        max(client_key) as client_key,
        max(legal_entity_key) as legal_entity_key,
        count(*) as n_lookback,
        avg(late) as lookback_share,
        {{ throughline.cycle_percentile('days_late', 0.5) }} as lookback_median,
        30 * covar_pop(case when is_paid then due_day end, case when is_paid then days_late end)
            / nullif(var_pop(case when is_paid then due_day end), 0) as slope_per_30_days,
        max(due_date) as last_due_date
    from known
    where is_lookback
    group by erp_customer_id
),

recent as (
    select
        erp_customer_id,
        max(client_key) as client_key,
        max(legal_entity_key) as legal_entity_key,
        count(*) as n_recent,
        {{ throughline.cycle_percentile('days_late', 0.5) }} as recent_median,
        avg(late) as recent_share,
        max(due_date) as last_due_date
    from known
    where is_recent
    group by erp_customer_id
),

prior as (
    select
        erp_customer_id, count(*) as n_prior, avg(late) as prior_share,
        {{ throughline.cycle_percentile('days_late', 0.5) }} as prior_median
    from known
    where not is_recent
    group by erp_customer_id
),

exposure as (
    select erp_customer_id, max(transaction_currency_code) as currency_code, sum(open_amount) as open_amount
    from {{ ref('anomaly_invoice_outcomes') }}
    where is_open
    group by erp_customer_id
),

scored as (
    select
        l.erp_customer_id,
        l.client_key,
        l.legal_entity_key,
        coalesce(r.n_recent, 0) as n_recent,
        r.recent_median,
        r.recent_share,
        l.n_lookback,
        l.lookback_share,
        l.lookback_median,
        l.slope_per_30_days,
        fl.firm_lookback_share,
        l.last_due_date,
        coalesce(p.n_prior, 0) as n_prior,
        case when coalesce(p.n_prior, 0) >= {{ min_prior }} then p.prior_median else f.firm_median end
            as reference_median,
        case when coalesce(p.n_prior, 0) >= {{ min_prior }} then p.prior_share else f.firm_share end
            as reference_share,
        e.currency_code,
        coalesce(e.open_amount, 0) as open_amount
    from lookback as l
    cross join firm as f
    cross join firm_lookback as fl
    left join recent as r on r.erp_customer_id = l.erp_customer_id
    left join prior as p on p.erp_customer_id = l.erp_customer_id
    left join exposure as e on e.erp_customer_id = l.erp_customer_id
),

flagged as (
    select
        s.*,
        s.n_recent >= {{ min_invoices }} and (
            (s.recent_median >= {{ min_late }} and s.recent_median - s.reference_median >= {{ min_rise }})
            or (s.recent_share >= {{ min_share }} and s.recent_share - s.reference_share >= {{ min_increase }})
        ) as is_recent_change,
        s.n_lookback >= {{ min_lookback }}
        and s.lookback_share >= {{ min_share }}
        and s.lookback_share - s.firm_lookback_share >= {{ min_increase }}
        and s.lookback_median >= {{ min_late }}
        and s.slope_per_30_days >= {{ min_slope }}
        and (s.n_recent > 0 or s.open_amount > 0) as is_sustained
    from scored as s
)

{%- set recent_reason = "cast(round(100 * s.recent_share, 0) as " ~ dbt.type_int() ~ ") || " ~ throughline.string_literal("% of the client's ") ~ " || cast(s.n_recent as " ~ dbt.type_string() ~ ") || ' invoices due in the last " ~ recent_days ~ " days more than " ~ late_days ~ " days late, median ' || " ~ throughline.anomaly_num('s.recent_median', 0) ~ " || ' days; ' || case when s.n_prior >= " ~ min_prior ~ " then 'before: ' else 'firm: ' end || cast(round(100 * s.reference_share, 0) as " ~ dbt.type_int() ~ ") || '%, median ' || " ~ throughline.anomaly_num('s.reference_median', 0) ~ " || ' days'" %}
{%- set sustained_reason = "cast(round(100 * s.lookback_share, 0) as " ~ dbt.type_int() ~ ") || " ~ throughline.string_literal("% of the client's ") ~ " || cast(s.n_lookback as " ~ dbt.type_string() ~ ") || ' invoices due in the last " ~ lookback_days ~ " days more than " ~ late_days ~ " days late (firm: ' || cast(round(100 * s.firm_lookback_share, 0) as " ~ dbt.type_int() ~ ") || '%), median ' || " ~ throughline.anomaly_num('s.lookback_median', 0) ~ " || ' days, paid ' || " ~ throughline.anomaly_num('s.slope_per_30_days', 1) ~ " || ' days later every month'" %}

select
    {{ throughline.anomaly_columns(
        detector_id="'LATE_PAYMENT_DRIFT'", source_system="'netsuite'", source_object="'customer'",
        record_key=throughline.recon_json([('erp_customer_id', 's.erp_customer_id', 'number')]),
        related_keys=throughline.recon_json([('recent_invoices', 's.n_recent', 'number'), ('recent_median_days_late', 's.recent_median', 'number'), ('reference_median_days_late', 's.reference_median', 'number'), ('recent_late_share', throughline.round_double('s.recent_share'), 'number'), ('reference_late_share', throughline.round_double('s.reference_share'), 'number'), ('lookback_invoices', 's.n_lookback', 'number'), ('lookback_late_share', throughline.round_double('s.lookback_share'), 'number'), ('firm_lookback_late_share', throughline.round_double('s.firm_lookback_share'), 'number'), ('days_later_per_30_days', throughline.round_double('s.slope_per_30_days'), 'number')]),
        score='case when s.is_recent_change then s.recent_median else s.lookback_median end', threshold=min_late,
        client_key='s.client_key', legal_entity_key='s.legal_entity_key', currency_code='s.currency_code',
        amount_at_risk='s.open_amount', amount_at_risk_reporting='null', event_date='s.last_due_date',
        reason="case when s.is_recent_change then " ~ recent_reason ~ " else " ~ sustained_reason ~ " end") }}
from flagged as s
where s.is_recent_change or s.is_sustained
