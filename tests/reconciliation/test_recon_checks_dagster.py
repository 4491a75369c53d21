"""Each reconciliation family is a Dagster asset check: in the Definitions, evaluated on the xs firm."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from orchestration.assets.recon_checks import (
    BLOCKING_ENV,
    CHECK_NAME,
    FamilyCounts,
    blocking_families,
    build_recon_checks,
    family_asset_key,
    family_result,
    is_advisory_failure,
    read_counts,
    thresholds,
)
from orchestration.resources import WarehouseResource
from throughline.recon_docs import declared_families


def _check_keys(checks: dg.AssetChecksDefinition) -> set[dg.AssetCheckKey]:
    return set(checks.check_keys)


def test_every_family_is_a_non_blocking_check_in_the_definitions() -> None:
    from orchestration.definitions import defs

    families = declared_families()
    keys = {k for c in defs.asset_checks or [] for k in c.check_keys}
    expected = {dg.AssetCheckKey(family_asset_key(f), CHECK_NAME) for f in families}
    assert expected <= keys
    graph = defs.resolve_asset_graph()
    for key in expected:
        spec = graph.get_check_spec(key)
        assert not spec.blocking
        assert dg.AssetKey(["marts", "recon_breaks"]) in {d.asset_key for d in spec.additional_deps}


def test_a_family_can_be_made_blocking_by_var_or_environment() -> None:
    values = {"recon_blocking_families": ["E6"]}
    assert blocking_families(values, {BLOCKING_ENV: " I1, B1 "}) == {"E6", "I1", "B1"}
    assert blocking_families({}, {}) == set()
    (e6,) = [f for f in declared_families() if f.family == "E6"]
    checks = build_recon_checks([e6], {"recon_blocking_families": ["E6"]})
    assert all(spec.blocking for spec in checks.check_specs)


def test_error_family_fails_above_its_threshold_warn_family_only_warns() -> None:
    error_family = next(f for f in declared_families() if f.severity == "error")
    warn_family = next(f for f in declared_families() if f.severity == "warn")
    counts = FamilyCounts(
        open_breaks=3, open_error_breaks=2, waived_breaks=1, amount_at_risk_reporting=1234.5
    )
    failed = family_result(error_family, counts, threshold=1)
    assert not failed.passed and failed.severity == dg.AssetCheckSeverity.ERROR
    assert failed.metadata["open_error_breaks"].value == 2
    assert failed.metadata["amount_at_risk_reporting"].value == 1234.5
    assert family_result(error_family, counts, threshold=2).passed  # at the threshold: passes
    warned = family_result(warn_family, counts, threshold=0)
    assert not warned.passed and warned.severity == dg.AssetCheckSeverity.WARN
    assert family_result(warn_family, FamilyCounts(), threshold=0).passed


def test_thresholds_come_from_the_dbt_vars() -> None:
    assert thresholds({"recon_error_threshold_default": 2, "recon_error_thresholds": {"B1": 5}}) == (
        2,
        {"B1": 5},
    )
    default, _ = thresholds()
    assert default == 0


def test_checks_evaluate_on_the_xs_warehouse(xs_warehouse: Path) -> None:
    """Run only the family checks through Dagster against the built xs warehouse: every family reports, the
    counts match marts.recon_breaks, and failures are advisory (non-blocking) so the night still publishes."""
    import duckdb

    from orchestration.assets.dbt import dbt_resource, throughline_dbt_assets

    checks = build_recon_checks()
    job = dg.define_asset_job("recon_checks_only", selection=dg.AssetSelection.checks(checks))
    defs = dg.Definitions(
        assets=[throughline_dbt_assets],
        asset_checks=[checks],
        jobs=[job],
        resources={"warehouse": WarehouseResource(path=str(xs_warehouse)), "dbt": dbt_resource()},
    )
    result = defs.resolve_job_def("recon_checks_only").execute_in_process(raise_on_error=False)
    evaluations = {e.asset_key: e for e in result.get_asset_check_evaluations()}
    families = declared_families()
    assert set(evaluations) == {family_asset_key(f) for f in families}
    with duckdb.connect(str(xs_warehouse), read_only=True) as con:
        expected = dict(
            con.execute(
                "select check_family, count(*) filter (where not is_waived) "
                "from marts.recon_breaks group by 1"
            ).fetchall()
        )
    counts = read_counts(str(xs_warehouse))
    assert not isinstance(counts, str)
    for family in families:
        evaluation = evaluations[family_asset_key(family)]
        assert evaluation.metadata["open_breaks"].value == expected.get(family.family, 0)
        if not evaluation.passed:
            assert is_advisory_failure(evaluation)


def test_unreadable_warehouse_fails_the_check(tmp_path: Path) -> None:
    message = read_counts(str(tmp_path / "missing.duckdb"))
    assert isinstance(message, str)
    family = declared_families()[0]
    result = family_result(family, message, threshold=0)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.ERROR
