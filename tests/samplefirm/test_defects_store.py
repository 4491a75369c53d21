"""Injection on an in-memory working store (no files): configurable rates and the breaks as stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from throughline.samplefirm import billing, commercial, delivery, masters
from throughline.samplefirm.context import make_context
from throughline.samplefirm.defects import DefectRates, inject_after_billing, inject_before_billing
from throughline.samplefirm.store import create_tables


@pytest.fixture(scope="module")
def store() -> Iterator[tuple[Any, duckdb.DuckDBPyConnection]]:
    with duckdb.connect() as con:
        ctx = make_context("xs", 11, Path("unused"), False, con)
        ctx.defect_rates = DefectRates({"R1": 0.0, "B1": 0.01, "E6": 0.5})  # type: ignore[attr-defined]
        create_tables(ctx)
        for stage in (masters.build, commercial.build, delivery.build):
            stage(ctx)
        eligible = con.execute(
            """select count(*) from psa__time_entries te join psa__projects p on p.id = te.project_id
               where te.status = 'approved' and te.is_billable and p.billing_type = 'time_and_materials'
                 and te.hours > 0 and te.spent_date < ?::date - interval 45 day""",
            [ctx.end_date],
        ).fetchall()[0][0]
        inject_before_billing(ctx)
        billing.build(ctx)
        inject_after_billing(ctx)
        ctx.stats["b1_eligible"] = eligible
        yield ctx, con


def _count(con: duckdb.DuckDBPyConnection, kind: str) -> int:
    return int(con.execute("select count(*) from _gen_defects where kind = ?", [kind]).fetchall()[0][0])


def test_rates_are_configurable(store: tuple[Any, duckdb.DuckDBPyConnection]) -> None:
    ctx, con = store
    assert _count(con, "R1") == 0
    assert _count(con, "B1") == max(1, round(0.01 * ctx.stats["b1_eligible"]))
    subsidiaries = con.execute(
        "select count(*) from netsuite__subsidiary where not coalesce(iselimination, false)"
    ).fetchall()[0][0]
    months = (ctx.end_date.year * 12 + ctx.end_date.month) - (ctx.start_date.year * 12 + ctx.start_date.month)
    assert _count(con, "E6") == round(0.5 * subsidiaries * months)


def test_b1_time_was_never_invoiced(store: tuple[Any, duckdb.DuckDBPyConnection]) -> None:
    _, con = store
    rows = con.execute(
        """select te.status, te.is_billable, te.erp_invoice_id from _gen_defects d
           join psa__time_entries te on te.id = (d.record_key::json->>'id')::bigint where d.kind = 'B1'"""
    ).fetchall()
    assert rows and all(r == ("approved", True, None) for r in rows)


def test_e6_journals_are_off_by_100(store: tuple[Any, duckdb.DuckDBPyConnection]) -> None:
    _, con = store
    sums = con.execute(
        """select sum(l.amount) from _gen_defects d join netsuite__transactionaccountingline l
             on l.transaction = (d.record_key::json->>'id')::bigint
           where d.kind = 'E6' group by l.transaction"""
    ).fetchall()
    assert sums and {float(s) for (s,) in sums} == {100.0}


def test_missing_timesheet_weeks_are_empty(store: tuple[Any, duckdb.DuckDBPyConnection]) -> None:
    _, con = store
    left = con.execute(
        """select count(*) from _gen_defects d join psa__time_entries te
             on te.resource_id = (d.record_key::json->>'resource_id')::bigint
            and date_trunc('week', te.spent_date) = (d.record_key::json->>'week_start')::date
           where d.kind = 'PSA_MISSING_TIMESHEET'"""
    ).fetchall()[0][0]
    assert _count(con, "PSA_MISSING_TIMESHEET") >= 1 and left == 0
