"""Let dbt parse only what changed, night after night on the same warehouse.

dbt skips re-parsing the project (``partial_parse.msgpack``) only when the profile it parsed under is the one
it runs under; the profile's database path is part of that check. Each run builds into its own file,
``<warehouse>.builds/<run id>.duckdb``, so dbt saw a new path every night, logged "Unable to do partial
parsing because profile has changed" and parsed all ~960 nodes again: 16 s of CPU on this project against
4.5 s for a partial parse (docs/performance.md). Two things make the path and the parse state stable:

- dbt opens the run's build through a second name, the same per warehouse every night: a hard link
  ``<warehouse>.builds/build.duckdb`` to ``<run id>.duckdb`` (:func:`dbt_opens_build`; one file, two names,
  no copy). Not a symbolic link: DuckDB resolves those and would name the database after the run id again,
  while dbt-duckdb names it after the path it was given. Everything else in the run, and every message,
  still names the build by its run id.
- dbt's ``partial_parse.msgpack`` is kept per warehouse in ``<warehouse>.builds/dbt/`` between runs
  (:func:`restore_partial_parse`, :func:`keep_partial_parse`): each run's dbt target folder is new and is
  removed when the run ends.

dbt still decides what to re-parse (changed files, vars, environment variables, dbt version); a state it
cannot use is parsed afresh, as before. Nothing here changes what dbt builds.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from orchestration.builds import builds_dir

#: The name dbt opens the run's build by (so its database is called ``build`` on every night).
DBT_BUILD_LINK = "build.duckdb"
PARTIAL_PARSE_FILE = "partial_parse.msgpack"


def dbt_build_link(warehouse: Path) -> Path:
    """``<warehouse>.builds/build.duckdb``: the name under which dbt opens the run's build."""
    return builds_dir(warehouse) / DBT_BUILD_LINK


def link_leftovers(warehouse: Path) -> list[Path]:
    """The link and its DuckDB write-ahead log as a killed dbt may have left them (removed before a run)."""
    link = dbt_build_link(warehouse)
    return [link, link.with_name(link.name + ".wal")]


def partial_parse_store(warehouse: Path) -> Path:
    """Where this warehouse's dbt parse state is kept between runs."""
    return builds_dir(warehouse) / "dbt" / PARTIAL_PARSE_FILE


@contextmanager
def dbt_opens_build(warehouse: Path, build: Path) -> Iterator[Path]:
    """Give ``build`` the name :func:`dbt_build_link` for the block; yield it (the path to give dbt).

    DuckDB names its write-ahead log after the path it opened. dbt closes the database cleanly (the log is
    folded into the file), but if dbt died with a log beside the link, it is folded in here, through the
    link, so the build is whole (for the run's inspection) before the second name goes.
    """
    link = dbt_build_link(warehouse)
    for leftover in link_leftovers(warehouse):
        leftover.unlink(missing_ok=True)
    link.parent.mkdir(parents=True, exist_ok=True)
    os.link(build, link)
    try:
        yield link
    finally:
        if link_leftovers(warehouse)[1].exists() and build.exists():
            with duckdb.connect(str(link)) as con:
                con.execute("checkpoint")
        for leftover in link_leftovers(warehouse):
            leftover.unlink(missing_ok=True)


def restore_partial_parse(warehouse: Path, target: Path, kept: Path | None = None) -> bool:
    """Put the warehouse's kept parse state into the run's dbt ``target`` folder; True when there was one.

    dagster-dbt copies the project's own ``target/partial_parse.msgpack`` only into a target folder that has
    none; that one was parsed under another profile (``throughline dbt-parse``), so dbt would discard it.
    ``kept``: another store than the warehouse's (the tests keep one per vars and environment).
    """
    kept = kept or partial_parse_store(warehouse)
    if not kept.is_file():
        return False
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(kept, target / PARTIAL_PARSE_FILE)
    return True


def keep_partial_parse(warehouse: Path, target: Path, kept: Path | None = None) -> bool:
    """Keep the parse state dbt wrote in the run's ``target`` for the next run; True when there was one.

    Written under a temporary name (per process) and renamed, so a run killed mid-copy leaves the previous
    state whole and a reader in another process never sees half a file. ``kept`` as for
    :func:`restore_partial_parse`.
    """
    written = target / PARTIAL_PARSE_FILE
    if not written.is_file():
        return False
    kept = kept or partial_parse_store(warehouse)
    kept.parent.mkdir(parents=True, exist_ok=True)
    partial = kept.with_name(f"{kept.name}.{os.getpid()}.part")
    shutil.copyfile(written, partial)
    os.replace(partial, kept)
    return True
