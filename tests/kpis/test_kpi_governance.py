"""Every KPI mart is governed the same way: documented in docs/metrics.md, versioned on every row, ratios
beside their numerators and denominators, in the marts schema and the dbt_kpis Dagster group."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.dbt_project import DBT_PROJECT_DIR, ensure_manifest

REPO = Path(__file__).resolve().parents[2]
METRICS_DOC = REPO / "docs" / "metrics.md"


def _kpi_models() -> dict[str, dict]:
    manifest = json.loads(ensure_manifest().read_text())
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "kpis"
    }


def test_kpi_marts_exist_for_every_family_of_issue_7() -> None:
    expected = {
        "kpi_utilization_monthly",
        "kpi_backlog_monthly",
        "kpi_backlog_rollforward",
        "kpi_project_margin_monthly",
        "kpi_dso_monthly",
        "kpi_ar_aging_monthly",
        "kpi_leakage_monthly",
        "kpi_cycle_times",
        "kpi_firm_monthly",
    }
    assert expected <= set(_kpi_models())


def test_every_kpi_mart_is_documented_versioned_and_contracted() -> None:
    doc = METRICS_DOC.read_text()
    for name, node in _kpi_models().items():
        assert node["schema"] == "marts", name
        assert node["config"]["contract"]["enforced"], name
        assert f"`{name}`" in doc, f"{name} has no entry in docs/metrics.md"
        columns = node["columns"]
        assert "definition_version" in columns, f"{name} rows do not carry definition_version"
        undocumented = [c for c, spec in columns.items() if not spec.get("description")]
        assert not undocumented, f"{name}: undocumented columns {undocumented}"


def test_definition_versions_are_vars_not_literals() -> None:
    """No KPI model types its version string: it comes from var kpi_definition_versions."""
    versions = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"][
        "kpi_definition_versions"
    ]
    for sql in (DBT_PROJECT_DIR / "models" / "kpis").rglob("*.sql"):
        text = sql.read_text()
        for version in versions.values():
            assert f"'{version}'" not in text, f"{sql.name} hard-codes '{version}'"


@pytest.mark.slow
def test_kpi_rows_carry_the_configured_definition_version(xs_warehouse: Path) -> None:
    versions = set(
        yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"][
            "kpi_definition_versions"
        ].values()
    )
    with duckdb.connect(str(xs_warehouse), read_only=True) as con:
        for name in _kpi_models():
            found = {
                r[0] for r in con.execute(f"select distinct definition_version from marts.{name}").fetchall()
            }
            assert found and found <= versions, (name, found)


def test_ratio_columns_sit_beside_numerator_and_denominator() -> None:
    """A ratio alone cannot be re-aggregated: each *_utilization / *_pct / *_realization column needs the
    sums it is made of in the same mart (checked by name in the column docs)."""
    pattern = re.compile(r"(utilization|_pct|realization|attainment)$")
    for name, node in _kpi_models().items():
        ratios = [c for c in node["columns"] if pattern.search(c)]
        numeric = [c for c in node["columns"] if c.endswith(("_hours", "_reporting", "_entity", "_amount"))]
        if ratios:
            assert numeric, f"{name} has ratios {ratios} but no summable columns"
