"""``throughline status``: last runs with their failed/warned checks, source freshness, open breaks."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ingestion.warehouse import ensure_bookkeeping
from throughline.cli import main
from throughline.status import breaks_section, render


@dg.asset(
    key=["marts", "fct_x"],
    check_specs=[
        dg.AssetCheckSpec("gx_expectations", asset=dg.AssetKey(["marts", "fct_x"])),
        dg.AssetCheckSpec("unique_id", asset=dg.AssetKey(["marts", "fct_x"])),
        dg.AssetCheckSpec("not_null", asset=dg.AssetKey(["marts", "fct_x"])),
    ],
)
def _fct_x():
    yield dg.MaterializeResult(
        check_results=[
            dg.AssetCheckResult(
                check_name="gx_expectations",
                passed=False,
                severity=dg.AssetCheckSeverity.WARN,
                description="1 of 4 expectations failed: WARNING expect_x\nmore",
            ),
            dg.AssetCheckResult(
                check_name="unique_id",
                passed=False,
                severity=dg.AssetCheckSeverity.ERROR,
                description="2 dupes",
            ),
            dg.AssetCheckResult(check_name="not_null", passed=True),
        ]
    )


def _warehouse(path: Path, breaks: bool) -> Path:
    now = datetime.now(UTC)
    with duckdb.connect(str(path)) as con:
        ensure_bookkeeping(con)
        con.execute(
            "insert into raw.load_log (system, object, extract_date, status, finished_at) values "
            "('psa', 'clients', '2026-11-20', 'loaded', ?), "
            "('netsuite', 'account', '2026-11-19', 'loaded', ?)",
            [
                (now - timedelta(hours=2)).replace(tzinfo=None),
                (now - timedelta(hours=50)).replace(tzinfo=None),
            ],
        )
        if breaks:
            con.execute("create schema marts")
            con.execute(
                """create table marts.recon_breaks as select * from (values
                   ('high', 'open', 100.50), ('high', 'new', 20.00), ('low', 'open', 1.25),
                   ('high', 'resolved', 999.0), ('critical', 'waived', 5.0), ('critical', 'reopened', 7.0)
                ) t(severity, status, amount_at_risk_reporting)"""
            )
    return path


def test_status_lists_runs_checks_freshness_and_open_breaks(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path / "warehouse.duckdb", breaks=True)
    job = dg.define_asset_job("nightly", selection=dg.AssetSelection.all())
    defs = dg.Definitions(assets=[_fct_x], jobs=[job])
    with dg.DagsterInstance.ephemeral() as instance:
        first = defs.resolve_job_def("nightly").execute_in_process(instance=instance)
        text = render(warehouse, instance)
    lines = text.splitlines()
    run_line = next(ln for ln in lines if ln.strip().startswith(first.run_id[:8]))
    assert "SUCCESS" in run_line and "1 failed, 1 warned" in run_line and "manual" in run_line
    assert "      FAILED marts.fct_x:unique_id: 2 dupes" in lines
    assert "      WARN   marts.fct_x:gx_expectations: 1 of 4 expectations failed: WARNING expect_x" in lines
    psa = next(ln for ln in lines if ln.strip().startswith("psa "))
    # 2 h and 50 h old when the warehouse was written, a little more by the time a busy suite renders it
    assert "2026-11-20" in psa and re.search(r"\b2\.\d h\b", psa) and "never (never: " in psa
    netsuite = next(ln for ln in lines if ln.strip().startswith("netsuite "))
    assert "2026-11-19" in netsuite and re.search(r"\b50\.\d h\b", netsuite)
    assert "(warn: account; never: " in netsuite
    # breaks: critical first; resolved and waived are not open
    assert [
        ln.split()[:2] for ln in lines[lines.index("Open breaks by severity (marts.recon_breaks):") + 2 :]
    ] == [
        ["critical", "1"],
        ["high", "2"],
        ["low", "1"],
        ["total", "4"],
    ]
    assert "120.50" in text and "128.75" in text


def test_breaks_without_a_status_column_are_all_open(tmp_path: Path) -> None:
    """marts.recon_breaks as built today: the breaks found tonight, no lifecycle status."""
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.recon_breaks as select * from (values ('error', 10.0), ('warn', null), "
            "('error', 2.5)) t(severity, amount_at_risk_reporting)"
        )
        lines = breaks_section(con)
    assert [ln.split() for ln in lines[1:]] == [
        ["error", "2", "12.50"],
        ["warn", "1", "0.00"],
        ["total", "3", "12.50"],
    ]


def test_status_says_when_there_is_no_break_mart_or_no_run(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path / "warehouse.duckdb", breaks=False)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert breaks_section(con) == [
            "  skipped: this warehouse has no marts.recon_breaks (reconciliation checks not built)"
        ]
    with dg.DagsterInstance.ephemeral() as instance:
        assert "no nightly run recorded yet" in render(warehouse, instance)


def test_status_command_reads_the_warehouse_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = _warehouse(tmp_path / "warehouse.duckdb", breaks=False)
    monkeypatch.setenv("THROUGHLINE_WAREHOUSE", str(warehouse))
    assert main(["status", "--runs", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Throughline status: {warehouse}")
    assert "Source freshness" in out
    with duckdb.connect(str(warehouse), read_only=True) as con:  # status held no lock on the file
        assert con.execute("select count(*) from raw.load_log").fetchone() == (2,)

    monkeypatch.delenv("THROUGHLINE_WAREHOUSE")
    assert main(["status"]) == 2
    assert "--warehouse not given and $THROUGHLINE_WAREHOUSE not set" in capsys.readouterr().err
    assert main(["status", "--warehouse", str(tmp_path / "missing.duckdb")]) == 2
    assert "no warehouse at" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("throughline ")


def test_every_option_has_help_and_shows_its_default() -> None:
    from throughline.cli import build_parser

    parser = build_parser()
    for name, sub in parser._subparsers._group_actions[0].choices.items():  # type: ignore[union-attr]
        for action in sub._actions:
            if action.dest == "help":
                continue
            assert action.help, f"{name} {action.option_strings} has no help"
            if action.default not in (None, False):
                assert "default" in sub.formatter_class("x")._get_help_string(action), (name, action.dest)


def test_run_falls_back_to_the_environment_for_its_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("THROUGHLINE_LANDING", raising=False)
    assert main(["run", "--warehouse", str(tmp_path / "w.duckdb")]) == 2
    assert "--landing not given and $THROUGHLINE_LANDING not set" in capsys.readouterr().err
    monkeypatch.setenv("THROUGHLINE_LANDING", str(tmp_path / "nowhere"))
    monkeypatch.setenv("THROUGHLINE_WAREHOUSE", str(tmp_path / "w.duckdb"))
    assert main(["run"]) == 2
    assert f"landing folder {tmp_path / 'nowhere'} does not exist" in capsys.readouterr().err
    assert date.today() and not (tmp_path / "w.duckdb").exists()


def test_rollback_and_breaks_read_the_warehouse_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Their ``--warehouse`` defaults come from ``$THROUGHLINE_WAREHOUSE`` when the command runs."""
    warehouse = tmp_path / "w.duckdb"
    monkeypatch.setenv("THROUGHLINE_WAREHOUSE", str(warehouse))
    assert main(["rollback", "--list"]) == 0
    assert capsys.readouterr().out.strip() == f"no kept builds for {warehouse.resolve()}"
    assert main(["breaks"]) == 2
    assert f"no warehouse at {warehouse}" in capsys.readouterr().err
    monkeypatch.delenv("THROUGHLINE_WAREHOUSE")
    assert main(["rollback"]) == 2
    assert "pass --warehouse FILE or set THROUGHLINE_WAREHOUSE" in capsys.readouterr().err
