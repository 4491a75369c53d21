"""Unit tests of the defect catalogue, the malformed-line writer and the truth manifest (no generator)."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from ingestion.contract import load_contract
from throughline.samplefirm.defects import DEFECT_KINDS, DefectRates, corrupt_landing, write_truth

EXTRACT = "2026-11-18"


def _ctx(con: duckdb.DuckDBPyConnection, clean: bool = False) -> SimpleNamespace:
    return SimpleNamespace(
        con=con,
        seed=3,
        clean=clean,
        scale=SimpleNamespace(name="xs"),
        extract_dates=[date(2026, 11, 18)],
        end_date=date(2026, 11, 20),
    )


def test_catalogue_covers_every_family() -> None:
    families = {k["check_family"] for k in DEFECT_KINDS.values()}
    expected = {f"R{i}" for i in range(1, 7)} | {f"B{i}" for i in range(1, 9)}
    expected |= {f"E{i}" for i in range(1, 7)} | {f"I{i}" for i in range(1, 6)}
    expected |= {"FX", "PSA", "CLIENT", "MALFORMED"}
    assert families == expected
    for kind, spec in DEFECT_KINDS.items():
        assert spec["id"] == kind and spec["description"] and float(spec["default_rate"]) > 0


def test_rates_count_at_least_one_and_scale() -> None:
    rates = DefectRates({"B1": 0.01})
    assert rates.count("B1", 0) == 0
    assert rates.count("B1", 10) == 1
    assert rates.count("B1", 1000) == 10
    assert DefectRates({"B1": 0}).count("B1", 1000) == 0
    with pytest.raises(ValueError, match="NOPE"):
        DefectRates({"NOPE": 1.0})


def _write_landing(root: Path) -> Path:
    landing = root / "landing"
    ns = landing / "netsuite" / EXTRACT
    ns.mkdir(parents=True)
    header = ["id", "entityid", "companyname", "currency", "lastmodifieddate", "_fivetran_deleted"]
    for name in ("customer", "vendor", "employee", "job", "item"):
        with (ns / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            for i in (1, 2, 3):
                w.writerow([i, f"C{i}", f"Company {i}, Inc.", 1, "2026-11-17 20:00:00", "false"])
    psa = landing / "psa" / EXTRACT
    psa.mkdir(parents=True)
    for name in ("time_entries", "expenses", "clients", "projects"):
        rows = [
            {
                "id": i,
                "resource_id": 1,
                "project_id": 2,
                "spent_date": "2026-11-17",
                "hours": 8.0,
                "name": f"N{i}",
                "code": f"P{i}",
                "legal_entity": "US01",
                "billing_type": "fixed_fee",
                "amount": 10.0,
                "currency": "USD",
                "updated_at": "2026-11-17 20:00:00",
            }
            for i in (1, 2, 3)
        ]
        (psa / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return landing


def test_malformed_lines_are_where_the_manifest_says(tmp_path: Path) -> None:
    landing = _write_landing(tmp_path)
    with duckdb.connect() as con:
        ctx = _ctx(con)
        corrupt_landing(ctx, landing)
        write_truth(ctx, tmp_path / "_truth")
    with (tmp_path / "_truth" / "defects.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    kinds = {r["kind"] for r in rows}
    assert kinds == {k for k in DEFECT_KINDS if k.startswith("MALFORMED_")}
    assert len({r["file"] for r in rows}) == len(rows)  # one bad line per file
    for r in rows:
        path = landing / r["file"]
        lines = path.read_text(encoding="utf-8").split("\n")
        bad = lines[int(r["line"]) - 1]
        assert r["extract_date"] == EXTRACT
        key = json.loads(r["record_key"])
        if path.suffix == ".jsonl":
            if r["kind"] == "MALFORMED_INVALID_JSON":
                with pytest.raises(json.JSONDecodeError):
                    json.loads(bad)
                continue
            rec = json.loads(bad)
            assert rec["id"] == key["id"]
            col = json.loads(r["related_keys"]).get("column")
            if r["kind"] == "MALFORMED_WRONG_TYPE":
                ctype = load_contract("psa").object_for_file(path.name).column(col).type  # type: ignore[union-attr]
                assert ctype.startswith(("BIGINT", "DECIMAL", "DATE", "TIMESTAMP"))
                assert rec[col] in ("twelve", "31/02/2025 25:61")
            elif r["kind"] == "MALFORMED_MISSING_REQUIRED":
                assert rec[col] is None
            elif r["kind"] == "MALFORMED_DUPLICATE_KEY":
                assert sum(json.loads(x)["id"] == key["id"] for x in lines if x) == 2
            continue
        header = lines[0].split(",")
        if r["kind"] == "MALFORMED_UNBALANCED_QUOTE":
            assert bad.count('"') % 2 == 1
            continue
        fields = next(csv.reader([bad]))
        if r["kind"] == "MALFORMED_FIELD_COUNT":
            assert len(fields) == len(header) + 1
        elif r["kind"] == "MALFORMED_WRONG_TYPE":
            value = fields[header.index(json.loads(r["related_keys"])["column"])]
            with pytest.raises(ValueError):
                float(value)
        elif r["kind"] == "MALFORMED_MISSING_REQUIRED":
            assert fields[header.index(json.loads(r["related_keys"])["column"])] == ""
        elif r["kind"] == "MALFORMED_DUPLICATE_KEY":
            assert sum(next(csv.reader([x]))[0] == str(key["id"]) for x in lines[1:] if x) == 2


def test_clean_truth_is_header_only(tmp_path: Path) -> None:
    with duckdb.connect() as con:
        write_truth(_ctx(con, clean=True), tmp_path)
    assert (tmp_path / "defects.csv").read_text(encoding="utf-8").splitlines() == [
        "defect_id,kind,check_family,system,object,record_key,related_keys,amount,currency,extract_date,"
        "file,line,description"
    ]
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["total"] == 0 and set(summary["counts"]) == set(DEFECT_KINDS)
    assert not any(summary["counts"].values())
