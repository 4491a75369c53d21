"""Write-audit-publish inside the Dagster job: build in a run's own file, publish only when no blocking
check failed, keep the last N published builds, roll back. Runs the real job on a tiny landing (seconds)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration import definitions
from orchestration.assets.publish import PUBLISH_KEY, published_check
from orchestration.assets.report import REPORT_KEY
from orchestration.builds import build_path, builds_dir, history_dir, published_builds
from orchestration.publish import prune
from orchestration.resources import LandingResource, WarehouseResource
from throughline.cli import main

sys.path.insert(0, str(Path(__file__).parents[1] / "ingestion"))
from landing_files import write_extract  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
USER_KEY = dg.AssetKey(["raw_salesforce", "user"])
HEADER = "Id,Name,SystemModstamp\n"


def _users(n: int) -> str:
    return HEADER + "".join(f"u{i},User {i},2026-11-18 01:00:00\n" for i in range(n))


def _night(landing: Path, day: int, users: int) -> None:
    """One extract folder per night: ``users`` rows in user.csv (ids u0..u<users-1>)."""
    write_extract(landing, "salesforce", f"2026-11-{day:02d}", {"user.csv": _users(users)})


def _run(
    landing: Path,
    warehouse: Path,
    checks: tuple[dg.AssetChecksDefinition, ...] = (),
    keep: int = 3,
    publish: bool = True,
) -> dg.ExecuteInProcessResult:
    """The job through Dagster's own API (not run_nightly): raw_salesforce/user, its checks, publish."""
    keys = [USER_KEY, PUBLISH_KEY] if publish else [USER_KEY]
    defs = dg.Definitions(
        assets=definitions.ASSETS,
        asset_checks=[*definitions.ASSET_CHECKS, *checks],
        jobs=[dg.define_asset_job("t", selection=dg.AssetSelection.assets(*keys))],
        resources={
            **definitions.RESOURCES,
            "warehouse": WarehouseResource(path=str(warehouse), keep_builds=keep),
            "landing": LandingResource(path=str(landing)),
        },
        executor=dg.in_process_executor,
    )
    return defs.resolve_job_def("t").execute_in_process(raise_on_error=False)


def _count(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select count(*) from raw_salesforce.user").fetchone()[0]  # type: ignore[index]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _failing_check(severity: dg.AssetCheckSeverity) -> dg.AssetChecksDefinition:
    """A blocking check on raw_salesforce/user that always fails with ``severity``, as a reconciliation
    check of another module would (it reads the run's build, like every check)."""

    @dg.asset_check(asset=USER_KEY, name="always_fails", blocking=True)
    def always_fails(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect(read_only=True) as con:
            n = con.execute("select count(*) from raw_salesforce.user").fetchone()[0]  # type: ignore[index]
        return dg.AssetCheckResult(passed=False, severity=severity, description=f"{n} users, none wanted")

    return always_fails


def test_definitions_load_and_publish_is_last_and_downstream_of_every_asset() -> None:
    defs = definitions.defs
    specs = {s.key: s for s in defs.resolve_all_asset_specs()}
    # every asset a run builds but the KPI report, which reads the published warehouse and so comes after
    # publish; the extract files (landing/...) are external: written by the source systems, not by a run
    external = {k for k in specs if k.path[0] == "landing"}
    assert external and not external & defs.resolve_job_def("nightly").asset_layer.selected_asset_keys
    others = set(specs) - {PUBLISH_KEY, REPORT_KEY} - external
    assert {d.asset_key for d in specs[PUBLISH_KEY].deps} == others
    assert PUBLISH_KEY in {d.asset_key for d in specs[REPORT_KEY].deps}
    job = defs.resolve_job_def("nightly")
    assert PUBLISH_KEY in job.asset_layer.selected_asset_keys
    assert definitions.publish_asset.op.tags["dagster/priority"] == "-1000"
    by_name = {}
    for a in [*definitions.ASSETS, *definitions.ASSET_CHECKS]:
        for spec in a.check_specs:
            by_name[spec.key] = spec
    dbt = [s for s in by_name.values() if "dagster_dbt/unique_id" in s.metadata]
    assert dbt, "dbt tests are asset checks"
    # dagster-dbt: severity error -> blocking; the KPI marts' tests are warn (dbt_project.yml) -> not
    assert any(s.blocking for s in dbt) and any(not s.blocking for s in dbt)
    assert all(not s.blocking for s in dbt if s.asset_key.path[-1].startswith("kpi_"))
    assert all(s.blocking for s in by_name.values() if s.name == "gx_expectations")
    rows_checks = [s for s in by_name.values() if s.name == "rows_accounted_for"]
    assert rows_checks and not any(s.blocking for s in rows_checks)


def test_a_dagster_job_run_builds_in_its_own_file_and_publishes_atomically(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "wh" / "w.duckdb"
    _night(landing, 18, 2)
    first = _run(landing, warehouse)
    assert first.success and _count(warehouse) == 2
    assert not build_path(warehouse.resolve(), first.run_id).exists(), "the build became the published file"
    [entry] = published_builds(warehouse.resolve())
    assert entry.current and entry.name.endswith(first.run_id[:8])
    mat = first.asset_materializations_for_node("warehouse__published")[0]
    assert mat.metadata["rollback_point"].value == entry.name
    [check] = [e for e in first.get_asset_check_evaluations() if e.asset_key == PUBLISH_KEY]
    assert check.passed and check.check_name == "analysts_can_read" and check.metadata["tables"].value > 0

    # An analyst holds a read-only connection in another process through the whole second night.
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout is not None and reader.stdout.readline().strip() == "2"
    _night(landing, 19, 3)
    second = _run(landing, warehouse)
    out, _ = reader.communicate("again\n")
    assert second.success and _count(warehouse) == 3, "the run was not blocked by the reader"
    assert out.strip() == "2", "the open connection kept reading the build it opened, never a half-built one"


READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("select count(*) from raw_salesforce.user").fetchone()[0], flush=True)
sys.stdin.readline()
print(con.execute("select count(*) from raw_salesforce.user").fetchone()[0], flush=True)
"""


def test_a_failed_blocking_check_keeps_the_published_warehouse_and_names_the_check(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    _night(landing, 18, 2)
    assert _run(landing, warehouse).success
    before = _sha(warehouse)
    _night(landing, 19, 5)
    blocked = _run(landing, warehouse, checks=(_failing_check(dg.AssetCheckSeverity.ERROR),))
    assert not blocked.success
    assert _sha(warehouse) == before and _count(warehouse) == 2
    failure = next(e for e in blocked.all_events if e.is_step_failure)
    message = failure.event_specific_data.error.message  # type: ignore[union-attr]
    assert "blocking asset check failed" in message and "raw_salesforce/user: always_fails" in message
    assert not [e for e in blocked.all_events if e.step_key == "warehouse__published" and e.is_step_success]
    kept = build_path(warehouse.resolve(), blocked.run_id)
    assert _count(kept) == 5, "the blocked build is kept for inspection"
    assert len(published_builds(warehouse.resolve())) == 1

    # The next run removes the blocked build and publishes (the night's rows are loaded into it again).
    again = _run(landing, warehouse)
    assert again.success and not kept.exists() and _count(warehouse) == 5


def test_a_warn_failure_never_blocks(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    _night(landing, 18, 2)
    result = _run(landing, warehouse, checks=(_failing_check(dg.AssetCheckSeverity.WARN),))
    assert result.success and _count(warehouse) == 2


def test_run_nightly_reports_the_blocking_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestration.nightly import run_nightly

    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    _night(landing, 18, 2)
    monkeypatch.setattr(
        definitions, "ASSET_CHECKS", [*definitions.ASSET_CHECKS, _failing_check(dg.AssetCheckSeverity.ERROR)]
    )
    result = run_nightly(landing, warehouse, echo=False, asset_selection=[USER_KEY])
    assert not result.success and result.blocked_by == ["raw_salesforce/user:always_fails"]
    assert not warehouse.exists(), "nothing was ever published"
    assert result.artifacts["build"] == build_path(warehouse.resolve(), result.run_id)
    assert {s.name: s.rows_loaded for s in result.summary}["raw_salesforce.user"] == 2  # read from the build


def test_a_run_without_the_publish_step_publishes_nothing(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    _night(landing, 18, 2)
    assert _run(landing, warehouse).success
    before = _sha(warehouse)
    _night(landing, 19, 4)
    dry = _run(landing, warehouse, publish=False)
    assert dry.success and _sha(warehouse) == before
    assert _count(build_path(warehouse.resolve(), dry.run_id)) == 4


def test_rollback_restores_the_previous_build_and_any_kept_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    for day, users in ((18, 1), (19, 2), (20, 3)):
        _night(landing, day, users)
        assert _run(landing, warehouse).success
    assert _count(warehouse) == 3
    assert main(["rollback", "--warehouse", str(warehouse)]) == 0
    assert _count(warehouse) == 2
    assert "rolled back" in capsys.readouterr().out
    assert main(["rollback", "--warehouse", str(warehouse), "--list"]) == 0
    listed = capsys.readouterr().out.splitlines()[1:]
    assert len(listed) == 3 and listed[1].endswith("(current)")
    newest = listed[0].strip()
    assert main(["rollback", "--warehouse", str(warehouse), "--to", newest]) == 0
    assert _count(warehouse) == 3
    assert main(["rollback", "--warehouse", str(warehouse), "--to", "nope"]) == 2
    assert "no kept build named 'nope'" in capsys.readouterr().err
    # the next run starts from the rolled-back warehouse
    assert main(["rollback", "--warehouse", str(warehouse), "--to", listed[2].strip()]) == 0
    assert _count(warehouse) == 1
    assert main(["rollback", "--warehouse", str(warehouse)]) == 2, "nothing older than the oldest"


def test_the_publish_check_fails_when_analysts_cannot_read_what_was_published(tmp_path: Path) -> None:
    """``analysts_can_read`` on hand-made files: a good one, then each way it can be wrong."""
    good, entry = tmp_path / "w.duckdb", tmp_path / "entry.duckdb"
    with duckdb.connect(str(good)) as con:
        con.execute("create table t as select 1 as x")
    os.link(good, entry)
    ok = published_check(good, entry)
    assert ok.passed and ok.metadata["tables"].value == 1, ok.description
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("create table t as select 2 as x")
    stale = published_check(good, other)
    assert not stale.passed and "is not the rollback point" in (stale.description or "")
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    assert "holds no table" in (published_check(empty, empty).description or "")
    junk = tmp_path / "junk.duckdb"
    junk.write_text("not a database")
    broken = published_check(junk, junk)
    assert not broken.passed and broken.severity == dg.AssetCheckSeverity.ERROR
    assert "does not open read-only" in (broken.description or "")


def test_keep_n_prunes_the_oldest_published_builds(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    names = []
    for day in range(18, 22):
        _night(landing, day, day - 17)
        result = _run(landing, warehouse, keep=2)
        assert result.success
        names.append(result.run_id[:8])
    kept = published_builds(warehouse.resolve())
    assert [b.name[-8:] for b in kept] == [names[3], names[2]] and kept[0].current
    assert sorted(p.name for p in builds_dir(warehouse.resolve()).iterdir()) == ["published"]


def test_prune_never_deletes_the_current_build(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    folder = history_dir(warehouse)
    folder.mkdir(parents=True)
    for name in (
        "20261101T000000.000000Z-aaaaaaaa",
        "20261102T000000.000000Z-bbbbbbbb",
        "20261103T000000.000000Z-cccccccc",
    ):
        (folder / f"{name}.duckdb").write_text(name)
    os.link(folder / "20261101T000000.000000Z-aaaaaaaa.duckdb", warehouse)  # rolled back to the oldest
    removed = prune(warehouse, keep=1)
    assert [p.stem for p in removed] == ["20261102T000000.000000Z-bbbbbbbb"]
    assert [b.name for b in published_builds(warehouse)] == [
        "20261103T000000.000000Z-cccccccc",
        "20261101T000000.000000Z-aaaaaaaa",
    ]
