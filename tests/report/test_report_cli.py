"""`write_report` and `throughline report`: where the file goes, that it is self-contained, and the errors."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from throughline import cli
from throughline.report import ReportError, WarehouseBusy, write_report


@pytest.fixture
def night(xs_warehouse: Path, tmp_path: Path) -> Path:
    """A copy of the xs warehouse in its own folder (the default report folder is beside it)."""
    target = tmp_path / "night" / "warehouse.duckdb"
    target.parent.mkdir()
    shutil.copy(xs_warehouse, target)
    return target


def test_default_path_is_reports_as_of_date_beside_the_warehouse(night: Path) -> None:
    with duckdb.connect(str(night), read_only=True) as con:
        as_of = con.execute("select max(as_of_date) from marts.kpi_utilization_monthly").fetchone()[0]
    started = time.perf_counter()
    path = write_report(night)
    elapsed = time.perf_counter() - started
    assert path == night.parent / "reports" / as_of.isoformat() / "kpi-report.html"
    html = path.read_text(encoding="utf-8")
    # Self-contained: plotly.js inlined once, no script or stylesheet fetched from anywhere.
    assert html.count("<script>") == 2  # plotly.js in the head, the drawing script at the end
    assert not re.search(r"<script[^>]*\bsrc=", html) and "<link" not in html
    assert 'class="chart"' in html and "Reporting currency <b>USD</b>" in html
    assert not list(path.parent.glob(".kpi-report.html.*"))  # the temporary file was renamed
    assert elapsed < 10


def test_cli_report_writes_into_out_and_prints_the_path(night: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert cli.main(["report", "--warehouse", str(night), "--out", str(out)]) == cli.EXIT_OK
    assert capsys.readouterr().out.strip() == str(out / "kpi-report.html")
    assert (out / "kpi-report.html").stat().st_size > 1_000_000  # plotly.js is ~4.6 MB


def test_cli_report_missing_warehouse_is_one_line_and_exit_2(tmp_path: Path, capsys) -> None:
    code = cli.main(["report", "--warehouse", str(tmp_path / "nope.duckdb")])
    err = capsys.readouterr().err
    assert code == cli.EXIT_INPUT
    assert (
        err.count("\n") == 1 and err.startswith("throughline report: warehouse ") and "does not exist" in err
    )


def test_cli_report_warehouse_defaults_to_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("THROUGHLINE_WAREHOUSE", str(tmp_path / "w.duckdb"))
    assert cli.build_parser().parse_args(["report"]).warehouse == str(tmp_path / "w.duckdb")


def test_a_warehouse_held_by_a_writer_is_busy_not_a_crash(night: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(night)!r}); print('held', flush=True); "
            "time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(WarehouseBusy, match="read-only"):
            write_report(night)
        assert cli.main(["report", "--warehouse", str(night)]) == cli.EXIT_LOCKED
    finally:
        holder.kill()
        holder.wait()


def test_a_file_that_is_not_a_warehouse_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(ReportError, match="not a built Throughline warehouse"):
        write_report(empty)


def test_after_a_run_a_report_that_cannot_be_written_is_a_warning(tmp_path: Path, capsys) -> None:
    empty = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(empty)).close()
    assert cli._write_report_after_run(empty) is None
    err = capsys.readouterr().err
    assert err.startswith("warning: KPI report not written: marts.kpi_firm_monthly is missing")
    assert not (tmp_path / "reports").exists()


def test_after_a_run_the_report_goes_beside_the_warehouse(night: Path) -> None:
    path = cli._write_report_after_run(night)
    assert path is not None and path.parent.parent == night.parent / "reports" and path.is_file()
    # the report asset's check passes on the real report: every chart the issue names, with data
    from orchestration.assets.report import report_check

    result = report_check(path)
    assert result.passed, result.description
