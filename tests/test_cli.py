"""`throughline demo` end to end as `make demo` calls it (xs scale): generate, load, model, publish."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from throughline.cli import build_parser, main


def test_demo_generates_runs_and_says_where_everything_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--scale", "xs", "--seed", "11", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    warehouse = tmp_path / "warehouse.duckdb"
    for shown in (tmp_path / "landing", tmp_path / "_truth", warehouse):
        assert f": {shown}" in out
    assert "nightly run succeeded" in out
    with duckdb.connect(str(warehouse), read_only=True) as con:
        loaded = con.execute("select sum(rows_loaded) from raw.load_log").fetchall()[0][0]
        revenue_rows = con.execute("select count(*) from marts.fct_revenue").fetchall()[0][0]
    assert loaded > 10_000 and revenue_rows > 0


def test_scale_and_required_options_are_validated() -> None:
    parser = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["generate", "--scale", "xxl", "--out", "x"])
    with pytest.raises(SystemExit):
        parser.parse_args(["run", "--landing", "x"])  # --warehouse is required


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
