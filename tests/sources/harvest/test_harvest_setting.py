"""The one setting that picks the firm's PSA, and the Harvest landing converter, on hand-made inputs."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from expectations.sources import freshness_frame
from ingestion.contract import COMPLETION_MARKER, chosen_systems, load_contract
from ingestion.warehouse import ensure_bookkeeping
from throughline import harvest

REPO = Path(__file__).resolve().parents[3]


def test_chosen_systems_follow_the_env_setting() -> None:
    assert chosen_systems({}) == {"salesforce", "netsuite", "psa", "controller"}
    harvest_firm = {"salesforce", "netsuite", "harvest", "controller"}
    assert chosen_systems({"THROUGHLINE_PSA": "harvest"}) == harvest_firm
    with pytest.raises(ValueError, match="THROUGHLINE_PSA='kantata' is not a psa system; use one of psa"):
        chosen_systems({"THROUGHLINE_PSA": "kantata"})


def _load_log(path: Path, nights: list[tuple[str, str, str]]) -> Path:
    with duckdb.connect(str(path)) as con:
        ensure_bookkeeping(con)
        for i, (system, obj, day) in enumerate(nights):
            con.execute(
                "insert into raw.load_log (load_id, system, object, extract_date, file, status, rows_read, "
                "finished_at) values (?, ?, ?, ?, ?, 'loaded', 10, ?)",
                [f"L{i}", system, obj, day, f"{system}/{day}/{obj}", f"{day} 03:00:00"],
            )
    return path


def test_freshness_expects_the_firms_psa_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Harvest firm never delivers the PSA export: no freshness row for psa, harvest judged instead."""
    nights = [("salesforce", "account", "2026-11-19"), ("netsuite", "transaction", "2026-11-19")]
    path = _load_log(tmp_path / "w.duckdb", [*nights, ("harvest", "time_entries", "2026-11-18")])
    monkeypatch.setenv("THROUGHLINE_PSA", "harvest")
    with duckdb.connect(str(path), read_only=True) as con:
        rows = freshness_frame(con, run_date=date(2026, 11, 20)).set_index("system")
    assert sorted(rows.index) == ["harvest", "netsuite", "salesforce"]
    assert rows.loc["harvest", "lag_days"] == 1
    monkeypatch.delenv("THROUGHLINE_PSA")
    with duckdb.connect(str(path), read_only=True) as con:
        rows = freshness_frame(con, run_date=date(2026, 11, 20)).set_index("system")
    # the default firm expects psa (missing: the warning) and still reports harvest, which did deliver
    assert sorted(rows.index) == ["harvest", "netsuite", "psa", "salesforce"]
    assert pd_isna(rows.loc["psa", "latest_extract_date"])


def pd_isna(value: object) -> bool:
    return value is None or value != value  # NaT / NaN compare unequal to themselves


def test_convert_writes_the_contract_layout(tmp_path: Path) -> None:
    """Each declared stream's data records, one JSON object per line, and a marker that counts them; streams
    the contract does not declare are skipped and reported as negative counts."""
    records = tmp_path / "records.jsonl"
    lines = [
        {"stream": "clients", "data": {"id": 1, "name": "A", "updated_at": "2021-05-05T08:19:32Z"}},
        {"stream": "clients", "data": {"id": 2, "name": "B", "updated_at": "2021-05-05T08:19:32Z"}},
        {"stream": "estimates", "data": {"id": 9}},
    ]
    records.write_text("".join(json.dumps(x) + "\n" for x in lines) + "\n", encoding="utf-8")
    counts = harvest.convert(records, tmp_path / "landing", date(2026, 11, 20))
    assert counts["clients"] == 2 and counts["time_entries"] == 0 and counts["estimates"] == -1
    folder = tmp_path / "landing" / "harvest" / "2026-11-20"
    marker = json.loads((folder / COMPLETION_MARKER).read_text())
    assert set(marker["files"]) == {o.file for o in load_contract("harvest").objects}
    assert marker["files"]["clients.jsonl"]["rows"] == 2 and marker["extract_type"] == "full"
    assert [json.loads(x)["id"] for x in (folder / "clients.jsonl").read_text().splitlines()] == [1, 2]


def test_missing_records_file_is_exit_code_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert harvest.main(["--records", str(tmp_path / "nope.jsonl")]) == 2
    assert "no Harvest records at" in capsys.readouterr().err
