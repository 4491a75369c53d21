"""An empty night is a warning, and the run summary counts files and rows from the load log itself."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from landing_files import write_extract

from ingestion.load import load_landing
from orchestration.nightly import NightlyResult, summarise_load

SF = "salesforce"
HEADER = "Id,Name,Type,SystemModstamp,IsDeleted"
OK1 = "001,Acme,Customer,2026-11-01 10:00:00,false"
OK2 = "002,Beta,Prospect,2026-11-01 11:00:00,false"


def test_empty_landing_is_a_warning(landing: Path, load) -> None:
    landing.mkdir()
    loaded = load()
    assert [(r.file, r.status) for r in loaded.results] == [(str(landing), "no_extract")]
    assert "no complete extract folder in" in loaded.results[0].message
    assert loaded.sql("select system, status from raw.load_log") == [(None, "no_extract")]


def test_landing_one_level_too_deep_is_a_warning_naming_what_was_found(landing: Path, load) -> None:
    write_extract(landing, SF, "2026-11-18", {"account.csv": f"{HEADER}\n{OK1}\n"})
    with duckdb.connect(str(landing.parent / "w.duckdb")) as con:
        results = load_landing(con, landing / SF)
    empty = [r for r in results if r.status == "no_extract"]
    assert len(empty) == 1 and "its subfolders are: 2026-11-18;" in empty[0].message


def test_no_warning_once_one_folder_is_complete(landing: Path, load) -> None:
    write_extract(landing, SF, "2026-11-18", {"account.csv": f"{HEADER}\n{OK1}\n"}, marker=False)
    assert [r.status for r in load().results] == ["no_extract", "waiting"]
    write_extract(landing, "psa", "2026-11-18", {"roles.jsonl": ""})
    assert "no_extract" not in {r.status for r in load().results}


def test_zero_rows_after_a_night_with_rows_is_empty_not_ok(landing: Path, load) -> None:
    for d, row in (("2026-11-18", OK1), ("2026-11-19", OK2)):
        write_extract(
            landing, SF, d, {"account.csv": f"{HEADER}\n{row}\n", "user.csv": "Id,Name,SystemModstamp\n"}
        )
    write_extract(
        landing, SF, "2026-11-20", {"account.csv": f"{HEADER}\n", "user.csv": "Id,Name,SystemModstamp\n"}
    )
    loaded = load()
    tonight = [r for r in loaded.results if r.extract_date and r.extract_date.isoformat() == "2026-11-20"]
    by_name = {r.file.rsplit("/", 1)[1]: r for r in tonight}
    assert by_name["account.csv"].status == "empty"
    assert "previous extract (2026-11-19) had 1" in by_name["account.csv"].message
    assert by_name["user.csv"].status == "loaded"  # no rows before either: a quiet object
    summary, _, warnings = _summary(loaded.warehouse, loaded.results[0].load_id)
    assert summary["raw_salesforce.account"] == (3, 2, 0, [], "EMPTY")
    assert summary["raw_salesforce.user"][-1] == "OK"
    assert any("2026-11-20/account.csv: no rows tonight" in w for w in warnings)


def test_a_delta_after_a_full_is_not_compared_with_the_full(landing: Path, load) -> None:
    write_extract(landing, SF, "2026-11-18", {"account.csv": f"{HEADER}\n{OK1}\n"}, extract_type="full")
    write_extract(landing, SF, "2026-11-19", {"account.csv": f"{HEADER}\n"}, extract_type="delta")
    loaded = load()
    assert [r.status for r in loaded.results if r.file.endswith("account.csv")] == ["loaded", "loaded"]


def _summary(warehouse: Path, load_id: str) -> tuple[dict[str, tuple], list[str], list[str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        objects, notes, warnings, _ = summarise_load(con, load_id, set())
    return (
        {o.name: (o.files, o.rows_loaded, o.rows_rejected, o.drift, o.status) for o in objects},
        notes,
        warnings,
    )


def test_summary_counts_each_file_once_with_drift_on_several_columns(landing: Path, tmp_path: Path) -> None:
    drifted = (
        f"{HEADER},Color,Size\n"
        + "\n".join([f"{OK1},red,L", f"{OK2},blue,M", "003,Gam,Customer,never,false,green,S"])
        + "\n"
    )
    write_extract(landing, SF, "2026-11-18", {"account.csv": drifted})
    write_extract(
        landing,
        SF,
        "2026-11-19",
        {"account.csv": f"{HEADER},Color\n004,Delta,Customer,2026-11-02 10:00:00,false,x\n"},
    )
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        results = load_landing(con, landing, "night-1")
        objects, _, _, _ = summarise_load(con, "night-1", set())
    acc = next(o for o in objects if o.name == "raw_salesforce.account")
    assert (acc.files, acc.rows_loaded, acc.rows_rejected) == (2, 3, 1)
    assert acc.drift == ["Color", "Size"] and acc.status == "REJECTS"
    assert sum(o.rows_rejected for o in objects) == sum(r.rows_rejected for r in results) == 1
    table = NightlyResult(True, summary=objects).table()
    assert "raw_salesforce.account" in table and "Color, Size" in table


def test_outcome_line_never_calls_an_empty_night_a_success() -> None:
    from orchestration.nightly import _outcome

    assert _outcome(NightlyResult(True)) == "succeeded"
    assert _outcome(NightlyResult(True, warnings=["a: no rows"])).startswith("succeeded with 1 WARNING")
    empty = _outcome(NightlyResult(True, warnings=["/l: none"], no_extract=["/l"]))
    assert "succeeded" not in empty and "no complete extract folder found in /l" in empty


def test_empty_landing_summary_lists_every_system_without_extract(landing: Path, tmp_path: Path) -> None:
    landing.mkdir()
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        load_landing(con, landing, "night-0")
        objects, notes, warnings, no_extract = summarise_load(con, "night-0", set())
    assert no_extract == [str(landing)] and len(warnings) == 1 and notes == []
    assert {o.status for o in objects} == {"-"}


def test_a_night_without_extract_builds_nothing_and_exits_4(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--landing`` one level too deep: the WARNING names the subfolders found, nothing is built or published
    (once an empty warehouse was published and called a success, and a later night rebuilt every model to
    republish the same data), exit code 4."""
    from throughline.cli import main

    landing = tmp_path / "landing"
    write_extract(landing, SF, "2026-11-18", {"account.csv": f"{HEADER}\n{OK1}\n"})
    warehouse = tmp_path / "wh" / "w.duckdb"
    assert main(["run", "--landing", str(landing / SF), "--warehouse", str(warehouse)]) == 4
    out = capsys.readouterr().out
    assert f"WARNING: no complete extract folder in {landing / SF}" in out
    assert "its subfolders are: 2026-11-18;" in out
    assert "finished with WARNINGS" in out and "succeeded" not in out
    assert not warehouse.exists() and not warehouse.with_name("w.duckdb.builds").exists()

    duckdb.connect(str(warehouse)).close()  # a later night, same mistake: the warehouse is left as it was
    before = warehouse.read_bytes()
    assert main(["run", "--landing", str(landing / SF), "--warehouse", str(warehouse)]) == 4
    assert "the warehouse" in capsys.readouterr().out and warehouse.read_bytes() == before
    assert not warehouse.with_name("w.duckdb.builds").exists()
