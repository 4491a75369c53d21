"""``throughline run``: the nightly Dagster job, in process, in four steps a reader can follow.

1. prepare (``check_paths`` here, then ``orchestration.prepare`` inside the job): refuse unusable paths
   before anything is written; the job's warehouse resource copies the published file into the run's own
   build ``<warehouse>.builds/<run id>.duckdb`` and removes builds that earlier runs left behind;
2. execute (``orchestration.execute``): the ``nightly`` job, the same one the schedule and the UI launch;
3. publish (``orchestration.publish``, the job's last asset): an atomic rename of the build onto
   ``<warehouse>`` unless a blocking check failed; the last N published builds are kept for rollback;
4. report (``report`` here): the per-object table and the verdict.

Data problems that are not blocking (a rejected file, a WARN check) do not stop publishing the rest of the
night: they are reported as FAILED in the summary and make ``success`` False. A killed or blocked run
leaves the published file untouched. One run at a time per warehouse: ``orchestration.run_lock`` holds
``<warehouse>.lock`` for the whole run.

The run is recorded in the persistent Dagster instance (``orchestration.instance``: ``DAGSTER_HOME`` or
``.dagster_home/``), so it shows in the Dagster UI's run and asset history (``throughline ui``).
"""

from __future__ import annotations

import contextlib
import shlex
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb

from ingestion.contract import all_objects, chosen_systems
from ingestion.landing import scan_landing
from ingestion.load import EMPTY_STATUSES, FAILED_STATUSES, no_extract_found
from ingestion.status import LoadStatus
from orchestration.assets.publish import PUBLISH_KEY
from orchestration.assets.recon_checks import is_advisory_failure
from orchestration.builds import build_path
from orchestration.execute import Selection, execute_nightly, run_log_path
from orchestration.prepare import finish_started_build, prepare_build, start_build
from orchestration.publish import blocking_failures, check_label
from orchestration.run_lock import run_lock
from orchestration.run_log import warned_checks
from orchestration.unchanged import landing_unchanged, project_fingerprint, unchanged_reason

ERROR = dg.AssetCheckSeverity.ERROR

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
            f"e.g. --warehouse {shlex.quote(str(warehouse / 'warehouse.duckdb'))}"
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
    #: Blocking checks that failed (``asset/key:check``): why the run did not publish.
    blocked_by: list[str] = field(default_factory=list)
    #: Nothing new landed and the dbt project is unchanged: nothing rebuilt, the warehouse left as it was.
    unchanged: bool = False

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
    chosen = chosen_systems()
    for obj in all_objects():
        name = f"{obj.schema}.{obj.name}"
        files, loaded, rejected, drift, failed, is_empty = by_obj.get(
            (obj.system, obj.name), (0, 0, 0, [], False, False)
        )
        if obj.system not in chosen and not files:
            continue  # a system this firm does not run (another PSA) and that sent nothing
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
        has_log = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = 'load_log'"
        ).fetchone()
        if not (has_log and has_log[0]):  # a run that stopped before its first load: nothing to summarise
            return [], [], [], []
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
    asset_selection: Selection | None = None,
    prepare: Callable[[Path], None] | None = None,
) -> NightlyResult:
    """Run the ``nightly`` job on ``landing``: prepare, execute, publish (all inside the job), report.

    ``asset_selection`` restricts the run (e.g. to the raw layer); it still publishes. Raises
    ``InputError`` for an unusable path (before anything is written) and ``RunInProgress`` when another
    run holds ``<warehouse>.lock`` (its files are left alone).
    ``prepare`` is called with the run's build before the job starts (``throughline reload`` writes its
    requests there, so a crashed reload leaves the published warehouse as it was).
    """

    def say(msg: str) -> None:
        if echo:
            print(msg, file=sys.stderr if msg.startswith("  ") else sys.stdout, flush=True)

    landing, warehouse = Path(landing).resolve(), Path(warehouse).resolve()
    check_paths(landing, warehouse)
    with run_lock(warehouse, say=lambda m: print(m, file=sys.stderr, flush=True)):
        run_id = str(uuid.uuid4())  # chosen here to name the build before the run starts
        say(f"throughline run: landing {landing}")
        started = time.perf_counter()
        reason = (
            landing_unchanged(landing, warehouse) if prepare is None and asset_selection is None else None
        )
        if prepare is None and asset_selection is None:
            empty = _night_without_extract(landing, warehouse, run_id, say)
            if empty is not None:
                return empty
        if reason:  # no Dagster run at all: nothing to load, build or publish (orchestration.unchanged)
            say(f"nothing new: {reason}; nothing loaded, nothing rebuilt")
            say(
                f"nightly run succeeded (nothing new) in {time.perf_counter() - started:.1f}s; "
                f"warehouse unchanged: {warehouse}"
            )
            return NightlyResult(True, {"warehouse": warehouse}, unchanged=True)
        say(f"  building {build_path(warehouse, run_id)}")
        say(f"  full dbt and step log: {run_log_path(warehouse)}")
        start_build(warehouse, run_id)  # the copy runs while Dagster starts; the run's resource waits for it
        try:
            if prepare is not None:
                prepare(prepare_build(warehouse, run_id, say))
            started = time.perf_counter()
            result = execute_nightly(landing, warehouse, asset_selection, echo, run_id)
        finally:
            _copy_ended(warehouse, run_id)
        return report(result, warehouse, time.perf_counter() - started, echo, say)


def _copy_ended(warehouse: Path, run_id: str) -> None:
    """Wait for a build copy the run never reached (it failed before its resources started), so the run
    lock is not released while the copy still writes; the next run sweeps the file."""
    with contextlib.suppress(Exception):  # the run's own failure is what gets reported
        finish_started_build(warehouse, run_id)


def _night_without_extract(
    landing: Path, warehouse: Path, run_id: str, say: Callable[[str], None]
) -> NightlyResult | None:
    """No complete extract folder in the landing (empty, mistyped, one level off): no Dagster run at all.

    There is nothing to load, so nothing to build: a first night would publish an empty warehouse, a later
    one would rebuild every model to republish the same data (hours at scale xl) for a mistyped --landing.
    The WARNING names what the folder holds; ``throughline run`` exits 4. A run the schedule or the UI
    launches goes through the loader, which logs the same warning (``no_extract``) in ``raw.load_log``."""
    found = no_extract_found(landing, scan_landing(landing), run_id)
    if not found:
        return None
    res = NightlyResult(True, {}, warnings=[found[0].message], no_extract=[str(landing)], unchanged=True)
    left = "left as it was" if warehouse.exists() else "not created (nothing to build it from)"
    say(f"WARNING: {found[0].message}")
    say(f"nightly run {_outcome(res)}; nothing built, the warehouse {warehouse} is {left}")
    return res


def report(
    result: dg.ExecuteInProcessResult,
    warehouse: Path,
    elapsed: float,
    echo: bool,
    say: Callable[[str], None],
) -> NightlyResult:
    """Step 4: the per-object summary and verdict of one run, read from the file the run left."""
    evaluations = result.get_asset_check_evaluations()
    # A non-blocking reconciliation family over its threshold is news for the morning review (printed with
    # the breaks summary, throughline.breaks_summary), not a failed night.
    check_notes = {
        check_label(e): e.description
        for e in evaluations
        if not e.passed and e.severity == ERROR and not is_advisory_failure(e)
    }
    failed_checks = set(check_notes)
    published = any(m.asset_key == PUBLISH_KEY for m in result.get_asset_materialization_events())
    if published:
        return _report_published(result, warehouse, check_notes, elapsed, echo)
    reason = _unchanged_reason(result, warehouse)
    if reason:
        return _report_unchanged(result, warehouse, reason, elapsed, say)
    blocked = blocking_failures(evaluations)
    return _report_unpublished(result, warehouse, failed_checks, blocked, elapsed, echo, say)


def _unchanged_reason(result: dg.ExecuteInProcessResult, warehouse: Path) -> str | None:
    """Why a successful run that did not publish had nothing to do (``orchestration.unchanged``)."""
    build = build_path(warehouse, result.run_id)
    if not result.success or not build.exists():
        return None
    with duckdb.connect(str(build), read_only=True) as con:
        return unchanged_reason(con, result.run_id, project_fingerprint())


def _report_unchanged(
    result: dg.ExecuteInProcessResult,
    warehouse: Path,
    reason: str,
    elapsed: float,
    say: Callable[[str], None],
) -> NightlyResult:
    """Nothing new: say so, drop the run's unused copy, leave the published warehouse as it was."""
    build = build_path(warehouse, result.run_id)
    for leftover in (build, build.with_name(build.name + ".wal")):
        leftover.unlink(missing_ok=True)
    say(f"nothing new: {reason}; nothing rebuilt")
    say(f"nightly run succeeded (nothing new) in {elapsed:.1f}s; warehouse unchanged: {warehouse}")
    return NightlyResult(
        True,
        {"warehouse": warehouse, "run log": run_log_path(warehouse)},
        run_id=result.run_id,
        unchanged=True,
    )


def _failed_steps(result: dg.ExecuteInProcessResult) -> list[str]:
    return [
        f"{ev.step_key}: {ev.event_specific_data.error.message.strip()}"  # type: ignore[union-attr]
        for ev in result.all_events
        if ev.is_step_failure
    ]


def _report_unpublished(
    result: dg.ExecuteInProcessResult,
    warehouse: Path,
    failed_checks: set[str],
    blocked: list[str],
    elapsed: float,
    echo: bool,
    say: Callable[[str], None],
) -> NightlyResult:
    """A run that failed or was blocked: the published warehouse is the last good one; say why."""
    build = build_path(warehouse, result.run_id)
    summary: list[ObjectSummary] = []
    if build.exists():
        summary, _, _, _ = _summarise(build, result.run_id, {c.split(":")[0] for c in failed_checks})
    failures = _failed_steps(result)
    res = NightlyResult(
        False,
        {"build": build, "run log": run_log_path(warehouse)},
        summary,
        sorted(failed_checks),
        failures,
        result.run_id,
        blocked_by=blocked,
    )
    if echo and summary:
        print(res.table())
    say(f"nightly run FAILED after {elapsed:.1f}s; the published warehouse is untouched: {warehouse}")
    if blocked:
        say(f"  not published: blocking check(s) failed: {', '.join(blocked)}")
    if build.exists():
        say(f"  this run's build is kept for inspection until the next run: {build}")
    for f in failures:
        say("  " + f)
    return res


def _report_published(
    result: dg.ExecuteInProcessResult,
    warehouse: Path,
    check_notes: dict[str, str | None],
    elapsed: float,
    echo: bool,
) -> NightlyResult:
    """A published run: the per-object table, notes, warnings, failed checks and the verdict."""
    failed_checks = set(check_notes)
    summary, notes, warnings, no_extract = _summarise(
        warehouse, result.run_id, {c.split(":")[0] for c in failed_checks}
    )
    failures = _failed_steps(result)
    warnings += warned_checks(result)  # WARN-severity checks (e.g. great-expectations) are warnings too
    res = NightlyResult(
        success=result.success and not failed_checks and all(s.status != "FAILED" for s in summary),
        artifacts={"warehouse": warehouse, "run log": run_log_path(warehouse)},
        summary=summary,
        failed_checks=sorted(failed_checks),
        messages=notes + failures,
        run_id=result.run_id,
        warnings=warnings,
        no_extract=no_extract,
    )
    if echo:
        print(res.table())
        for n in res.messages:
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
