"""PSA data-hygiene breaks (§8.6), after billing so the invoices are not affected.

New entries are clones of real time entries (new id, status ``submitted``, no invoice link); when a break
needs a closed project or a terminated resource, the picked project/resource is closed/terminated first
and every entry past the new date is recorded.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .store import LOG, pick, record, scalar, taken

TE = "psa__time_entries"


def _clone_pick(ctx: Any, replace: str) -> None:
    """Insert clones of the rows in ``_pick`` (time-entry columns + ``_new_id``) with ``replace`` applied."""
    ctx.sql(f"""insert into {TE} by name select * exclude (_new_id) replace (
                  _new_id as id, 'submitted' as status, null as approved_at, null as approved_by_id,
                  null as erp_invoice_id, {replace}) from _pick""")


def _with_new_ids(ctx: Any, extra: str = "") -> None:
    base = int(scalar(ctx, f"select coalesce(max(id), 0) from {TE}"))
    ctx.sql(f"""create or replace temp table _pick as
                select * {extra}, {base} + row_number() over (order by id) as _new_id from _pick""")


def _te_record(ctx: Any, kind: str, key: str, related: str, description: str, where: str = "") -> None:
    record(
        ctx, kind, "psa", "time_entries",
        f"""select json_object('id', {key}) as record_key, {related} as related_keys,
                   hours * coalesce(bill_rate, 0) as amount, currency, updated_at as landed_at, ? as
                   description
            from {where or '_pick'}""",
        [description],
    )  # fmt: skip


def inject_closed_and_terminated(ctx: Any) -> None:
    limit = (ctx.end_date - timedelta(days=10)).isoformat()
    projects = f"""(select p.id, p.end_date, max(te.spent_date) as last_spent from psa__projects p
                    join {TE} te on te.project_id = p.id
                    where coalesce(p.is_billable, false) and p.id not in {taken("psa", "projects")}
                    group by all having count(*) >= 3)"""
    if pick(
        ctx,
        "PSA_TIME_ON_CLOSED_PROJECT",
        projects,
        "s.id",
        prefer=f"s.end_date between s.last_spent and DATE '{limit}'",
    ):
        ctx.sql(f"""update psa__projects p set status = 'closed',
                      end_date = case when p.end_date between k.last_spent and DATE '{limit}' then p.end_date
                                      else least(k.last_spent - interval 2 day, DATE '{limit}') end
                    from _pick k where p.id = k.id""")
        _after(
            ctx,
            "PSA_TIME_ON_CLOSED_PROJECT",
            "project_id",
            "psa__projects",
            "end_date",
            "Time recorded on a closed project after its end date.",
        )
    resources = f"""(select r.id, r.termination_date, max(te.spent_date) as last_spent from psa__resources r
                     join {TE} te on te.resource_id = r.id group by all having count(*) >= 3)"""
    if pick(
        ctx,
        "PSA_TIME_TERMINATED_RESOURCE",
        resources,
        "s.id",
        prefer=f"s.termination_date between s.last_spent and DATE '{limit}'",
    ):
        ctx.sql(f"""update psa__resources r set is_active = false,
                      termination_date = case when r.termination_date between k.last_spent and DATE '{limit}'
                                              then r.termination_date
                                              else least(k.last_spent - interval 2 day, DATE '{limit}') end
                    from _pick k where r.id = k.id""")
        _after(
            ctx,
            "PSA_TIME_TERMINATED_RESOURCE",
            "resource_id",
            "psa__resources",
            "termination_date",
            "Time recorded after the resource's termination date.",
        )


def _after(ctx: Any, kind: str, fk: str, parent: str, date_col: str, description: str) -> None:
    """Clone the last entry of each picked parent to 5 days after its date; record every entry past it."""
    ctx.sql("""create or replace temp table _parents as select id from _pick""")
    ctx.sql(f"""create or replace temp table _pick as
                select te.*, p.{date_col} as _cut from {TE} te join {parent} p on p.id = te.{fk}
                where p.id in (select id from _parents)
                qualify row_number() over (partition by te.{fk} order by te.spent_date desc, te.id desc)
                = 1""")
    _with_new_ids(ctx)
    ctx.sql(f"""insert into {TE} by name select * exclude (_new_id, _cut) replace (
                  _new_id as id, 'submitted' as status, null as approved_at, null as approved_by_id,
                  null as erp_invoice_id, (_cut + interval 5 day)::date as spent_date,
                  _cut + interval 5 day + interval 18 hour as created_at,
                  _cut + interval 5 day + interval 18 hour as updated_at,
                  _cut + interval 5 day + interval 18 hour as _gen_created) from _pick""")
    record(
        ctx, kind, "psa", "time_entries",
        f"""select json_object('id', te.id) as record_key,
                   json_object('{fk}', te.{fk}, '{date_col}', p.{date_col}, 'spent_date', te.spent_date)
                     as related_keys,
                   te.hours * coalesce(te.bill_rate, 0) as amount, te.currency, te.updated_at as landed_at,
                   ? as description
            from {TE} te join {parent} p on p.id = te.{fk}
            where p.id in (select id from _parents) and te.spent_date > p.{date_col}""",
        [description],
    )  # fmt: skip


def inject_entry_clones(ctx: Any) -> None:
    free = f"te.id not in {taken('psa', 'time_entries')} and te.hours > 0"
    days = f"""(select te.resource_id, te.spent_date, sum(te.hours) as _day, min(te.id) as id from {TE} te
                where {free} group by all having sum(te.hours) between 4 and 12)"""
    if pick(ctx, "PSA_OVER_DAILY_MAX", days, "s.id"):
        ctx.sql(f"""create or replace temp table _pick as
                    select te.*, k._day from {TE} te join _pick k on k.id = te.id""")
        _with_new_ids(ctx)
        ctx.sql(f"""insert into {TE} by name select * exclude (_new_id, _day) replace (
                      _new_id as id, 'submitted' as status, null as approved_at, null as approved_by_id,
                      null as erp_invoice_id, (14 - _day)::decimal(9,2) + 0.5 as hours,
                      'Late entry' as notes) from _pick""")
        _te_record(
            ctx,
            "PSA_OVER_DAILY_MAX",
            "_new_id",
            "json_object('resource_id', resource_id, 'spent_date', spent_date, 'day_total', 14.5)",
            "Resource-day total 14.5 hours, above the 12-hour maximum.",
        )
    src = f"""(select te.* from {TE} te join psa__projects p on p.id = te.project_id
               where {free} and p.is_billable)"""
    if pick(ctx, "PSA_TIME_WITHOUT_ASSIGNMENT", src, "s.id"):
        # Another billable project the resource is not staffed on, preferably running that day.
        ctx.sql("""create or replace temp table _pick as
                   select k.*, o.project_id as _other from _pick k left join (
                       select k2.id as te_id, p.id as project_id,
                              row_number() over (partition by k2.id
                                  order by (k2.spent_date between p.start_date and p.end_date) desc,
                                           hash(p.id, k2.id)) as rn
                       from _pick k2 join psa__projects p
                         on coalesce(p.is_billable, false) and p.id <> k2.project_id
                       where not exists (select 1 from psa__assignments a
                                         where a.project_id = p.id and a.resource_id = k2.resource_id)
                   ) o on o.te_id = k.id and o.rn = 1""")
        _with_new_ids(ctx)
        ctx.sql(f"""insert into {TE} by name select * exclude (_new_id, _other) replace (
                      _new_id as id, 'submitted' as status, null as approved_at, null as approved_by_id,
                      null as erp_invoice_id, coalesce(_other, project_id) as project_id,
                      null as assignment_id) from _pick""")
        _te_record(
            ctx,
            "PSA_TIME_WITHOUT_ASSIGNMENT",
            "_new_id",
            "json_object('resource_id', resource_id, 'project_id', coalesce(_other, project_id))",
            "Time on a project the resource is not assigned to.",
        )
    if pick(ctx, "PSA_DUPLICATE_TIME", f"(select te.* from {TE} te where {free})", "s.id"):
        _with_new_ids(ctx)
        _clone_pick(ctx, "notes as notes")
        _te_record(
            ctx,
            "PSA_DUPLICATE_TIME",
            "_new_id",
            "json_object('duplicate_of', id)",
            "Duplicate of another entry (same resource, project, day and hours).",
        )
    if pick(ctx, "PSA_NEGATIVE_HOURS", f"(select te.* from {TE} te where {free})", "s.id"):
        _with_new_ids(ctx)
        _clone_pick(ctx, "-hours as hours, 'Correction' as notes")
        _te_record(
            ctx,
            "PSA_NEGATIVE_HOURS",
            "_new_id",
            "json_object('hours', -hours)",
            "Time entry with negative hours.",
        )


def inject_flags(ctx: Any) -> None:
    free = f"te.id not in {taken('psa', 'time_entries')}"
    internal = f"""(select te.* from {TE} te join psa__projects p on p.id = te.project_id
                    where {free} and (p.billing_type = 'non_billable' or not coalesce(p.is_billable, false))
                      and not coalesce(te.is_billable, false))"""
    if pick(ctx, "PSA_BILLABLE_ON_NONBILLABLE", internal, "s.id"):
        ctx.sql(f"update {TE} set is_billable = true where id in (select id from _pick)")
        _te_record(
            ctx,
            "PSA_BILLABLE_ON_NONBILLABLE",
            "id",
            "json_object('project_id', project_id)",
            "Billable time on a non-billable project.",
        )
    client = f"""(select te.* from {TE} te join psa__projects p on p.id = te.project_id
                  where {free} and coalesce(p.is_billable, false) and p.billing_type = 'time_and_materials'
                    and coalesce(te.is_billable, false) and te.work_type = 'client')"""
    if pick(ctx, "PSA_NONBILLABLE_ON_BILLABLE", client, "s.id", prefer="s.erp_invoice_id is null"):
        ctx.sql(f"update {TE} set is_billable = false where id in (select id from _pick)")
        _te_record(
            ctx,
            "PSA_NONBILLABLE_ON_BILLABLE",
            "id",
            "json_object('project_id', project_id)",
            "Client work flagged non-billable on a billable T&M project.",
        )


def inject_capacity_and_rates(ctx: Any) -> None:
    if pick(ctx, "PSA_CAPACITY_GAP", "(select * from psa__resources)", "s.id"):
        ctx.sql("""update psa__resources set weekly_capacity_hours = case when id % 2 = 0 then 0 else null end
                   where id in (select id from _pick)""")
        record(
            ctx, "PSA_CAPACITY_GAP", "psa", "resources",
            """select json_object('id', id) as record_key,
                      json_object('weekly_capacity_hours', case when id % 2 = 0 then 0 end) as related_keys,
                      null as amount, null as currency, updated_at as landed_at,
                      'Resource with zero or missing weekly capacity.' as description
               from _pick""",
        )  # fmt: skip
    pairs = f"""(select r.role_id, r.currency, max(r.updated_at) as landed_at, count(*) as rows
                 from psa__rate_cards r
                 where exists (select 1 from {TE} te where te.role_id = r.role_id and te.currency =
                 r.currency)
                 group by all)"""
    if pick(ctx, "PSA_RATE_CARD_GAP", pairs, "s.role_id || s.currency"):
        record(
            ctx, "PSA_RATE_CARD_GAP", "psa", "rate_cards",
            """select json_object('role_id', role_id, 'currency', currency) as record_key,
                      json_object('removed_rows', rows) as related_keys, null as amount, currency, landed_at,
                      'No rate-card rate for a role and currency that time entries use.' as description
               from _pick""",
        )  # fmt: skip
        ctx.sql("""delete from psa__rate_cards r using _pick k
                   where r.role_id = k.role_id and r.currency = k.currency""")


#: PSA time-entry rules (kind -> SQL predicate over te, p = its project, r = its resource), mirroring the
#: PSA hygiene checks in dbt_project/models/reconciliation/checks/recon_psa_hygiene.sql.
_ENTRY_RULES = {
    "PSA_TIME_ON_CLOSED_PROJECT": "p.status = 'closed' and te.spent_date > p.end_date",
    "PSA_TIME_TERMINATED_RESOURCE": "te.spent_date > r.termination_date",
    "PSA_TIME_WITHOUT_ASSIGNMENT": """coalesce(p.is_billable, false) and not exists (
        select 1 from psa__assignments a
        where a.project_id = te.project_id and a.resource_id = te.resource_id)""",
    "PSA_DUPLICATE_TIME": f"""exists (select 1 from {TE} o where o.deleted_at is null
        and o.resource_id = te.resource_id and o.project_id = te.project_id and o.spent_date = te.spent_date
        and o.hours = te.hours and o.work_type is not distinct from te.work_type
        and o.notes is not distinct from te.notes and (o.created_at, o.id) < (te.created_at, te.id))""",
    "PSA_NEGATIVE_HOURS": "te.hours < 0",
    "PSA_BILLABLE_ON_NONBILLABLE": """coalesce(te.is_billable, false)
        and (not coalesce(p.is_billable, false) or p.billing_type = 'non_billable')""",
    "PSA_NONBILLABLE_ON_BILLABLE": """not coalesce(te.is_billable, false) and te.work_type = 'client'
        and coalesce(p.is_billable, false) and p.billing_type = 'time_and_materials'""",
}
_MAX_DAILY_HOURS = 12


def record_consequences(ctx: Any) -> None:
    """Log the other PSA checks an injected time entry legitimately trips, as their own manifest rows.

    A clone dated after a resource's termination can also fall after its project's end; a duplicate can take
    its day past the daily maximum. The manifest must list every break a correct check finds, so each such
    consequence is a row of the other kind, described as a consequence.
    """
    injected = f"""(select (record_key::json->>'id')::bigint from {LOG} where system = 'psa'
                    and object = 'time_entries' and record_key::json->>'id' is not null)"""
    live = f"(select * from {TE} where deleted_at is null)"
    for kind, rule in _ENTRY_RULES.items():
        record(
            ctx, kind, "psa", "time_entries",
            f"""select json_object('id', te.id) as record_key,
                       json_object('resource_id', te.resource_id, 'project_id', te.project_id,
                                   'spent_date', te.spent_date) as related_keys,
                       te.hours * coalesce(te.bill_rate, 0) as amount, te.currency,
                       te.updated_at as landed_at,
                       'Consequence of another injected PSA defect on this entry.' as description
                from {live} te left join psa__projects p on p.id = te.project_id
                left join psa__resources r on r.id = te.resource_id
                where te.id in {injected} and ({rule})
                  and te.id not in (select (record_key::json->>'id')::bigint from {LOG}
                                    where kind = '{kind}')""",
        )  # fmt: skip
    # Days with an injected entry where the running total (in created order) passes the maximum.
    record(
        ctx, "PSA_OVER_DAILY_MAX", "psa", "time_entries",
        f"""with d as (
                select te.*, sum(te.hours) over (partition by te.resource_id, te.spent_date
                    order by te.created_at, te.id rows between unbounded preceding and current row) as so_far
                from {live} te
                where exists (select 1 from {live} x where x.id in {injected}
                              and x.resource_id = te.resource_id and x.spent_date = te.spent_date)
            )
            select json_object('id', d.id) as record_key, '{{}}' as related_keys,
                   d.hours * coalesce(d.bill_rate, 0) as amount, d.currency, d.updated_at as landed_at,
                   'Consequence of another injected PSA defect: the day passes the daily maximum.'
                       as description
            from d where d.so_far > {_MAX_DAILY_HOURS}
              and d.id not in (select (record_key::json->>'id')::bigint from {LOG}
                               where kind = 'PSA_OVER_DAILY_MAX')""",
    )  # fmt: skip


def inject_hygiene(ctx: Any) -> None:
    inject_closed_and_terminated(ctx)
    inject_entry_clones(ctx)
    inject_flags(ctx)
    inject_capacity_and_rates(ctx)
    record_consequences(ctx)
