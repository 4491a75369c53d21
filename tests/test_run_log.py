"""The nightly's terminal view of the dbt stream: progress by tenths, problems always, START lines never."""

from __future__ import annotations

import io

from orchestration.run_log import ProgressStream, progress_line


def test_progress_shows_tenths_and_problems_only() -> None:
    shown: set[int] = set()
    assert progress_line("07:38:21  1 of 20 START sql view model staging.stg_a ....... [RUN]", shown) is None
    assert progress_line("07:38:21  1 of 20 OK created sql view model staging.stg_a", shown) is None  # 0/10
    assert progress_line("2 of 20 OK created sql view model staging.stg_b", shown) == (
        "  dbt: 2/20 models, snapshots and tests done"
    )
    assert progress_line("3 of 20 PASS not_null_x", shown) is None  # still the first tenth
    assert progress_line("4 of 20 WARN 22 relationships_x", shown) == "  dbt: 4 of 20 WARN 22 relationships_x"
    assert progress_line("5 of 20 FAIL 1 expression_is_true_y", shown).endswith("FAIL 1 expression_is_true_y")
    assert progress_line("Done. PASS=18 WARN=1 ERROR=1 SKIP=0 NO-OP=0 TOTAL=20", shown) is not None
    assert progress_line('{"info": {"name": "MainReportVersion"}}', shown) is None


def test_stream_keeps_everything_in_the_log_and_filters_the_terminal() -> None:
    log, terminal = io.StringIO(), io.StringIO()
    stream = ProgressStream(log, terminal)
    stream.write("1 of 2 START a\n1 of 2 OK a\n2 of 2 ")
    stream.write("ERROR creating b\nDone. PASS=1 WARN=0 ERROR=1\n")
    assert log.getvalue() == (
        "1 of 2 START a\n1 of 2 OK a\n2 of 2 ERROR creating b\nDone. PASS=1 WARN=0 ERROR=1\n"
    )
    assert terminal.getvalue().splitlines() == [
        "  dbt: 1/2 models, snapshots and tests done",
        "  dbt: 2 of 2 ERROR creating b",
        "  dbt: Done. PASS=1 WARN=0 ERROR=1",
    ]
