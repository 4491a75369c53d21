"""`throughline demo` end to end as `make demo` calls it (xs scale): generate, load, model, publish."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest

from throughline.cli import build_parser, main

if TYPE_CHECKING:
    from conftest import CliRun


def test_demo_generates_runs_and_says_where_everything_is(xs_demo_seed2: CliRun) -> None:
    """The session's ``demo --scale xs --seed 11`` (tests/conftest.py), as ``make demo`` calls it."""
    folder, out = Path(xs_demo_seed2.facts["dir"]), xs_demo_seed2.out
    assert "'" in folder.name and not folder.name.isascii()  # --dir with a quote, a space, non-ASCII
    assert xs_demo_seed2.code == 0, xs_demo_seed2.err[-3000:]
    warehouse = folder / "warehouse.duckdb"
    for shown in (folder / "landing", folder / "_truth", warehouse):
        assert f": {shown}" in out
    assert "nightly run succeeded" in out
    with duckdb.connect(str(warehouse), read_only=True) as con:
        loaded = con.execute("select sum(rows_loaded) from raw.load_log").fetchall()[0][0]
        revenue_rows = con.execute("select count(*) from marts.fct_revenue").fetchall()[0][0]
    assert loaded > 10_000 and revenue_rows > 0
    # the dbt docs site (mart catalogue, docs/analysts.md) is built beside the warehouse, from its catalog
    static = folder / "dbt-docs" / "static_index.html"
    assert f"dbt docs   : {static}" in out and static.stat().st_size > 100_000
    catalog = json.loads((folder / "dbt-docs" / "catalog.json").read_text(encoding="utf-8"))["nodes"]
    for mart in ("kpi_firm_monthly", "recon_breaks", "fct_revenue"):
        node = catalog[f"model.throughline.{mart}"]
        assert node["metadata"]["schema"] == "marts" and len(node["columns"]) > 3, mart


def test_scale_and_required_options_are_validated() -> None:
    parser = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["generate", "--scale", "xxl", "--out", "x"])
    with pytest.raises(SystemExit):
        parser.parse_args(["generate", "--scale", "xs"])  # --out is required
    # run's --warehouse may come from $THROUGHLINE_WAREHOUSE: checked when the command runs
    # (tests/orchestration/test_status.py::test_run_falls_back_to_the_environment_for_its_paths)


def test_defect_rates_from_the_command_line(tmp_path: Path) -> None:
    args = build_parser().parse_args(
        ["generate", "--out", "x", "--defect-rate", "b1=0", "--defect-rate", "R3=0.5"]
    )
    assert dict(args.defect_rate) == {"B1": 0.0, "R3": 0.5}
    with pytest.raises(SystemExit):
        build_parser().parse_args(["generate", "--out", "x", "--defect-rate", "B1"])
    assert main(["generate", "--scale", "xs", "--out", str(tmp_path / "bad"), "--defect-rate", "ZZ=1"]) == 2
    assert (
        main(["generate", "--scale", "xs", "--seed", "7", "--out", str(tmp_path), "--defect-rate", "B1=0"])
        == 0
    )
    summary = json.loads((tmp_path / "_truth" / "summary.json").read_text())
    assert summary["rates"]["B1"] == 0.0 and summary["counts"].get("B1", 0) == 0
    assert summary["counts"]["B2"] > 0  # the other kinds keep their defaults


def test_run_on_a_missing_landing_folder_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-landing"
    assert main(["run", "--landing", str(missing), "--warehouse", str(tmp_path / "w.duckdb")]) == 2
    err = capsys.readouterr().err
    assert f"landing folder {missing} does not exist" in err
    assert not (tmp_path / "w.duckdb").exists()


def _one_line(err: str) -> str:
    """An operator error is one line on stderr, never a traceback."""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_warehouse_pointing_at_a_folder_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "landing").mkdir()
    args = ["run", "--landing", str(tmp_path / "landing"), "--warehouse", str(tmp_path)]
    assert main(args) == 2
    line = _one_line(capsys.readouterr().err)
    assert f"--warehouse {tmp_path} is a folder, not a DuckDB file" in line
    assert str(tmp_path / "warehouse.duckdb") in line  # what to do instead


def test_warehouse_that_is_not_a_duckdb_file_is_refused_and_leaves_nothing_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "landing").mkdir()
    notes = tmp_path / "notes.duckdb"
    notes.write_text("not a database\n" * 10)
    assert main(["run", "--landing", str(tmp_path / "landing"), "--warehouse", str(notes)]) == 2
    assert f"--warehouse {notes} exists but is not a DuckDB database" in _one_line(capsys.readouterr().err)
    assert notes.read_text() == "not a database\n" * 10
    assert sorted(p.name for p in tmp_path.iterdir()) == ["landing", "notes.duckdb"]  # no .building


def test_landing_pointing_at_a_file_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "_SUCCESS.json"
    marker.write_text("{}")
    assert main(["run", "--landing", str(marker), "--warehouse", str(tmp_path / "w.duckdb")]) == 2
    assert f"--landing {marker} is a file, not a folder" in _one_line(capsys.readouterr().err)
    assert not (tmp_path / "w.duckdb").exists()


@pytest.mark.parametrize("command", [["generate", "--out", "x"], ["demo"]])
def test_a_negative_seed_names_the_option(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--seed", "-1"])
    assert exit_.value.code == 2
    assert "argument --seed: expected a whole number >= 0" in capsys.readouterr().err


def test_an_unexpected_error_is_one_line_with_exit_1_and_a_traceback_only_with_verbose(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import orchestration.nightly

    def boom(**_: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(orchestration.nightly, "run_nightly", boom)
    args = ["run", "--landing", str(tmp_path), "--warehouse", str(tmp_path / "w.duckdb")]
    assert main(args) == 1
    line = _one_line(capsys.readouterr().err)
    assert "RuntimeError: disk on fire" in line and "--verbose" in line
    with pytest.raises(RuntimeError, match="disk on fire"):
        main([*args, "--verbose"])


def test_demo_dir_pointing_at_a_file_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    afile = tmp_path / "demo"
    afile.write_text("")
    assert main(["demo", "--scale", "xs", "--dir", str(afile)]) == 2
    assert f"--dir {afile} is a file, not a folder" in _one_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    ("no_extract", "warnings", "code"),
    [(True, ["l: no complete extract folder"], 4), (False, ["account.csv: no rows tonight"], 0)],
)
def test_a_night_with_no_complete_extract_exits_4_and_a_night_with_warnings_0(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_extract: bool,
    warnings: list[str],
    code: int,
) -> None:
    """The verdict is the run's (tests/ingestion/test_ingest_empty_night.py); this is its exit code: a
    scheduler must see an empty or mistyped landing, a quiet object is a warning in the log."""
    import orchestration.nightly
    from orchestration.nightly import NightlyResult

    landing = tmp_path / "landing"
    result = NightlyResult(
        True, {"warehouse": tmp_path / "w.duckdb"}, warnings=warnings, no_extract=[str(landing)] * no_extract
    )
    monkeypatch.setattr(orchestration.nightly, "run_nightly", lambda **_: result)
    monkeypatch.setattr("throughline.cli._write_report_after_run", lambda _: None)
    assert main(["run", "--landing", str(landing), "--warehouse", str(tmp_path / "w.duckdb")]) == code


def test_ctrl_c_is_one_line_and_exit_130_with_the_traceback_only_with_verbose(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import orchestration.nightly

    def interrupted(**_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(orchestration.nightly, "run_nightly", interrupted)
    args = ["run", "--landing", str(tmp_path), "--warehouse", str(tmp_path / "w.duckdb")]
    assert main(args) == 130
    line = _one_line(capsys.readouterr().err)
    assert line.startswith("throughline run: interrupted;") and "next run clears" in line
    with pytest.raises(KeyboardInterrupt):
        main([*args, "--verbose"])


def test_a_pipe_reader_that_goes_away_is_not_an_error(tmp_path: Path) -> None:
    """`throughline breaks | head`: head exits early; a command that only reads stops quietly, exit 0, no
    traceback (one that builds exits 1: it may have stopped partway; `throughline.cli._BUILDING_COMMANDS`)."""
    import os
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    argv = [sys.executable, "-m", "throughline.cli", "rollback", "--list", "--warehouse", str(tmp_path / "w")]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=repo)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader left before the first line
    err = proc.stderr.read().decode()
    assert (proc.wait(timeout=120), err) == (0, "")


def test_a_closed_pipe_fails_a_building_command_but_not_a_reading_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`throughline run | head` may stop the run partway: exit 1; `status | head` saw enough: exit 0."""
    from throughline import cli

    def closed(_: object) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli, "_cmd_run", closed)
    monkeypatch.setattr(cli, "_cmd_status", closed)
    assert main(["run"]) == 1
    assert main(["status"]) == 0
    assert capsys.readouterr().err == ""  # no traceback, no "failed: BrokenPipeError"
