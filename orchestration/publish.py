"""Step 3 of a run, publish: switch the audited build in atomically; keep the last N; roll back.

What blocks a publish is Dagster's own notion of a blocking check: an asset check declared
``blocking=True`` whose evaluation fails with severity ERROR. Dagster then skips every asset downstream of
the checked asset, and the ``publish`` asset is downstream of all of them; :func:`blocking_failures`
re-reads the run's evaluations before the switch as a second lock on the door. Which checks block:

* dbt data tests of severity ``error`` (dagster-dbt declares them blocking); ``warn`` tests never block;
* the Great Expectations suites: a failed CRITICAL (structural) expectation fails with ERROR;
* any check another module declares with ``blocking=True`` and fails with ERROR (e.g. reconciliation).

``raw_*/rows_accounted_for`` is reported but not blocking: a file rejected whole is quarantined, its object
keeps the rows of earlier nights and shows FAILED in the summary, and the rest of the night is published.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.builds import PublishedBuild, history_dir, history_name, published_builds

#: Test hook: ``THROUGHLINE_PAUSE_AT=<point>`` makes the run stop there (it prints ``paused at <point>`` to
#: stderr and sleeps), so a test can kill it at a known point. Points: ``load``, ``publish``.
PAUSE_ENV = "THROUGHLINE_PAUSE_AT"


def pause_point(name: str) -> None:
    """Stop here for a test that kills the run (never set in production)."""
    if os.environ.get(PAUSE_ENV) == name:
        print(f"paused at {name}", file=sys.stderr, flush=True)
        time.sleep(3600)


def check_label(evaluation: dg.AssetCheckEvaluation) -> str:
    return f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"


def is_blocking_failure(evaluation: dg.AssetCheckEvaluation) -> bool:
    """The rule Dagster itself applies when it gates downstream steps (``execute_step.py``)."""
    return (
        not evaluation.passed
        and evaluation.severity == dg.AssetCheckSeverity.ERROR
        and bool(evaluation.blocking)
    )


def blocking_failures(evaluations: Iterable[dg.AssetCheckEvaluation]) -> list[str]:
    """``asset/key:check`` of every blocking check that failed, sorted."""
    return sorted({check_label(e) for e in evaluations if is_blocking_failure(e)})


def run_check_evaluations(instance: dg.DagsterInstance, run_id: str) -> list[dg.AssetCheckEvaluation]:
    """Every asset check evaluation recorded so far in one run."""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
    return [
        r.event_log_entry.dagster_event.event_specific_data  # type: ignore[union-attr,misc]
        for r in records
        if r.event_log_entry.dagster_event is not None
    ]


@dataclass
class Published:
    """What a publish did: the rollback point it added and the ones it pruned."""

    entry: Path
    pruned: list[Path] = field(default_factory=list)


def _checkpoint(build: Path) -> None:
    """Fold a leftover write-ahead log into the build, so the published file stands on its own."""
    if build.with_name(build.name + ".wal").exists():
        with duckdb.connect(str(build)) as con:
            con.execute("checkpoint")


def _fsync(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:  # a file system without hard links: a copy (same size and mtime marks it current)
        shutil.copy2(src, dst)


def publish_build(warehouse: Path, build: Path, run_id: str, keep: int) -> Published:
    """Switch ``build`` in as ``warehouse`` (atomic rename), record it as a rollback point, prune to ``keep``.

    Call under the run lock. The rename comes first: a run killed before it leaves the published file as
    it was; killed after it, the new warehouse is published and only its rollback entry is missing.
    """
    if not build.exists():
        raise FileNotFoundError(f"the build {build} is gone; nothing to publish")
    _checkpoint(build)
    _fsync(build)
    pause_point("publish")
    os.replace(build, warehouse)
    _fsync(warehouse.parent)
    entry = history_dir(warehouse) / history_name(run_id)
    entry.parent.mkdir(parents=True, exist_ok=True)
    _link_or_copy(warehouse, entry)
    return Published(entry, prune(warehouse, keep))


def prune(warehouse: Path, keep: int) -> list[Path]:
    """Delete the oldest published builds beyond ``keep``; the current one is never deleted."""
    removed = []
    for old in published_builds(warehouse)[max(keep, 1) :]:
        if not old.current:
            old.path.unlink(missing_ok=True)
            removed.append(old.path)
    return removed


class RollbackError(Exception):
    """Nothing to roll back to, or no kept build of that name; the message lists what there is."""


def choose_rollback(warehouse: Path, to: str | None) -> PublishedBuild:
    """The kept build ``to`` (its name, with or without ``.duckdb``), else the one before the current."""
    builds = published_builds(warehouse)
    kept = ", ".join(b.name for b in builds) or "none"
    if to is not None:
        wanted = to.removesuffix(".duckdb")
        for b in builds:
            if b.name == wanted:
                return b
        raise RollbackError(f"no kept build named {to!r} for {warehouse}; kept builds: {kept}")
    current = next((i for i, b in enumerate(builds) if b.current), None)
    older = builds[current + 1 :] if current is not None else builds
    if not older:
        raise RollbackError(f"no earlier published build of {warehouse} to roll back to; kept builds: {kept}")
    return older[0]


def restore(warehouse: Path, build: PublishedBuild, say: Callable[[str], None] = print) -> None:
    """Make ``build`` the published warehouse again (atomic rename of a link to it); call under the lock."""
    staged = warehouse.with_name(warehouse.name + ".rollback")
    staged.unlink(missing_ok=True)
    _link_or_copy(build.path, staged)
    os.replace(staged, warehouse)
    _fsync(warehouse.parent)
    say(f"rolled back {warehouse} to the build {build.name}")
