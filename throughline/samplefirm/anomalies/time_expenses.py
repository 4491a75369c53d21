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
#: Other claims of the person in the category needed to use their own usual (the detector's
#: ``anomaly_expense_min_history``); below it the firm's median of the category.
MIN_HISTORY = 4
#: Days a person chosen for off-day time worked between 188 and 70 days before the end (inside the
#: detector's lookback of every planted Saturday): above its ``anomaly_offday_min_history_days`` (20).
OFFDAY_MIN_DAYS = 25


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
    """About 1% of approved expense claims (at least 4) set to 6 to 10 times the person's usual claim in
    that category (e.g. a business-class fare booked as travel).

    The usual is the median of the person's other live claims of the category when there are at least
    ``MIN_HISTORY`` of them, else the firm's median of the category, and never below the firm's median:
    multiplying the claim itself (the earlier plant) left small claims inside the person's usual range
    (26 -> 221 USD against a median of 102 on the s firm, seed 11), which no detector should name."""
    live = f"from {EX} where deleted_at is null and status = 'approved' and not _gen_skip_billing"
    n = max(4, int(ctx.con.execute(f"select count(*) {live}").fetchone()[0]) // 100)
    _pick(ctx, "_an_ex", f"select id, amount, resource_id, category {live}", "id", 9101, n)
    ctx.con.execute(
        f"""create or replace temp table _an_ex_ref as
            with claims as (select id, resource_id, category, amount from {EX}
                            where deleted_at is null and status <> 'rejected' and amount > 0),
            firm as (select category, median(amount) as med from claims group by 1),
            person as (
                select p.id, count(c.id) as n, median(c.amount) as med from _an_ex p
                left join claims c on c.resource_id = p.resource_id and c.category = p.category
                    and c.id <> p.id
                group by p.id)
            select p.id, greatest(f.med, case when pe.n >= {MIN_HISTORY} then pe.med else f.med end) as usual
            from _an_ex p join person pe on pe.id = p.id join firm f on f.category = p.category"""
    )
    ctx.con.execute(
        f"""update {EX} e set amount = round(r.usual * (6 + 4 * u(e.id, 9102)), 2)
            from _an_ex_ref r where r.id = e.id"""
    )
    record(
        ctx,
        "EXPENSE_OUTLIER",
        "psa",
        "expenses",
        f"""select json_object('id', e.id) as record_key, e.amount - p.amount as amount,
                   'expense claim set to ' || round(e.amount / r.usual, 1) || ' times the usual '
                   || p.category || ' claim (' || round(r.usual, 2) || ')' as description
            from {EX} e join _an_ex p on p.id = e.id join _an_ex_ref r on r.id = e.id""",
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
    """Resources (1 in 20, at least 2, never padded) who never work weekends or holidays, with months of
    history, get two Saturday entries, each a copy of one of their recent Friday client entries moved a
    day on."""
    window = f"spent_date between {_end(ctx)} - 42 and {_end(ctx)} - 7"
    fridays = f"""select * from {TE} where deleted_at is null and work_type = 'client' and status = 'approved'
                  and is_billable and dayofweek(spent_date) = 5 and {window} and hours > 0"""
    # never an off day as the detector sees one (weekend or a holiday of the person's country), and a
    # habit to break: OFFDAY_MIN_DAYS days worked in the part of history every planted Saturday's lookback
    # covers (on the s firm, seed 11, a person hired six weeks before the end was chosen and missed)
    never = f"""select t.resource_id from {TE} t join psa__resources r on r.id = t.resource_id
                left join psa__holidays h on h.country_code = r.country_code and h.holiday_date = t.spent_date
                where t.deleted_at is null and t.hours > 0 group by 1
                having not bool_or(dayofweek(t.spent_date) in (0, 6) or h.holiday_date is not null)
                   and count(distinct t.spent_date) filter (where t.spent_date
                       between {_end(ctx)} - 188 and {_end(ctx)} - 70) >= {OFFDAY_MIN_DAYS}"""
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
