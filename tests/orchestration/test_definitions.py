"""The one Definitions object as the UI shows it: lineage end to end, owners, policies, automation.

- the lineage reads extract files -> raw -> staging -> intermediate -> marts -> KPI marts, and no edge runs
  backwards; the extract files are external assets, never run or published by the nightly job;
- every dbt model has an owner; the KPI (and later reconciliation) marts get the finance owner and a
  freshness policy from their folder, so a new mart there inherits both;
- the nightly job retries failed steps with exponential backoff, a dbt compile error is not retried;
- the schedule, the extract sensor and the failure sensor are registered.
"""

from __future__ import annotations

import dagster as dg
import pytest

from orchestration.assets.dbt import MART_FRESHNESS, ThroughlineDbtTranslator
from orchestration.definitions import defs, nightly_job

#: Layer order by Dagster group; an edge may only go to the same or a later layer.
LAYERS = {
    "dbt_staging": 1,
    "dbt_intermediate": 2,
    "dbt_snapshots": 2,
    "dbt_marts": 3,
    "dbt_kpis": 4,
    "dbt_reconciliation": 4,
}


def _layer(group: str | None) -> int:
    if group and group.startswith("landing_"):
        return -1  # the extract files, before everything
    if group and group.startswith("raw"):
        return 0
    return LAYERS.get(group or "", -2)  # beside the layers (semantic models, publish and report)


@pytest.fixture(scope="module")
def graph() -> dg.AssetGraph:
    return defs.resolve_asset_graph()


def test_definitions_load(graph: dg.AssetGraph) -> None:
    dg.Definitions.validate_loadable(defs)
    assert defs.resolve_job_def("nightly") is not None
    assert len(graph.get_all_asset_keys()) > 100


#: One thread through the graph: a PSA extract file to the utilization KPI, one layer per hop.
CHAIN = [
    ("landing", "psa", "projects"),
    ("raw_psa", "projects"),
    ("staging", "stg_psa__projects"),
    ("intermediate", "int_psa_project_context"),
    ("marts", "fct_time_entries"),
    ("marts", "kpi_utilization_monthly"),
]


def test_lineage_runs_from_raw_through_every_layer_to_the_kpi_marts(graph: dg.AssetGraph) -> None:
    keys = [dg.AssetKey(list(k)) for k in CHAIN]
    for parent, child in zip(keys, keys[1:], strict=False):
        assert parent in graph.get(child).parent_keys, f"{parent} -> {child}"
    groups = [graph.get(k).group_name for k in keys]
    assert groups == ["landing_psa", "raw_psa", "dbt_staging", "dbt_intermediate", "dbt_marts", "dbt_kpis"]
    # every consecutive pair of layers is linked, for every source system
    linked = {
        (
            graph.get(p).group_name
            if _layer(graph.get(p).group_name) == 0
            else _layer(graph.get(p).group_name),
            _layer(node.group_name),
        )
        for node in (graph.get(k) for k in graph.get_all_asset_keys())
        for p in node.parent_keys
    }
    raw_to_staging = {("raw_psa", 1), ("raw_netsuite", 1), ("raw_salesforce", 1)}
    assert {(-1, 0), *raw_to_staging, (1, 2), (2, 3), (3, 4)} <= linked


def test_every_raw_asset_reads_its_extract_file_which_no_run_executes(graph: dg.AssetGraph) -> None:
    from ingestion.contract import all_objects

    job_keys = defs.resolve_job_def("nightly").asset_layer.selected_asset_keys
    for obj in all_objects():
        raw, file = dg.AssetKey([obj.schema, obj.name]), dg.AssetKey(["landing", obj.system, obj.name])
        assert graph.get(raw).parent_keys == {file}, raw
        node = graph.get(file)
        assert not node.is_executable and node.group_name == f"landing_{obj.system}", file
        assert node.metadata["file"] == obj.file and file not in job_keys
    # the landing audit scans the folders, not one object's files: it starts its own thread
    assert graph.get(dg.AssetKey(["raw", "landing_audit"])).parent_keys == set()


def test_every_asset_a_night_builds_has_a_check(graph: dg.AssetGraph) -> None:
    """Issue 9: checks on each asset. The UI shows a check status on every asset of the nightly job (dbt
    tests, great-expectations suites, row accounting, freshness, reconciliation, and the publish, report and
    forecast assets' own checks). The extract files are external: checked by the raw assets' checks."""
    checked = {k.asset_key for k in graph.asset_check_keys}
    built = defs.resolve_job_def("nightly").asset_layer.selected_asset_keys
    assert sorted(k.to_user_string() for k in built - checked) == []


def test_no_edge_runs_backwards(graph: dg.AssetGraph) -> None:
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if _layer(node.group_name) < -1:
            continue  # semantic models and the like sit beside the layers
        for parent in node.parent_keys:
            parent_layer = _layer(graph.get(parent).group_name)
            assert parent_layer <= _layer(node.group_name), f"{parent} -> {key}"


def test_owners_and_freshness_policies_follow_the_folder(graph: dg.AssetGraph) -> None:
    kpi = graph.get(dg.AssetKey(["marts", "kpi_firm_monthly"]))
    assert kpi.owners == ["team:finance-ops"]
    assert kpi.freshness_policy == MART_FRESHNESS
    fct = graph.get(dg.AssetKey(["marts", "fct_time_entries"]))
    assert fct.owners == ["team:data-engineering"] and fct.freshness_policy is None
    every_kpi = [graph.get(k) for k in graph.get_all_asset_keys() if graph.get(k).group_name == "dbt_kpis"]
    assert len(every_kpi) >= 8 and all(n.freshness_policy == MART_FRESHNESS for n in every_kpi)
    # the break marts analysts and the report read: owned by finance, with the same freshness policy
    for name in ("recon_breaks", "recon_summary", "recon_break_history"):
        mart = graph.get(dg.AssetKey(["marts", name]))
        assert mart.group_name == "dbt_reconciliation", name
        assert mart.owners == ["team:finance-ops"] and mart.freshness_policy == MART_FRESHNESS, name
    # a mart added under models/reconciliation/ inherits the rule without a line of code
    manifest = {
        "nodes": {
            "model.throughline.recon_breaks": {
                "unique_id": "model.throughline.recon_breaks",
                "resource_type": "model",
                "name": "recon_breaks",
                "schema": "marts",
                "config": {"schema": "marts"},
                "fqn": ["throughline", "reconciliation", "recon_breaks"],
                "depends_on": {"nodes": []},
                "tags": [],
                "meta": {},
                "description": "",
                "columns": {},
            }
        },
        "sources": {},
        "metadata": {"project_name": "throughline"},
    }
    spec = ThroughlineDbtTranslator().get_asset_spec(manifest, "model.throughline.recon_breaks", None)
    assert spec.group_name == "dbt_reconciliation"
    assert spec.owners == ["team:finance-ops"] and spec.freshness_policy == MART_FRESHNESS


def test_nightly_steps_retry_with_exponential_backoff() -> None:
    job = defs.resolve_job_def("nightly")
    policy = job.op_retry_policy
    assert policy is not None and policy.max_retries >= 2
    assert policy.backoff == dg.Backoff.EXPONENTIAL and policy.delay and policy.delay > 0
    assert nightly_job.op_retry_policy == policy


_attempts: dict[str, int] = {}


@dg.asset
def _flaky() -> None:
    _attempts["flaky"] = _attempts.get("flaky", 0) + 1
    if _attempts["flaky"] == 1:
        raise OSError("IO Error: Could not set lock on file")


@dg.asset
def _broken_model() -> None:
    _attempts["broken"] = _attempts.get("broken", 0) + 1
    raise dg.Failure(description="dbt build errors: Binder Error", allow_retries=False)


def test_in_process_runs_retry_a_transient_failure_but_not_a_build_error() -> None:
    """What ``throughline run`` relies on: the in-process executor honours the job's retry policy."""
    policy = dg.RetryPolicy(max_retries=3, delay=0.01, backoff=dg.Backoff.EXPONENTIAL)
    job = dg.define_asset_job("j", selection=dg.AssetSelection.all(), op_retry_policy=policy)
    run = dg.Definitions(assets=[_flaky, _broken_model], jobs=[job], executor=dg.in_process_executor)
    result = run.resolve_job_def("j").execute_in_process(raise_on_error=False)
    assert _attempts == {"flaky": 2, "broken": 1}
    assert [e.step_key for e in result.all_events if e.is_step_failure] == ["_broken_model"]


def test_schedule_and_sensors_are_registered() -> None:
    assert defs.resolve_schedule_def("nightly_at_2am").job_name == "nightly"
    assert defs.resolve_sensor_def("extract_sensor").job_name == "nightly"
    failure = defs.resolve_sensor_def("failure_summary_sensor")
    assert failure.default_status == dg.DefaultSensorStatus.RUNNING


def test_lineage_continues_through_the_break_marts_to_the_published_warehouse_and_report(
    graph: dg.AssetGraph,
) -> None:
    """marts -> check family -> recon_breaks -> recon_summary -> published warehouse -> KPI report."""
    chain = [
        dg.AssetKey(["marts", "fct_time_entries"]),
        dg.AssetKey(["reconciliation", "recon_psa_hygiene"]),
        dg.AssetKey(["marts", "recon_breaks"]),
        dg.AssetKey(["marts", "recon_summary"]),
        dg.AssetKey(["warehouse", "published"]),
        dg.AssetKey(["reports", "kpi_report"]),
    ]
    for parent, child in zip(chain, chain[1:], strict=False):
        assert parent in graph.get(child).parent_keys, f"{parent} -> {child}"
    report_parents = graph.get(dg.AssetKey(["reports", "kpi_report"])).parent_keys
    assert dg.AssetKey(["marts", "kpi_firm_monthly"]) in report_parents
    assert graph.get(dg.AssetKey(["marts", "recon_breaks"])).group_name == "dbt_reconciliation"
