"""The floor script (bench/floor.sql) on a hand-made landing: every KPI checked against hand arithmetic."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from bench.floor import KPI_TABLES, run_floor

TE_COLS = "id resource_id project_id spent_date hours is_billable work_type status bill_rate cost_rate"


def _jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def _entry(
    i: int, day: str, hours: float, status: str = "approved", updated: str = "2026-06-30 10:00:00"
) -> dict:
    keys = TE_COLS.split()
    values = [i, 1, 7, day, hours, True, "client", status, 100.0, 60.0]
    return {**dict(zip(keys, values, strict=True)), "updated_at": updated, "deleted_at": None}


def _landing(root: Path) -> Path:
    """June 2026 (22 weekdays), one 40 h/week resource, one project, three invoices and a payment."""
    psa1, psa2 = root / "psa" / "2026-06-29", root / "psa" / "2026-06-30"
    _jsonl(psa1 / "time_entries.jsonl", [_entry(1, "2026-06-01", 8), _entry(2, "2026-06-30", 4, "draft")])
    # the next night: entry 2 approved (latest version wins), entry 3 deleted
    _jsonl(
        psa2 / "time_entries.jsonl",
        [
            _entry(2, "2026-06-30", 4, updated="2026-07-01 09:00:00"),
            {**_entry(3, "2026-06-15", 5), "deleted_at": "2026-06-30 12:00:00"},
        ],
    )
    _jsonl(psa1 / "resources.jsonl", [{"id": 1, "weekly_capacity_hours": 40, "updated_at": "2026-01-01"}])
    _jsonl(psa1 / "projects.jsonl", [{"id": 7, "budget_amount": 5000, "updated_at": "2026-01-01"}])
    ns = root / "netsuite" / "2026-06-30"
    ns.mkdir(parents=True)
    (ns / "transaction.csv").write_text(
        "id,type,trandate,exchangerate,foreigntotal,lastmodifieddate,_fivetran_deleted\n"
        "1,CustInvc,2026-06-10,1.0,1000.00,2026-06-10 00:00:00,false\n"
        "2,CustInvc,2026-01-10,2.0,300.00,2026-01-10 00:00:00,false\n"
        "3,CustPymt,2026-06-20,1.0,400.00,2026-06-20 00:00:00,false\n"
    )
    (ns / "transactionline.csv").write_text(
        "id,transaction,mainline,subsidiary,netamount,custcol_psa_project_id,linelastmodifieddate,"
        "_fivetran_deleted\n"
        "0,1,true,1,1000.00,,2026-06-10 00:00:00,false\n"
        "1,1,false,1,1000.00,7,2026-06-10 00:00:00,false\n"
        "0,2,true,1,300.00,,2026-01-10 00:00:00,false\n"
        "1,2,false,1,300.00,7,2026-01-10 00:00:00,false\n"
        "0,3,true,1,400.00,,2026-06-20 00:00:00,false\n"
    )
    return root


def test_floor_kpis_match_hand_arithmetic(tmp_path: Path) -> None:
    db = tmp_path / "floor.duckdb"
    counts = run_floor(_landing(tmp_path / "landing"), db)
    assert set(counts) == set(KPI_TABLES)
    with duckdb.connect(str(db), read_only=True) as con:
        # entries 1 and 2 approved (8 + 4 h), entry 3 deleted; capacity 40/5 x 22 weekdays of June = 176
        (util,) = con.execute(
            "select productive_hours, capacity_hours, utilization from kpi_utilization"
        ).fetchall()
        assert (float(util[0]), float(util[1])) == (12.0, 176.0)
        assert util[2] == pytest.approx(12 / 176)
        # budget 5000, billed 1000 + 300 on project 7
        assert con.execute("select billed, backlog from kpi_backlog").fetchall() == [(1300, 3700)]
        # revenue 12 h x 100, cost 12 h x 60
        rev, cost, margin = con.execute("select revenue, cost, margin from kpi_margin").fetchall()[0]
        assert (float(rev), float(cost)) == (1200.0, 720.0)
        assert margin == pytest.approx(0.4)
        # receivables 1000 + 300 x 2 - 400 = 1200; sales of the 90 days to 2026-06-20: 1000; DSO 108
        ar, sales, dso = con.execute("select receivables, sales_90d, dso from kpi_dso").fetchall()[0]
        assert (ar, sales) == (pytest.approx(1200.0), pytest.approx(1000.0))
        assert dso == pytest.approx(108.0)


def test_floor_reads_the_sample_firm(tmp_path: Path, xs_firm: Path) -> None:
    counts = run_floor(xs_firm / "landing", tmp_path / "floor.duckdb")
    assert all(counts[t] > 0 for t in KPI_TABLES), counts
