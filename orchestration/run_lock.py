"""One nightly run per warehouse: ``<warehouse>.lock``, held for the whole run.

Two runs on the same warehouse would fight over its build files (the second deletes the first's
work) and over DuckDB's own file lock, which surfaces only as dozens of generic step failures. So a run
first takes an operating-system lock (``filelock``: ``flock`` on Unix) on ``<warehouse>.lock`` and writes
who holds it (pid, host, user, start time) into that file; a second run fails at once with those details
and touches nothing. The OS releases the lock when its process dies, even on ``kill -9``: a lock file that
still names a holder when we win the lock is therefore stale (that run was killed), and is reported and
replaced. On a clean release the file is emptied, not deleted, so every waiter locks the same inode.

The lock is the run process's, but the run's ``dbt build`` is a child process that outlives a ``kill -9`` of
the run (measured on xs: the dead run's build kept growing after the kill). So the run records each such child
in the lock file (``note_child``: pid and start time), and the run that clears the stale lock stops the
children still alive (the start time guards against a reused pid) before it touches any build file.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import psutil
from filelock import FileLock, Timeout

# Locks this process holds (canonical lock paths): `demo` takes the lock before it regenerates the firm and
# `run_nightly` takes it again inside; a second FileLock instance on the same file would refuse itself.
_HELD: set[Path] = set()


@dataclass(frozen=True)
class Holder:
    """Who holds (or held) a run lock, as written into the lock file."""

    pid: int
    host: str
    user: str
    started: str  # ISO 8601, local time with offset

    @classmethod
    def current(cls) -> Holder:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry (some containers): the uid still identifies
            user = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
        return cls(
            os.getpid(), socket.gethostname(), user, datetime.now().astimezone().isoformat(timespec="seconds")
        )

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}, user {self.user}, since {self.started}"


class RunInProgress(Exception):
    """Another run holds the warehouse's lock; nothing was touched."""

    def __init__(self, warehouse: Path, holder: Holder | None) -> None:
        self.warehouse, self.holder = warehouse, holder
        who = holder.describe() if holder else "holder not written yet"
        super().__init__(
            f"another run is in progress on {warehouse} ({who}); wait for it to finish, "
            f"or stop that process if it is stuck (its lock is {lock_path(warehouse)})"
        )


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def read_holder(path: Path) -> Holder | None:
    """The holder recorded in a lock file; None when it is empty, missing or unreadable (not ours)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "null")
        return Holder(int(data["pid"]), str(data["host"]), str(data["user"]), str(data["started"]))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def note_child(warehouse: Path, pid: int) -> None:
    """Record a subprocess this run started (``dbt build``) in the lock file, so a run that finds this one
    killed can stop it. Does nothing unless this process holds the warehouse's lock."""
    path = lock_path(Path(warehouse).resolve())
    if path not in _HELD:
        return
    try:
        started = psutil.Process(pid).create_time()
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (psutil.Error, OSError, ValueError):  # child gone, file unreadable: never fail the run
        return
    data.setdefault("children", []).append({"pid": pid, "created": started})
    _write(path, json.dumps(data) + "\n")


def _recorded_children(path: Path) -> list[tuple[int, float]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
        return [(int(c["pid"]), float(c["created"])) for c in data.get("children", [])]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return []


def stop_orphans(path: Path, holder: Holder) -> list[int]:
    """Stop the children a killed run recorded that still run (with their own children); return their pids.

    Only on the holder's host, and only a process whose start time is the recorded one (a pid may have been
    reused since)."""
    if holder.host != socket.gethostname():
        return []
    procs: list[psutil.Process] = []
    for pid, created in _recorded_children(path):
        try:
            proc = psutil.Process(pid)
            if abs(proc.create_time() - created) < 0.01:
                procs += [proc, *proc.children(recursive=True)]
        except psutil.Error:
            continue
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.kill()  # its build is discarded anyway: nothing to let it finish
    psutil.wait_procs(procs, timeout=10)
    return [p.pid for p in procs]


def _write(path: Path, text: str) -> None:
    """Rewrite the lock file in place (never replace it: the OS lock is on this inode)."""
    with path.open("r+", encoding="utf-8") as f:
        f.truncate(0)
        f.write(text)


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


@contextlib.contextmanager
def run_lock(warehouse: Path, say: Callable[[str], None] = _stderr) -> Iterator[None]:
    """Hold ``<warehouse>.lock`` for the block, or raise ``RunInProgress`` at once (no waiting).

    Re-entrant within one process. A holder left in the file by a killed run is reported through ``say``.
    """
    warehouse = Path(warehouse).resolve()
    path = lock_path(warehouse)
    if path in _HELD:
        yield
        return
    lock = FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise RunInProgress(warehouse, read_holder(path)) from None
    try:
        stale = read_holder(path)
        if stale is not None:
            stopped = stop_orphans(path, stale)
            say(
                f"throughline: cleared a stale run lock on {warehouse}: the run by {stale.describe()} "
                "ended without releasing it (killed or crashed); its unfinished work is discarded"
                + (f"; stopped its leftover process(es) {', '.join(map(str, stopped))}" if stopped else "")
            )
        _write(path, json.dumps(asdict(Holder.current())) + "\n")
        _HELD.add(path)
        yield
    finally:
        _HELD.discard(path)
        with contextlib.suppress(OSError):
            _write(path, "")
        lock.release()
