"""Time a command and sample the peak resident memory of its whole process tree (dbt runs as a child)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

#: How often the process tree is sampled; a peak shorter than this can be missed (dbt's peaks last seconds).
SAMPLE_SECONDS = 0.1


@dataclass(frozen=True)
class Measurement:
    """One command: wall-clock seconds, peak RSS of the tree (bytes), exit code, where its output went."""

    seconds: float
    peak_rss: int
    returncode: int
    log: Path


def tree_rss(proc: psutil.Process) -> int:
    """Resident memory of ``proc`` and all its descendants now (processes that vanish count as 0)."""
    total = 0
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return total


def measure(
    cmd: Sequence[str], log: Path, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Measurement:
    """Run ``cmd`` in ``cwd`` (stdout and stderr to ``log``); return its time and the tree's peak RSS."""
    log.parent.mkdir(parents=True, exist_ok=True)
    peak = 0
    with log.open("w") as out:
        started = time.perf_counter()
        child = subprocess.Popen(
            list(cmd), stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True
        )
        watched = psutil.Process(child.pid)
        try:
            while child.poll() is None:
                peak = max(peak, tree_rss(watched))
                time.sleep(SAMPLE_SECONDS)
        finally:
            if child.poll() is None:  # the benchmark was interrupted: take the step's whole tree with it
                os.killpg(child.pid, signal.SIGTERM)
                child.wait()
        seconds = time.perf_counter() - started
    return Measurement(seconds, peak, child.returncode, log)
