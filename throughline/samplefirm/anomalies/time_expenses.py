"""Planted time and expense anomalies: outlier claims, round-number padding and off-day time.

All edits happen before billing, so invoices, revenue and the ledger carry the planted values and no
reconciliation check breaks: these records are valid, only unusual.
"""

from __future__ import annotations

from typing import Any

from .truth import record

TE = "psa__time_entries"
EX = "psa__expenses"

#: Days before the end of history in which padding and off-day time are planted.
RECENT_DAYS = 56


def _end(ctx: Any) -> str:
    return f"DATE '{ctx.end_date}'"


def _pick(ctx: Any, into: str, source: str, key: str, salt: int, n: int) -> int:
    """Materialise ``n`` rows of ``source`` chosen by a seeded hash of ``key`` into temp table ``into``."""
    ctx.con.execute(
        f"""create or replace temp table {into} as select * from ({source}) s
            order by hash(({key})::varchar, {int(ctx.seed)}, {salt}), ({key})::varchar limit {int(n)}"""
    )
    return int(ctx.con.execute(f"select count(*) from {into}").fetchone()[0])


def plant_expense_outliers(ctx: Any) -> None:
    """About 1% of approved expense claims (at least 4) multiplied by 6 to 10: a claim many times the
    person's usual in that category (e.g. a business-class fare booked as travel)."""
    live = f"from {EX} where deleted_at is null and status = 'approved' and not _gen_skip_billing"
    n = max(4, int(ctx.con.execute(f"select count(*) {live}").fetchone()[0]) // 100)
    _pick(ctx, "_an_ex", f"select id, amount {live}", "id", 9101, n)
    ctx.con.execute(
        f"""update {EX} e set amount = round(e.amount * (6 + 4 * u(e.id, 9102)), 2)
            from _an_ex p where p.id = e.id"""
    )
    record(
        ctx,
        "EXPENSE_OUTLIER",
        "psa",
        "expenses",
        f"""select json_object('id', e.id) as record_key, e.amount - p.amount as amount,
                   'expense claim multiplied by ' || round(e.amount / p.amount, 1) as description
            from {EX} e join _an_ex p on p.id = e.id""",
    )


def _padded(where: str) -> str:
    """Entries matching ``where`` rounded up to whole hours, keeping each resource-day at or below 12 hours
    and never giving two entries of one project and day the same hours (no PSA hygiene break)."""
    return f"""
        with t as (
            select id, resource_id, project_id, spent_date, hours,
                   case when {where} then ceil(hours) else hours end as new_hours, ({where}) as touched
            from {TE} where deleted_at is null and hours > 0
        ), u as (
            select *, count(*) over (partition by resource_id, spent_date, project_id, new_hours) as same,
                   sum(new_hours) over (partition by resource_id, spent_date) as day_total
            from t
        )
        select id, hours, new_hours, resource_id, project_id
        from u where touched and new_hours <> hours and same = 1 and day_total <= 12"""


def plant_padding(ctx: Any) -> None:
    """Resources (1 in 20, at least 2) whose client entries in the last eight weeks are rounded up to
    whole hours: in normal data about a quarter of entries are whole hours."""
    recent = f"spent_date > {_end(ctx)} - {RECENT_DAYS}"
    busy = f"""select resource_id from {TE} where deleted_at is null and work_type = 'client'
               and status = 'approved' and {recent} group by 1 having count(*) >= 30"""
    n = max(2, int(ctx.scale.people) // 20)
    _pick(ctx, "_an_pad", busy, "resource_id", 9201, n)
    where = f"""work_type = 'client' and status = 'approved' and {recent}
                and resource_id in (select resource_id from _an_pad)"""
    ctx.con.execute(f"create or replace temp table _an_pad_te as {_padded(where)}")
    ctx.con.execute(f"update {TE} e set hours = p.new_hours from _an_pad_te p where p.id = e.id")
    record(
        ctx,
        "TIME_ROUND_PADDING",
        "psa",
        "resources",
        f"""select json_object('resource_id', p.resource_id) as record_key,
                   sum((p.new_hours - p.hours) * coalesce(e.bill_rate, 0)) as amount,
                   count(*) || ' client entries rounded up to whole hours' as description
            from _an_pad_te p join {TE} e on e.id = p.id group by p.resource_id""",
    )


def plant_offday_time(ctx: Any) -> None:
    """Resources (1 in 20, at least 2, never padded) who never work weekends get two Saturday entries,
    each a copy of one of their recent Friday client entries moved a day on."""
    window = f"spent_date between {_end(ctx)} - 42 and {_end(ctx)} - 7"
    fridays = f"""select * from {TE} where deleted_at is null and work_type = 'client' and status = 'approved'
                  and is_billable and dayofweek(spent_date) = 5 and {window} and hours > 0"""
    never = f"""select resource_id from {TE} where deleted_at is null group by 1
                having not bool_or(dayofweek(spent_date) in (0, 6))"""
    cand = f"""select distinct resource_id from ({fridays}) where resource_id in ({never})
               and resource_id not in (select resource_id from _an_pad)
               group by all having count(distinct spent_date) >= 2"""
    n = max(2, int(ctx.scale.people) // 20)
    _pick(ctx, "_an_off", f"select resource_id from ({cand}) group by 1", "resource_id", 9301, n)
    ctx.con.execute(
        f"""create or replace temp table _an_off_te as
            select f.*, (select max(id) from {TE}) + row_number() over (order by f.id) as new_id
            from ({fridays}) f
            where f.resource_id in (select resource_id from _an_off)
            qualify row_number() over (partition by f.resource_id, f.spent_date order by f.id) = 1
                and dense_rank() over (partition by f.resource_id order by f.spent_date desc) <= 2"""
    )
    ctx.con.execute(
        f"""insert into {TE} by name select * exclude (new_id) replace (
              new_id as id, spent_date + 1 as spent_date, submitted_at + interval 1 day as submitted_at,
              approved_at + interval 1 day as approved_at, created_at + interval 1 day as created_at,
              updated_at + interval 1 day as updated_at, _gen_created + interval 1 day as _gen_created)
            from _an_off_te"""
    )
    record(
        ctx,
        "TIME_OFFDAY_NOVELTY",
        "psa",
        "time_entries",
        """select json_object('id', new_id) as record_key, hours * coalesce(bill_rate, 0) as amount,
                  'Saturday entry from a person with no weekend time' as description from _an_off_te""",
    )
