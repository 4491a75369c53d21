"""The KPI layer in Dagster: its own group, fed by the marts, feeding kpi_firm_monthly.

Nothing in an earlier layer reads it.
"""

from __future__ import annotations

import dagster as dg


def test_kpi_assets_sit_in_their_group_between_marts_and_the_firm_table() -> None:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    firm = dg.AssetKey(["marts", "kpi_firm_monthly"])
    families = {
        "kpi_utilization_monthly",
        "kpi_project_margin_monthly",
        "kpi_backlog_monthly",
        "kpi_dso_monthly",
        "kpi_lockup_monthly",
        "kpi_leakage_monthly",
        "kpi_cycle_times_monthly",
    }
    assert {k.path[-1] for k in graph.get(firm).parent_keys} >= families
    for name in families | {"kpi_firm_monthly"}:
        assert graph.get(dg.AssetKey(["marts", name])).group_name == "dbt_kpis", name
    margin = graph.get(dg.AssetKey(["marts", "kpi_project_margin_monthly"]))
    assert dg.AssetKey(["marts", "fct_revenue"]) in margin.parent_keys
    assert dg.AssetKey(["marts", "fct_time_entries"]) in margin.parent_keys
    # dbt tests on the KPI marts are asset checks in the UI
    checks = {k.name for k in graph.asset_check_keys if k.asset_key == firm}
    assert any(name.startswith("unique_combination_of_columns_kpi_firm_monthly") for name in checks), checks


def test_no_mart_or_intermediate_reads_a_kpi_mart() -> None:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.group_name in ("dbt_staging", "dbt_intermediate", "dbt_marts"):
            kpi_parents = [p for p in node.parent_keys if graph.get(p).group_name == "dbt_kpis"]
            assert not kpi_parents, (key, kpi_parents)
