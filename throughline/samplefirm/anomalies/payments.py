"""Planted cash anomaly: clients drifting to late payment.

Ordinary lateness in the sample firm is drawn per invoice, independent of the client. For a few clients,
invoices issued after the first fifth of the history are paid later and later (25 to 95 days past due
by the end), so their recent invoices are still open at the last extract: what a cash model should see
coming. Only clients still invoicing in the last ``ACTIVE_DAYS`` are chosen (on the s firm, seed 42, one
chosen client had sent its last invoice seven months before the end: its drift had stopped with its work).
"""

from __future__ import annotations

from typing import Any

from .time_expenses import _pick
from .truth import record

#: A drifting client has an invoice issued in the last this many days of the history.
ACTIVE_DAYS = 45


def drift_payments(ctx: Any) -> None:
    """Shift the planned payment dates of the chosen clients' later invoices (``_gen_pay_plan``)."""
    if ctx.clean:
        return
    start, end = f"DATE '{ctx.start_date}'", f"DATE '{ctx.end_date}'"
    # clients still invoicing at the end: a client whose work ended months ago has nothing left to drift
    cand = f"""select i.customer from _gen_inv i join psa__projects p on p.id = i.project_id
              join psa__clients c on c.id = p.client_id group by 1
              having count(*) >= 6 and max(i.inv_date) >= {end} - {ACTIVE_DAYS}"""
    n = max(2, int(ctx.scale.clients) // 8)
    _pick(ctx, "_an_late", cand, "customer", 9501, n)
    # progress through history in [0, 1]: invoices in the first 20% keep their own lateness.
    ctx.con.execute(
        f"""update _gen_pay_plan pp set pay_date = i.inv_date + i.terms
                + cast(25 + 60 * ((i.inv_date - {start}) / ({end} - {start}) - 0.2) / 0.8
                       + 10 * u(i.id, 9502) as integer) + (pp.k - 1) * 30
            from _gen_inv i
            where i.id = pp.inv_id and i.customer in (select customer from _an_late)
              and (i.inv_date - {start}) / ({end} - {start}) >= 0.2"""
    )
    record(
        ctx,
        "LATE_PAYMENT_DRIFT",
        "netsuite",
        "customer",
        """select json_object('erp_customer_id', customer) as record_key,
                  (select sum(total) from _gen_inv i where i.customer = l.customer) as amount,
                  'later invoices paid 25 to 95 days past due' as description from _an_late l""",
    )
