"""The sample firm on other source systems, compared with the default run: what the three firm tests share.

``sources/test_other_systems_firm.py`` (HubSpot + NetSuite + Harvest), ``sources/xero/test_xero_firm.py`` and
``sources/quickbooks/test_quickbooks_firm.py`` each generate the xs firm (seed 7) in other systems' shapes,
run the nightly on it and compare every mart with the session's default run. They differ in what they
expect, not in how they build and compare, so the building and comparing live here once.

In the queries a test writes, ``{db}`` stands for either side; the default run is attached as ``base``, the
other systems' run as ``other``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from session_builds import shared_build
from warehouse_diff import RUN_STAMP_COLUMNS, attach_read_only

REPO_ROOT = Path(__file__).resolve().parents[1]
XS_SEED = 7  # the seed of tests/conftest.py's xs_firm / xs_warehouse
#: ``generate`` option per system setting (docs/sources/choosing-systems.md).
GENERATE_OPTIONS = {"THROUGHLINE_CRM": "--crm", "THROUGHLINE_ERP": "--erp", "THROUGHLINE_PSA": "--psa"}
BASE, OTHER = "base", "other"


def systems_firm_warehouse(
    tmp_path_factory: pytest.TempPathFactory, name: str, systems: Mapping[str, str]
) -> Path:
    """The xs firm generated in the shapes ``systems`` names and run with those settings, once per session.

    ``systems``: e.g. ``{"THROUGHLINE_ERP": "xero"}``. Generate and run are subprocesses, so the run's
    Dagster definitions and dbt target (``target/systems-…``) never mix with the session's default runs.
    Returns the warehouse; the landing and ``_truth`` are beside it.
    """
    root = tmp_path_factory.getbasetemp()
    root = root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root
    target = root / "throughline-cache" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    with shared_build(str(target) + ".lock", name):
        if not (target / ".done").exists():
            env = {**os.environ, **systems, "PYTHONPATH": str(REPO_ROOT)}
            cli = [sys.executable, "-m", "throughline.cli"]
            shapes = [arg for key, value in systems.items() for arg in (GENERATE_OPTIONS[key], value)]
            generate = [
                *cli,
                "generate",
                "--scale",
                "xs",
                "--seed",
                str(XS_SEED),
                *shapes,
                "--out",
                str(target),
            ]
            subprocess.run(generate, env=env, check=True, capture_output=True)
            run = [
                *cli,
                "run",
                "--landing",
                str(target / "landing"),
                "--warehouse",
                str(target / "wh.duckdb"),
            ]
            proc = subprocess.run(run, env=env, capture_output=True, text=True, check=False)
            assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
            (target / ".done").write_text("ok")
    return target / "wh.duckdb"


@contextmanager
def compared(base: Path, other: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """One in-memory connection with the default run attached as ``base`` and the other run as ``other``."""
    con = duckdb.connect()
    try:
        attach_read_only(con, base, BASE)
        attach_read_only(con, other, OTHER)
        yield con
    finally:
        con.close()


def diff(con: duckdb.DuckDBPyConnection, query: str) -> tuple[int, list[tuple], list[tuple]]:
    """Row count of the default side, and the rows only the default side has and only the other has."""
    base, other = query.format(db=BASE), query.format(db=OTHER)
    n = con.execute(f"select count(*) from ({base})").fetchone()[0]  # type: ignore[index]
    return (
        n,
        con.execute(f"{base} except all {other}").fetchall(),
        con.execute(f"{other} except all {base}").fetchall(),
    )


def changed_columns(con: duckdb.DuckDBPyConnection, table: str, where: str = "") -> set[str]:
    """Columns of ``marts.<table>`` whose values differ as multisets between the runs (run stamps aside)."""
    cols = con.execute(
        "select column_name from duckdb_columns() where database_name = ? and schema_name = 'marts'"
        " and table_name = ? order by column_index",
        [BASE, table],
    ).fetchall()
    changed = set()
    for (col,) in cols:
        if col in RUN_STAMP_COLUMNS:
            continue
        _, only_base, only_other = diff(con, f'select "{col}" from {{db}}.marts.{table} {where}')
        if only_base or only_other:
            changed.add(col)
    return changed


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The default run's mart tables (every one of them must be listed or equal in a firm test)."""
    rows = con.execute(
        "select table_name from duckdb_tables() where database_name = ? and schema_name = 'marts' order by 1",
        [BASE],
    ).fetchall()
    return [r[0] for r in rows]
