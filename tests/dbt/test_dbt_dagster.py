"""The dbt project as Dagster assets: keys, groups, lineage from raw assets, dbt tests as checks."""

from __future__ import annotations

import dagster as dg

from orchestration.assets.dbt import build_errors
from orchestration.dbt_project import MANIFEST_PATH, ensure_manifest


def test_manifest_is_written_on_demand() -> None:
    assert ensure_manifest() == MANIFEST_PATH
    assert MANIFEST_PATH.exists()


def test_dbt_assets_link_raw_sources_to_staging_and_marts() -> None:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    stg = dg.AssetKey(["staging", "stg_psa__time_entries"])
    fct = dg.AssetKey(["marts", "fct_time_entries"])
    fx = dg.AssetKey(["intermediate", "int_fx_rates_daily"])
    assert graph.get(stg).parent_keys == {dg.AssetKey(["raw_psa", "time_entries"])}
    assert stg in graph.get(fct).parent_keys
    assert graph.get(stg).group_name == "dbt_staging"
    assert graph.get(fx).group_name == "dbt_intermediate"
    assert graph.get(fct).group_name == "dbt_marts"
    check_names = {k.name for k in graph.asset_check_keys if k.asset_key == fct}
    assert "unique_fct_time_entries_time_entry_id" in check_names
    assert "not_null_columns_fct_time_entries" in check_names  # the model's not-null columns: one check


def test_build_errors_ignore_failed_data_tests_but_not_models() -> None:
    results = {
        "results": [
            {"unique_id": "test.throughline.unique_x", "status": "fail", "message": "2 rows"},
            {"unique_id": "model.throughline.fct_x", "status": "error", "message": "Binder Error"},
            {"unique_id": "unit_test.throughline.fct_x.case", "status": "fail", "message": "diff"},
            {"unique_id": "model.throughline.dim_y", "status": "success", "message": None},
        ]
    }
    assert build_errors(results) == [
        "model.throughline.fct_x: Binder Error",
        "unit_test.throughline.fct_x.case: diff",
    ]
