"""The GX mart checks on the xs warehouse built by the nightly pipeline (defect firm), and their wiring."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from expectations.catalog import SUITE_NAMES
from orchestration.assets.quality import (
    CHECK_NAME,
    DATA_DOCS_DIR,
    check_result,
    quality_asset_checks,
    read_frames,
    suite_asset_key,
    suite_check_key,
)
from orchestration.builds import build_path
from orchestration.resources import LandingResource, WarehouseResource


def _defect(firm: Path, kind: str) -> dict[str, str]:
    with (firm / "_truth" / "defects.csv").open(newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["kind"] == kind]
    assert rows, f"{kind} not injected in {firm}/_truth/defects.csv"
    return rows[0]


@pytest.fixture(scope="module")
def checked_warehouse(xs_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the xs warehouse: the check appends its results to quality.gx_results."""
    copy = tmp_path_factory.mktemp("gx") / "warehouse.duckdb"
    shutil.copy(xs_warehouse, copy)
    return copy


@pytest.fixture(scope="module")
def run(checked_warehouse: Path, xs_firm: Path) -> dg.ExecuteInProcessResult:
    """Run the multi-asset check as Dagster would (checked assets as upstream specs)."""
    defs = dg.Definitions(
        assets=[dg.AssetSpec(k) for k in {suite_asset_key(n) for n in SUITE_NAMES}],
        asset_checks=quality_asset_checks,
        jobs=[dg.define_asset_job("quality", selection=dg.AssetSelection.all_asset_checks())],
        resources={
            "warehouse": WarehouseResource(path=str(checked_warehouse)),
            "landing": LandingResource(path=str(xs_firm / "landing")),
        },
    )
    return defs.resolve_job_def("quality").execute_in_process(raise_on_error=True)


@pytest.fixture(scope="module")
def evaluations(run: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    """Each suite's check evaluation, keyed by suite name."""
    by_key = {dg.AssetCheckKey(e.asset_key, e.check_name): e for e in run.get_asset_check_evaluations()}
    evals = {n: by_key[suite_check_key(n)] for n in SUITE_NAMES if suite_check_key(n) in by_key}
    assert set(evals) == set(SUITE_NAMES)
    return evals


def test_results_are_stored_in_the_warehouse_and_published_as_data_docs(
    run: dg.ExecuteInProcessResult, checked_warehouse: Path
) -> None:
    build = build_path(checked_warehouse.resolve(), run.run_id)  # the run's own copy (write-audit-publish)
    with duckdb.connect(str(build), read_only=True) as con:
        rows = con.execute(
            "select suite, count(*), count(*) filter (where not success) from quality.gx_results "
            "where run_id = ? group by suite",
            [run.run_id],
        ).fetchall()
    stored = {suite: (n, failed) for suite, n, failed in rows}
    assert set(stored) == set(SUITE_NAMES)
    assert stored["marts.fct_time_entries"][1] >= 1  # the PSA_NEGATIVE_HOURS warning is a failed row
    index = checked_warehouse.parent / DATA_DOCS_DIR / "index.html"
    assert index.exists() and "marts.fct_time_entries" in index.read_text(encoding="utf-8")


def test_critical_expectations_pass_on_the_defect_firm(
    evaluations: dict[str, dg.AssetCheckEvaluation],
) -> None:
    for name, ev in evaluations.items():
        assert ev.check_name == suite_check_key(name).name
        assert ev.metadata["critical_failed"].value == 0, (name, ev.description)
        assert ev.passed or ev.severity == dg.AssetCheckSeverity.WARN, (name, ev.description)
        assert ev.metadata["expectations_evaluated"].value >= 1
    assert evaluations["sources.row_volume"].passed  # the sample firm's extracts never shrink
    assert evaluations["sources.freshness"].passed  # every system delivered up to the same date


def test_negative_hours_defect_fails_a_warning(
    evaluations: dict[str, dg.AssetCheckEvaluation], xs_firm: Path
) -> None:
    defect = _defect(xs_firm, "PSA_NEGATIVE_HOURS")
    hours = float(json.loads(defect["related_keys"])["hours"])
    assert hours < 0
    ev = evaluations["marts.fct_time_entries"]
    assert not ev.passed and ev.severity == dg.AssetCheckSeverity.WARN
    failed = ev.metadata["failed"].value
    hours_range = [f for f in failed if f["column"] == "hours" and f["severity"] == "warning"]
    assert hours_range and hours in hours_range[0]["unexpected_values"]
    pair = [f for f in failed if f["column"] == "hours, billable_hours"]
    assert pair and [hours, 0.0] in pair[0]["unexpected_values"]


def test_duplicate_client_defect_fails_a_warning(evaluations: dict[str, dg.AssetCheckEvaluation]) -> None:
    ev = evaluations["marts.dim_client"]
    assert not ev.passed and ev.severity == dg.AssetCheckSeverity.WARN
    assert "registration_id" in {f["column"] for f in ev.metadata["failed"].value}


def test_unreadable_mart_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    frames = read_frames(str(empty), ["marts.dim_client"])
    res = check_result("marts.dim_client", frames["marts.dim_client"])
    assert not res.passed and res.severity == dg.AssetCheckSeverity.ERROR
    assert "marts.dim_client" in str(res.metadata["error"].value) and str(empty) in (res.description or "")


def test_suites_judge_what_tonight_wrote(tmp_path: Path) -> None:
    """An incremental fact: the rows of its last build; a raw object: the records of its latest load."""
    from expectations.validate import suite_columns

    path = tmp_path / "wh.duckdb"
    fact, raw = "marts.fct_time_entries", "raw_psa.time_entries"
    with duckdb.connect(str(path)) as con:
        for name, stamp, extra in (
            (fact, "_built_at", ""),
            (raw, "_load_id", ", _loaded_at timestamp, _is_deleted boolean"),
        ):
            schema, table = name.split(".")
            cols = ", ".join(f'"{c}" varchar' for c in suite_columns(name))
            con.execute(f"create schema {schema}")
            con.execute(f"create table {name} ({cols}, {stamp} varchar{extra})")
        # three rows built two nights ago, two tonight; two records loaded before, one tonight, one deleted.
        # Load ids are run ids, random: tonight's sorts first
        built = "('a', '1'), ('b', '1'), ('c', '1'), ('d', '2'), ('e', '2')"
        con.execute(f"insert into {fact} (time_entry_id, _built_at) values {built}")
        con.execute(
            f"insert into {raw} (id, _load_id, _loaded_at, _is_deleted) values"
            " ('1', 'b1', '2026-11-01 02:00', false), ('2', 'b1', '2026-11-01 02:00', false),"
            " ('3', 'a2', '2026-11-02 02:00', false), ('4', 'a2', '2026-11-02 02:00', true)"
        )
    frames = read_frames(str(path), [fact, raw])
    assert sorted(frames[fact]["time_entry_id"]) == ["d", "e"]
    assert frames[fact].attrs == {"rows_total": 2, "judged": "rows of the last build"}
    assert list(frames[raw]["id"]) == ["3"]
    assert frames[raw].attrs == {"rows_total": 1, "judged": "records of the latest load"}
    assert check_result(fact, frames[fact]).metadata["judged"].value == "rows of the last build"


def test_more_judged_rows_than_the_limit_are_sampled_repeatably(tmp_path: Path) -> None:
    """Past ``max_rows`` a suite reads a seeded random sample of about that many rows, the same each time,
    and still reports how many rows it judges; the check's metadata says it sampled."""
    from expectations.validate import suite_columns

    path, name = tmp_path / "wh.duckdb", "marts.dim_client"
    with duckdb.connect(str(path)) as con:
        cols = ", ".join(f'"{c}" varchar' for c in suite_columns(name))
        con.execute("create schema marts")
        con.execute(f"create table {name} ({cols})")
        con.execute(f"insert into {name} (client_key) select 'c' || i from range(20000) as t(i)")
    first = read_frames(str(path), [name], max_rows=500)[name]
    again = read_frames(str(path), [name], max_rows=500)[name]
    assert 300 < len(first) < 700 and first.attrs["rows_total"] == 20000
    assert list(first["client_key"]) == list(again["client_key"])
    assert first["client_key"].is_unique
    assert check_result(name, first).metadata["sampled"].value is True
    whole = read_frames(str(path), [name], max_rows=20000)[name]
    assert len(whole) == 20000 and not check_result(name, whole).metadata["sampled"].value


def test_nightly_job_runs_the_checks_after_dbt() -> None:
    from orchestration import definitions

    job = definitions.defs.resolve_job_def("nightly")
    gx_names = {CHECK_NAME, "gx_row_volume", "gx_source_freshness"}
    keys = {k for k in job.asset_layer.asset_graph.asset_check_keys if k.name in gx_names}
    assert keys == {suite_check_key(n) for n in SUITE_NAMES}
    nodes = set(job.graph.node_names())
    assert {"gx_source_expectations", "gx_mart_expectations", "throughline_dbt"} <= nodes
    split = {"throughline_dbt_2", "gx_mart_expectations_2", "gx_source_expectations_2"}
    assert not split & nodes  # no step split in two (dbt must build once)

    def upstream(node: str) -> set[str]:
        inputs = job.graph.dependency_structure.input_to_upstream_outputs_for_node(node)
        return {o.node_name for outs in inputs.values() for o in outs}

    assert "throughline_dbt" in upstream("gx_mart_expectations")
    assert upstream("gx_source_expectations") <= {n for n in nodes if n.startswith("raw")}
