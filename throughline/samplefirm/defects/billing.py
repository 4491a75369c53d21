"""Billing-chain breaks (B1-B6) set through the generator's billing helper columns, before billing runs.

Billing honours ``_gen_skip_billing``, ``_gen_bill_rate_factor``, ``_gen_bill_hours_factor``,
``_gen_bill_early`` and ``_gen_overbill_factor``, so the invoices come out consistently wrong. Missing
timesheets (whole person-weeks of time removed) are also done here so no invoice bills the removed time.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .store import LOG, pick, rates, record, scalar, taken

TE = "psa__time_entries"
#: Aged, approved, billable T&M client time: the population of B1-B3.
_TM_TIME = f"""(select te.* from {TE} te join psa__projects p on p.id = te.project_id
    where te.status = 'approved' and coalesce(te.is_billable, false) and p.billing_type = 'time_and_materials'
      and te.hours > 0 and te.spent_date < ?::date and te.id not in {taken("psa", "time_entries")})"""


def _time_source(ctx: Any) -> str:
    cutoff = ctx.end_date - timedelta(days=45)
    return _TM_TIME.replace("?::date", f"DATE '{cutoff.isoformat()}'")


def _time_record(ctx: Any, kind: str, amount_sql: str, description: str) -> None:
    record(
        ctx, kind, "psa", "time_entries",
        f"""select json_object('id', id) as record_key,
                   json_object('time_entry_id', id, 'project_id', project_id, 'resource_id', resource_id,
                               'spent_date', spent_date, 'hours', hours, 'bill_rate', bill_rate)
                     as related_keys,
                   {amount_sql} as amount, currency, updated_at as landed_at, ? as description
            from _pick""",
        [description],
    )  # fmt: skip


def inject_b1_b3(ctx: Any) -> None:
    if pick(ctx, "B1", _time_source(ctx), "s.id"):
        ctx.sql(f"update {TE} set _gen_skip_billing = true where id in (select id from _pick)")
        _time_record(ctx, "B1", "hours * bill_rate", "Approved billable time never invoiced.")
    if pick(ctx, "B2", _time_source(ctx), "s.id"):
        ctx.sql(f"update {TE} set _gen_bill_hours_factor = 0.5 where id in (select id from _pick)")
        _time_record(ctx, "B2", "-0.5 * hours * bill_rate", "Invoiced hours are half the approved hours.")
    if pick(ctx, "B3", _time_source(ctx), "s.id"):
        ctx.sql(f"update {TE} set _gen_bill_rate_factor = 0.8 where id in (select id from _pick)")
        _time_record(ctx, "B3", "-0.2 * hours * bill_rate", "Invoiced at 80% of the contract rate.")


def inject_b4(ctx: Any) -> None:
    cutoff = (ctx.end_date - timedelta(days=45)).isoformat()
    src = f"""(select * from psa__expenses where status = 'approved' and coalesce(is_billable, false)
               and spent_date < DATE '{cutoff}')"""
    if pick(ctx, "B4", src, "s.id"):
        ctx.sql("update psa__expenses set _gen_skip_billing = true where id in (select id from _pick)")
        record(
            ctx, "B4", "psa", "expenses",
            """select json_object('id', id) as record_key,
                      json_object('project_id', project_id, 'resource_id', resource_id, 'spent_date',
                      spent_date)
                        as related_keys,
                      amount * (1 + coalesce(markup_pct, 0) / 100) as amount, currency, updated_at as
                      landed_at,
                      'Approved billable expense never invoiced.' as description
               from _pick""",
        )  # fmt: skip


def inject_b5(ctx: Any) -> None:
    """Overbill a fixed-fee schedule that has invoiced something by the last extract (a schedule with no
    milestone due yet is never invoiced, so its 125% would be in no record). The count still comes from all
    fixed-fee projects, so the rate means what it always meant and valid picks stay the same."""
    ff = "(select * from psa__projects where billing_type = 'fixed_fee' and coalesce(budget_amount, 0) > 0)"
    billed = f"""(select * from {ff} s where exists (
                    select 1 from psa__milestones m where m.project_id = s.id and m.deleted_at is null
                      and m.due_date <= DATE '{ctx.end_date.isoformat()}'))"""
    n = rates(ctx).count("B5", int(scalar(ctx, f"select count(*) from {ff} s") or 0))
    if pick(ctx, "B5", billed, "s.id", n=n):
        ctx.sql("update psa__projects set _gen_overbill_factor = 1.25 where id in (select id from _pick)")
        record(
            ctx, "B5", "psa", "projects",
            """select json_object('id', id) as record_key,
                      json_object('erp_sales_order_id', erp_sales_order_id, 'budget_amount', budget_amount)
                        as related_keys,
                      0.25 * budget_amount as amount, currency, updated_at as landed_at,
                      'Fixed-fee schedule billed at 125% (above contract value plus approved change orders).'
                        as description
               from _pick""",
        )  # fmt: skip


def inject_b6(ctx: Any) -> None:
    cutoff = (ctx.end_date - timedelta(days=30)).isoformat()
    accepted = f"""(select m.*, p.currency from psa__milestones m join psa__projects p on p.id = m.project_id
                   where m.status = 'accepted' and m.accepted_date < DATE '{cutoff}')"""
    if pick(ctx, "B6_ACCEPTED_NOT_BILLED", accepted, "s.id"):
        ctx.sql("update psa__milestones set _gen_skip_billing = true where id in (select id from _pick)")
        _milestone_record(ctx, "B6_ACCEPTED_NOT_BILLED", "Accepted milestone never invoiced.")
    done = (ctx.end_date - timedelta(days=10)).isoformat()
    # Only milestone-billed contracts invoice on acceptance: a fixed-fee schedule invoices on the due date
    # whatever the acceptance (so early billing is no defect there), and the not-accepted fixed-fee
    # milestones are all still in the future, never invoiced. The count still comes from both kinds.
    early = """(select m.*, p.currency, p.billing_type from psa__milestones m
                join psa__projects p on p.id = m.project_id
                where coalesce(m.status, 'planned') <> 'accepted' and m.due_date is not null
                  and p.billing_type in ('milestone', 'fixed_fee'))"""
    n = rates(ctx).count("B6_BILLED_NOT_ACCEPTED", int(scalar(ctx, f"select count(*) from {early} s") or 0))
    milestone_billed = f"(select * from {early} e where e.billing_type = 'milestone')"
    if pick(ctx, "B6_BILLED_NOT_ACCEPTED", milestone_billed, "s.id", n=n, prefer="s.status = 'completed'"):
        # Delivered ten days before the last extract, not accepted, invoiced anyway.
        ctx.sql(f"""update psa__milestones set _gen_bill_early = true, status = 'completed',
                      completed_date = least(coalesce(completed_date, due_date), DATE '{done}')
                    where id in (select id from _pick)""")
        ctx.sql("""create or replace temp table _pick as
                   select m.*, k.currency from psa__milestones m join _pick k using (id)""")
        _milestone_record(ctx, "B6_BILLED_NOT_ACCEPTED", "Milestone invoiced although not accepted.")


def _milestone_record(ctx: Any, kind: str, description: str) -> None:
    record(
        ctx, kind, "psa", "milestones",
        """select json_object('id', id) as record_key,
                  json_object('project_id', project_id, 'status', status, 'due_date', due_date) as
                  related_keys,
                  amount, currency, updated_at as landed_at, ? as description
           from _pick""",
        [description],
    )  # fmt: skip


def inject_missing_timesheets(ctx: Any) -> None:
    """Remove every time entry of a few past person-weeks that have no time off."""
    cutoff = (ctx.end_date - timedelta(days=21)).isoformat()
    weeks = f"""(select te.resource_id, date_trunc('week', te.spent_date)::date as week_start,
                        sum(te.hours) as hours, count(*) as entries
                 from {TE} te
                 where te.spent_date < DATE '{cutoff}'
                   and not exists (select 1 from psa__time_off o where o.resource_id = te.resource_id
                                   and date_trunc('week', o.off_date) = date_trunc('week', te.spent_date))
                 group by all)"""
    if not pick(ctx, "PSA_MISSING_TIMESHEET", weeks, "s.resource_id::varchar || s.week_start::varchar"):
        return
    record(
        ctx, "PSA_MISSING_TIMESHEET", "psa", "time_entries",
        """select json_object('resource_id', resource_id, 'week_start', week_start) as record_key,
                  json_object('removed_entries', entries, 'removed_hours', hours) as related_keys,
                  hours as amount, null as currency, week_start + interval 7 day as landed_at,
                  'Person-week with no time entries and no time off.' as description
           from _pick""",
    )  # fmt: skip
    ctx.sql(
        f"""delete from {TE} te using _pick p
            where te.resource_id = p.resource_id and date_trunc('week', te.spent_date)::date = p.week_start"""
    )


def key_billing_groups(ctx: Any) -> None:
    """Name the billed group, not the time entry, in the B2 and B3 manifest rows (after every other pick).

    The billing run sums a month's approved time of one role on one project at one rate into one invoice
    line, so the ERP records no per-entry billed hours or rate: a halved or discounted entry is visible only
    as its project-role-month billing less than its approved time, and that group is what B2 and B3 can
    name. The rows keep the entry's id until now so later picks (``taken``) still avoid it; related_keys
    keep it as ``time_entry_id``.
    """
    ctx.sql(f"""update {LOG} l
                set record_key = json_object(
                    'project_id', te.project_id, 'role_id', te.role_id,
                    'period_start', date_trunc('month', te.spent_date)::date)::varchar
                from {TE} te
                where l.kind in ('B2', 'B3') and te.id = (l.record_key::json->>'id')::bigint""")


def inject_before_billing(ctx: Any) -> None:
    inject_missing_timesheets(ctx)
    inject_b1_b3(ctx)
    inject_b4(ctx)
    inject_b5(ctx)
    inject_b6(ctx)
