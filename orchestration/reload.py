"""``throughline reload``: re-read refused or quarantined files, then build and publish like a night.

When to use it: a file was refused (``rejected``, ``refused``, ``missing``, ``unlisted``) or loaded with
rejected rows, and the operator has since corrected the file, its completion marker, or the contract. A plain
``throughline run`` does not re-read it: a refusal is remembered so that re-running a night changes nothing.

The reload is a normal nightly run (``run_nightly``: same run lock, building copy, contracts, checks, dbt
build and publish) whose building copy first receives one ``raw.reload_requests`` row per chosen file;
``ingestion.reload`` explains how the loader honours them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingestion.contract import SYSTEMS, all_objects
from ingestion.landing import folder_files, scan_landing
from ingestion.reload import Attempt, ReloadFilter, find_reloadable, request_reloads
from ingestion.warehouse import ensure_bookkeeping
from orchestration.nightly import InputError, NightlyResult, check_paths, run_nightly
from orchestration.run_lock import run_lock


@dataclass
class ReloadResult:
    """What was asked, what could not be found, and the run that re-read the rest (None: nothing to do)."""

    requested: list[Attempt] = field(default_factory=list)
    not_landed: list[Attempt] = field(default_factory=list)
    run: NightlyResult | None = None
    #: (file, status, rows loaded, rows rejected, message) of each re-read file, from the load log.
    reloaded: list[tuple[str, str, int, int, str]] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return self.run is None or self.run.success


def normalise_filter(flt: ReloadFilter, landing: Path) -> ReloadFilter:
    """Check the filter against the contracts and write ``--file`` relative to the landing folder."""
    if not flt.narrowed and not flt.all_refused:
        raise InputError(
            "say which files to reload: --system, --object, --extract-date or --file (any combination), "
            "or --all-refused for every refused file"
        )
    if flt.system is not None and flt.system not in SYSTEMS:
        raise InputError(f"--system {flt.system!r} is not a source system; use one of {', '.join(SYSTEMS)}")
    obj, system = flt.object, flt.system
    if obj is not None:
        schema, _, name = obj.rpartition(".")
        matches = [o for o in all_objects() if o.name == name and (not schema or o.schema == schema)]
        if not matches:
            raise InputError(
                f"--object {obj!r} is not in the contracts; give an object name such as "
                "'account' or 'raw_salesforce.account' (see `select distinct object from raw.load_log`)"
            )
        obj = name
        if schema:
            system = system or matches[0].system
    file = flt.file
    if file is not None:
        path = Path(file)
        if path.is_absolute() or path.exists():
            try:
                file = path.resolve().relative_to(landing).as_posix()
            except ValueError:
                raise InputError(
                    f"--file {file} is not inside the landing folder {landing}; give it as "
                    "<system>/<YYYY-MM-DD>/<file> (the file column of raw.load_log)"
                ) from None
    return ReloadFilter(system, obj, flt.extract_date, file, flt.all_refused)


def _landed(landing: Path) -> set[str]:
    """Files (relative paths) of the complete extract folders: what a load can read."""
    return {lf.rel_path for f in scan_landing(landing) if f.complete for lf in folder_files(landing, f)}


def _reloaded(warehouse: Path, load_id: str) -> list[tuple[str, str, int, int, str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select file, status, rows_loaded, rows_rejected, message from raw.load_log "
            "where load_id = ? and reload_of is not null order by file",
            [load_id],
        ).fetchall()


def _request(attempts: list[Attempt]) -> Callable[[Path], None]:
    def prepare(building: Path) -> None:
        with duckdb.connect(str(building)) as con:
            ensure_bookkeeping(con)
            request_reloads(con, attempts)

    return prepare


def run_reload(landing: Path, warehouse: Path, flt: ReloadFilter, echo: bool = True) -> ReloadResult:
    """Re-read the files ``flt`` picks whose latest attempt was refused or quarantined; build and publish.

    Raises ``InputError`` for unusable paths or filters and ``RunInProgress`` while another run holds the
    warehouse. With nothing to re-read, nothing runs and nothing changes."""
    landing, warehouse = Path(landing).resolve(), Path(warehouse).resolve()
    check_paths(landing, warehouse)
    flt = normalise_filter(flt, landing)
    if not warehouse.exists():
        raise InputError(f"no warehouse at {warehouse}: nothing was loaded there yet; use `throughline run`")
    out = ReloadResult()

    def say(msg: str) -> None:
        if echo:
            print(msg, flush=True)

    with run_lock(warehouse, say=lambda m: print(m, file=sys.stderr, flush=True)):
        with duckdb.connect(str(warehouse), read_only=True) as con:
            found = find_reloadable(con, flt)
        landed = _landed(landing)
        out.requested = [a for a in found if a.file in landed]
        out.not_landed = [a for a in found if a.file not in landed]
        for a in out.not_landed:
            say(f"not reloaded: {a.file} ({a.status}) is no longer in a complete extract folder of {landing}")
        if not out.requested:
            say(
                f"throughline reload: nothing to reload for {flt.describe()} (no refused or quarantined file)"
            )
            return out
        say(f"throughline reload: re-reading {len(out.requested)} file(s) ({flt.describe()}):")
        for a in out.requested:
            say(f"  {a.file}: was {a.status} (load {a.load_id}): {a.message}")
        out.run = run_nightly(landing, warehouse, echo=echo, prepare=_request(out.requested))
        # published: the warehouse; failed or blocked: the run's build, kept for inspection
        source = out.run.artifacts.get("warehouse", out.run.artifacts.get("build"))
        if source is not None and Path(source).exists() and out.run.run_id:
            out.reloaded = _reloaded(Path(source), out.run.run_id)
    for file, status, loaded, rejected, message in out.reloaded:
        say(
            f"reloaded {file}: {status}, {loaded} rows loaded, {rejected} rejected"
            + (f": {message}" if message else "")
        )
    return out
