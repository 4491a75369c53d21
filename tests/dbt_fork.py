"""Run a dbt command in a process forked from one that has already imported dbt.

A dbt command started as a new process spends ~3 s of CPU before it reads its project: Python imports
dbt-core, its adapters and events, and builds the serialisers of its dataclasses. The suite's tests run over
forty dbt commands (39 through ``run_dbt``), so that start-up was minutes of the 2-core machine's CPU.
Python's ``forkserver`` start method imports ``dbt.cli.main`` once in a server process and forks every command
from it: each command is still a process of its own (its own flags, adapter, DuckDB connection and exit code,
as the ``dbt`` executable gives), only without the imports. ``dbt.cli.main.dbtRunner`` in the test process
would keep dbt's state and a DuckDB connection between commands and the test's own connections.

The server imports this module by its name, ``dbt_fork``: pytest puts the tests folder on ``sys.path``, and
the server gets the test process's ``sys.path``.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

_FORKSERVER = multiprocessing.get_context("forkserver")
#: What the server imports once: dbt's command line and this module (the children's entry point).
_FORKSERVER.set_forkserver_preload(["dbt.cli.main", __name__])


@dataclass(frozen=True)
class DbtCommand:
    """What a dbt command gave: its exit code and what it wrote to stdout and stderr."""

    returncode: int
    stdout: str
    stderr: str


def _dbt_in_child(args: Sequence[str], cwd: str, env: Mapping[str, str], out: str, err: str) -> None:
    """The child: stdout and stderr to files, the command's folder and environment, then dbt's own entry
    point (``dbt`` is ``dbt.cli.main:cli``), which exits with dbt's exit code."""
    for path, fd in ((out, 1), (err, 2)):
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(handle, fd)
        os.close(handle)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    from dbt.cli.main import cli

    try:
        cli.main(args=list(args), prog_name="dbt")
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


def run_dbt_command(args: Sequence[str], cwd: Path, env: Mapping[str, str]) -> DbtCommand:
    """``dbt <args>`` in ``cwd`` with exactly ``env`` as its environment, as ``subprocess.run`` with
    ``capture_output=True`` would run it."""
    with tempfile.TemporaryDirectory(prefix="throughline-dbt-fork-") as scratch:
        out, err = Path(scratch) / "stdout", Path(scratch) / "stderr"
        command = (list(args), str(cwd), dict(env), str(out), str(err))
        child = _FORKSERVER.Process(target=_dbt_in_child, args=command)
        child.start()
        child.join()
        read = {p: p.read_text(encoding="utf-8", errors="replace") if p.exists() else "" for p in (out, err)}
    code = child.exitcode if child.exitcode is not None else 1
    return DbtCommand(code if code >= 0 else 128 - code, read[out], read[err])
