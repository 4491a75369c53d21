"""Planted engagement anomaly: fixed-fee and milestone projects whose recent burn runs far ahead of plan.

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


def _stretched(where: str) -> str:
    """Entries matching ``where`` scaled by the day's factor: ``BURN_FACTOR`` or what keeps the
    resource-day at 12 hours, in quarter hours; a day whose entries of one project would share their
    hours is left alone (no PSA hygiene break)."""
    return f"""
        with t as (
            select id, resource_id, project_id, spent_date, hours, ({where}) as touched
            from {TE} where deleted_at is null and hours > 0
        ), d as (
            select resource_id, spent_date,
                   least({BURN_FACTOR}, (12 - coalesce(sum(hours) filter (where not touched), 0))
                         / sum(hours) filter (where touched)) as f
            from t group by all having bool_or(touched)
        ), s as (
            select t.*, case when t.touched then floor(t.hours * d.f * 4) / 4 else t.hours end as new_hours
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
