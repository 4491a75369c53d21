"""Errors an operator can act on: odd characters in every path, a dbt step that stops early.

The one-line path errors (a folder or non-DuckDB file as --warehouse, a file as --landing) are in
tests/test_cli.py; these are the cases that need a real run.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
import duckdb
import pytest

if TYPE_CHECKING:
    from conftest import CliRun


def _marker_rows(landing: Path) -> dict[str, int]:
    """Rows each completion marker says its file holds, keyed like ``raw.load_log.file``."""
    rows = {}
    for marker in landing.glob("*/*/_SUCCESS.json"):
        folder = marker.parent.relative_to(landing).as_posix()
        for name, entry in json.loads(marker.read_text(encoding="utf-8"))["files"].items():
            rows[f"{folder}/{name}"] = entry["rows"]
    return rows


def test_quotes_spaces_and_non_ascii_in_every_path(xs_cli_run: CliRun) -> None:
    """``generate --out``, ``run --landing`` and ``run --warehouse`` under odd names (the session's
    ``xs_cli_run``, which is also the suite's ``xs_warehouse``): every landed row is read and every layer is
    built (the dbt step once failed with "unterminated quoted identifier")."""
    warehouse, landing = Path(xs_cli_run.facts["warehouse"]), Path(xs_cli_run.facts["landing"])
    assert "'" in warehouse.name and "'" in landing.as_posix() and not warehouse.name.isascii()
    assert xs_cli_run.code in (0, 1), xs_cli_run.err[-2000:]  # 1: the firm's defects FAIL some objects
    assert "unterminated" not in xs_cli_run.out + xs_cli_run.err
    assert f"warehouse published: {warehouse}" in xs_cli_run.out
    with duckdb.connect(str(warehouse), read_only=True) as con:
        read = dict(con.execute("select file, rows_read from raw.load_log").fetchall())
        built = {
            t: con.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("staging.stg_psa__roles", "marts.fct_time_entries", "snapshots.snap_psa__rate_cards")
        }
    assert read == _marker_rows(landing)
    assert all(built.values()), built


def test_every_other_command_takes_odd_paths(
    xs_cli_run: CliRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``status``, ``rollback --list``, ``breaks --csv``, ``report --out`` and ``decisions --landing`` on
    the session's odd-named warehouse (read only) and Dagster home, writing under odd names (``reload`` with
    odd paths: tests/ingestion/test_reload_cli.py; ``demo --dir``: tests/test_cli.py; Spark's folder:
    tests/ingestion/test_spark_handoff_paths.py)."""
    from ingestion.contract import load_contract
    from ingestion.load import load_object
    from throughline.breaks_summary import render as render_breaks
    from throughline.cli import main

    warehouse, home = Path(xs_cli_run.facts["warehouse"]), Path(xs_cli_run.facts["dagster_home"])
    assert "'" in home.name and not home.name.isascii()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    odd = tmp_path / "öut 'put' dir"
    wh = ["--warehouse", str(warehouse)]
    assert main(["status", *wh]) == 0
    assert main(["rollback", "--list", *wh]) == 0
    assert main(["breaks", *wh, "--csv", str(odd / "bréaks 'open'.csv")]) == 0
    assert main(["report", *wh, "--out", str(odd / "répört")]) == 0
    shown = capsys.readouterr().out
    assert f"Throughline status: {warehouse}" in shown and "(current)" in shown
    assert "SUCCESS" in shown or "FAILURE" in shown  # status lists the CLI's run from that odd home
    assert (odd / "bréaks 'open'.csv").read_text(encoding="utf-8").startswith("check_id")
    assert (odd / "répört" / "kpi-report.html").stat().st_size > 10_000
    assert main(["breaks", *wh, "--csv", str(odd / "bréaks 'open'.csv" / "x.csv")]) == 2  # a file there
    assert "throughline breaks: cannot write --csv" in capsys.readouterr().err

    decided = odd / "décisions 'q4'.csv"
    decided.write_text(
        "check_id,record_key,decision,reason,decided_by,decided_on,expires_on\n"
        "B1,INV-1,waive,agreed with client,Zoë O'Neil,2026-11-18,2026-12-31\n",
        encoding="utf-8",
    )
    landing = odd / "l'andé ding"
    assert main(["decisions", str(decided), "--landing", str(landing), "--date", "2026-11-19"]) == 0
    # the commands the console suggests can be pasted into a shell as they are
    assert f"`throughline run --landing {shlex.quote(str(landing))}`" in capsys.readouterr().out
    assert f"throughline breaks --warehouse {shlex.quote(str(warehouse))} " in render_breaks(warehouse)
    with duckdb.connect(str(odd / "w.duckdb")) as con:
        obj = load_contract("controller").object("break_decisions")
        (result,) = load_object(con, landing, obj, "night-1")
    assert (result.status, result.rows_loaded) == ("loaded", 1), result


def test_a_dbt_step_that_stops_before_building_shows_dbts_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from orchestration.assets import dbt as dbt_assets
    from orchestration.nightly import run_nightly

    landing = tmp_path / "landing"
    landing.mkdir()
    monkeypatch.setenv("THROUGHLINE_DBT_THREADS", "-1")  # dbt refuses it before running any node
    lock_held_at_dbt_start: list[bool] = []
    real_env = dbt_assets._warehouse_env

    @contextlib.contextmanager
    def probing_env(path: Path) -> Iterator[None]:
        """The dbt subprocess starts inside this block: is the run lock held by someone right now?"""
        with (tmp_path / "w.duckdb.lock").open("a") as probe:
            try:
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(probe, fcntl.LOCK_UN)
                lock_held_at_dbt_start.append(False)
            except BlockingIOError:
                lock_held_at_dbt_start.append(True)
        with real_env(path):
            yield

    monkeypatch.setattr(dbt_assets, "_warehouse_env", probing_env)
    result = run_nightly(
        landing, tmp_path / "w.duckdb", asset_selection=[dg.AssetKey(["staging", "stg_psa__roles"])]
    )
    out = capsys.readouterr()
    assert not result.success
    shown = out.out + out.err
    assert "dbt stopped before building anything" in shown
    assert "max_workers must be greater than 0" in shown
    assert "run_results.json" not in shown and "FileNotFoundError" not in shown
    assert not (tmp_path / "w.duckdb").exists()  # nothing published
    assert lock_held_at_dbt_start == [True]  # dbt runs under the warehouse's run lock
