"""The cash-risk model's features, as of each invoice's date, and the stored part a night only tops up.

An invoice's features read its client's earlier invoices as of its invoice date (t): how many were known
late or on time by t, their recency-weighted shares, those open and overdue at t, the credits applied before
t. Computed from scratch they pair every invoice with every earlier invoice of its client: 34.7 M pairs at
the xl scale, growing with the square of a client's invoices, so with the firm's age.

Those sums are a function of the client's invoices' invoice date, due date, settlement date and amount and
of the credits' application dates, nothing of tonight's. So they are kept per invoice in
``anomalies.cash_risk_history_features`` with the inputs they were computed from, and a night recomputes
only the invoices a changed input can reach: an earlier invoice counts at t only when its invoice date is
before t, a credit only when its application date is, so a changed invoice (settled tonight, credited,
re-dated, moved to another client, new or gone) reaches the client's invoices dated after the earliest of
its invoice date and its credits' dates, in its old version and its new one. An invoice whose own inputs
changed is recomputed too. Everything else keeps its stored sums, which equal what a build from empty
computes (``tests/anomalies/test_cash_risk_history.py`` compares the two after every kind of change). A change
of the late threshold, the recency half-life, the feature version or the sums' SQL recomputes every
invoice.

The rest of the features are linear in the invoices and computed each night: the client's usual amount (a
window) and the firm's late share as known at t (a running count and an as-of join).
"""

from __future__ import annotations

import hashlib

import duckdb

HISTORY_TABLE = "anomalies.cash_risk_history_features"

#: What the stored sums were computed from: one row per customer invoice (credits as their sorted dates).
INPUT_COLUMNS = (
    "invoice_transaction_id",
    "erp_customer_id",
    "invoice_date",
    "due_date",
    "settled_on",
    "original_amount",
    "credit_dates",
)
#: The parameters the sums depend on: a stored row computed with others is recomputed. ``feature_version``
#: holds the model's feature version and a digest of ``HISTORY_SQL``, so an edit of the sums' SQL recomputes
#: every invoice even when nobody bumped the version.
PARAMETER_COLUMNS = ("late_days", "half_life_days", "feature_version")
#: The sums over the client's earlier invoices (null: no earlier invoice), typed once so the kept and the
#: recomputed rows, and a first night's empty table, agree.
HISTORY_TYPES = {
    "prior_invoices": "bigint",
    "known_late": "bigint",
    "known_n": "bigint",
    "w_late": "double",
    "w_known": "double",
    "open_n": "bigint",
    "overdue_n": "bigint",
    "max_days_overdue": "bigint",
    "mean_days_late": "double",
    "recent_days_late": "double",
    "open_balance": "decimal(38, 2)",
    "prior_credits": "bigint",
}
HISTORY_COLUMNS = tuple(HISTORY_TYPES)

INPUTS_SQL = """
create or replace temp table _cash_inputs as
select o.invoice_transaction_id, o.erp_customer_id, o.invoice_date, o.due_date, o.settled_on,
    o.original_amount, c.credit_dates
from anomalies.anomaly_invoice_outcomes o
left join (
    select invoice_transaction_id, list(application_date order by application_date) as credit_dates
    from intermediate.int_ar_applications where application_type = 'credit_memo'
    group by invoice_transaction_id
) c using (invoice_transaction_id)
"""

# The invoices tonight recomputes: those dated after the earliest date at which a changed input (old or new
# version) counts for its client, and those whose own inputs changed. ``stored`` is the kept rows computed
# with tonight's parameters (none on the first night, or after a parameter changed: then every row differs).
AFFECTED_SQL = """
create or replace temp table _cash_affected as
with stored as (select {inputs} from _cash_stored),
changed as (
    (select * from _cash_inputs except select * from stored)
    union all
    (select * from stored except select * from _cash_inputs)
),
reach as (
    select erp_customer_id, min(least(invoice_date, list_min(credit_dates))) as counts_after
    from changed group by erp_customer_id
)
select i.invoice_transaction_id
from _cash_inputs i join reach r on r.erp_customer_id = i.erp_customer_id and i.invoice_date > r.counts_after
union
select invoice_transaction_id from changed semi join _cash_inputs using (invoice_transaction_id)
"""

# The sums for the affected invoices (i) over their client's earlier invoices (p). "Known by t": settled
# before t, or t past due + the late threshold. "Open at t": not settled before t.
HISTORY_SQL = """
create or replace temp table _cash_recomputed as
with o as (select * from anomalies.anomaly_invoice_outcomes),
late_days as (select ? as d),
half_life as (select ?::double as h),
i_set as (select * from o semi join _cash_affected using (invoice_transaction_id)),
credits as (
    select a.invoice_transaction_id, a.application_date
    from intermediate.int_ar_applications a where a.application_type = 'credit_memo'
),
pairs as (
    select i.invoice_transaction_id, p.*,
        (p.settled_on < i.invoice_date and p.settled_on <= p.due_date + (select d from late_days))
            as known_on_time,
        (p.due_date + (select d from late_days) < i.invoice_date
            and (p.settled_on is null or p.settled_on > p.due_date + (select d from late_days)))
            as known_late,
        (p.settled_on is null or p.settled_on >= i.invoice_date) as open_at_t,
        i.invoice_date as t,
        -- recency weight of a settled invoice's days late: halves every half-life after its settlement
        case when p.settled_on < i.invoice_date then
            pow(0.5, (i.invoice_date - p.settled_on) / (select h from half_life)) end as w_paid,
        -- recency weight of an outcome known by t: halves every half-life after the day it became known
        pow(0.5, (i.invoice_date - case when p.settled_on < i.invoice_date
                and p.settled_on <= p.due_date + (select d from late_days) then p.settled_on
                else p.due_date + (select d from late_days) end) / (select h from half_life)) as w
    from i_set i join o p on p.erp_customer_id = i.erp_customer_id and p.invoice_date < i.invoice_date
),
agg as (
    select invoice_transaction_id,
        count(*) as prior_invoices,
        count(*) filter (where known_late) as known_late,
        count(*) filter (where known_late or known_on_time) as known_n,
        coalesce(sum(w) filter (where known_late), 0) as w_late,
        coalesce(sum(w) filter (where known_late or known_on_time), 0) as w_known,
        count(*) filter (where open_at_t) as open_n,
        count(*) filter (where open_at_t and due_date < t - 15) as overdue_n,
        coalesce(max(case when open_at_t and due_date < t then t - due_date end), 0) as max_days_overdue,
        avg(case when settled_on < t then settled_on - due_date end) as mean_days_late,
        sum(w_paid * (settled_on - due_date)) / nullif(sum(w_paid), 0) as recent_days_late,
        coalesce(sum(original_amount) filter (where open_at_t), 0) as open_balance
    from pairs group by invoice_transaction_id
),
cr as (
    select i.invoice_transaction_id, count(c.invoice_transaction_id) as prior_credits
    from i_set i join o p on p.erp_customer_id = i.erp_customer_id
    join credits c
        on c.invoice_transaction_id = p.invoice_transaction_id and c.application_date < i.invoice_date
    group by i.invoice_transaction_id
)
select i.invoice_transaction_id, {typed}
from _cash_affected i left join agg using (invoice_transaction_id) left join cr using (invoice_transaction_id)
"""

# Tonight's rows: the kept sums of the invoices nothing reached, and the recomputed ones, with tonight's
# inputs and parameters. Built aside, then swapped in: the new table reads the old one.
STORE_SQL = """
create or replace temp table _cash_history as
select i.*, ?::integer as late_days, ?::double as half_life_days, ?::varchar as feature_version,
    {history}
from _cash_inputs i
join (
    select invoice_transaction_id, {history}
    from _cash_stored anti join _cash_affected using (invoice_transaction_id)
    union all
    select * from _cash_recomputed
) h using (invoice_transaction_id)
"""


#: Changes with any edit of the sums' SQL (``PARAMETER_COLUMNS``).
HISTORY_SQL_DIGEST = hashlib.sha1(HISTORY_SQL.encode()).hexdigest()[:12]


def columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    """The table's column names, empty when it does not exist (the cash-risk step's tables of earlier
    versions: ``throughline.report.data.columns`` is the same question, but importing the report loads
    plotly into the nightly's start-up)."""
    rows = con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()
    return {r[0] for r in rows}


def _stored(con: duckdb.DuckDBPyConnection, parameters: list[object]) -> None:
    """``_cash_stored``: the kept rows computed with tonight's parameters, or none (first night, a table of
    another layout, other parameters)."""
    have = columns(con, *HISTORY_TABLE.split("."))
    if {*INPUT_COLUMNS, *PARAMETER_COLUMNS, *HISTORY_COLUMNS} <= have:
        where = " and ".join(f"{c} = ?" for c in PARAMETER_COLUMNS)
        con.execute(
            f"create or replace temp table _cash_stored as select * from {HISTORY_TABLE} where {where}",
            parameters,
        )
    else:
        typed = ", ".join(f"null::{t} as {c}" for c, t in HISTORY_TYPES.items())
        con.execute(
            f"create or replace temp table _cash_stored as select *, {typed} from _cash_inputs where false"
        )


def refresh_history(
    con: duckdb.DuckDBPyConnection, late_days: int, half_life_days: float, feature_version: str
) -> int:
    """Bring ``HISTORY_TABLE`` to tonight's invoices; returns how many invoices were recomputed."""
    feature_version = f"{feature_version}; sums {HISTORY_SQL_DIGEST}"
    con.execute("create schema if not exists anomalies")
    con.execute(INPUTS_SQL)
    _stored(con, [late_days, half_life_days, feature_version])
    con.execute(AFFECTED_SQL.format(inputs=", ".join(INPUT_COLUMNS)))
    history = ", ".join(HISTORY_COLUMNS)
    typed = ", ".join(f"{c}::{t} as {c}" for c, t in HISTORY_TYPES.items())
    con.execute(HISTORY_SQL.format(typed=typed), [late_days, half_life_days])
    con.execute(STORE_SQL.format(history=history), [late_days, half_life_days, feature_version])
    con.execute(f"create or replace table {HISTORY_TABLE} as select * from _cash_history")
    [(recomputed,)] = con.execute("select count(*) from _cash_recomputed").fetchall()
    for temp in ("_cash_inputs", "_cash_stored", "_cash_affected", "_cash_recomputed", "_cash_history"):
        con.execute(f"drop table if exists {temp}")
    return int(recomputed)


# One row per customer invoice with its features as of its invoice date (t), from the stored sums over the
# client's earlier invoices and the linear parts computed here.
FEATURES_SQL = """
with o as (select * from anomalies.anomaly_invoice_outcomes),
late_days as (select ? as d),
a as (select * from {table}),
-- the client's usual amount at t: the median of its invoices dated before t (days: before t is up to t - 1),
-- a window over the client's invoices in date order rather than a median per group of the pairs (a median
-- keeps every value of its group: two thirds of the pairs' query at xl, 34.7 M pairs)
usual as (
    select invoice_transaction_id,
        median(original_amount) over (
            partition by erp_customer_id order by invoice_date
            range between unbounded preceding and interval 1 day preceding
        ) as usual_amount
    from o
),
-- the firm's late share among outcomes known by t (the smoothing target of the client's shares). An earlier
-- invoice's outcome is known from one day on: its settlement when paid on time, else its due date + the late
-- threshold (late from then on). It counts at t when that day and its invoice date are both before t, so a
-- running count over that later day answers every t at once (an as-of join): linear, where a join of every
-- invoice to every earlier one grew with the square of the firm's invoices.
firm_outcomes as (
    select p.invoice_date,
        case when p.settled_on <= p.due_date + d.d then p.settled_on else p.due_date + d.d end as known_on,
        p.settled_on is null or p.settled_on > p.due_date + d.d as is_late
    from o p cross join late_days d
),
firm_running as (
    select greatest(invoice_date, known_on) as counted_from,
        (sum(count(*) filter (where is_late)) over (order by greatest(invoice_date, known_on)))::bigint
            as firm_known_late,
        (sum(count(*)) over (order by greatest(invoice_date, known_on)))::bigint as firm_known_n
    from firm_outcomes where invoice_date is not null and known_on is not null
    group by greatest(invoice_date, known_on)
),
firm_t as (
    select i.invoice_transaction_id, r.firm_known_late, r.firm_known_n
    from o i asof join firm_running r on i.invoice_date > r.counted_from
)
select o.invoice_transaction_id, o.invoice_number, o.erp_customer_id, o.client_key, o.project_key,
    o.legal_entity_key, o.transaction_currency_code, o.invoice_date, o.due_date, o.original_amount,
    o.open_amount, o.is_open, o.is_outcome_known, o.is_late, o.days_past_due_tonight, o.as_of_date,
    coalesce(a.prior_invoices, 0) as prior_invoices, coalesce(a.known_late, 0) as known_late,
    coalesce(a.known_n, 0) as known_n, coalesce(a.w_late, 0) as w_late, coalesce(a.w_known, 0) as w_known,
    coalesce(a.overdue_n, 0)::double / greatest(coalesce(a.open_n, 0), 1) as open_overdue_share,
    least(coalesce(a.max_days_overdue, 0), 180) as max_days_overdue,
    coalesce(a.mean_days_late, 0) as mean_days_late,
    coalesce(a.recent_days_late - a.mean_days_late, 0) as days_late_trend,
    -- no earlier invoice, no usual: 0 (greatest() skips nulls, so v3 gave a first invoice ln(amount))
    case when u.usual_amount is null then 0
        else greatest(ln(greatest(o.original_amount, 1) / greatest(u.usual_amount, 1)), 0)
    end as log_amount_vs_usual,
    coalesce(ln(1 + coalesce(a.open_balance, 0) / greatest(u.usual_amount, 1)), 0) as log_open_balance,
    coalesce(a.prior_credits, 0) as prior_credits,
    ln(1 + coalesce(a.prior_credits, 0)) as log_prior_credits,
    ln(1 + greatest(o.original_amount, 0)) as log_amount,
    o.due_date - o.invoice_date as terms_days,
    coalesce(ft.firm_known_late, 0) as firm_known_late, coalesce(ft.firm_known_n, 0) as firm_known_n
from o left join a using (invoice_transaction_id)
    left join firm_t ft using (invoice_transaction_id) left join usual u using (invoice_transaction_id)
order by o.invoice_date, o.invoice_transaction_id
"""
