"""The expectation suites, where their data comes from and which Dagster asset they check, without GX.

Kept apart from ``expectations.suites`` so Dagster can declare the checks at definition load time without
paying the GX import (several seconds); ``tests/quality`` asserts both lists agree.

Three kinds of suite:

- ``table``: a warehouse table validated as it is (``<schema>.<table>`` = the suite name): the marts analysts
  query, the KPI marts and the raw objects (value distributions and ranges).
- ``volume``: one row per extract loaded by the latest load, with the rows of the previous extract of the same
  object and extract type, from ``raw.load_log`` (``expectations.sources.volume_frame``).
- ``freshness``: one row per source system with its latest extract date, from ``raw.load_log``
  (``expectations.sources.freshness_frame``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SuiteSpec:
    name: str
    asset_key: tuple[str, ...]  # the Dagster asset the suite's check is attached to
    check_name: str = "gx_expectations"
    kind: str = "table"  # table | volume | freshness
    #: Columns that identify a row; a failed expectation reports their values for its unexpected rows.
    index_columns: tuple[str, ...] = ()


def _table(name: str) -> SuiteSpec:
    return SuiteSpec(name, tuple(name.split(".")))


_AUDIT = ("raw", "landing_audit")

SPECS: tuple[SuiteSpec, ...] = (
    _table("marts.fct_time_entries"),
    _table("marts.fct_invoice_lines"),
    _table("marts.fct_ar_open_items"),
    _table("marts.dim_client"),
    _table("marts.kpi_utilization_monthly"),
    _table("marts.kpi_utilization_entity_monthly"),
    _table("marts.kpi_dso_monthly"),
    _table("marts.kpi_firm_monthly"),
    _table("marts.kpi_ar_aging_monthly"),
    _table("marts.kpi_backlog_monthly"),
    _table("marts.kpi_leakage_monthly"),
    _table("marts.kpi_project_margin_monthly"),
    _table("marts.kpi_lockup_monthly"),
    _table("marts.kpi_cycle_times_monthly"),
    _table("raw_psa.time_entries"),
    _table("raw_psa.expenses"),
    _table("raw_salesforce.opportunity"),
    _table("raw_netsuite.transactionline"),
    SuiteSpec("sources.row_volume", _AUDIT, "gx_row_volume", "volume", ("extract",)),
    SuiteSpec("sources.freshness", _AUDIT, "gx_source_freshness", "freshness", ("system",)),
)

SUITE_NAMES: tuple[str, ...] = tuple(s.name for s in SPECS)
SPEC_BY_NAME: dict[str, SuiteSpec] = {s.name: s for s in SPECS}
