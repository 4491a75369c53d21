"""Land the sample firm's PSA in Harvest's shape (``generate --psa harvest``): same firm, same truth.

The generator writes the PSA as the PSA export; this module rewrites each night's ``psa/<night>/`` folder
into a ``harvest/<night>/`` folder of Harvest API v2 records (``ingestion/contracts/harvest.yml``) and removes
the PSA folder. Ids, hours, rates, amounts and dates are carried over unchanged where Harvest has a place
for them:

- client -> client; resource -> user (capacity in seconds, hired = created, left = last change of an
  archived user, the legal entity as the user's Harvest role); the role's rate cards in the account currency
  (USD) -> the user's billable rates; the resource's cost rate -> a cost rate;
- project -> project: fixed fee and milestone projects are fixed fee (fee, budget in hours), retainers have a
  monthly money budget (``budget_is_monthly``, ``cost_budget`` = the monthly amount), T&M a money budget
  (``cost_budget`` = the contract value), non-billable none; internal projects belong to the client
  ``Internal`` (Harvest requires a client);
- assignment -> user assignment (manager flag from the project manager; an override rate when it has one);
- time entry -> time entry on a task named after its work type; approved = ``is_closed``; invoiced = the
  ERP invoice as the Harvest invoice reference (``{id, number}`` = NetSuite id and document number, as the
  Harvest-to-accounting integration creates it); time off -> time on the ``Vacation`` / ``Sick`` task of the
  ``Time Off`` project (ids offset by ``TIME_OFF_ID_OFFSET``);
- expense -> expense (category, billable, approved = ``is_closed``, invoice reference as for time).

What Harvest cannot carry (practices, holidays, milestones, change orders, deletes, draft and rejected
status, multi-currency rate cards, cross-system ids) is listed in docs/sources/harvest-as-psa.md with what it
changes. Deleted time entries of the PSA deltas cannot be expressed (Harvest exports no deletes): their ids go
to ``_truth/harvest_not_carried.csv``, with the malformed lines the defects appended to PSA files (not
records, so not carried; their truth rows leave the manifest, as the HubSpot shape does for CRM files).
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

from ingestion.contract import load_contract
from ingestion.parse import sql_str

from .. import extracts

#: Harvest time entry ids of PSA time off: offset so they never collide with the work entries' ids.
TIME_OFF_ID_OFFSET = 1_000_000_000
#: The internal client and the time-off project Harvest needs (ids outside the generator's ranges).
INTERNAL_CLIENT_ID, TIME_OFF_PROJECT_ID = 999_001, 999_002
ACCOUNT_CURRENCY = "USD"
#: Harvest tasks: (id, name, PSA work type or time-off type they carry).
TASKS: tuple[tuple[int, str, str], ...] = (
    (1, "Client Work", "client"),
    (2, "Internal", "internal"),
    (3, "Admin", "admin"),
    (4, "Training", "training"),
    (5, "Business Development", "presales"),
    (6, "Vacation", "vacation"),
    (7, "Sick", "sick"),
)
PSA_FILES = ("clients", "resources", "rate_cards", "projects", "assignments", "time_entries", "time_off")
PSA_FILES += ("expenses",)
_NIGHT = r"regexp_extract(filename, '(\d{4}-\d{2}-\d{2})[/\\][^/\\]*$', 1)"


def _tasks_sql() -> str:
    rows = ", ".join(f"({i}, '{name}', '{kind}')" for i, name, kind in TASKS)
    return f"(select * from (values {rows}) as t(task_id, task_name, kind))"


#: Harvest stream -> SELECT over the PSA tables of one night (``{night}`` is bound as a parameter).
STREAMS: dict[str, str] = {
    "clients": f"""
        select id, name, is_active, null::varchar as address, currency, created_at, updated_at
        from _psa_clients where night = $night
        union all
        select {INTERNAL_CLIENT_ID}, 'Internal', true, null, '{ACCOUNT_CURRENCY}', '2020-01-01 00:00:00',
            '2020-01-01 00:00:00'
        where $full""",
    "users": """
        select r.id, r.first_name, r.last_name, r.email, null::varchar as timezone,
            cast(round(r.weekly_capacity_hours * 3600) as bigint) as weekly_capacity,
            r.employment_type = 'contractor' as is_contractor, r.is_active,
            u.bill_rate as default_hourly_rate, r.cost_rate,
            case when r.legal_entity is null then [] else [r.legal_entity] end as roles,
            cast(r.hire_date as timestamp) + interval 9 hour as created_at,
            greatest(r.updated_at, cast(r.hire_date as timestamp) + interval 9 hour) as updated_at
        from _psa_resources as r
        left join _user_rates as u on u.user_id = r.id and u.is_current
        where r.night = $night""",
    "roles": """
        select dense_rank() over (order by legal_entity) as id, legal_entity as name,
            list(id order by id) as user_ids, '2020-01-01 00:00:00' as created_at,
            max(updated_at) as updated_at
        from _psa_resources_latest where $full and legal_entity is not null
        group by legal_entity""",
    "billable_rates": """
        select id, user_id as parent_id, bill_rate as amount, effective_from as start_date,
            effective_to as end_date, updated_at as created_at, updated_at
        from _user_rates where night = $night""",
    "cost_rates": """
        select id, id as parent_id, cost_rate as amount, null::date as start_date, null::date as end_date,
            updated_at as created_at, updated_at
        from _psa_resources where night = $night and cost_rate is not null""",
    "projects": f"""
        select p.id,
            {{'id': coalesce(p.client_id, {INTERNAL_CLIENT_ID}), 'name': coalesce(c.name, 'Internal'),
                'currency': p.currency}} as client,
            p.name, p.code, p.status <> 'closed' as is_active, p.is_billable, p.fixed as is_fixed_fee,
            case when p.is_billable then 'People' else 'none' end as bill_by,
            null::decimal(18, 2) as hourly_rate, case when p.fixed then p.budget_hours end as budget,
            case when p.fixed and p.budget_hours is not null then 'project'
                when not p.fixed and coalesce(p.retainer_monthly_amount, p.budget_amount) is not null
                then 'project_cost' else 'none' end as budget_by,
            p.billing_type = 'retainer' as budget_is_monthly,
            case when p.billing_type = 'retainer' then p.retainer_monthly_amount
                when not p.fixed then p.budget_amount end as cost_budget,
            case when p.fixed then p.budget_amount end as fee, null::varchar as notes,
            p.start_date as starts_on, p.end_date as ends_on, p.created_at, p.updated_at
        from (
            select *, billing_type in ('fixed_fee', 'milestone') as fixed from _psa_projects
        ) as p
        left join _psa_clients_latest as c on c.id = p.client_id
        where p.night = $night
        union all
        select {TIME_OFF_PROJECT_ID},
            {{'id': {INTERNAL_CLIENT_ID}, 'name': 'Internal', 'currency': '{ACCOUNT_CURRENCY}'}},
            'Time Off', 'TIME-OFF', true, false, false, 'none', null, null, 'none', false, null, null, null,
            null, null, '2020-01-01 00:00:00', '2020-01-01 00:00:00'
        where $full""",
    "tasks": f"""
        select task_id as id, task_name as name, kind = 'client' as billable_by_default,
            null::decimal(18, 2) as default_hourly_rate, false as is_default, true as is_active,
            '2020-01-01 00:00:00' as created_at, '2020-01-01 00:00:00' as updated_at
        from {_tasks_sql()} where $full""",
    "user_assignments": """
        select a.id, {'id': a.project_id, 'name': p.name, 'code': p.code} as project,
            {'id': a.resource_id, 'name': r.first_name || ' ' || r.last_name} as "user",
            coalesce(p.project_manager_id = a.resource_id, false) as is_project_manager,
            a.end_date is null or a.end_date >= cast($night as date) as is_active,
            a.bill_rate is null as use_default_rates, a.bill_rate as hourly_rate,
            null::decimal(18, 2) as budget, a.updated_at as created_at, a.updated_at
        from _psa_assignments as a
        left join _psa_projects_latest as p on p.id = a.project_id
        left join _psa_resources_latest as r on r.id = a.resource_id
        where a.night = $night""",
    "task_assignments": """
        select project_id * 10 + task_id as id,
            {'id': project_id, 'name': project_name, 'code': code} as project,
            {'id': task_id, 'name': task_name} as task, bool_or(is_billable) as billable, true as is_active,
            null::decimal(18, 2) as hourly_rate, null::decimal(18, 2) as budget,
            min(created_at) as created_at, max(updated_at) as updated_at
        from _entries where night = $night
        group by all""",
    "time_entries": """
        select id, spent_date, hours, hours as rounded_hours, {'id': user_id, 'name': user_name} as "user",
            {'id': client_id, 'name': client_name, 'currency': currency} as client,
            {'id': project_id, 'name': project_name, 'code': code} as project,
            {'id': task_id, 'name': task_name} as task,
            case when assignment_id is not null then {'id': assignment_id} end as user_assignment,
            {'id': project_id * 10 + task_id, 'billable': is_billable} as task_assignment,
            case when invoice_id is not null then {'id': invoice_id, 'number': invoice_number} end as invoice,
            notes, is_closed or invoice_id is not null as is_locked,
            case when invoice_id is not null then 'Item Invoiced' when is_closed then 'Approved' end
                as locked_reason,
            is_closed, invoice_id is not null as is_billed, false as is_running, is_billable as billable,
            bill_rate as billable_rate, cost_rate, created_at, updated_at
        from _entries where night = $night""",
    "expenses": """
        select x.id, x.spent_date,
            {'id': x.resource_id, 'name': r.first_name || ' ' || r.last_name} as "user",
            {'id': p.client_id, 'name': c.name, 'currency': x.currency} as client,
            {'id': x.project_id, 'name': p.name, 'code': p.code} as project,
            {'id': dense_rank() over (order by x.category), 'name': x.category} as expense_category,
            case when x.erp_invoice_id is not null then {'id': try_cast(x.erp_invoice_id as bigint),
                'number': n.tranid} end as invoice,
            null::varchar as notes, null::decimal(18, 4) as units, x.amount as total_cost,
            x.is_billable as billable, x.status = 'approved' as is_closed,
            x.status = 'approved' or x.erp_invoice_id is not null as is_locked,
            x.erp_invoice_id is not null as is_billed, x.created_at, x.updated_at
        from _psa_expenses as x
        left join _psa_projects_latest as p on p.id = x.project_id
        left join _psa_clients_latest as c on c.id = p.client_id
        left join _psa_resources_latest as r on r.id = x.resource_id
        left join _erp_numbers as n on n.id = x.erp_invoice_id
        where x.night = $night""",
    "invoices": """
        select i.id, {'id': i.client_id, 'name': i.client_name} as client, i.tranid as number,
            'open' as state, null::decimal(18, 2) as amount, null::decimal(18, 2) as due_amount,
            null::decimal(18, 2) as tax_amount, null::decimal(18, 2) as tax2_amount,
            null::decimal(18, 2) as discount_amount, i.currency, null::date as issue_date,
            null::date as due_date, null::date as period_start, null::date as period_end,
            null::timestamp as sent_at, null::timestamp as paid_at, null::json as line_items,
            i.updated_at as created_at, i.updated_at
        from _invoices as i where i.night = $night""",
}
#: Streams of Harvest's own reports: the PSA export has no report, so none is landed (no report breaks).
EMPTY_STREAMS = ("time_projects", "time_team")


def _read_psa(ctx: Any, landing: Path, drop: dict[str, set[int]]) -> None:
    """Every night's PSA files into ``_psa_<object>`` (column ``night``), without the malformed lines."""
    nights = [d.isoformat() for d in ctx.extract_dates]
    contract = load_contract("psa")
    for obj in PSA_FILES:
        paths = []
        for night in nights:
            path = landing / "psa" / night / f"{obj}.jsonl"
            bad = drop.get(f"psa/{night}/{obj}.jsonl", set())
            if bad:
                lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
                path = path.with_suffix(".clean")
                path.write_text("".join(x for i, x in enumerate(lines, 1) if i not in bad), encoding="utf-8")
            if path.stat().st_size:
                paths.append(sql_str(str(path)))
        if paths:
            ctx.con.execute(
                f"create or replace temp table _psa_{obj} as select *, {_NIGHT} as night"
                f" from read_json([{', '.join(paths)}], format = 'newline_delimited', union_by_name = true,"
                " filename = true)"
            )
        else:  # no record of this object on any night: an empty table of the contract's columns
            cols = ", ".join(f'"{c.name}" {c.type}' for c in contract.object(obj).columns)
            ctx.con.execute(f"create or replace temp table _psa_{obj} ({cols}, night varchar)")
        if obj in ("clients", "resources", "projects"):
            ctx.con.execute(
                f"create or replace temp table _psa_{obj}_latest as select * from _psa_{obj}"
                " qualify row_number() over (partition by id order by night desc) = 1"
            )


def _read_erp_numbers(ctx: Any, landing: Path) -> None:
    """NetSuite id -> document number of every landed transaction (the Harvest invoice reference's number)."""
    pattern = sql_str(str(landing / "netsuite" / "*" / "transaction.csv"))
    ctx.con.execute(
        "create or replace temp table _erp_numbers as select id, max(tranid) as tranid"
        f" from read_csv({pattern}, header = true, all_varchar = true, ignore_errors = true) group by id"
    )


def _prepare(ctx: Any) -> None:
    """Derived tables the streams read: user rates, the time entries of both kinds, invoices referenced."""
    con = ctx.con
    con.execute(
        f"""create or replace temp table _user_rates as
        select rc.id * 100000 + r.id as id, r.id as user_id, r.night, rc.bill_rate, rc.effective_from,
            rc.effective_to, rc.updated_at,
            row_number() over (partition by r.night, r.id order by rc.effective_from desc) = 1 as is_current
        from _psa_resources as r
        inner join (
            select * from _psa_rate_cards qualify row_number() over (partition by id order by night desc) = 1
        ) as rc on rc.role_id = r.role_id and rc.currency = '{ACCOUNT_CURRENCY}'"""
    )
    con.execute(
        f"""create or replace temp table _entries as
        with work as (
            select t.id, t.night, t.spent_date, t.hours, t.resource_id as user_id, t.project_id,
                t.assignment_id,
                k.task_id, k.task_name, t.is_billable, t.status = 'approved' as is_closed,
                try_cast(t.erp_invoice_id as bigint) as invoice_id, t.bill_rate, t.cost_rate, t.currency,
                t.notes, t.created_at, t.updated_at
            from _psa_time_entries as t
            inner join {_tasks_sql()} as k on k.kind = t.work_type
            where t.deleted_at is null
        ),
        off as (
            select o.id + {TIME_OFF_ID_OFFSET} as id, o.night, o.off_date as spent_date, o.hours,
                o.resource_id as user_id, {TIME_OFF_PROJECT_ID} as project_id, null::bigint as assignment_id,
                k.task_id, k.task_name, false as is_billable, o.status = 'approved' as is_closed,
                null::bigint as invoice_id, null::decimal(18, 2) as bill_rate,
                null::decimal(18, 2) as cost_rate, '{ACCOUNT_CURRENCY}' as currency, null::varchar as notes,
                o.updated_at as created_at, o.updated_at
            from _psa_time_off as o
            inner join {_tasks_sql()} as k on k.kind = o.type
        )
        select e.*, r.first_name || ' ' || r.last_name as user_name,
            coalesce(p.client_id, {INTERNAL_CLIENT_ID}) as client_id,
            coalesce(c.name, 'Internal') as client_name,
            coalesce(p.name, 'Time Off') as project_name, coalesce(p.code, 'TIME-OFF') as code,
            n.tranid as invoice_number
        from (select * from work union all select * from off) as e
        left join _psa_resources_latest as r on r.id = e.user_id
        left join _psa_projects_latest as p on p.id = e.project_id
        left join _psa_clients_latest as c on c.id = p.client_id
        left join _erp_numbers as n on n.id = cast(e.invoice_id as varchar)"""
    )
    con.execute(
        """create or replace temp table _invoices as
        select invoice_id as id, night, min(client_id) as client_id, min(client_name) as client_name,
            min(invoice_number) as tranid, min(currency) as currency, max(updated_at) as updated_at
        from (
            select invoice_id, night, client_id, client_name, invoice_number, currency, updated_at
            from _entries where invoice_id is not null
            union all
            select try_cast(x.erp_invoice_id as bigint), x.night, p.client_id, c.name, n.tranid, x.currency,
                x.updated_at
            from _psa_expenses as x
            left join _psa_projects_latest as p on p.id = x.project_id
            left join _psa_clients_latest as c on c.id = p.client_id
            left join _erp_numbers as n on n.id = x.erp_invoice_id
            where x.erp_invoice_id is not null
        )
        group by invoice_id, night"""
    )


def _write_night(ctx: Any, out: Path, night: str, full: bool) -> None:
    """Every Harvest stream of one night as JSON Lines (an empty file where the night has no record)."""
    for stream, query in STREAMS.items():
        sql = query.replace("$night", f"'{night}'").replace("$full", "true" if full else "false")
        _copy(ctx, f"select * from ({sql}) order by 1", out / f"{stream}.jsonl")
    for stream in EMPTY_STREAMS:
        (out / f"{stream}.jsonl").write_text("", encoding="utf-8")


def _copy(ctx: Any, query: str, path: Path) -> None:
    """COPY as newline-delimited JSON; DuckDB writes nothing for no rows, so the file is always created."""
    ctx.con.execute(f"COPY ({query}) TO {sql_str(str(path))} (FORMAT JSON)")
    if not path.exists():
        path.write_text("", encoding="utf-8")


def _write_not_carried(ctx: Any, truth: Path, drop: dict[str, set[int]]) -> None:
    """``_truth/harvest_not_carried.csv``: what of the PSA export the Harvest landing cannot hold."""
    truth.mkdir(parents=True, exist_ok=True)
    deleted = ctx.con.execute(
        "select night, id from _psa_time_entries where deleted_at is not null order by night, id"
    ).fetchall()
    with (truth / "harvest_not_carried.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["what", "extract_date", "object", "record_id", "line"])
        w.writerows(("deleted_time_entry", night, "time_entries", rid, "") for night, rid in deleted)
        for file, lines in sorted(drop.items()):
            _, night, name = file.split("/")
            w.writerows(("malformed_line", night, name.removesuffix(".jsonl"), "", n) for n in sorted(lines))


def reshape_psa(ctx: Any, landing: Path) -> int:
    """Rewrite ``landing/psa/<night>/`` as ``landing/harvest/<night>/``; returns data rows written."""
    psa_root, hv_root = landing / "psa", landing / "harvest"
    if hv_root.exists():
        shutil.rmtree(hv_root)
    drop = extracts.malformed_lines(ctx, "psa")
    _read_psa(ctx, landing, drop)
    _read_erp_numbers(ctx, landing)
    _prepare(ctx)
    for i, d in enumerate(ctx.extract_dates):
        out = hv_root / d.isoformat()
        out.mkdir(parents=True, exist_ok=True)
        _write_night(ctx, out, d.isoformat(), full=i == 0)
    _write_not_carried(ctx, landing.parent / "_truth", drop)
    shutil.rmtree(psa_root)
    if extracts.has_defect_log(ctx):
        ctx.con.execute("delete from _gen_defects where system = 'psa' and file is not null")
    return extracts.write_markers(ctx, landing, ("harvest",))
