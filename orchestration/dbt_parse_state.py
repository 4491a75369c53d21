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

A host that builds several warehouses one after another (a test session, a firm trying its vendors' exports
side by side) can share one parse state among them: ``THROUGHLINE_DBT_STATE_DIR`` names a folder where dbt
opens every warehouse's build, under the same name, and keeps the one parse state, so a warehouse's first
night parses only what changed since another warehouse's last one. The folder must be on the warehouses' file
system (the name is a hard link); runs that share it take turns for their dbt step (``dbt.lock``).
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from orchestration.builds import builds_dir

#: The name dbt opens the run's build by (so its database is called ``build`` on every night).
DBT_BUILD_LINK = "build.duckdb"
PARTIAL_PARSE_FILE = "partial_parse.msgpack"
#: A folder shared by the warehouses this host builds: dbt opens each build there and keeps one parse state.
SHARED_STATE_ENV = "THROUGHLINE_DBT_STATE_DIR"
#: In the folder dbt opens builds in: held for the dbt step, so runs sharing the folder take turns.
STATE_LOCK = "dbt.lock"


def _quiet(_: str) -> None:
    return None


def dbt_state_dir(warehouse: Path) -> Path:
    """Where dbt opens the run's build and keeps its parse state: ``THROUGHLINE_DBT_STATE_DIR`` when set,
    else the warehouse's own ``<warehouse>.builds/``."""
    shared = os.environ.get(SHARED_STATE_ENV, "").strip()
    return Path(shared).resolve() if shared else builds_dir(warehouse)


def dbt_build_link(warehouse: Path) -> Path:
    """``<warehouse>.builds/build.duckdb`` (or in the shared folder): the name dbt opens a build by."""
    return dbt_state_dir(warehouse) / DBT_BUILD_LINK


def _with_log(link: Path) -> list[Path]:
    """The link and the DuckDB write-ahead log named after it."""
    return [link, link.with_name(link.name + ".wal")]


def link_leftovers(warehouse: Path) -> list[Path]:
    """The link and its DuckDB write-ahead log as a killed dbt may have left them (removed before a run)."""
    return _with_log(dbt_build_link(warehouse))


def own_link_leftovers(warehouse: Path) -> list[Path]:
    """The link names in the warehouse's own builds folder, whichever folder dbt opens builds in tonight (a
    run before ``THROUGHLINE_DBT_STATE_DIR`` was set may have left them there)."""
    return _with_log(builds_dir(warehouse) / DBT_BUILD_LINK)


def partial_parse_store(warehouse: Path, variant: str = "") -> Path:
    """Where this warehouse's dbt parse state is kept between runs; ``variant`` names a profile or source
    systems other than the default (``dbt_project.parse_state_variant``), kept apart in a shared folder so a
    Spark or Xero night does not replace the DuckDB nights' state."""
    return dbt_state_dir(warehouse) / "dbt" / variant / PARTIAL_PARSE_FILE


@contextmanager
def _state_lock(folder: Path, say: Callable[[str], None]) -> Iterator[None]:
    """Hold ``<folder>/dbt.lock`` for the block; say so first when another run holds it (a shared folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / STATE_LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"waiting for another run's dbt step in {folder} ({SHARED_STATE_ENV} is shared)")
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield  # the lock goes with the file's close, or with the process


@contextmanager
def dbt_opens_build(warehouse: Path, build: Path, say: Callable[[str], None] = _quiet) -> Iterator[Path]:
    """Give ``build`` the name :func:`dbt_build_link` for the block; yield it (the path to give dbt).

    DuckDB names its write-ahead log after the path it opened. dbt closes the database cleanly (the log is
    folded into the file), but if dbt died with a log beside the link, it is folded in here, through the
    link, so the build is whole (for the run's inspection) before the second name goes. A shared folder on
    another file system cannot hold the link: the build is then opened in the warehouse's own folder, which
    costs this night a full parse (``say`` tells why).
    """
    folder = dbt_state_dir(warehouse)
    with _state_lock(folder, say):
        try:
            link, log = _link(build, link_leftovers(warehouse))
        except OSError as error:
            if error.errno != errno.EXDEV:
                raise
            say(f"{SHARED_STATE_ENV}={folder} is on another file system than {build}: dbt opens it there")
            link, log = _link(build, own_link_leftovers(warehouse))
        try:
            yield link
        finally:
            if log.exists() and build.exists():
                with duckdb.connect(str(link)) as con:
                    con.execute("checkpoint")
            for leftover in (link, log):
                leftover.unlink(missing_ok=True)


def _link(build: Path, names: list[Path]) -> list[Path]:
    """Make the link of ``names`` (the link and its log) a second name of ``build``, after removing what a
    killed dbt left under them and DuckDB's spill folder beside them (profiles.yml: ``<database>.tmp``; in a
    shared folder the sweep of ``<warehouse>.builds/`` does not reach it)."""
    link = names[0]
    for leftover in names:
        leftover.unlink(missing_ok=True)
    shutil.rmtree(link.with_name(link.name + ".tmp"), ignore_errors=True)
    link.parent.mkdir(parents=True, exist_ok=True)
    os.link(build, link)
    return names


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
