"""The sample firm's supplied rates (throughline/samplefirm/shapes/fx_rates.py): ``generate --erp xero`` (and
quickbooks) lands ``fx_rates/<night>/daily_rates.csv`` holding exactly the quotes NetSuite's rate table lands
for the same seed, night by night, turned to ISO codes and the file's direction, and they load through the
contract with no reject. The planted FX_MISSING_RATE week is missing from the file as from NetSuite's
table."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from ingestion.contract import COMPLETION_MARKER, load_contract
from ingestion.load import load_object
from throughline.samplefirm import generate

XS_SEED = 7  # tests/conftest.py's xs_firm


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def xero_firm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fx_rates_shape")
    generate(scale="xs", seed=XS_SEED, out=out, erp="xero")
    return out


def test_rates_file_is_netsuites_rate_table_night_by_night(xero_firm: Path, xs_firm: Path) -> None:
    ns, fx = xs_firm / "landing" / "netsuite", xero_firm / "landing" / "fx_rates"
    nights = sorted(p.name for p in ns.iterdir())
    assert sorted(p.name for p in fx.iterdir()) == nights
    codes = {r["id"]: r["name"] for r in _read(ns / nights[0] / "currency.csv")}
    for night in nights:
        expected = [
            (r["effectivedate"], codes[r["transactioncurrency"]], codes[r["basecurrency"]], r["exchangerate"])
            for r in _read(ns / night / "currencyrate.csv")
            if r["_fivetran_deleted"] != "true"
        ]
        landed = [
            (r["rate_date"], r["base_currency"], r["quote_currency"], r["rate"])
            for r in _read(fx / night / "daily_rates.csv")
        ]
        assert landed == expected and landed  # same quotes, same order (the order entered)
        marker = json.loads((fx / night / COMPLETION_MARKER).read_text(encoding="utf-8"))
        assert set(marker["files"]) == {"daily_rates.csv"}  # the ECB file is not written


def test_the_planted_missing_week_is_missing(xero_firm: Path) -> None:
    with (xero_firm / "_truth" / "defects.csv").open(encoding="utf-8") as fh:
        truth = [r for r in csv.DictReader(fh) if r["kind"] == "FX_MISSING_RATE"]
    assert len(truth) == 1
    key = json.loads(truth[0]["record_key"])
    rows = [
        r
        for night in sorted((xero_firm / "landing" / "fx_rates").iterdir())
        for r in _read(night / "daily_rates.csv")
    ]
    # NetSuite's basecurrency 2 (GBP) / transactioncurrency 1 (USD): the file's USD -> GBP quote
    pair = [r["rate_date"] for r in rows if (r["base_currency"], r["quote_currency"]) == ("USD", "GBP")]
    assert (key["basecurrency"], key["transactioncurrency"]) == (2, 1)
    assert pair and not [d for d in pair if key["from"] <= d <= key["to"]]
    assert [d for d in pair if d < key["from"]] and [d for d in pair if d > key["to"]]


def test_every_rates_file_loads_through_the_contract(xero_firm: Path, tmp_path: Path) -> None:
    obj = load_contract("fx_rates").object("daily_rates")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        results = load_object(con, xero_firm / "landing", obj, "t1")
        assert len(results) == 3 and sum(r.rows_rejected for r in results) == 0
        assert (
            sum(r.rows_loaded for r in results)
            == con.execute("select count(*) from raw_fx_rates.daily_rates").fetchone()[0]
        )
