"""The persistent Dagster home that ``throughline run``, ``throughline ui`` and ``dagster dev`` share.

Every nightly run is recorded in this instance (runs, step logs, asset materializations, check results and
their metadata), so the Dagster UI started on the same home shows the history of every night.

Where: the ``DAGSTER_HOME`` environment variable when it is set, else ``.dagster_home/`` in the project
folder (git-ignored). A ``dagster.yaml`` is written there on first use (sqlite storage inside the home, no
telemetry, one run at a time because the DuckDB warehouse has a single writer); an existing one is never
touched, so an operator can edit it.

The event log is :class:`PooledSqliteEventLogStorage`: Dagster's ``ConsolidatedSqliteEventLogStorage`` (one
sqlite file for every run, where the default keeps a file per run plus an index file that every asset and
check event is written to again), with one SQLAlchemy engine per process instead of one per event. A night
records ~3,300 events (planned, output and result events of each dbt model, test and suite): one file
instead of two cut the run's creation from 11-13 s to 8-9 s (docs/performance.md item 28), one engine cut
each event from 3.5 ms to ~1 ms (item 33). Homes written before keep the storage they have.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import sqlalchemy as sa
from dagster._core.storage.event_log.sqlite.consolidated_sqlite_event_log import (
    ConsolidatedSqliteEventLogStorage,
)
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS

from orchestration.dbt_project import REPO_ROOT

DEFAULT_DAGSTER_HOME = REPO_ROOT / ".dagster_home"

DAGSTER_YAML = """\
# Written by Throughline on first use (orchestration/instance.py); edit freely, it is not overwritten.
# Storage is sqlite files inside this folder (runs, event logs, schedules).
telemetry:
  enabled: false
# The DuckDB warehouse accepts one writer: queued runs start one at a time.
run_queue:
  max_concurrent_runs: 1
# Every run's events in one file (the default writes a file per run and each asset event twice).
# One engine per process for it, not one per event (orchestration/instance.py, docs/performance.md item 33).
event_log_storage:
  module: orchestration.instance
  class: PooledSqliteEventLogStorage
  config:
    base_dir: "{history}"
"""


def _commit_without_fsync(dbapi_connection: Any, _record: Any) -> None:
    """``synchronous=NORMAL`` on each new sqlite connection: in WAL mode a commit waits for no fsync.

    Dagster's event log is in WAL mode with sqlite's default ``synchronous=FULL``, which syncs the WAL to disk
    at every commit, and every event is its own transaction: ~0.55 ms of a 1.35 ms event (docs/performance.md
    item 62). With ``NORMAL`` the WAL is synced at each checkpoint instead. A crash of the process loses
    nothing; a power cut may lose the last events written before it, never the file's consistency. The run's
    record is not the warehouse: a night's build and its publish do not depend on it.
    """
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("pragma synchronous = normal")
    finally:
        cursor.close()


class PooledSqliteEventLogStorage(ConsolidatedSqliteEventLogStorage):
    """Dagster's one-file sqlite event log, writing through one SQLAlchemy engine per process.

    The parent opens a new engine (and sqlite connection) for every event it stores: 3.5 ms an event, ~12 s
    of a night's ~3,300 events. One engine with SQLAlchemy's pool for sqlite files (connections kept open,
    usable from any thread; a forked child opens its own) stores one in 0.8-1.1 ms. Each write is still its
    own transaction, and other processes (the webserver, the daemon) read and write the same file as before
    (sqlite's WAL, busy timeout). Dagster is pinned (pyproject.toml), and ``tests/test_dagster_home.py``
    checks the override of the parent's private ``_connect``: events stored through it, from several threads
    and a forked child, are read back by another instance and another process.
    """

    _engine: sa.engine.Engine | None = None
    _engine_pid: int | None = None
    #: Tables known to exist (``has_table``).
    _tables: frozenset[str] = frozenset()

    @contextmanager
    def _connect(self) -> Iterator[sa.engine.Connection]:
        if self._engine is None or self._engine_pid != os.getpid():  # a forked child opens its own
            self._engine = sa.create_engine(
                self._conn_string, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
            )
            sa.event.listen(self._engine, "connect", _commit_without_fsync)
            self._engine_pid = os.getpid()
        with self._engine.connect() as conn, conn.begin():
            yield conn

    def has_table(self, table_name: str) -> bool:
        """Whether the event log has ``table_name``, asked once per table and process while it exists.

        Dagster asks before every asset event (its tags table) and every check event (the check executions
        table), and the parent answers each time through a new engine and sqlite connection: ~1.6 s of CPU of
        an xs night's ~3,300 events (py-spy, docs/performance.md item 60). Dagster's migrations only add
        tables and its wipes delete rows, so a table found stays; one not found is asked again (another
        process may migrate the file meanwhile)."""
        if table_name in self._tables:
            return True
        with self._connect() as conn:
            found = bool(sa.inspect(conn).has_table(table_name))
        if found:
            self._tables = self._tables | {table_name}
        return found

    def dispose(self) -> None:
        super().dispose()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def dagster_home() -> Path:
    """The persistent Dagster home (created, with its ``dagster.yaml``, when missing)."""
    raw = os.environ.get("DAGSTER_HOME", "").strip()
    home = Path(raw).expanduser() if raw else DEFAULT_DAGSTER_HOME
    home = home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML.format(history=(home / "history").as_posix()), encoding="utf-8")
    return home


def persistent_instance() -> dg.DagsterInstance:
    """The Dagster instance at :func:`dagster_home` (use it as a context manager to close it)."""
    return dg.DagsterInstance.from_config(str(dagster_home()))


def dagster_dev_command(
    port: int = 3000, host: str = "127.0.0.1", extra_env: dict[str, str] | None = None
) -> tuple[list[str], dict[str, str], Path]:
    """``dagster dev`` (webserver and daemon) on the persistent home: its argv, environment and folder.

    Run from the project folder, ``dagster dev`` finds the code location in ``[tool.dagster]`` of
    ``pyproject.toml``; ``DAGSTER_HOME`` points it at the home that ``throughline run`` records into.
    """
    from orchestration.dbt_project import dbt_env

    env = dbt_env()
    env["DAGSTER_HOME"] = str(dagster_home())
    env.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    env.setdefault("GX_ANALYTICS_ENABLED", "false")
    env.update(extra_env or {})
    bin_dir = Path(sys.executable).parent
    dagster = str(bin_dir / "dagster") if (bin_dir / "dagster").exists() else "dagster"
    argv = [dagster, "dev", "--port", str(port), "--host", host]
    return argv, env, REPO_ROOT
