"""Shared helpers for the injectors: deterministic picks, new ids and the defect log table.

Every injector records what it did in the working-store table ``_gen_defects`` (never exported); the
truth manifest is written from it. Picks order candidates by ``hash(key || kind || seed)`` so a given seed
always selects the same records, and exclude records an earlier kind already took.
"""

from __future__ import annotations

from typing import Any

from .catalogue import DefectRates

LOG = "_gen_defects"


def rates(ctx: Any) -> DefectRates:
    r = getattr(ctx, "defect_rates", None)
    if isinstance(r, DefectRates):
        return r
    if isinstance(r, dict):
        return DefectRates(r)
    return DefectRates()


def ensure_log(ctx: Any) -> None:
    ctx.con.execute(
        f"""create table if not exists {LOG} (
            seq bigint, kind varchar, system varchar, object varchar, record_key varchar,
            related_keys varchar, amount double, currency varchar, landed_at timestamp, file varchar,
            line bigint, description varchar)"""
    )


def scalar(ctx: Any, sql: str, params: list[Any] | None = None) -> Any:
    rows = ctx.con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def exists(ctx: Any, table: str) -> bool:
    return bool(scalar(ctx, "select count(*) from information_schema.tables where table_name = ?", [table]))


def has_column(ctx: Any, table: str, column: str) -> bool:
    return bool(
        scalar(
            ctx,
            "select count(*) from information_schema.columns where table_name = ? and column_name = ?",
            [table, column],
        )
    )


def taken(system: str, obj: str, field: str = "id", cast: str = "bigint") -> str:
    """SQL list of keys already carrying a defect, to keep kinds on distinct records."""
    return (
        f"(select (record_key::json->>'{field}')::{cast} from {LOG} "
        f"where system = '{system}' and object = '{obj}' and record_key::json->>'{field}' is not null)"
    )


def pick(
    ctx: Any,
    kind: str,
    source: str,
    key: str,
    into: str = "_pick",
    n: int | None = None,
    prefer: str = "true",
) -> int:
    """Materialise in temp table ``into`` the chosen rows of ``source`` (a table or subquery).

    ``n`` defaults to the kind's rate × the candidate count (≥ 1 when there is any candidate); rows where
    the boolean ``prefer`` holds are taken first.
    """
    pop = int(scalar(ctx, f"select count(*) from {source} as s") or 0)
    if n is None:
        n = rates(ctx).count(kind, pop)
    n = min(n, pop)
    ctx.con.execute(
        f"""create or replace temp table {into} as
            select * from {source} as s
            order by coalesce(({prefer}), false) desc, hash(({key})::varchar || ?), ({key})::varchar
            limit {int(n)}""",
        [f"|{kind}|{ctx.seed}"],
    )
    return n


def record(
    ctx: Any, kind: str, system: str, obj: str, select_sql: str, params: list[Any] | None = None
) -> None:
    """Log defects from a query with record_key, related_keys, amount, currency, landed_at, description."""
    ensure_log(ctx)
    ctx.con.execute(
        f"""insert into {LOG}
            select (select coalesce(max(seq), 0) from {LOG}) + row_number() over (order by q.record_key),
                   ?, ?, ?, q.record_key::varchar, q.related_keys::varchar, q.amount::double, q.currency,
                   q.landed_at::timestamp, null, null, q.description
            from ({select_sql}) as q""",
        [kind, system, obj, *(params or [])],
    )


def record_file(
    ctx: Any,
    kind: str,
    system: str,
    obj: str,
    file: str,
    line: int,
    record_key: str,
    column: str | None,
    description: str,
    extract_date: str,
) -> None:
    """Log one malformed line (file relative to landing, 1-based physical line)."""
    ensure_log(ctx)
    related = f'{{"column": "{column}"}}' if column else "{}"
    ctx.con.execute(
        f"""insert into {LOG} select (select coalesce(max(seq), 0) from {LOG}) + 1, ?, ?, ?, ?, ?, null, null,
            ?::date, ?, ?, ?""",
        [kind, system, obj, record_key, related, extract_date, file, line, description],
    )


def next_int_id(ctx: Any, table: str, column: str = "id") -> int:
    """First free integer id of ``table`` (kept clear of generator ids by a gap)."""
    return int(scalar(ctx, f"select coalesce(max({column}), 0) from {table}") or 0) + 1


def sf_id_sql(expr: str, tag: str) -> str:
    """An 18-character Salesforce-style id derived from ``expr`` (keeps the 3-character key prefix)."""
    return f"left({expr}, 3) || 'TL' || upper(left(md5({expr} || '{tag}'), 13))"


def t(system: str, obj: str) -> str:
    return f"{system}__{obj}"
