"""Where a warehouse's builds live: the files of write-audit-publish, side by side with the published one.

    <warehouse>                                   the published file analysts open (read-only)
    <warehouse>.builds/<run id>.duckdb            the build of one run: a copy of the published file that
                                                  the run loads, builds and checks; kept after a blocked
                                                  or dry run for inspection, removed by the next run
    <warehouse>.builds/published/<stamp>-<run>.duckdb   the last N published builds (rollback points)
    <warehouse>.builds/build.duckdb               during the dbt step only: a second name (hard link) of the
                                                  run's build, the one path dbt sees every night (a run
                                                  killed in dbt leaves it; the next run removes it)
    <warehouse>.builds/dbt/partial_parse.msgpack  dbt's parse state, kept for the next run (dbt_parse_state)

(the last two in ``THROUGHLINE_DBT_STATE_DIR`` instead when it is set: a folder several warehouses share).

A publish is ``os.replace`` of the build onto ``<warehouse>`` (atomic: a reader opens the old file or the
new one, never a half-built one), then a hard link of it into ``published/`` (no second copy on disk).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

#: How many published builds to keep (the current one included): env ``THROUGHLINE_KEEP_BUILDS``.
KEEP_BUILDS_ENV = "THROUGHLINE_KEEP_BUILDS"
DEFAULT_KEEP_BUILDS = 3


def keep_builds_default() -> int:
    """``THROUGHLINE_KEEP_BUILDS`` (a whole number >= 1), else 3."""
    raw = os.environ.get(KEEP_BUILDS_ENV, "").strip()
    if not raw:
        return DEFAULT_KEEP_BUILDS
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{KEEP_BUILDS_ENV}={raw!r}: expected a whole number >= 1 (default 3)")
    return int(raw)


def builds_dir(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".builds")


def build_path(warehouse: Path, run_id: str) -> Path:
    """The file one run builds into (its name is the Dagster run id, so the UI's run page finds it)."""
    return builds_dir(warehouse) / f"{run_id}.duckdb"


def history_dir(warehouse: Path) -> Path:
    return builds_dir(warehouse) / "published"


def history_name(run_id: str, when: datetime | None = None) -> str:
    """``20261203T020512.123456Z-1a2b3c4d.duckdb``: sorts by publish time, names the run."""
    stamp = (when or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S.%fZ")
    return f"{stamp}-{run_id[:8]}.duckdb"


def same_build(a: Path, b: Path) -> bool:
    """True when two paths are the same published build: one inode (hard link), or an identical copy."""
    try:
        if os.path.samefile(a, b):
            return True
        sa, sb = a.stat(), b.stat()
    except OSError:
        return False
    return sa.st_size == sb.st_size and sa.st_mtime_ns == sb.st_mtime_ns


@dataclass(frozen=True)
class PublishedBuild:
    """One rollback point: a build that was published, and whether it is the published one now."""

    path: Path
    current: bool

    @property
    def name(self) -> str:
        return self.path.stem


def published_builds(warehouse: Path) -> list[PublishedBuild]:
    """The kept published builds, newest first."""
    folder = history_dir(warehouse)
    if not folder.is_dir():
        return []
    entries = sorted(folder.glob("*.duckdb"), key=lambda p: p.name, reverse=True)
    return [PublishedBuild(p, same_build(p, warehouse)) for p in entries]
