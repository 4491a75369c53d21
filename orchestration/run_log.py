"""Terminal output of a nightly run: everything to the run's log file, a short account to the terminal.

During a run, dagster-dbt re-emits every dbt event on stdout (one line per model and test: hundreds a
night) and Dagster's console logger writes every step event to stderr. :func:`captured_run_output` sends
both, in full, to the run's log file (``<warehouse>.nightly.log``) and shows the operator only

- one line when each stage starts (load, dbt build, quality checks, freshness, publish, ...),
- progress on the long stages (every fifth of the load steps, every tenth of the dbt nodes),
- a step that fails or is retried (its first line), and dbt errors;

warnings (rejected rows, failed WARN checks, late sources) are listed once in the run's summary instead.
``--verbose`` (:func:`verbose_terminal`) passes everything through to the terminal as well.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import dagster as dg

_NODE = re.compile(r"^(?:\d\d:\d\d:\d\d\s+)?(\d+) of (\d+) (START|OK|PASS|WARN|ERROR|FAIL|SKIP|NO-OP)\b")
_ALWAYS = re.compile(
    r"^(?:\d\d:\d\d:\d\d\s+)?(Done\. PASS=|Finished running|Completed with|Failure in|Error in)"
)
#: ``<time> - dagster - <LEVEL> - <job> - <run id> - <rest>``: one line of Dagster's console logger.
_DAGSTER = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} - dagster - (\w+) - [^ ]+ - [0-9a-f-]{36} - (.*)$"
)
_EVENT = re.compile(r"^(?:\d+ - )?(?:(?P<step>[^ ]+) - )?(?P<event>[A-Z][A-Z_]+) - (?P<msg>.*)$")

#: The Dagster log level written to the run log: every event, so the log file is the whole story.
RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "DEBUG"}}}}

_verbose = False


@contextlib.contextmanager
def verbose_terminal(on: bool = True) -> Iterator[None]:
    """Inside the block, runs print their whole log to the terminal too (``--verbose``)."""
    global _verbose
    saved, _verbose = _verbose, on
    try:
        yield
    finally:
        _verbose = saved


def stage_of(step_key: str) -> str:
    """The stage an operator recognises for a Dagster step key."""
    if step_key.startswith("raw"):
        return "load extracts"
    if step_key.startswith("throughline_dbt"):
        return "dbt build (models, snapshots, tests)"
    if step_key.startswith("gx_"):
        return "quality checks (great expectations)"
    if step_key.startswith("source_freshness"):
        return "source freshness"
    if "publish" in step_key:
        return "publish"
    if "kpi_report" in step_key:
        return "KPI report"
    # a multi-part asset key's step (``anomalies__cash_risk``): "anomalies: cash risk", never a double space
    return ": ".join(" ".join(part.split("_")).strip() for part in step_key.split("__") if part.strip("_"))


def progress_line(line: str, shown_tenths: set[int]) -> str | None:
    """What the terminal shows for one dbt output line (None = keep it in the log only).

    WARN and FAIL lines of data tests are summarised after the run (as checks); a node that errors is shown.
    """
    m = _NODE.match(line)
    if m:
        done, total, status = int(m.group(1)), int(m.group(2)), m.group(3)
        if status == "ERROR":
            return "  dbt: " + line.strip()
        if status in ("START", "WARN", "FAIL"):
            return None
        tenth = done * 10 // max(total, 1)
        if tenth and tenth not in shown_tenths:
            shown_tenths.add(tenth)
            return f"  dbt: {done}/{total} models, snapshots and tests done"
        return None
    if _ALWAYS.match(line):
        return "  dbt: " + line.strip()
    return None


class _Stages:
    """Turns Dagster step events into stage lines, load progress and failures."""

    def __init__(self, raw_steps: int) -> None:
        self.seen: list[str] = []
        self.raw_steps, self.raw_done, self.raw_fifths = raw_steps, 0, set[int]()

    def line(self, level: str, rest: str) -> str | None:
        m = _EVENT.match(rest)
        if not m:
            return None  # a message an asset logged: in the log; warnings come back in the summary
        step, event, msg = m.group("step"), m.group("event"), m.group("msg").strip()
        if event == "STEP_START" and step:
            stage = stage_of(step)
            if stage not in self.seen:
                self.seen.append(stage)
                return f"[{len(self.seen)}] {stage}"
        elif event == "STEP_SUCCESS" and step and stage_of(step) == "load extracts" and self.raw_steps:
            self.raw_done += 1
            fifth = self.raw_done * 5 // self.raw_steps  # loading is the shorter stage: every fifth
            if fifth and fifth not in self.raw_fifths:
                self.raw_fifths.add(fifth)
                return f"  load: {min(self.raw_done, self.raw_steps)}/{self.raw_steps} steps done"
        elif event == "STEP_UP_FOR_RETRY" and step:
            return f"  retrying step {step} (a transient failure?); see the run log"
        elif event in ("STEP_FAILURE", "RUN_FAILURE"):
            return f"  FAILED {('step ' + step) if step else 'run'}: {msg}"
        return None


class RunOutput(io.TextIOBase):
    """stdout and stderr of a run: every line to ``log``; the terminal gets what the module doc lists."""

    def __init__(
        self, log: TextIO, terminal: TextIO | None, verbose: bool = False, raw_steps: int = 0
    ) -> None:
        self._log, self._terminal, self._verbose = log, terminal, verbose
        self._pending = ""
        self._dbt_tenths: set[int] = set()
        self._stages = _Stages(raw_steps)
        self._in_failure = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._log.write(text)
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            shown = line if self._verbose else self.filter(line)
            if shown is not None and self._terminal is not None:
                self._terminal.write(shown + "\n")
                self._terminal.flush()
        return len(text)

    def filter(self, line: str) -> str | None:
        """The terminal's view of one line of the run's output (None = the log file only)."""
        if line.startswith("paused at "):  # orchestration.publish.pause_point: the run waits to be killed
            return line
        m = _DAGSTER.match(line)
        if m:
            shown = self._stages.line(m.group(1), m.group(2))
            self._in_failure = bool(shown and shown.startswith("  FAILED"))
            return shown
        if self._in_failure and line.strip():
            # the failure's first lines after Dagster's header: the error itself, then stop at the trace
            if line.startswith("Stack Trace") or line.startswith("  File "):
                self._in_failure = False
                return None
            return "    " + line.strip()[:200]
        return progress_line(line, self._dbt_tenths)

    def flush(self) -> None:
        self._log.flush()


def _raw_step_count() -> int:
    """Steps of the load stage: one per raw asset (its row check runs in the same step)."""
    from orchestration.assets.raw import raw_assets

    return len(raw_assets)


@contextlib.contextmanager
def captured_run_output(log_path: Path, echo: bool = True) -> Iterator[RunOutput]:
    """Redirect stdout and stderr of the block (dbt, Dagster) into ``log_path`` and a filtered terminal."""
    terminal = sys.stdout if echo else None
    with log_path.open("w", encoding="utf-8") as log:
        out = RunOutput(log, terminal, verbose=_verbose, raw_steps=_raw_step_count())
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            yield out


def warned_checks(result: dg.ExecuteInProcessResult) -> list[str]:
    """``asset:check: description`` of every check that failed with WARN severity (for the summary).

    The reconciliation family checks (``recon_breaks``) are left out: the breaks summary printed after the run
    lists every family with its open breaks and money at risk, one table instead of 28 lines.
    """
    return sorted(
        f"check {'.'.join(e.asset_key.path)}:{e.check_name}: {(e.description or '').strip()[:300]}"
        for e in result.get_asset_check_evaluations()
        if not e.passed and e.severity == dg.AssetCheckSeverity.WARN and e.check_name != "recon_breaks"
    )
