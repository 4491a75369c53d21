"""The dbt project as Dagster assets: keys, groups, lineage from raw assets, dbt tests as checks."""

from __future__ import annotations

import re
import subprocess
from functools import cached_property
from pathlib import Path

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
    stg_checks = {k.name for k in graph.asset_check_keys if k.asset_key == stg}
    assert "primary_key_stg_psa__time_entries_time_entry_id" in stg_checks  # unique and not null: one check


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


def test_dbt_resource_knows_its_dbt_version_and_builds_no_adapter(tmp_path: Path) -> None:
    """Item 37: the nightly's dbt resource takes the venv dbt's version from dbt-core's package (what
    ``dbt --version`` prints, without starting it) and builds no dbt adapter in the Dagster process. Both
    override private members of the pinned dagster-dbt: they must still exist there."""
    from dagster_dbt import DbtCliResource

    from orchestration.assets.dbt import ThroughlineDbtCliResource, dbt_resource

    assert isinstance(vars(DbtCliResource)["_cli_version"], cached_property)
    assert callable(vars(DbtCliResource)["_initialize_dbt_core_adapter"])
    resource = dbt_resource()
    printed = subprocess.run(
        [resource.dbt_executable, "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert str(resource._cli_version) == re.search(r"(\d+\.\d+\.\d+)", printed).group(1)  # type: ignore[union-attr]
    assert resource._initialize_dbt_core_adapter(["build"]) is None

    other = tmp_path / "dbt"  # a dbt that is not the venv's is asked, as dagster-dbt does
    other.write_text("#!/bin/sh\necho 'Core:'\necho '  - installed: 1.2.3'\n")
    other.chmod(0o755)
    asked = ThroughlineDbtCliResource(project_dir=resource.project_dir, dbt_executable=str(other))
    assert str(asked._cli_version) == "1.2.3"
