"""The xs sample firm's injected malformed rows are exactly what the loader rejects (file, line, rule)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from ingestion.load import load_landing

RULE_OF_KIND = {
    "MALFORMED_UNBALANCED_QUOTE": {"unbalanced_quote", "malformed_quoting"},
    "MALFORMED_FIELD_COUNT": {"wrong_field_count"},
    "MALFORMED_WRONG_TYPE": {"wrong_type"},
    "MALFORMED_MISSING_REQUIRED": {"required_missing"},
    "MALFORMED_DUPLICATE_KEY": {"duplicate_key"},
    "MALFORMED_INVALID_JSON": {"invalid_json", "not_an_object"},
}


@pytest.fixture(scope="module")
def xs_raw(xs_firm: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Raw layer only (no Dagster, no dbt) loaded from the xs firm."""
    warehouse = tmp_path_factory.mktemp("xs_raw") / "xs_raw_layer.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        load_landing(con, xs_firm / "landing")
    return warehouse


def test_every_injected_malformed_row_is_rejected_with_its_rule(xs_firm: Path, xs_raw: Path) -> None:
    with (xs_firm / "_truth" / "defects.csv").open(encoding="utf-8") as fh:
        truth = [r for r in csv.DictReader(fh) if r["kind"] in RULE_OF_KIND]
    assert truth, "the xs firm should carry malformed-row defects"
    with duckdb.connect(str(xs_raw), read_only=True) as con:
        rejects = con.execute('select file, "row", rule from raw.rejects').fetchall()
        columns = con.execute(
            'select file, "row", "column" from raw.rejects '
            "where rule in ('unbalanced_quote', 'malformed_quoting')"
        ).fetchall()
        log = con.execute(
            "select file, status, rows_read, rows_loaded, rows_rejected from raw.load_log "
            "where object is not null"
        ).fetchall()
    found = {(f, int(row)): rule for f, row, rule in rejects if row is not None}
    for t in truth:
        key = (t["file"], int(t["line"]))
        assert key in found, f"{t['defect_id']} not rejected: {key}"
        assert found[key] in RULE_OF_KIND[t["kind"]], (t["defect_id"], found[key])
        if t["kind"] == "MALFORMED_UNBALANCED_QUOTE":  # the reject names the column the quote opened in
            assert (*key, json.loads(t["related_keys"])["column"]) in columns, t["defect_id"]
    assert len({(f, r) for f, r, _ in rejects}) == len(truth), "rejects beyond the injected defects"
    for file, status, read, loaded, rejected in log:
        assert read == loaded + rejected, file
        assert status in ("loaded", "loaded_with_rejects", "empty"), (file, status)
        assert status != "empty" or read == 0, file
