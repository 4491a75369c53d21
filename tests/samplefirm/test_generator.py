"""The sample-firm generator: layout, determinism, deltas, scale sizes and accounting identities."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingestion.contract import COMPLETION_MARKER, SystemContract, chosen_systems, load_contracts
from throughline.samplefirm import generate
from throughline.samplefirm.context import HISTORY_END, SCALES, estimate_counts

XS_SEED = 7


def _default_firm_contracts() -> dict[str, SystemContract]:
    """The contracts of the systems the default sample firm runs (not Harvest, an alternative PSA)."""
    return {s: c for s, c in load_contracts().items() if s in chosen_systems({})}


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".done"
    }


def test_same_seed_same_bytes(xs_clean_firm: Path, tmp_path: Path) -> None:
    generate(scale="xs", seed=XS_SEED, out=tmp_path, clean=True)
    first, second = _digests(xs_clean_firm / "landing"), _digests(tmp_path / "landing")
    n_dates = len(SCALES["xs"].extract_dates)
    assert len(first) == sum(len(c.objects) + 1 for c in _default_firm_contracts().values()) * n_dates
    assert first == second


def test_other_seed_differs(xs_clean_firm: Path, tmp_path: Path) -> None:
    generate(scale="xs", seed=XS_SEED + 1, out=tmp_path, clean=True)
    a = (xs_clean_firm / "landing/psa/2026-11-18/time_entries.jsonl").read_bytes()
    b = (tmp_path / "landing/psa/2026-11-18/time_entries.jsonl").read_bytes()
    assert a != b


def test_layout_headers_and_markers(xs_clean_firm: Path) -> None:
    landing = xs_clean_firm / "landing"
    dates = [d.isoformat() for d in SCALES["xs"].extract_dates]
    assert dates == ["2026-11-18", "2026-11-19", "2026-11-20"]
    for system, contract in _default_firm_contracts().items():
        assert sorted(p.name for p in (landing / system).iterdir()) == dates
        for i, d in enumerate(dates):
            folder = landing / system / d
            marker = json.loads((folder / COMPLETION_MARKER).read_text())
            assert marker["system"] == system and marker["extract_date"] == d
            assert marker["extract_type"] == ("full" if i == 0 else "delta")
            assert set(marker["files"]) == {o.file for o in contract.objects}
            for obj in contract.objects:
                path = folder / obj.file
                data = path.read_bytes()
                stats = marker["files"][obj.file]
                assert stats["bytes"] == len(data)
                assert stats["sha256"] == hashlib.sha256(data).hexdigest()
                if obj.format == "csv":
                    rows = list(csv.reader(data.decode("utf-8").splitlines()))
                    assert rows[0] == obj.column_names, path
                    assert stats["rows"] == len(rows) - 1
                else:
                    lines = data.decode("utf-8").splitlines()
                    assert stats["rows"] == len(lines)
                    for line in lines[:5]:
                        assert list(json.loads(line)) == obj.column_names, path


def test_expected_counts_xs(clean_db: duckdb.DuckDBPyConnection) -> None:
    est = estimate_counts(SCALES["xs"])
    n_te = clean_db.execute("SELECT count(*) FROM psa__time_entries").fetchone()[0]
    n_res = clean_db.execute("SELECT count(*) FROM psa__resources").fetchone()[0]
    assert n_res == SCALES["xs"].people
    assert 0.7 * est["time_entries"] <= n_te <= 1.3 * est["time_entries"]
    n_emp = clean_db.execute("SELECT count(*) FROM netsuite__employee").fetchone()[0]
    n_contr = clean_db.execute(
        "SELECT count(*) FROM psa__resources WHERE employment_type = 'contractor'"
    ).fetchone()[0]
    assert n_emp + n_contr == n_res
    assert clean_db.execute("SELECT count(*) FROM netsuite__subsidiary").fetchone()[0] == 3
    types = dict(clean_db.execute("SELECT type, count(*) FROM netsuite__transaction GROUP BY 1").fetchall())
    for t in ("SalesOrd", "CustInvc", "CustPymt", "Journal", "VendBill", "FxReval"):
        assert types.get(t, 0) > 0, t


def test_scale_table_and_estimates() -> None:
    assert [s.people for s in SCALES.values()] == [40, 150, 600, 2000, 8000]
    assert SCALES["s"].extract_dates == [
        date(2026, 11, 17),
        date(2026, 11, 18),
        date(2026, 11, 19),
        HISTORY_END,
    ]
    assert SCALES["s"].start_date == date(2024, 11, 1)
    assert 4_000_000 <= estimate_counts(SCALES["l"])["time_entries"] <= 5_000_000
    assert 17_000_000 <= estimate_counts(SCALES["xl"])["time_entries"] <= 24_000_000
    assert estimate_counts(SCALES["xs"])["time_entries"] < 20_000


def test_journals_balance_per_document_and_period(clean_db: duckdb.DuckDBPyConnection) -> None:
    bad_docs = clean_db.execute("""
        SELECT transaction, sum(amount) FROM netsuite__transactionaccountingline
        GROUP BY 1 HAVING sum(amount) <> 0""").fetchall()
    assert bad_docs == []
    bad = clean_db.execute("""
        SELECT t.postingperiod, l.subsidiary, sum(a.debit) - sum(a.credit)
        FROM netsuite__transactionaccountingline a JOIN netsuite__transaction t ON t.id = a.transaction
        JOIN netsuite__transactionline l ON l.transaction = a.transaction AND l.id = a.transactionline
        GROUP BY 1, 2 HAVING sum(a.debit) <> sum(a.credit)""").fetchall()
    assert bad == []
    n = clean_db.execute(
        "SELECT count(DISTINCT transaction) FROM netsuite__transactionaccountingline"
    ).fetchone()[0]
    assert n > 100


def test_invoice_header_equals_lines_plus_tax(clean_db: duckdb.DuckDBPyConnection) -> None:
    bad = clean_db.execute("""
        SELECT t.id, t.foreigntotal, t.taxtotal,
               sum(l.foreignamount) FILTER (WHERE NOT l.mainline AND NOT l.taxline) AS net,
               coalesce(sum(l.foreignamount) FILTER (WHERE l.taxline), 0) AS tax
        FROM netsuite__transaction t JOIN netsuite__transactionline l ON l.transaction = t.id
        WHERE t.type = 'CustInvc' GROUP BY ALL
        HAVING t.foreigntotal <> net + t.taxtotal OR tax <> t.taxtotal""").fetchall()
    assert bad == []


def test_payments_applied_not_above_invoice(clean_db: duckdb.DuckDBPyConnection) -> None:
    bad = clean_db.execute("""
        SELECT k.previousdoc, sum(k.foreignamount), t.foreigntotal
        FROM netsuite__previoustransactionlinelink k JOIN netsuite__transaction t ON t.id = k.previousdoc
        GROUP BY k.previousdoc, t.foreigntotal HAVING sum(k.foreignamount) > t.foreigntotal""").fetchall()
    assert bad == []
    assert (
        clean_db.execute(
            "SELECT count(*) FROM netsuite__previoustransactionlinelink WHERE linktype = 'Payment'"
        ).fetchone()[0]
        > 10
    )


def test_time_inside_employment_and_project_dates(clean_db: duckdb.DuckDBPyConnection) -> None:
    outside_employment = clean_db.execute("""
        SELECT count(*) FROM psa__time_entries t JOIN psa__resources r ON r.id = t.resource_id
        WHERE t.spent_date < r.hire_date OR t.spent_date > coalesce(r.termination_date, DATE '2999-01-01')
    """).fetchone()[0]
    assert outside_employment == 0
    outside_project = clean_db.execute("""
        SELECT count(*) FROM psa__time_entries t JOIN psa__projects p ON p.id = t.project_id
        WHERE t.spent_date < p.start_date OR t.spent_date > coalesce(p.end_date, DATE '2999-01-01')
           OR p.status = 'planned'
    """).fetchone()[0]
    assert outside_project == 0
    orphan = clean_db.execute("""
        SELECT count(*) FROM psa__time_entries t LEFT JOIN psa__projects p ON p.id = t.project_id
        WHERE p.id IS NULL""").fetchone()[0]
    assert orphan == 0


def test_billed_time_points_to_existing_invoice(clean_db: duckdb.DuckDBPyConnection) -> None:
    billed, dangling = clean_db.execute("""
        SELECT count(*), count(*) FILTER (WHERE i.id IS NULL)
        FROM psa__time_entries t
        LEFT JOIN netsuite__transaction i ON i.id::VARCHAR = t.erp_invoice_id AND i.type = 'CustInvc'
        WHERE t.erp_invoice_id IS NOT NULL""").fetchone()
    assert billed > 100
    assert dangling == 0


def test_deltas_carry_newer_versions(clean_db: duckdb.DuckDBPyConnection) -> None:
    # Same key in several extracts => strictly larger updated_at in the later one.
    regress = clean_db.execute("""
        SELECT count(*) FROM (
            SELECT id, _n, updated_at, lag(updated_at) OVER (PARTITION BY id ORDER BY _n) AS prev
            FROM all_psa__time_entries) WHERE prev IS NOT NULL AND updated_at <= prev""").fetchone()[0]
    assert regress == 0
    approved_later = clean_db.execute("""
        SELECT count(*) FROM all_psa__time_entries a JOIN all_psa__time_entries b ON a.id = b.id
        WHERE a._n = 0 AND a.status = 'submitted' AND b._n > 0 AND b.status = 'approved'""").fetchone()[0]
    assert approved_later > 0
    new_per_night = clean_db.execute("""
        SELECT count(DISTINCT _n) FROM all_psa__time_entries a
        WHERE _n > 0 AND NOT EXISTS (SELECT 1 FROM all_psa__time_entries b WHERE b.id = a.id AND b._n < a._n)
    """).fetchone()[0]
    assert new_per_night == 2
    deletes = clean_db.execute(
        "SELECT count(*) FROM all_psa__time_entries WHERE deleted_at IS NOT NULL"
    ).fetchone()[0]
    unseen = clean_db.execute("""
        SELECT count(*) FROM all_psa__time_entries d WHERE d.deleted_at IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM all_psa__time_entries p WHERE p.id = d.id AND p._n < d._n AND p.deleted_at IS NULL)
    """).fetchone()[0]
    assert deletes > 0 and unseen == 0
    deletes += clean_db.execute(
        "SELECT count(*) FROM all_salesforce__opportunity WHERE is_deleted"
    ).fetchone()[0]
    assert deletes > 0
    stage_changes = clean_db.execute("""
        SELECT count(*) FROM all_salesforce__opportunity WHERE _n > 0""").fetchone()[0]
    assert stage_changes > 0


def test_clean_firm_has_empty_defect_manifest(xs_clean_firm: Path) -> None:
    """A clean firm injects no defect and no anomaly; its revenue plan (``schedule.csv``) is not a defect."""
    truth = xs_clean_firm / "_truth"
    assert truth.is_dir()
    assert {f.name for f in truth.glob("*.csv")} == {"defects.csv", "anomalies.csv", "schedule.csv"}
    for name in ("defects.csv", "anomalies.csv"):
        with (truth / name).open(encoding="utf-8") as fh:
            assert len(list(csv.reader(fh))) == 1, name  # the header only
    with (truth / "schedule.csv").open(encoding="utf-8") as fh:
        assert len(list(csv.reader(fh))) > 1  # the plan is there, clean or not


def test_unknown_scale_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown scale"):
        generate(scale="xxl", seed=1, out=tmp_path, clean=True)
