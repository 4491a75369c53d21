"""`throughline demo` end to end as `make demo` calls it (xs scale): generate, load, model, publish."""

from __future__ import annotations

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
