"""Time a command and sample the peak resident memory of its whole process tree (dbt runs as a child)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

#: How often the process tree is sampled; a peak shorter than this can be missed (dbt's peaks last seconds).
SAMPLE_SECONDS = 0.1


@dataclass(frozen=True)
class Measurement:
    """One command: wall-clock seconds, peak RSS of the tree (bytes), exit code, where its output went.

    ``peak_by_process`` splits the peak sample by process (label -> bytes), so a peak over budget says which
    process to shrink: the Dagster parent that loads raw files in-process, or the dbt child beside it.
    """

    seconds: float
    peak_rss: int
    returncode: int
    log: Path
    peak_by_process: dict[str, int] = field(default_factory=dict)
    #: Seconds from the start to the peak sample: with the run log's timestamps it names the step.
    peak_at: float = 0.0


def process_label(member: psutil.Process) -> str:
    """A short name for a process of the tree: ``dbt`` for dbt's CLI, else its program and first argument."""
    try:
        argv = member.cmdline()
    except psutil.Error:
        return "?"
    names = [Path(a).name for a in argv[:4] if not a.startswith("-")]
    if any(n == "dbt" or n.startswith("dbt.") for n in names):
        return "dbt"
    return " ".join(names[:3])[:60] or "?"


def tree_sample(proc: psutil.Process) -> dict[str, int]:
    """Resident memory of ``proc`` and its descendants now, by process label (vanished processes count 0)."""
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return {}
    sample: dict[str, int] = {}
    for member in members:
        try:
            rss = member.memory_info().rss
        except psutil.Error:
            continue
        label = process_label(member)
        if label in sample:
            label = f"{label} [{member.pid}]"
        sample[label] = rss
    return sample


def measure(
    cmd: Sequence[str], log: Path, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Measurement:
    """Run ``cmd`` in ``cwd`` (stdout and stderr to ``log``); return its time and the tree's peak RSS."""
    log.parent.mkdir(parents=True, exist_ok=True)
    peak: dict[str, int] = {}
    peak_at = 0.0
    with log.open("w") as out:
        started = time.perf_counter()
        child = subprocess.Popen(
            list(cmd), stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True
        )
        watched = psutil.Process(child.pid)
        try:
            while child.poll() is None:
                sample = tree_sample(watched)
                if sum(sample.values()) > sum(peak.values()):
                    peak, peak_at = sample, time.perf_counter() - started
                time.sleep(SAMPLE_SECONDS)
        finally:
            if child.poll() is None:  # the benchmark was interrupted: take the step's whole tree with it
                os.killpg(child.pid, signal.SIGTERM)
                child.wait()
        seconds = time.perf_counter() - started
    return Measurement(seconds, sum(peak.values()), child.returncode, log, peak, round(peak_at, 1))
