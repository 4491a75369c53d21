"""``throughline reload`` end to end on the xs firm: a file refused for a wrong marker row count is re-read
once its marker is fixed (load log shows the reload, the object has the rows, dbt builds and the warehouse is
published); a file still wrong stays refused with its reason; a second reload is a no-op."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from ingestion.contract import COMPLETION_MARKER
from throughline.cli import main


def _marker(folder: Path, files: dict[str, bytes], rows: dict[str, int]) -> None:
    import hashlib

    entries = {
        name: {"rows": rows[name], "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        for name, data in files.items()
    }
    (folder / COMPLETION_MARKER).write_text(
        json.dumps({"system": "psa", "extract_date": folder.name, "extract_type": "delta", "files": entries})
    )


def _first_lines(landing: Path, name: str, n: int) -> bytes:
    """The first ``n`` records of the earliest non-empty extract of ``name`` (a valid delta of known rows)."""
    for folder in sorted((landing / "psa").iterdir()):
        path = folder / name
        if path.exists() and path.stat().st_size:
            return b"".join(path.read_bytes().splitlines(keepends=True)[:n])
    raise AssertionError(f"no {name} in {landing}")


@pytest.fixture
def refused_night(tmp_path: Path, xs_firm: Path, xs_warehouse: Path) -> tuple[Path, Path, Path]:
    """The xs firm plus one later psa folder whose two files disagree with their marker's row counts,
    loaded (raw layer only, fast) into a copy of the xs warehouse: both files refused."""
    from orchestration.assets.raw import AUDIT_KEY, RAW_OBJECTS, asset_key
    from orchestration.nightly import run_nightly

    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    shutil.copytree(xs_firm / "landing", landing)
    shutil.copy(xs_warehouse, warehouse)
    last = max(date.fromisoformat(p.name) for p in (landing / "psa").iterdir())
    folder = landing / "psa" / (last + timedelta(days=1)).isoformat()
    folder.mkdir()
    files = {"roles.jsonl": _first_lines(landing, "roles.jsonl", 2)}
    files["practices.jsonl"] = _first_lines(landing, "practices.jsonl", 2)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    _marker(folder, files, {"roles.jsonl": 5, "practices.jsonl": 7})
    raw_only = [AUDIT_KEY, *(asset_key(o) for o in RAW_OBJECTS)]
    run_nightly(landing, warehouse, echo=False, asset_selection=raw_only)
    return landing, warehouse, folder


def _log(warehouse: Path, file: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select status, reload_of is not null, superseded_by is not null, message from raw.load_log "
            "where file = ? order by started_at",
            [file],
        ).fetchall()


def test_reload_after_the_marker_is_fixed(
    refused_night: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    landing, warehouse, folder = refused_night
    roles, practices = (f"psa/{folder.name}/{n}" for n in ("roles.jsonl", "practices.jsonl"))
    assert [s for s, *_ in _log(warehouse, roles)] == ["rejected"]
    marker = json.loads((folder / COMPLETION_MARKER).read_text())
    marker["files"]["roles.jsonl"]["rows"] = 2  # the operator corrects the marker of one file only
    (folder / COMPLETION_MARKER).write_text(json.dumps(marker))
    capsys.readouterr()

    args = ["reload", "--landing", str(landing), "--warehouse", str(warehouse)]
    code = main([*args, "--system", "psa", "--extract-date", folder.name])
    out = capsys.readouterr().out
    assert code == 1  # practices is still wrong: a FAILED object
    assert f"reloaded {roles}: loaded, 2 rows loaded, 0 rejected" in out
    assert f"reloaded {practices}: rejected, 0 rows loaded, 2 rejected" in out
    assert f"FAILED raw_psa.practices: {practices}: file rejected (truncated)" in out
    assert "data rows: marker says 7, file has 2" in out
    assert "warehouse published" in out

    assert [r[:3] for r in _log(warehouse, roles)] == [("rejected", False, True), ("loaded", True, False)]
    still = _log(warehouse, practices)
    assert [r[:3] for r in still] == [("rejected", False, True), ("rejected", True, False)]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        in_history = con.execute(
            "select count(*) from raw_psa.roles__history where _source_file = ?", [roles]
        ).fetchone()[0]
        rejects = con.execute(
            "select file, count(*) from raw.rejects where file in (?, ?) group by 1 order by 1",
            [practices, roles],
        ).fetchall()
        staged = con.execute("select count(*) from staging.stg_psa__roles").fetchone()[0]
    assert in_history == 2
    assert rejects == [(practices, 2)]  # once, for the live attempt; none left for roles
    assert staged > 0

    before = _log(warehouse, roles) + _log(warehouse, practices)
    code = main([*args, "--file", roles])
    out = capsys.readouterr().out
    assert code == 0 and "nothing to reload" in out
    assert _log(warehouse, roles) + _log(warehouse, practices) == before


def test_reload_needs_a_filter_and_checks_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    args = ["reload", "--landing", str(landing), "--warehouse", str(tmp_path / "w.duckdb")]
    assert main(args) == 2
    assert "say which files to reload" in capsys.readouterr().err
    assert main([*args, "--system", "sap"]) == 2
    assert "--system 'sap' is not a source system" in capsys.readouterr().err
    assert main([*args, "--all-refused"]) == 2
    assert "no warehouse at" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*args, "--extract-date", "18/11/2026"])
    assert "expected a date YYYY-MM-DD" in capsys.readouterr().err


# The cases below need no dbt build: the night the reload runs is stood in for by the loader alone (the
# reload's own parts, filter, request, re-read and report, are the real ones). End to end: the test above.
SF_DATE = "2026-11-18"
ACCOUNT = (
    "Id,Name,Type,SystemModstamp,IsDeleted\n"
    "001,Acme,Customer,2026-11-01 10:00:00,false\n002,Beta,Prospect,2026-11-01 11:00:00,false\n"
)


@pytest.fixture
def refused_account(tmp_path: Path) -> tuple[Path, Path]:
    """A landing folder whose salesforce account file was refused (marker says 5 rows, file has 2), loaded
    into ``warehouse.duckdb``; the marker is then corrected, as the operator would."""
    from landing_files import write_extract

    root = tmp_path / "fïrm 'one'"
    landing, warehouse = root / "landing", root / "o'brien wäre.duckdb"
    folder = write_extract(landing, "salesforce", SF_DATE, {"account.csv": ACCOUNT}, rows={"account.csv": 5})
    _load_account(warehouse, landing, "night-1")
    marker = json.loads((folder / COMPLETION_MARKER).read_text())
    marker["files"]["account.csv"]["rows"] = 2
    (folder / COMPLETION_MARKER).write_text(json.dumps(marker))
    return landing, warehouse


def _load_account(warehouse: Path, landing: Path, load_id: str) -> None:
    """The loader on the one object these tests use (all ~40 objects' tables would cost seconds)."""
    from ingestion.contract import load_contract
    from ingestion.load import load_object

    with duckdb.connect(str(warehouse)) as con:
        load_object(con, landing, load_contract("salesforce").object("account"), load_id)


def _stand_in_night(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, publish: bool) -> None:
    """Replace the nightly run by: copy the warehouse, let the reload write its requests, load, then publish
    (or not, as a run blocked by a failed check)."""
    from orchestration import reload as reload_mod
    from orchestration.nightly import NightlyResult

    def night(landing: Path, warehouse: Path, echo: bool = True, prepare=None) -> NightlyResult:
        build = tmp_path / "build.duckdb"
        shutil.copy(warehouse, build)
        prepare(build)
        _load_account(build, landing, "reload-night")
        if publish:
            shutil.copy(build, warehouse)
            return NightlyResult(True, {"warehouse": warehouse}, run_id="reload-night")
        return NightlyResult(False, {"build": build}, run_id="reload-night")

    monkeypatch.setattr(reload_mod, "run_nightly", night)


def _statuses(warehouse: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select load_id, status from raw.load_log where file like '%account.csv' order by started_at"
        ).fetchall()


def test_reload_by_object_and_from_the_environment_with_odd_paths(
    refused_account: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    landing, warehouse = refused_account
    _stand_in_night(monkeypatch, tmp_path, publish=True)
    monkeypatch.setenv("THROUGHLINE_LANDING", str(landing))
    monkeypatch.setenv("THROUGHLINE_WAREHOUSE", str(warehouse))
    monkeypatch.setattr("throughline.cli._print_kpi_summary", lambda *_: None)  # no marts in this warehouse
    assert main(["reload", "--object", "raw_salesforce.account"]) == 0
    out = capsys.readouterr().out
    assert f"reloaded salesforce/{SF_DATE}/account.csv: loaded, 2 rows loaded, 0 rejected" in out
    assert _statuses(warehouse) == [("night-1", "rejected"), ("reload-night", "loaded")]


def test_a_blocked_reload_still_says_what_each_file_gave_and_publishes_nothing(
    refused_account: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    landing, warehouse = refused_account
    _stand_in_night(monkeypatch, tmp_path, publish=False)
    before = warehouse.read_bytes()
    absolute = landing / "salesforce" / SF_DATE / "account.csv"  # --file may be the path on disk
    args = ["reload", "--landing", str(landing), "--warehouse", str(warehouse), "--file", str(absolute)]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert f"reloaded salesforce/{SF_DATE}/account.csv: loaded, 2 rows loaded, 0 rejected" in out
    assert warehouse.read_bytes() == before


def test_reload_file_outside_the_landing_folder_is_one_line_exit_2(
    refused_account: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    landing, warehouse = refused_account
    elsewhere = tmp_path / "account.csv"
    elsewhere.write_text(ACCOUNT)
    args = ["reload", "--landing", str(landing), "--warehouse", str(warehouse), "--file", str(elsewhere)]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"--file {elsewhere} is not inside the landing folder" in err[0]


def test_reload_without_landing_or_warehouse_names_the_option_and_its_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("THROUGHLINE_LANDING", raising=False)
    assert main(["reload", "--all-refused"]) == 2
    assert "--landing not given and $THROUGHLINE_LANDING not set" in capsys.readouterr().err
