-- LATE_PAYMENT_DRIFT: a client who has started to pay late. An invoice is late here when settled, or still
-- open, more than anomaly_drift_late_days past due (shorter than the cash model's anomaly_late_days, so a
-- drift shows within weeks); its outcome is known once settled or that far past due. The client's late
-- share over invoices due in the last anomaly_late_recent_days (before the anomaly_drift_late_days needed
-- to know the outcome) against the client's own late share before that (the firm's when the client has
-- fewer than anomaly_late_min_prior_invoices earlier invoices). Flagged when the recent share is at least
-- anomaly_late_min_share and exceeds the reference by anomaly_late_min_increase, over at least
-- anomaly_late_min_invoices recent invoices.
{%- set late_days = var('anomaly_drift_late_days') %}
{%- set min_prior = var('anomaly_late_min_prior_invoices') %}
{%- set recent_days = var('anomaly_late_recent_days') %}
{%- set min_invoices = var('anomaly_late_min_invoices') %}
{%- set min_share = var('anomaly_late_min_share') %}
{%- set min_increase = var('anomaly_late_min_increase') %}

with known as (
    select
        o.*,
        o.due_date > {{ dbt.dateadd('day', -(late_days + recent_days), 'o.as_of_date') }} as is_recent,
        case
            when o.settled_on > {{ dbt.dateadd('day', late_days, 'o.due_date') }} then 1.0
            when o.settled_on is null then 1.0
            else 0.0
        end as late
    from {{ ref('anomaly_invoice_outcomes') }} as o
    where o.settled_on is not null or o.as_of_date > {{ dbt.dateadd('day', late_days, 'o.due_date') }}
),

firm as (
    select avg(late) as firm_share from known where not is_recent
),

clients as (
    select
        erp_customer_id,
        max(client_key) as client_key,
        max(legal_entity_key) as legal_entity_key,
        sum(case when is_recent then 1 else 0 end) as n_recent,
        sum(case when not is_recent then 1 else 0 end) as n_prior,
        avg(case when is_recent then late end) as recent_share,
        avg(case when not is_recent then late end) as prior_share,
        max(due_date) as last_due_date
    from known
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
        c.*,
        case when c.n_prior >= {{ min_prior }} then c.prior_share else f.firm_share end as reference_share,
        c.recent_share
            - case when c.n_prior >= {{ min_prior }} then c.prior_share else f.firm_share end as increase,
        e.currency_code,
        coalesce(e.open_amount, 0) as open_amount
    from clients as c
    cross join firm as f
    left join exposure as e on e.erp_customer_id = c.erp_customer_id
    where c.n_recent >= {{ min_invoices }}
)

select
    {{ throughline.anomaly_columns(
        detector_id="'LATE_PAYMENT_DRIFT'", source_system="'netsuite'", source_object="'customer'",
        record_key=throughline.recon_json([('erp_customer_id', 's.erp_customer_id', 'number')]),
        related_keys=throughline.recon_json([('recent_invoices', 's.n_recent', 'number'), ('recent_late_share', 'round(s.recent_share, 2)', 'number'), ('reference_late_share', 'round(s.reference_share, 2)', 'number')]),
        score='s.increase', threshold=min_increase, client_key='s.client_key',
        legal_entity_key='s.legal_entity_key', currency_code='s.currency_code',
        amount_at_risk='s.open_amount', amount_at_risk_reporting='null', event_date='s.last_due_date',
        reason="cast(round(100 * s.recent_share, 0) as " ~ dbt.type_int() ~ ") || '% of the client''s ' || cast(s.n_recent as " ~ dbt.type_string() ~ ") || ' invoices due in the last " ~ recent_days ~ " days were paid more than " ~ late_days ~ " days late, against ' || cast(round(100 * s.reference_share, 0) as " ~ dbt.type_int() ~ ") || '% ' || case when s.n_prior >= " ~ min_prior ~ " then 'before' else 'for the firm' end") }}
from scored as s
where s.recent_share >= {{ min_share }} and s.increase >= {{ min_increase }}
