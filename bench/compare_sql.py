"""``python -m bench.compare_sql``: time two versions of one model's compiled SQL on a built warehouse.

A rewrite of a model for speed must return the same rows. This runs the old and the new ``select`` (from
``dbt compile``) against the same warehouse, read-only, each twice (the second run is the one to quote: the
first also reads the file from disk), with DuckDB's profiler on, and prints per version the wall time, the
CPU time, the peak buffer memory and the bytes spilled, then the rows each has that the other lacks
(``EXCEPT ALL`` both ways) and whether the column names and types agree. Exit code 1 when the rows or types
differ. ``--operators N`` also prints each version's N operators that took the longest (name, rows, seconds,
what it reads, joins or groups): where a rewrite should look (docs/performance.md items 63 and 64 were found
so). docs/performance.md (item 21) shows how it was used::

    THROUGHLINE_WAREHOUSE=<l warehouse> dbt compile --select my_model --target-path /tmp/old   # on main
    THROUGHLINE_WAREHOUSE=<l warehouse> dbt compile --select my_model --target-path /tmp/new   # on the branch
    python -m bench.compare_sql <l warehouse> /tmp/old/.../my_model.sql /tmp/new/.../my_model.sql
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

#: What an operator's line says of it, from DuckDB's profile (those of these its extra info has).
OPERATOR_DETAILS = ("Table", "CTE Name", "Execution Mode", "Join Type", "Conditions", "Groups", "Aggregates")


@dataclass(frozen=True)
class Operator:
    seconds: float
    name: str
    rows: int
    details: str

    def line(self) -> str:
        return f"  {self.seconds:7.3f} s  {self.name:<16} {self.rows:>12,} rows  {self.details}"


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_seconds: float
    peak_mib: int
    spilled_mib: int
    operators: tuple[Operator, ...] = ()


def _details(extra: dict) -> str:
    parts = []
    for key in OPERATOR_DETAILS:
        value = extra.get(key)
        if value:
            text = ", ".join(value) if isinstance(value, list) else str(value)
            parts.append(f"{key}: {text if len(text) <= 90 else text[:87] + '...'}")
    return "; ".join(parts)


def operators(figures: dict) -> list[Operator]:
    """Every operator of a DuckDB JSON profile, the longest first."""
    found: list[Operator] = []
    todo = list(figures.get("operator") or [])
    while todo:
        node = todo.pop()
        todo.extend(node.get("children") or [])
        found.append(
            Operator(
                seconds=float(node.get("timing") or 0.0),
                name=str(node.get("name") or node.get("type") or "?"),
                rows=int(node.get("intermediate_rows") or 0),
                details=_details(node.get("extra_info") or {}),
            )
        )
    return sorted(found, key=lambda op: -op.seconds)


def _timed_run(con: duckdb.DuckDBPyConnection, table: str, sql: str, profile: Path) -> Run:
    """Materialise ``sql`` as temp table ``table`` with the JSON profiler on; the run's figures."""
    con.execute("pragma enable_profiling = 'json'")
    con.execute(f"pragma profiling_output = '{profile}'")
    started = time.perf_counter()
    con.execute(f"create or replace temp table {table} as {sql}")
    seconds = time.perf_counter() - started
    con.execute("pragma disable_profiling")
    figures = json.loads(profile.read_text())
    system = figures.get("system", {})
    return Run(
        seconds=seconds,
        cpu_seconds=float(figures.get("query", {}).get("cpu_time", 0.0)),
        peak_mib=int(system.get("peak_buffer_memory", 0)) >> 20,
        spilled_mib=int(system.get("total_bytes_spilled", 0)) >> 20,
        operators=tuple(operators(figures)),
    )


def _difference(con: duckdb.DuckDBPyConnection, left: str, right: str) -> int:
    query = f"select count(*) from (select * from {left} except all select * from {right})"
    return int(con.execute(query).fetchall()[0][0])


def compare(
    warehouse: Path, old_sql: str, new_sql: str, memory_limit: str, threads: int, top: int = 0
) -> bool:
    """Print the comparison (with each version's ``top`` longest operators); True when both versions return
    the same rows with the same column types."""
    config = {"memory_limit": memory_limit, "threads": threads}
    with (
        duckdb.connect(str(warehouse), read_only=True, config=config) as con,
        tempfile.TemporaryDirectory() as tmp,
    ):
        profile = Path(tmp) / "profile.json"
        for name, sql in (("old", old_sql), ("new", new_sql)):
            runs = [_timed_run(con, name, sql, profile) for _ in range(2)]
            rows = con.execute(f"select count(*) from {name}").fetchall()[0][0]
            last = runs[-1]
            print(
                f"{name}: {runs[0].seconds:.2f} s then {last.seconds:.2f} s, CPU {last.cpu_seconds:.2f} s, "
                f"peak {last.peak_mib} MiB, spilled {last.spilled_mib} MiB, {rows} rows"
            )
            for op in last.operators[:top]:
                print(op.line())
        missing, extra = _difference(con, "old", "new"), _difference(con, "new", "old")
        same_types = con.execute("describe old").fetchall() == con.execute("describe new").fetchall()
    print(f"rows only in old: {missing}, only in new: {extra}, same column names and types: {same_types}")
    return missing == 0 and extra == 0 and same_types


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.compare_sql", description=__doc__.split("\n")[0])
    p.add_argument("warehouse", type=Path, help="a built warehouse (opened read-only)")
    p.add_argument("old", type=Path, help="compiled SQL of the model before the change")
    p.add_argument("new", type=Path, help="compiled SQL of the model after the change")
    p.add_argument("--memory-limit", default="3GB", help="DuckDB memory_limit (the nightly's default)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--operators", type=int, default=0, metavar="N", help="each version's N longest operators")
    args = p.parse_args(argv)
    old_sql, new_sql = args.old.read_text(), args.new.read_text()
    same = compare(args.warehouse, old_sql, new_sql, args.memory_limit, args.threads, args.operators)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
