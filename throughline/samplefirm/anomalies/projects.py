"""Planted engagement anomalies: fixed-fee and milestone projects whose recent burn runs far ahead of plan,
retainers whose margin erodes month after month, and fixed fees re-estimated above their contract value.

Fixed-fee revenue is recognised cost-to-cost against the estimate at completion and capped at the
contract value, so extra hours first pull revenue forward and, once cost passes the estimate, erode the
margin: the profile a delivery director should see coming.
"""

from __future__ import annotations

from typing import Any

from .time_expenses import TE, _pick
from .truth import record

#: Hours of client time on a chosen project in its last ``BURN_DAYS`` days are multiplied by up to this
#: (less where the resource-day would pass 12 hours).
BURN_FACTOR = 1.8
BURN_DAYS = 60


def _stretched(where: str, factor: str = str(BURN_FACTOR), whole: str = "false") -> str:
    """Entries matching ``where`` scaled by the day's factor: ``factor`` (an expression of ``spent_date``)
    or what keeps the resource-day at 12 hours, in quarter hours (whole hours where ``whole`` holds, so a
    padded timesheet stays padded); a day whose entries of one project would share their hours is left
    alone (no PSA hygiene break)."""
    return f"""
        with t as (
            select id, resource_id, project_id, spent_date, hours, ({where}) as touched
            from {TE} where deleted_at is null and hours > 0
        ), d as (
            select resource_id, spent_date,
                   least(max({factor}), (12 - coalesce(sum(hours) filter (where not touched), 0))
                         / sum(hours) filter (where touched)) as f
            from t group by all having bool_or(touched)
        ), s as (
            select t.*, case when not t.touched then t.hours
                             when {whole} then greatest(t.hours, floor(t.hours * d.f))
                             else floor(t.hours * d.f * 4) / 4 end as new_hours
            from t join d using (resource_id, spent_date)
        ), u as (
            select *, count(*) over (partition by resource_id, spent_date, project_id, new_hours) as same
            from s
        )
        select id, hours, new_hours, resource_id, project_id from u
        where touched and new_hours > hours and not exists (
            select 1 from u u2 where u2.resource_id = u.resource_id and u2.spent_date = u.spent_date
              and u2.same > 1)"""


def plant_fixed_fee_erosion(ctx: Any) -> None:
    """One in six active fixed-fee or milestone projects (at least 2) with steady recent time gets its
    recent client hours raised by up to 80% (day totals kept at or below 12 hours)."""
    end = f"DATE '{ctx.end_date}'"
    recent = f"spent_date > {end} - {BURN_DAYS}"
    cand = f"""select p.id as project_id from psa__projects p
               join {TE} t on t.project_id = p.id and t.deleted_at is null and t.work_type = 'client'
                    and t.{recent}
               where p.deleted_at is null and p.billing_type in ('fixed_fee', 'milestone') and p.eac_cost > 0
                 and p.start_date <= {end} - 75 and p.end_date >= {end} - 10
               group by 1 having count(*) >= 20"""
    pop = int(ctx.con.execute(f"select count(*) from ({cand})").fetchone()[0])
    _pick(ctx, "_an_ff", cand, "project_id", 9401, max(2, pop // 6))
    where = f"""work_type = 'client' and {recent} and project_id in (select project_id from _an_ff)"""
    ctx.con.execute(f"create or replace temp table _an_ff_te as {_stretched(where)}")
    ctx.con.execute(f"update {TE} e set hours = p.new_hours from _an_ff_te p where p.id = e.id")
    record(
        ctx,
        "FF_BURN_AHEAD",
        "psa",
        "projects",
        f"""select json_object('project_id', p.project_id) as record_key,
                   sum((p.new_hours - p.hours) * e.cost_rate) as amount,
                   'recent hours raised on ' || count(*) || ' entries' as description
            from _an_ff_te p join {TE} e on e.id = p.id group by p.project_id""",
    )


#: Retainer projects chosen for margin erosion get their client hours of the last ``EROSION_DAYS`` days
#: raised by a factor growing linearly from 1 to ``1 + EROSION_RAMP`` (less where a day would pass 12 h).
EROSION_DAYS = 120
EROSION_RAMP = 2.0
#: A retainer is only chosen when the 12-hour day leaves room for the ramp: its hours of the last
#: ``EROSION_CHECK_DAYS`` days can be raised on average by at least this factor. (On the s firm, seed 42,
#: a retainer staffed by one person on full days took a third of the ramp: one eroded month, its
#: inception-to-date margin still far above plan; no detector of "eroding against the plan" could name it.)
EROSION_MIN_STRETCH = 1.5
EROSION_CHECK_DAYS = 60
#: ... and when its own hours hold up: each of the last two complete months before the end has at least
#: this share of the average of the two months before them (a retainer whose staffing halves as the ramp
#: starts cancels it: on the s firm, seed 42, the cost of a chosen one's "eroded" months did not rise).
EROSION_STEADY_SHARE = 0.75


def _erosion_steady(cand: str, end: str) -> str:
    """Candidates whose client hours in each of the last two complete months are at least
    ``EROSION_STEADY_SHARE`` of their monthly average over the two months before."""
    month = f"date_trunc('month', {end})"
    return f"""
        with m as (
            select project_id, date_trunc('month', spent_date) as mon, sum(hours) as h from {TE}
            where deleted_at is null and work_type = 'client'
              and project_id in (select project_id from ({cand}))
              and spent_date >= {month} - interval 4 month and spent_date < {month}
            group by all
        )
        select project_id from m group by project_id
        having count(*) = 4 and min(h) filter (where mon >= {month} - interval 2 month)
            >= {EROSION_STEADY_SHARE} * avg(h) filter (where mon < {month} - interval 2 month)"""


def _erosion_headroom(cand: str, end: str, ramp: str) -> str:
    """Candidates whose hours of the last ``EROSION_CHECK_DAYS`` days the ramp can raise by at least
    ``EROSION_MIN_STRETCH`` on average, with each resource-day kept at 12 hours (as ``_stretched`` does)."""
    mine = f"""work_type = 'client' and spent_date > {end} - {EROSION_CHECK_DAYS}
               and project_id in (select project_id from ({cand}))"""
    return f"""
        with t as (
            select resource_id, spent_date, project_id, hours, ({mine}) as mine
            from {TE} where deleted_at is null and hours > 0
        ), d as (
            select resource_id, spent_date, project_id, sum(hours) as h from t where mine group by all
        ), o as (
            select resource_id, spent_date, sum(hours) as day_h from t group by all
        )
        select d.project_id from d join o using (resource_id, spent_date)
        group by d.project_id
        having sum(d.h * least({ramp}, (12 - (o.day_h - d.h)) / d.h)) >= {EROSION_MIN_STRETCH} * sum(d.h)"""


def plant_margin_erosion(ctx: Any) -> None:
    """One in five retainer projects (at least 2) active in the last 30 days, with at least 110 days of
    history (a first month billed in full for a few days of work keeps the ITD margin above plan for
    months), steady recent time (``_erosion_steady``) and room in its people's days for the ramp
    (``_erosion_headroom``): the client uses ever more hours of a monthly fee that does not change, so the
    margin falls month after month below the plan. (Retainers, so that the fixed-fee burn and
    forecast-overrun detectors, which read fixed-fee and milestone work, keep their own plants.)"""
    end = f"DATE '{ctx.end_date}'"
    recent = f"spent_date > {end} - {EROSION_DAYS}"
    cand = f"""select p.id as project_id from psa__projects p
               join {TE} t on t.project_id = p.id and t.deleted_at is null and t.work_type = 'client'
                    and t.{recent}
               where p.deleted_at is null and p.billing_type = 'retainer' and p.budget_amount > 0
                 and p.start_date <= {end} - 110 and p.end_date >= {end} - 30
               group by 1 having count(*) >= 30"""
    pop = int(ctx.con.execute(f"select count(*) from ({cand})").fetchone()[0])
    ramp = f"1 + {EROSION_RAMP} * ({EROSION_DAYS} - ({end} - spent_date)) / {EROSION_DAYS}"
    room = f"""select project_id from ({cand}) where project_id in ({_erosion_headroom(cand, end, ramp)})
               and project_id in ({_erosion_steady(cand, end)})"""
    _pick(ctx, "_an_me", room, "project_id", 9501, max(2, pop // 5))
    where = f"work_type = 'client' and {recent} and project_id in (select project_id from _an_me)"
    padded = "t.resource_id in (select resource_id from _an_pad)"
    ctx.con.execute(f"create or replace temp table _an_me_te as {_stretched(where, ramp, padded)}")
    ctx.con.execute(f"update {TE} e set hours = p.new_hours from _an_me_te p where p.id = e.id")
    record(
        ctx,
        "MARGIN_EROSION",
        "psa",
        "projects",
        f"""select json_object('project_id', p.project_id) as record_key,
                   sum((p.new_hours - p.hours) * e.cost_rate) as amount,
                   'retainer hours raised on ' || count(*) || ' entries, more each month' as description
            from _an_me_te p join {TE} e on e.id = p.id group by p.project_id""",
    )


def plant_eac_overrun(ctx: Any) -> None:
    """One in six fixed-fee or milestone projects in flight (at least 2; a burn plant may be one)
    re-estimated in the PSA without a change order: budget hours and budget cost raised together (same
    cost rate) until the effort to complete, at the budgeted rate, costs 15 to 45 % more than the fixed
    fee. The contract, invoices and revenue (recognised against the PSA's EAC cost) do not change: only
    the estimate does."""
    end = f"DATE '{ctx.end_date}'"
    cand = f"""select p.id as project_id, p.budget_amount, p.budget_cost from psa__projects p
               where p.deleted_at is null and p.billing_type in ('fixed_fee', 'milestone')
                 and p.budget_amount > 0 and p.budget_cost > 0 and p.budget_hours > 0
                 and p.start_date <= {end} - 45 and p.end_date >= {end} + 14"""
    pop = int(ctx.con.execute(f"select count(*) from ({cand})").fetchone()[0])
    _pick(ctx, "_an_eac", cand, "project_id", 9601, max(2, pop // 6))
    ctx.con.execute(
        """create or replace temp table _an_eac_f as
           select project_id, budget_amount, budget_cost,
                  greatest(1.2, budget_amount / budget_cost * (1.15 + 0.3 * u(project_id, 9602))) as f
           from _an_eac"""
    )
    ctx.con.execute(
        """update psa__projects p set budget_hours = round(p.budget_hours * f.f),
                  budget_cost = round(p.budget_cost * f.f, 2)
           from _an_eac_f f where f.project_id = p.id"""
    )
    record(
        ctx,
        "EAC_OVERRUN",
        "psa",
        "projects",
        """select json_object('project_id', f.project_id) as record_key,
                  round(f.budget_cost * f.f - f.budget_amount, 2) as amount,
                  'budget re-estimated x' || round(f.f, 2) || ' without a change order' as description
           from _an_eac_f f""",
    )
