"""``throughline run``: the nightly Dagster job, in process, with a simple write-audit-publish.

The job builds into ``<warehouse>.building`` (a copy of the last published file). When the run finishes
without crashing, the file is atomically moved onto ``<warehouse>``; a crash leaves the published file
untouched. Data problems (a rejected file, a failed check) do not block publishing the rest of the night:
they are reported as FAILED in the summary and make ``success`` False.

The run is recorded in the persistent Dagster instance (``orchestration.instance``: ``DAGSTER_HOME`` or
``.dagster_home/``), so it shows in the Dagster UI's run and asset history (``throughline ui``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb

from ingestion.contract import all_objects
from orchestration.instance import persistent_instance
from orchestration.resources import LandingResource, WarehouseResource
from orchestration.run_log import ProgressStream


@dataclass
class ObjectSummary:
    name: str  # <schema>.<object>
    files: int
    rows_loaded: int
    rows_rejected: int
    drift: list[str]
    status: str  # OK | REJECTS | FAILED | -


@dataclass
class NightlyResult:
    success: bool
    artifacts: dict[str, Path] = field(default_factory=dict)
    summary: list[ObjectSummary] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    run_id: str | None = None

    def table(self) -> str:
        head = f"{'object':<45} {'files':>5} {'loaded':>10} {'rejected':>9}  {'status':<8} drift"
        lines = [head, "-" * len(head)]
        for s in self.summary:
            lines.append(
                f"{s.name:<45} {s.files:>5} {s.rows_loaded:>10} {s.rows_rejected:>9}  {s.status:<8} "
                f"{', '.join(s.drift)}"
            )
        return "\n".join(lines)


def _summarise(
    warehouse: Path, run_id: str, failed_checks: set[str]
) -> tuple[list[ObjectSummary], list[str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            """
            select system, object, count(*), sum(rows_loaded), sum(rows_rejected),
                   list(distinct d) filter (where d is not null),
                   bool_or(status in ('rejected', 'refused', 'missing'))
            from (select *, unnest(case when len(drift_columns) = 0 then [null] else drift_columns end) as d
                  from raw.load_log where load_id = ?)
            group by 1, 2
            """,
            [run_id],
        ).fetchall()
        notes = [
            f"{f}: {m}"
            for f, m in con.execute(
                "select file, message from raw.load_log where load_id = ? and object is null order by file",
                [run_id],
            ).fetchall()
        ]
    by_obj = {(s, o): r for s, o, *r in rows}
    out = []
    for obj in all_objects():
        name = f"{obj.schema}.{obj.name}"
        files, loaded, rejected, drift, failed = by_obj.get((obj.system, obj.name), (0, 0, 0, [], False))
        status = "FAILED" if failed or name in failed_checks else ("REJECTS" if rejected else "OK")
        out.append(
            ObjectSummary(
                name,
                files,
                int(loaded or 0),
                int(rejected or 0),
                sorted(drift or []),
                status if files or status == "FAILED" else "-",
            )
        )
    return out, notes


def run_nightly(
    landing: Path,
    warehouse: Path,
    echo: bool = True,
    asset_selection: Sequence[dg.AssetKey] | None = None,
) -> NightlyResult:
    """Run the ``nightly`` job on ``landing`` into ``warehouse``; publish atomically unless it crashed.

    The job runs with the resources of ``orchestration.definitions`` except the warehouse (the building
    copy) and the landing folder. ``asset_selection`` restricts the run (e.g. to the raw layer).
    """
    from orchestration import definitions

    def say(msg: str) -> None:
        if echo:
            print(msg, file=sys.stderr if msg.startswith("  ") else sys.stdout, flush=True)

    landing, warehouse = Path(landing).resolve(), Path(warehouse).resolve()
    if not landing.is_dir():
        raise FileNotFoundError(
            f"landing folder {landing} does not exist (expected <landing>/<system>/<YYYY-MM-DD>/<files>)"
        )
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    building = warehouse.with_name(warehouse.name + ".building")
    for stale in (building, building.with_name(building.name + ".wal")):
        stale.unlink(missing_ok=True)
    if warehouse.exists():
        shutil.copy2(warehouse, building)
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
    failed_checks = {
        ".".join(e.asset_key.path) + f":{e.check_name}"
        for e in result.get_asset_check_evaluations()
        if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR
    }
    if not result.success:
        failures = [
            f"{ev.step_key}: {ev.event_specific_data.error.message.strip()}"  # type: ignore[union-attr]
            for ev in result.all_events
            if ev.is_step_failure
        ]
        summary: list[ObjectSummary] = []
        if building.exists():
            summary, _ = _summarise(building, result.run_id, {c.split(":")[0] for c in failed_checks})
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
    summary, notes = _summarise(warehouse, result.run_id, {c.split(":")[0] for c in failed_checks})
    res = NightlyResult(
        success=not failed_checks and all(s.status != "FAILED" for s in summary),
        artifacts={"warehouse": warehouse, "run log": run_log},
        summary=summary,
        failed_checks=sorted(failed_checks),
        messages=notes,
        run_id=result.run_id,
    )
    if echo:
        print(res.table())
        for n in notes:
            print(f"note: {n}")
        for c in res.failed_checks:
            print(f"FAILED check: {c}")
        rejected = sum(o.rows_rejected for o in summary)
        if rejected:
            print(
                f"{rejected:,} rows quarantined tonight, each with its file, line, column and rule: "
                "select * from raw.rejects"
            )
        outcome = "succeeded" if res.success else "finished with FAILED objects"
        print(f"nightly run {outcome} in {elapsed:.1f}s; warehouse published: {warehouse}")
    return res
