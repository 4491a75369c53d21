"""``throughline run``: the nightly Dagster job, in process, with a simple write-audit-publish.

The job builds into ``<warehouse>.building`` (a copy of the last published file). When the run finishes
without crashing, the file is atomically moved onto ``<warehouse>``; a crash leaves the published file
untouched. Data problems (a rejected file, a failed check) do not block publishing the rest of the night:
they are reported as FAILED in the summary and make ``success`` False. One run at a time per warehouse:
``orchestration.run_lock`` holds ``<warehouse>.lock`` around everything that touches its files.

The run is recorded in the persistent Dagster instance (``orchestration.instance``: ``DAGSTER_HOME`` or
``.dagster_home/``), so it shows in the Dagster UI's run and asset history (``throughline ui``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb

from ingestion.contract import all_objects
from ingestion.load import EMPTY_STATUSES, FAILED_STATUSES
from ingestion.status import LoadStatus
from orchestration.assets.recon_checks import is_advisory_failure
from orchestration.instance import persistent_instance
from orchestration.resources import LandingResource, WarehouseResource
from orchestration.run_lock import run_lock
from orchestration.run_log import ProgressStream

# The first bytes of every DuckDB database file: an 8-byte checksum, then this magic.
_DUCKDB_MAGIC = (8, b"DUCK")


class InputError(Exception):
    """A path or option the operator gave is unusable; the message says what is wrong and what to do."""


def check_paths(landing: Path, warehouse: Path) -> None:
    """Refuse unusable paths before anything is written, so a bad command leaves no file behind."""
    if landing.is_file():
        raise InputError(
            f"--landing {landing} is a file, not a folder; give the landing folder that holds "
            "<system>/<YYYY-MM-DD>/<files>"
        )
    if not landing.is_dir():
        raise InputError(
            f"landing folder {landing} does not exist (expected <landing>/<system>/<YYYY-MM-DD>/<files>)"
        )
    if warehouse.is_dir():
        raise InputError(
            f"--warehouse {warehouse} is a folder, not a DuckDB file; give a file path, "
            f"e.g. --warehouse {warehouse / 'warehouse.duckdb'}"
        )
    if warehouse.exists() and not _is_duckdb(warehouse):
        raise InputError(
            f"--warehouse {warehouse} exists but is not a DuckDB database; give another path "
            "(a new file is created) or move that file away"
        )
    try:
        warehouse.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot create the warehouse's folder {warehouse.parent} ({exc.strerror or exc}); "
            "give a --warehouse path in a writable folder"
        ) from None


def _is_duckdb(path: Path) -> bool:
    offset, magic = _DUCKDB_MAGIC
    try:
        with path.open("rb") as f:
            return f.read(offset + len(magic))[offset:] == magic
    except OSError:
        return False


@dataclass
class ObjectSummary:
    name: str  # <schema>.<object>
    files: int
    rows_loaded: int
    rows_rejected: int
    drift: list[str]
    status: str  # OK | REJECTS | EMPTY | FAILED | -


@dataclass
class NightlyResult:
    success: bool
    artifacts: dict[str, Path] = field(default_factory=dict)
    summary: list[ObjectSummary] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    run_id: str | None = None
    #: Nothing (or nothing where rows were expected) arrived: said plainly, never reported as a success.
    warnings: list[str] = field(default_factory=list)
    #: The landing folder when it held no complete extract folder at all (empty or mistyped ``--landing``).
    no_extract: list[str] = field(default_factory=list)

    def table(self) -> str:
        head = f"{'object':<45} {'files':>5} {'loaded':>10} {'rejected':>9}  {'status':<8} drift"
        lines = [head, "-" * len(head)]
        for s in self.summary:
            lines.append(
                f"{s.name:<45} {s.files:>5} {s.rows_loaded:>10} {s.rows_rejected:>9}  {s.status:<8} "
                f"{', '.join(s.drift)}"
            )
        return "\n".join(lines)


def summarise_load(
    con: duckdb.DuckDBPyConnection, load_id: str, failed_checks: set[str]
) -> tuple[list[ObjectSummary], list[str], list[str], list[str]]:
    """Per-object summary, notes, warnings and the landing folder if it held no extract (``no_extract``) of
    one load, counted from ``raw.load_log`` itself.

    One load-log row is one file: files and rows are summed over those rows as they are (drift columns are
    gathered on the side, never unnested into the count, which once counted a file per unknown column)."""
    rows = con.execute(
        """
        select system, object, count(*), sum(rows_loaded), sum(rows_rejected),
               list_sort(list_distinct(flatten(list(drift_columns)))),
               bool_or(list_contains($failed, status)), bool_or(status = $empty)
        from raw.load_log where load_id = $load_id and object is not null
        group by 1, 2
        """,
        {"load_id": load_id, "failed": sorted(FAILED_STATUSES), "empty": LoadStatus.EMPTY},
    ).fetchall()
    unattached = con.execute(
        "select file, status, message from raw.load_log where load_id = ? and object is null order by file",
        [load_id],
    ).fetchall()
    empty = con.execute(
        "select file, message from raw.load_log where load_id = ? and status = ? order by file",
        [load_id, LoadStatus.EMPTY],
    ).fetchall()
    notes = [f"{f}: {m}" for f, status, m in unattached if status not in EMPTY_STATUSES]
    warnings = [f"{f}: {m}" for f, status, m in unattached if status in EMPTY_STATUSES]
    warnings += [f"{f}: {m}" for f, m in empty]
    by_obj = {(s, o): r for s, o, *r in rows}
    out = []
    for obj in all_objects():
        name = f"{obj.schema}.{obj.name}"
        files, loaded, rejected, drift, failed, is_empty = by_obj.get(
            (obj.system, obj.name), (0, 0, 0, [], False, False)
        )
        status = (
            "FAILED"
            if failed or name in failed_checks
            else "REJECTS"
            if rejected
            else "EMPTY"
            if is_empty
            else "OK"
        )
        out.append(
            ObjectSummary(
                name,
                files,
                int(loaded or 0),
                int(rejected or 0),
                list(drift or []),
                status if files or status == "FAILED" else "-",
            )
        )
    return out, notes, warnings, [f for f, status, _ in unattached if status == "no_extract"]


def failed_file_lines(con: duckdb.DuckDBPyConnection, load_id: str) -> list[str]:
    """One line per file behind a FAILED object of this load: the object, the file and the load log's reason
    (which says what disagrees and what to do), so the operator need not open the check to find them."""
    rows = con.execute(
        "select system, object, file, message from raw.load_log "
        "where load_id = ? and status in (select unnest(?)) order by system, object, file",
        [load_id, sorted(FAILED_STATUSES)],
    ).fetchall()
    schema = {(o.system, o.name): f"{o.schema}.{o.name}" for o in all_objects()}
    return [f"{schema.get((s, o), f'{s}.{o}')}: {f}: {m}" for s, o, f, m in rows]


def _failed_files(warehouse: Path, run_id: str) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return failed_file_lines(con, run_id)


#: How much of a failed check's description the console shows (the run log and the UI have all of it).
_CHECK_NOTE_CHARS = 300


def _check_line(name: str, description: str | None) -> str:
    note = " ".join((description or "").split())
    if len(note) > _CHECK_NOTE_CHARS:
        note = note[: _CHECK_NOTE_CHARS - 1] + "…"
    return f"FAILED check: {name}" + (f": {note}" if note else "")


def _summarise(
    warehouse: Path, run_id: str, failed_checks: set[str]
) -> tuple[list[ObjectSummary], list[str], list[str], list[str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return summarise_load(con, run_id, failed_checks)


def _outcome(res: NightlyResult) -> str:
    """The last line's verdict: a night that found no extract for a system is never called a success."""
    if not res.success:
        return "finished with FAILED objects"
    if res.no_extract:
        return (
            f"finished with WARNINGS: no complete extract folder found in {', '.join(res.no_extract)}; "
            "nothing was loaded (see the WARNING line above)"
        )
    if res.warnings:
        return f"succeeded with {len(res.warnings)} WARNING(S) (see above)"
    return "succeeded"


def run_nightly(
    landing: Path,
    warehouse: Path,
    echo: bool = True,
    asset_selection: Sequence[dg.AssetKey] | None = None,
    prepare: Callable[[Path], None] | None = None,
) -> NightlyResult:
    """Run the ``nightly`` job on ``landing`` into ``warehouse``; publish atomically unless it crashed.

    The job runs with the resources of ``orchestration.definitions`` except the warehouse (the building
    copy) and the landing folder. ``asset_selection`` restricts the run (e.g. to the raw layer).
    ``prepare`` is called with the building copy before the job starts (``throughline reload`` writes its
    requests there, so a crashed reload leaves the published warehouse as it was).
    Raises ``InputError`` for an unusable path (before anything is written) and ``RunInProgress`` when
    another run holds ``<warehouse>.lock`` (its files are left alone).
    """

    def say(msg: str) -> None:
        if echo:
            print(msg, file=sys.stderr if msg.startswith("  ") else sys.stdout, flush=True)

    landing, warehouse = Path(landing).resolve(), Path(warehouse).resolve()
    check_paths(landing, warehouse)
    with run_lock(warehouse, say=lambda m: print(m, file=sys.stderr, flush=True)):
        return _run_locked(landing, warehouse, echo, asset_selection, say, prepare)


def _run_locked(
    landing: Path,
    warehouse: Path,
    echo: bool,
    asset_selection: Sequence[dg.AssetKey] | None,
    say: Callable[[str], None],
    prepare: Callable[[Path], None] | None = None,
) -> NightlyResult:
    """The run itself, under the warehouse's run lock (so the ``.building`` file is ours to reset)."""
    from orchestration import definitions

    building = warehouse.with_name(warehouse.name + ".building")
    for stale in (building, building.with_name(building.name + ".wal")):
        stale.unlink(missing_ok=True)
    if warehouse.exists():
        shutil.copy2(warehouse, building)
    if prepare is not None:
        prepare(building)
    say(f"throughline run: landing {landing}")
    say(f"  building {building}")
    started = time.perf_counter()
    resources = {
        **definitions.RESOURCES,
        "warehouse": WarehouseResource(path=str(building)),
        "landing": LandingResource(path=str(landing)),
    }
    job = (
        definitions.nightly_job
        if asset_selection is None
        else dg.define_asset_job("nightly", selection=dg.AssetSelection.assets(*asset_selection))
    )
    run_defs = dg.Definitions(
        assets=definitions.ASSETS,
        asset_checks=definitions.ASSET_CHECKS,
        jobs=[job],
        resources=resources,
        executor=dg.in_process_executor,
    )
    run_log = warehouse.with_name(warehouse.name + ".nightly.log")
    say(f"  full dbt and step log: {run_log}")
    with (
        run_log.open("w", encoding="utf-8") as log,
        contextlib.redirect_stdout(ProgressStream(log, sys.stdout if echo else None)),
        persistent_instance() as instance,
    ):
        result = run_defs.resolve_job_def("nightly").execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        )
    elapsed = time.perf_counter() - started
    # A non-blocking reconciliation family over its threshold is news for the morning review, not a failed
    # night: it is printed with the breaks summary (throughline.breaks_summary), the run still succeeds.
    check_notes = {
        ".".join(e.asset_key.path) + f":{e.check_name}": e.description
        for e in result.get_asset_check_evaluations()
        if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR and not is_advisory_failure(e)
    }
    failed_checks = set(check_notes)
    if not result.success:
        failures = [
            f"{ev.step_key}: {ev.event_specific_data.error.message.strip()}"  # type: ignore[union-attr]
            for ev in result.all_events
            if ev.is_step_failure
        ]
        summary: list[ObjectSummary] = []
        if building.exists():
            summary, _, _, _ = _summarise(building, result.run_id, {c.split(":")[0] for c in failed_checks})
        res = NightlyResult(
            False,
            {"building": building, "run log": run_log},
            summary,
            sorted(failed_checks),
            failures,
            result.run_id,
        )
        if echo and summary:
            print(res.table())
        say(f"nightly run FAILED after {elapsed:.1f}s; the published warehouse is untouched: {warehouse}")
        for f in failures:
            say("  " + f)
        return res
    os.replace(building, warehouse)
    summary, notes, warnings, no_extract = _summarise(
        warehouse, result.run_id, {c.split(":")[0] for c in failed_checks}
    )
    res = NightlyResult(
        success=not failed_checks and all(s.status != "FAILED" for s in summary),
        artifacts={"warehouse": warehouse, "run log": run_log},
        summary=summary,
        failed_checks=sorted(failed_checks),
        messages=notes,
        run_id=result.run_id,
        warnings=warnings,
        no_extract=no_extract,
    )
    if echo:
        print(res.table())
        for n in notes:
            print(f"note: {n}")
        for w in warnings:
            print(f"WARNING: {w}")
        for line in _failed_files(warehouse, result.run_id):
            print(f"FAILED {line}")
        for c in res.failed_checks:
            print(_check_line(c, check_notes.get(c)))
        rejected = sum(o.rows_rejected for o in summary)
        if rejected:
            print(
                f"{rejected:,} rows quarantined tonight, each with its file, line, column and rule: "
                "select * from raw.rejects"
            )
        outcome = _outcome(res)
        print(f"nightly run {outcome} in {elapsed:.1f}s; warehouse published: {warehouse}")
    return res
