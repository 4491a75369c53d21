"""The nightly's terminal: stage lines, progress by tenths, failures; everything else only in the log file."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import dagster as dg

from orchestration.run_log import RUN_CONFIG, RunOutput, captured_run_output, progress_line, verbose_terminal

RUN = "0b952018-32f9-4224-8a03-c37aa9593a2f"


def _dagster(level: str, rest: str) -> str:
    return f"2026-12-03 15:11:14 +0000 - dagster - {level} - nightly - {RUN} - {rest}\n"


def test_dbt_progress_shows_tenths_and_errors_only() -> None:
    shown: set[int] = set()
    assert progress_line("07:38:21  1 of 20 START sql view model staging.stg_a ....... [RUN]", shown) is None
    assert progress_line("07:38:21  1 of 20 OK created sql view model staging.stg_a", shown) is None  # 0/10
    assert progress_line("2 of 20 OK created sql view model staging.stg_b", shown) == (
        "  dbt: 2/20 models, snapshots and tests done"
    )
    assert progress_line("3 of 20 PASS not_null_x", shown) is None  # still the first tenth
    # a warned or failed data test comes back in the summary as a check, once
    assert progress_line("4 of 20 WARN 22 relationships_x", shown) is None
    assert progress_line("5 of 20 FAIL 1 expression_is_true_y", shown) is None
    assert progress_line("6 of 20 ERROR creating sql table model marts.x", shown) == (
        "  dbt: 6 of 20 ERROR creating sql table model marts.x"
    )
    assert progress_line("Done. PASS=18 WARN=1 ERROR=1 SKIP=0 NO-OP=0 TOTAL=20", shown) is not None
    assert progress_line('{"info": {"name": "MainReportVersion"}}', shown) is None


def test_stages_progress_and_failures_reach_the_terminal_and_everything_the_log() -> None:
    log, terminal = io.StringIO(), io.StringIO()
    out = RunOutput(log, terminal, raw_steps=10)
    lines = [
        _dagster("DEBUG", '24359 - RUN_START - Started execution of run for "nightly".'),
        _dagster("DEBUG", '24359 - raw__landing_audit - STEP_START - Started execution of step "x".'),
        _dagster("DEBUG", "24359 - raw__landing_audit - STEP_SUCCESS - Finished in 3ms."),
        _dagster("DEBUG", '24359 - raw_psa__clients - STEP_START - Started execution of step "x".'),
        _dagster("INFO", "raw_psa__clients - psa/2026-11-18/clients.jsonl: loaded, 12 loaded, 0 rejected."),
        _dagster(
            "WARNING", "raw_psa__clients - psa/2026-11-19/clients.jsonl: loaded_with_rejects, 1 rejected"
        ),
        _dagster("DEBUG", "24359 - raw_psa__clients - STEP_SUCCESS - Finished in 3ms."),
        _dagster("DEBUG", "24359 - raw_psa__roles - STEP_SUCCESS - Finished in 3ms."),
        _dagster("DEBUG", "24359 - raw_psa__projects - STEP_SUCCESS - Finished in 3ms."),
        _dagster("DEBUG", '24359 - throughline_dbt - STEP_START - Started execution of step "x".'),
        "paused at load\n",  # the kill tests' hook (orchestration.publish.pause_point)
        "1 of 2 START a\n",
        "2 of 2 OK a\n",
        _dagster("DEBUG", '24359 - throughline_dbt - STEP_UP_FOR_RETRY - Execution of step "x" failed.'),
        _dagster("DEBUG", '24359 - warehouse__published - STEP_START - Started execution of step "p".'),
        _dagster("ERROR", '24359 - gx_mart_expectations - STEP_FAILURE - Execution of step "g" failed.'),
        "\n",
        "OSError: IO Error: Could not set lock on file\n",
        "\n",
        "Stack Trace:\n",
        '  File "x.py", line 1, in y\n',
    ]
    for line in lines:
        out.write(line)
    assert log.getvalue() == "".join(lines), "the log file keeps every line"
    assert terminal.getvalue().splitlines() == [
        "[1] load extracts",
        "  load: 2/10 steps done",  # each fifth of the raw steps (one per asset, its row check inside), once
        "  load: 4/10 steps done",
        "[2] dbt build (models, snapshots, tests)",
        "paused at load",
        "  dbt: 2/2 models, snapshots and tests done",
        "  retrying step throughline_dbt (a transient failure?); see the run log",
        "[3] publish",
        '  FAILED step gx_mart_expectations: Execution of step "g" failed.',
        "    OSError: IO Error: Could not set lock on file",
    ]


def test_verbose_passes_everything_through(tmp_path: Path, monkeypatch) -> None:
    terminal = io.StringIO()
    monkeypatch.setattr(sys, "stdout", terminal)
    with verbose_terminal(), captured_run_output(tmp_path / "run.log") as out:
        print("3 of 9 START x")
        print(_dagster("DEBUG", "24359 - RUN_START - Started").strip(), file=sys.stderr)
    assert out is not None
    assert terminal.getvalue().splitlines() == [
        "3 of 9 START x",
        _dagster("DEBUG", "24359 - RUN_START - Started").strip(),
    ]
    assert (tmp_path / "run.log").read_text() == terminal.getvalue()


@dg.asset
def _chatty(context) -> None:  # noqa: ANN001 (a string annotation confuses Dagster)
    context.log.info("0 loaded, 0 rejected")


def test_a_real_dagster_run_is_one_stage_line_on_the_terminal_and_all_events_in_the_log(
    tmp_path: Path, monkeypatch
) -> None:
    terminal = io.StringIO()
    monkeypatch.setattr(sys, "stdout", terminal)
    job = dg.Definitions(
        assets=[_chatty], executor=dg.in_process_executor
    ).resolve_implicit_global_asset_job_def()
    with captured_run_output(tmp_path / "run.log"):
        assert job.execute_in_process(run_config=RUN_CONFIG).success
    assert terminal.getvalue().splitlines() == ["[1] chatty"]
    log = (tmp_path / "run.log").read_text()
    for event in ("RUN_START", "STEP_START", "0 loaded, 0 rejected", "STEP_SUCCESS", "RUN_SUCCESS"):
        assert event in log


def test_stage_names_of_other_steps_read_as_words() -> None:
    from orchestration.run_log import stage_of

    assert stage_of("anomalies__cash_risk") == "anomalies: cash risk"
    assert stage_of("marts__forecast_statistical_monthly") == "marts: forecast statistical monthly"
    assert stage_of("reconciliation_families") == "reconciliation families"
    assert stage_of("raw_psa__projects") == "load extracts"
    assert stage_of("warehouse__published") == "publish"
