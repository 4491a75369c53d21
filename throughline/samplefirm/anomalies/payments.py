"""Planted cash behaviour: clients drifting to late payment, and clients whose lateness has causes.

Ordinary lateness in the sample firm is drawn per invoice, independent of the client. For a few clients,
invoices issued after the first fifth of the history are paid later and later (25 to 95 days past due
by the end), so their recent invoices are still open at the last extract: what a cash model should see
coming. Only clients still invoicing in the last ``ACTIVE_DAYS`` are chosen (on the s firm, seed 42, one
chosen client had sent its last invoice seven months before the end: its drift had stopped with its work).

Lateness drawn per invoice leaves a cash model nothing to learn beyond the drifters. Real clients pay late
for reasons a collector knows, so a few other clients (``plant_payment_behaviour``) pay on time except an
invoice much larger than their usual, and an invoice issued while one of theirs is well overdue.
"""

from __future__ import annotations

from typing import Any

from .time_expenses import _pick
from .truth import record

#: A drifting client has an invoice issued in the last this many days of the history.
ACTIVE_DAYS = 45
#: An invoice at least this many times the client's median earlier invoice is "larger than usual".
SIZE_RATIO = 1.5
#: Earlier invoices needed before a client has a "usual" size.
SIZE_MIN_HISTORY = 2
#: An earlier invoice more than this many days past due, still unpaid on an invoice's date, is overdue.
OVERDUE_DAYS = 15


def drift_payments(ctx: Any) -> None:
    """Shift the planned payment dates of the chosen clients' later invoices (``_gen_pay_plan``), then
    give other clients lateness with causes (``plant_payment_behaviour``)."""
    if ctx.clean:
        return
    _drift(ctx)
    plant_payment_behaviour(ctx)


def _drift(ctx: Any) -> None:
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


def _late_pass(ctx: Any, driver: str, condition: str) -> None:
    """Mark the behaviour clients' invoices meeting ``condition`` (over ``_an_beh_inv`` as ``i``) late for
    ``driver``, then rewrite their plan: late ones 31 to 45 days past due, the rest -5 to +10."""
    ctx.con.execute(
        f"""update _an_beh_inv i set driver = '{driver}' where i.driver is null and ({condition})"""
    )
    ctx.con.execute(
        """update _gen_pay_plan pp set pay_date = i.inv_date + i.terms + (pp.k - 1) * 30
                + case when i.driver is null then cast(-5 + 15 * u(i.id, 9512) as integer)
                       else cast(31 + 15 * u(i.id, 9513) as integer) end
            from _an_beh_inv i where i.id = pp.inv_id"""
    )


def plant_payment_behaviour(ctx: Any) -> None:
    """Clients (1 in 3, at least 4, never a drifter) with 6 invoices or more who pay on time, except:

    - **size**: an invoice at least ``SIZE_RATIO`` times the median of their earlier invoices (from
      ``SIZE_MIN_HISTORY`` of them) is paid 31 to 45 days past due (a budget holder waits for sign-off);
    - **overdue**: an invoice issued while an earlier one, late for its size, is unpaid more than
      ``OVERDUE_DAYS`` past due is paid as late (the client is short of cash). A single pass, and only
      invoices late for their size count: on the xs firm, late-for-longer plants that also cascaded from
      never-paid invoices made a client late on 10 of 11 invoices, a drifter in all but name.

    Invoices the generator never pays stay unpaid. The drivers are what the cash model's features
    measure as of the invoice date (size against the usual, overdue invoices open), so the model has
    something to learn that the client's late share alone cannot rank."""
    cand = """select i.customer from _gen_inv i group by 1 having count(*) >= 6
              and i.customer not in (select customer from _an_late)"""
    n = max(4, int(ctx.scale.clients) // 3)
    _pick(ctx, "_an_beh", cand, "customer", 9511, n)
    ctx.con.execute(
        """create or replace temp table _an_beh_inv as
            select id, customer, inv_date, terms, total, null::varchar as driver,
                median(total) over w as usual, count(*) over w as n_before
            from _gen_inv where customer in (select customer from _an_beh)
            window w as (partition by customer order by inv_date, id
                         rows between unbounded preceding and 1 preceding)"""
    )
    _late_pass(ctx, "size", f"i.n_before >= {SIZE_MIN_HISTORY} and i.total >= {SIZE_RATIO} * i.usual")
    # unpaid earlier invoice well past due on this invoice's date (first payment, or never paid)
    _late_pass(
        ctx,
        "overdue",
        f"""exists (select 1 from _an_beh_inv e
                    left join (select inv_id, min(pay_date) as paid from _gen_pay_plan group by 1) p
                        on p.inv_id = e.id
                    where e.customer = i.customer and e.inv_date < i.inv_date
                      and e.inv_date + e.terms < i.inv_date - {OVERDUE_DAYS}
                      and (p.paid is null or p.paid >= i.inv_date)
                      and e.driver = 'size')""",
    )
    record(
        ctx,
        "CASH_LATE_RISK",
        "netsuite",
        "customer",
        """select json_object('erp_customer_id', customer) as record_key,
                  coalesce(sum(total) filter (where driver is not null), 0) as amount,
                  'pays on time except invoices larger than usual ('
                  || count(*) filter (where driver = 'size') || ') and invoices issued while overdue ('
                  || count(*) filter (where driver = 'overdue') || ') of ' || count(*) as description
           from _an_beh_inv group by customer""",
    )
