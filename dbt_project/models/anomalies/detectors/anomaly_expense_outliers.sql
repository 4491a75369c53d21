-- EXPENSE_OUTLIER: an expense claim far above what this person usually claims in this category.
-- Robust z-score: 0.6745 x (amount - median) / MAD, on reporting-currency amounts. The reference is the
-- person's other claims in the category (leave-one-out) when there are at least
-- anomaly_expense_min_history of them, else every claim in the category across the firm. The MAD is
-- floored at anomaly_expense_mad_floor_pct of the median (claims of one fixed price have MAD 0). A claim
-- must also be anomaly_expense_min_firm_ratio times the firm's median claim of the category: a person with
-- unusually small claims is not flagged for an ordinary one.
{%- set min_history = var('anomaly_expense_min_history') %}
{%- set floor_pct = var('anomaly_expense_mad_floor_pct') %}
{%- set z_min = var('anomaly_expense_z') %}
{%- set ratio_min = var('anomaly_expense_min_ratio') %}
{%- set firm_ratio_min = var('anomaly_expense_min_firm_ratio') %}

with claims as (
    select
        expense_id, psa_resource_id, resource_key, project_key, client_key, legal_entity_key,
        expense_category, spent_date, transaction_currency_code, amount_transaction, amount_reporting
    from {{ ref('fct_expenses') }}
    where expense_status <> 'rejected' and amount_reporting > 0
),

-- the person's other claims in the category
peer_pairs as (
    select c.expense_id, o.amount_reporting as other_amount
    from claims as c
    inner join claims as o
        on o.psa_resource_id = c.psa_resource_id and o.expense_category = c.expense_category
        and o.expense_id <> c.expense_id
),

person_median as (
    select expense_id, count(*) as n_history, {{ throughline.cycle_percentile('other_amount', 0.5) }} as med
    from peer_pairs
    group by expense_id
),

person_mad as (
    select p.expense_id,
        {{ throughline.cycle_percentile('abs(p.other_amount - m.med)', 0.5) }} as mad
    from peer_pairs as p
    inner join person_median as m on m.expense_id = p.expense_id
    group by p.expense_id
),

category_median as (
    select expense_category, {{ throughline.cycle_percentile('amount_reporting', 0.5) }} as med
    from claims
    group by expense_category
),

category_mad as (
    select c.expense_category, {{ throughline.cycle_percentile('abs(c.amount_reporting - m.med)', 0.5) }} as mad
    from claims as c
    inner join category_median as m on m.expense_category = c.expense_category
    group by c.expense_category
),

referenced as (
    select
        c.*,
        coalesce(pm.n_history, 0) >= {{ min_history }} as uses_person_history,
        coalesce(pm.n_history, 0) as n_history,
        case when coalesce(pm.n_history, 0) >= {{ min_history }} then pm.med else cm.med end as ref_median,
        case when coalesce(pm.n_history, 0) >= {{ min_history }} then pd.mad else cd.mad end as ref_mad,
        cm.med as firm_median
    from claims as c
    left join person_median as pm on pm.expense_id = c.expense_id
    left join person_mad as pd on pd.expense_id = c.expense_id
    inner join category_median as cm on cm.expense_category = c.expense_category
    inner join category_mad as cd on cd.expense_category = c.expense_category
),

scored as (
    select
        *,
        0.6745 * (amount_reporting - ref_median)
            / (case when ref_mad > ref_median * {{ floor_pct }} then ref_mad else ref_median * {{ floor_pct }} end)
            as robust_z
    from referenced
    where ref_median > 0
)

select
    {{ throughline.anomaly_columns(
        detector_id="'EXPENSE_OUTLIER'", source_system="'psa'", source_object="'expenses'",
        record_key=throughline.recon_json([('id', 's.expense_id', 'number')]),
        related_keys=throughline.recon_json([('resource_id', 's.psa_resource_id', 'number'), ('category', 's.expense_category', 'string'), ('reference', "case when s.uses_person_history then 'person' else 'firm category' end", 'string'), ('reference_median', throughline.round_double('s.ref_median'), 'number')]),
        score='s.robust_z', threshold=z_min, client_key='s.client_key', project_key='s.project_key',
        resource_key='s.resource_key', legal_entity_key='s.legal_entity_key',
        currency_code='s.transaction_currency_code',
        amount_at_risk='s.amount_transaction * (1 - s.ref_median / s.amount_reporting)',
        amount_at_risk_reporting='s.amount_reporting - s.ref_median', event_date='s.spent_date',
        reason="'Claim of ' || " ~ throughline.anomaly_num('s.amount_reporting', 2) ~ " || ' ' || '" ~ var('reporting_currency') ~ "' || ' is ' || " ~ throughline.anomaly_num('s.amount_reporting / s.ref_median') ~ " || ' times the ' || case when s.uses_person_history then " ~ throughline.string_literal("person's usual ") ~ " else " ~ throughline.string_literal("firm's usual ") ~ " end || s.expense_category || ' claim (robust z ' || " ~ throughline.anomaly_num('s.robust_z') ~ " || ')'") }}
from scored as s
where s.robust_z >= {{ z_min }} and s.amount_reporting >= s.ref_median * {{ ratio_min }}
    and s.amount_reporting >= s.firm_median * {{ firm_ratio_min }}
