"""A whole `throughline run` on the xs sample firm (with defects) as the operator's terminal sees it.

Before: ~160 Dagster log lines, then a summary that said "succeeded" without the great-expectations
warnings. Now: a line per stage, progress, the per-object table and every warning, under ~40 lines besides
the table; the full Dagster event log and the dbt log are in the run's log file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import CliRun


def test_a_run_on_the_xs_firm_is_quiet_and_its_log_file_is_complete(xs_cli_run: CliRun) -> None:
    """The session's ``xs_cli_run`` (tests/conftest.py): ``throughline run`` of the xs firm, its terminal."""
    warehouse = Path(xs_cli_run.facts["warehouse"])
    code, out, err = xs_cli_run.code, xs_cli_run.out, xs_cli_run.err
    assert code in (0, 1), err
    terminal = (out + err).splitlines()
    verdict = next(i for i, line in enumerate(terminal) if line.startswith("nightly run "))
    run_lines = terminal[: verdict + 1]  # the KPI summary after it is the demo's one screen, not the run's
    table = [line for line in run_lines if line.startswith(("raw_", "object ", "-----"))]
    assert len(table) >= 30
    assert len(run_lines) - len(table) < 40, "\n".join(run_lines)
    assert not any(" - dagster - " in line for line in terminal), "no Dagster log line on the terminal"
    stages = [line.split(" ", 1)[1] for line in run_lines if line.startswith("[")]
    assert stages[0] == "load extracts" and len(stages) == len(set(stages)), stages  # each stage once
    dbt, gx = "dbt build (models, snapshots, tests)", "quality checks (great expectations)"
    # great expectations runs on the raw objects before dbt and on the marts after it: one stage line, first
    # seen when it starts; the night ends with publish
    assert {dbt, gx, "source freshness"} <= set(stages) and stages[-2:] == ["publish", "KPI report"], stages
    assert any(
        line.startswith("  dbt: ") and "models, snapshots and tests done" in line for line in run_lines
    )
    # the xs firm's defects trip great-expectations WARNING expectations: said in the summary, counted
    warned = [
        line for line in run_lines if line.startswith("WARNING: check ") and ":gx_expectations:" in line
    ]
    assert warned, "\n".join(run_lines)
    assert "WARNING(S)" in run_lines[verdict] or "FAILED" in run_lines[verdict]

    log = warehouse.with_name(warehouse.name + ".nightly.log").read_text(encoding="utf-8")
    for needle in (
        "STEP_START",
        "STEP_SUCCESS",
        "RUN_SUCCESS",
        "ASSET_CHECK_EVALUATION",
        " START ",
        "Done. PASS=",
    ):
        assert needle in log, needle
    assert log.count(" - dagster - ") > 160
    # a first night of this project in this warehouse runs the unit tests too (orchestration.unchanged)
    assert " START unit_test " in log and "dbt unit tests skipped" not in log
    # and with two dbt threads where there are two cores (orchestration.unchanged.first_build_threads)
    assert ("the warehouse's first dbt build: 2 dbt threads" in log) == ((os.cpu_count() or 1) > 1)


def test_the_python_assets_own_checks_pass_on_the_xs_night(xs_cli_run: CliRun) -> None:
    """The same run, from its Dagster home: the publish, report and forecast assets' checks passed."""
    import dagster as dg

    from orchestration.assets.forecasts import FORECAST_KEY
    from orchestration.assets.publish import PUBLISH_KEY
    from orchestration.assets.report import REPORT_KEY
    from orchestration.publish import run_check_evaluations

    with dg.DagsterInstance.from_config(xs_cli_run.facts["dagster_home"]) as instance:
        [run] = instance.get_runs(limit=1)
        found = {(e.asset_key, e.check_name): e for e in run_check_evaluations(instance, run.run_id)}
    for key, name in (
        (PUBLISH_KEY, "analysts_can_read"),
        (REPORT_KEY, "charts_drawn"),
        (FORECAST_KEY, "forecast_complete"),
    ):
        assert found[(key, name)].passed, found[(key, name)].description
