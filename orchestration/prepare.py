"""Step 1 of a run, prepare: give the run its own build file, a copy of the last published warehouse.

Called by ``WarehouseResource`` when a Dagster run starts (whoever launched it: ``throughline run``, the
schedule, a sensor, the UI), under the warehouse's run lock. Holding the lock means no other run is alive
on this warehouse, so every other file in ``<warehouse>.builds/`` is the leftover of a killed, failed,
blocked or dry run: it is removed here, which is how a killed run gets cleaned up.

``throughline run`` knows the run's id before Dagster starts, so it starts the copy on a thread
(``start_build``) as soon as it knows a run will happen: the copy (7-10 s for the xl warehouse on ext4) then
runs while the process imports Dagster, loads the definitions and creates the run, and the resource waits
for it instead of copying (docs/performance.md, item 72).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import duckdb

from orchestration.builds import build_path, builds_dir
from orchestration.dbt_parse_state import own_link_leftovers

#: What an older Throughline built into (one fixed name); a killed run of that version may have left it.
LEGACY_BUILDING_SUFFIXES = (".building", ".building.wal")


def _quiet(_: str) -> None:
    return None


def sweep_builds(warehouse: Path, keep_run_id: str, say: Callable[[str], None] = _quiet) -> list[Path]:
    """Remove the build files of every run but ``keep_run_id`` (call under the run lock); return them."""
    keep = build_path(warehouse, keep_run_id)
    removed: list[Path] = []
    folder = builds_dir(warehouse)
    for link in own_link_leftovers(warehouse):  # dbt's name for a build (dbt_parse_state): no message
        link.unlink(missing_ok=True)
    candidates = list(folder.glob("*.duckdb*")) if folder.is_dir() else []
    candidates += [warehouse.with_name(warehouse.name + s) for s in LEGACY_BUILDING_SUFFIXES]
    for path in candidates:
        if not path.is_file() or path.name.startswith(keep.name):
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
    spills = list(folder.glob("*.duckdb.tmp")) if folder.is_dir() else []
    for spill in spills:  # DuckDB's spill folder of a killed run (duckdb_settings: <build>.tmp)
        if spill.is_dir() and not spill.name.startswith(keep.name):
            shutil.rmtree(spill, ignore_errors=True)
    for path in removed:
        if path.suffix == ".duckdb" or path.name.endswith(".building"):
            say(f"removed the build {path.name} left by an earlier run that did not publish it")
    return removed


#: ``ioctl(dst, FICLONE, src)``: share the source's blocks copy-on-write (XFS, btrfs, bcachefs, ZFS 2.2+).
FICLONE = 0x40049409


def clone_file(src: Path, dst: Path) -> str:
    """Copy ``src`` to ``dst`` as cheaply as the file system allows; return ``"clone"`` or ``"copy"``.

    A copy-on-write clone takes constant time whatever the warehouse's size, and the build's writes never
    touch the published file's blocks. Where cloning is not supported (ext4, tmpfs, across file systems)
    it is a kernel-side copy (``shutil.copy2``). Either way the modification time is kept.
    """
    try:
        with src.open("rb") as fin, dst.open("wb") as fout:
            fcntl.ioctl(fout.fileno(), FICLONE, fin.fileno())
        shutil.copystat(src, dst)
        return "clone"
    except OSError:
        dst.unlink(missing_ok=True)
        shutil.copy2(src, dst)
        return "copy"


#: Builds being prepared on a thread (``start_build``), by build path, each with the messages it has to say.
_STARTED: dict[Path, Future[list[str]]] = {}


def start_build(warehouse: Path, run_id: str) -> bool:
    """Start preparing the run's build on a thread (call under the run lock); ``prepare_build`` then waits
    for it. Only a published warehouse is copied so: a first night creates an empty database, at once."""
    build = build_path(warehouse, run_id)
    if build in _STARTED or build.exists() or not warehouse.is_file():
        return False
    pool = ThreadPoolExecutor(1, thread_name_prefix="throughline-build")
    _STARTED[build] = pool.submit(_build_saying, warehouse, run_id)
    pool.shutdown(wait=False)  # the thread ends with the copy; nothing else runs on it
    return True


def _build_saying(warehouse: Path, run_id: str) -> list[str]:
    said: list[str] = []
    _make_build(warehouse, run_id, said.append)
    return said


def while_copying(warehouse: Path, run_id: str, steps: Iterable[Callable[[], object]]) -> int:
    """Run ``steps`` one after the other while this run's build is still being copied on its thread (none
    when no copy was started, or once it has finished); return how many ran. The run's resource gives it the
    slow imports later steps make anyway, so the wait for the copy is not time lost."""
    started = _STARTED.get(build_path(warehouse, run_id))
    ran = 0
    for step in steps:
        if started is None or started.done():
            break
        step()
        ran += 1
    return ran


def finish_started_build(warehouse: Path, run_id: str, say: Callable[[str], None] = _quiet) -> Path | None:
    """Wait for the build ``start_build`` started for this run, say what it said, and return it (None: none
    started). The copy's error, if it failed, is raised here."""
    build = build_path(warehouse, run_id)
    started = _STARTED.pop(build, None)
    if started is None:
        return None
    for message in started.result():
        say(message)
    return build


def prepare_build(warehouse: Path, run_id: str, say: Callable[[str], None] = _quiet) -> Path:
    """The run's build file, created once per run: a copy of ``warehouse`` (an empty database if none).

    The copy is written under a temporary name and renamed, so a run killed mid-copy never leaves a file
    that looks like a complete build. Idempotent: a second call in the same run returns the same file, and
    a call while ``start_build`` prepares it waits for that.
    """
    started = finish_started_build(warehouse, run_id, say)
    return started if started is not None else _make_build(warehouse, run_id, say)


def _make_build(warehouse: Path, run_id: str, say: Callable[[str], None]) -> Path:
    build = build_path(warehouse, run_id)
    if build.exists():
        return build
    sweep_builds(warehouse, run_id, say)
    build.parent.mkdir(parents=True, exist_ok=True)
    partial = build.with_name(build.name + ".part")
    partial.unlink(missing_ok=True)
    if warehouse.exists():
        clone_file(warehouse, partial)
    else:
        duckdb.connect(str(partial)).close()
    os.replace(partial, build)
    say(f"building into {build}")
    return build
