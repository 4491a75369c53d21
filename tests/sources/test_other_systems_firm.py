"""The xs sample firm on other systems (HubSpot + NetSuite + Harvest) gives the default run's answers, except
exactly where Harvest cannot carry what the PSA export carries.

``generate --crm hubspot --psa harvest`` writes the same firm and truth with the CRM in Fivetran's HubSpot
shape and the PSA as Harvest API v2 records; the nightly run with ``THROUGHLINE_CRM=hubspot
THROUGHLINE_PSA=harvest`` is compared with the default run of the same seed (the shared ``xs_warehouse``).
The CRM side must match as with HubSpot alone. On the PSA side every time entry and expense carries the same
hours, rates, amounts, approval and invoice; what Harvest has no place for (project entities, practice, role
grades, holidays, milestones, change orders, EAC, NTE caps, retainer totals, multi-currency rate cards,
work types beyond presales, draft/rejected status, deletes) changes exactly the columns and breaks listed
below and explained in docs/sources/harvest-as-psa.md ("The sample firm in Harvest's shape"). One extra build
a session.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from systems_firm import BASE, OTHER, changed_columns, compared, diff, systems_firm_warehouse

pytestmark = pytest.mark.slow  # one nightly build of the other-systems firm (plus the shared xs_warehouse)

SYSTEMS = {"THROUGHLINE_CRM": "hubspot", "THROUGHLINE_PSA": "harvest"}
#: Break columns that must agree: break_id and source_system/source_object name the CRM, and a Harvest project
#: has no legal entity, so those differ.
BREAK_COLUMNS = (
    "check_id, severity, record_key, related_keys, client_key, project_key, currency_code,"
    " expected_amount, actual_amount, difference_amount, amount_at_risk, amount_at_risk_reporting,"
    " event_date, detected_on"
)
#: Breaks per check that Harvest changes (default run, other systems) for seed 7, and why
#: (docs/sources/harvest-as-psa.md): B2/B3 compare time and invoices per role grade (Harvest's role is the
#: person); B5 needs EAC cost; B6 needs milestones; B7 the PSA's change orders; CLIENT/R4 duplicates need the
#: ERP id on the PSA client (Harvest has none: the duplicate becomes an orphan); R3 compares contract values
#: (no change orders, no retainer total); PSA_RATE_CARD_GAP: only the account currency's rates exist;
#: PSA_CAPACITY_GAP: the same resource, dated by its record's creation, which Harvest dates at the hire.
CHANGED_BREAKS = {
    "PSA_CAPACITY_GAP": (1, 1),
    "B2": (1, 66),
    "B3": (1, 0),
    "B5": (1, 10),
    "B6_ACCEPTED_NOT_BILLED": (1, 0),
    "B6_BILLED_NOT_ACCEPTED": (1, 0),
    "B7": (1, 2),
    "CLIENT_DUPLICATE": (1, 0),
    "CLIENT_ORPHAN": (1, 2),
    "PSA_RATE_CARD_GAP": (1, 18),
    "R3": (2, 4),
    "R4_DUPLICATE": (1, 0),
    "R4_ORPHAN": (1, 3),
}
_ENTITY = {"legal_entity_key", "entity_currency_code", "fx_rate_to_entity", "is_fx_rate_missing"}
_PRACTICE = {"service_line_key", "practice_id", "practice_name"}
#: Mart columns whose values differ (as multisets) between the runs, per table; every other column is equal.
#: Entity columns: Harvest has no legal entity; practice: no practices; the rest as in harvest-as-psa.md.
CHANGED_COLUMNS: dict[str, set[str]] = {
    "fct_time_entries": _ENTITY
    | {"service_line_key", "psa_role_id", "contract_type", "work_type", "time_entry_status", "approved_at"}
    | {"cost_currency_code", "cost_fx_rate_to_reporting", "cost_amount_reporting", "cost_fx_rate_to_entity"}
    | {"billable_amount_entity", "cost_amount_entity"},
    "fct_expenses": _ENTITY
    | {"service_line_key", "expense_status", "markup_pct", "billable_amount_transaction", "amount_entity"}
    | {"billable_amount_entity", "billable_amount_reporting"},
    # the legal entity of people is read back from their Harvest role (the shape writes it there)
    "dim_resource": _PRACTICE
    | {"country_code", "role_id", "role_code", "role_name", "role_level"}
    | {"utilization_target", "cost_currency_code"},
    "kpi_utilization_monthly": _PRACTICE
    | {"role_id", "holiday_hours", "capacity_hours", "productive_hours"}
    | {"billable_utilization", "productive_utilization", "total_utilization", "target_utilization"}
    | {"target_billable_hours", "target_attainment"},
    # margin: entity figures (no entity), cost in the account currency (the firm's costs are not all USD),
    # revenue (percent complete needs EAC; retainer totals and NTE caps are gone), standard value (rate cards
    # per person, USD only); hours, expenses in reporting currency, invoiced and collected amounts agree
    "kpi_project_margin_monthly": {"legal_entity_key", "entity_currency_code", "is_fx_rate_missing"}
    | {"service_line_key", "contract_type", "revenue_entity", "revenue_reporting", "labor_cost_entity"}
    | {"labor_cost_reporting", "contractor_cost_entity", "contractor_cost_reporting", "expense_cost_entity"}
    | {"pass_through_expense_entity", "cost_entity", "cost_reporting", "margin_entity", "margin_reporting"}
    | {"margin_pct", "revenue_itd_entity", "revenue_itd_reporting", "cost_itd_entity", "cost_itd_reporting"}
    | {"margin_itd_entity", "margin_itd_reporting", "margin_itd_pct", "effective_bill_rate_entity"}
    | {"effective_bill_rate_reporting", "effective_bill_rate_itd_reporting", "standard_value_entity"}
    | {"standard_value_reporting", "billable_hours_without_rate_card", "invoiced_entity", "credited_entity"}
    | {"billed_entity", "collected_entity", "billing_realization", "overall_realization"},
    "fct_ar_open_items": {"client_key"},
    "fct_gl_lines": {"client_key"},
    "fct_invoice_lines": {"client_key"},
    "fct_payments": {"client_key"},
    "kpi_ar_aging_monthly": {"client_key"},
    "dim_contract": {"client_key", "is_deal_link_inferred"},
    "fct_opportunities": {"project_key"},
    "dim_service_line": {"is_in_psa"},
    "kpi_dso_monthly": set(),
    # entity rows agree now that people keep their entity; holidays and targets as in kpi_utilization_monthly
    "kpi_utilization_entity_monthly": {"holiday_hours", "capacity_hours", "productive_hours"}
    | {"billable_utilization", "productive_utilization", "total_utilization", "target_utilization"}
    | {"target_billable_hours", "target_attainment"},
    "fct_ar_unapplied_cash": set(),
    "dim_legal_entity": set(),
    "dim_currency": set(),
}
#: Columns that agree on the utilization and margin KPIs (keys and the hours Harvest carries as they are).
SAME_KPI_COLUMNS = {
    "kpi_utilization_monthly": "resource_key, month_start_date, billable_hours, total_hours, time_off_hours",
    "kpi_project_margin_monthly": "project_key, month_start_date, hours_total, billable_hours,"
    " employee_hours, contractor_hours, hours_total_itd, expense_cost_reporting, invoiced_reporting,"
    " billed_reporting, collected_reporting",
}


@pytest.fixture(scope="session")
def xs_other_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The xs firm (seed 7, default defects) generated in HubSpot and Harvest shape and run with
    THROUGHLINE_CRM=hubspot THROUGHLINE_PSA=harvest (tests/systems_firm.py)."""
    return systems_firm_warehouse(tmp_path_factory, "xs_other_systems", SYSTEMS)


@pytest.fixture(scope="module")
def both(xs_warehouse: Path, xs_other_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """``base``: the default run (Salesforce + NetSuite + PSA); ``other``: the other systems' run."""
    with compared(xs_warehouse, xs_other_warehouse) as con:
        yield con


def _not_carried(warehouse: Path) -> list[str]:
    """Ids of the PSA time entries the Harvest landing could not hold (deleted in a delta)."""
    with (warehouse.parent / "_truth" / "harvest_not_carried.csv").open(encoding="utf-8") as fh:
        return [r["record_id"] for r in csv.DictReader(fh) if r["what"] == "deleted_time_entry"]


def test_landing_has_hubspot_and_harvest_only(xs_other_warehouse: Path) -> None:
    landing = xs_other_warehouse.parent / "landing"
    assert not (landing / "salesforce").exists() and not (landing / "psa").exists()
    nights = {p.name for p in (landing / "netsuite").iterdir()}
    assert {p.name for p in (landing / "hubspot").iterdir()} == nights
    assert {p.name for p in (landing / "harvest").iterdir()} == nights
    with duckdb.connect(str(xs_other_warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw_salesforce.opportunity").fetchone()[0] == 0
        assert con.execute("select count(*) from raw_hubspot.deal").fetchone()[0] > 100
        assert con.execute("select count(*) from raw_harvest.time_entries").fetchone()[0] > 10000
        rejected = con.execute(
            "select coalesce(sum(rows_rejected), 0) from raw.load_log where system = 'harvest'"
        ).fetchone()[0]
        assert rejected == 0  # every Harvest record the shape wrote fits the contract


def test_time_entries_and_expenses_carry_the_same_facts(
    both: duckdb.DuckDBPyConnection, xs_other_warehouse: Path
) -> None:
    deleted = _not_carried(xs_other_warehouse)
    assert len(deleted) == 5  # seed 7: five entries deleted in the deltas, which Harvest cannot express
    cols = (
        "time_entry_id, resource_key, project_key, client_key, contract_key, spent_date, hours, is_billable,"
        " is_approved, bill_rate, transaction_currency_code, billable_amount_transaction,"
        " billable_amount_reporting, cost_rate, cost_amount_cost_currency, erp_invoice_id, is_invoiced"
    )
    n, only_base, only_other = diff(both, f"select {cols} from {{db}}.marts.fct_time_entries")
    assert n > 10000 and only_base == []
    assert sorted(str(r[0]) for r in only_other) == sorted(deleted)  # exactly the not-carried deletes
    totals = "select count(*), sum(amount_transaction) from {db}.marts.fct_expenses"
    assert both.execute(totals.format(db=BASE)).fetchone() == both.execute(totals.format(db=OTHER)).fetchone()
    n, only_base, only_other = diff(
        both,
        "select expense_id, project_key, amount_transaction, is_approved, is_invoiced"
        " from {db}.marts.fct_expenses",
    )
    assert n > 100 and (only_base, only_other) == ([], [])


@pytest.mark.parametrize("table", sorted(CHANGED_COLUMNS))
def test_marts_differ_in_exactly_the_documented_columns(
    both: duckdb.DuckDBPyConnection, xs_other_warehouse: Path, table: str
) -> None:
    where = ""
    if table == "fct_time_entries":
        where = "where time_entry_id not in ({})".format(
            ", ".join(f"'{i}'" for i in _not_carried(xs_other_warehouse))
        )
    assert both.execute(f"select count(*) from base.marts.{table}").fetchone()[0] > 0
    assert changed_columns(both, table, where) == CHANGED_COLUMNS[table]


@pytest.mark.parametrize("table", sorted(SAME_KPI_COLUMNS))
def test_utilization_and_margin_hours_match(both: duckdb.DuckDBPyConnection, table: str) -> None:
    n, only_base, only_other = diff(both, f"select {SAME_KPI_COLUMNS[table]} from {{db}}.marts.{table}")
    assert n > 50 and (only_base[:3], only_other[:3]) == ([], [])


def test_capacity_differs_only_by_the_holidays_harvest_has_no_calendar_for(
    both: duckdb.DuckDBPyConnection,
) -> None:
    rows = both.execute(
        "select count(*), count(*) filter (where h.holiday_hours <> 0),"
        " count(*) filter (where h.capacity_hours is distinct from s.capacity_hours + s.holiday_hours)"
        " from base.marts.kpi_utilization_monthly as s join other.marts.kpi_utilization_monthly as h"
        " using (resource_key, month_start_date) where s.capacity_hours is not null"
    ).fetchone()
    assert rows[0] > 100 and rows[1:] == (0, 0)


def test_breaks_match_except_the_documented_checks(both: duckdb.DuckDBPyConnection) -> None:
    changed = ", ".join(f"'{c}'" for c in CHANGED_BREAKS)
    n, only_base, only_other = diff(
        both, f"select {BREAK_COLUMNS} from {{db}}.marts.recon_breaks where check_id not in ({changed})"
    )
    assert n > 30 and (only_base[:3], only_other[:3]) == ([], [])
    counts = "select check_id, count(*) from {db}.marts.recon_breaks group by 1"
    base, other = (dict(both.execute(counts.format(db=db)).fetchall()) for db in (BASE, OTHER))
    assert {c: (base.get(c, 0), other.get(c, 0)) for c in CHANGED_BREAKS} == CHANGED_BREAKS
    # where a changed check still fires on the default run's record, it is the same break
    n, only_base, _ = diff(
        both, f"select {BREAK_COLUMNS} from {{db}}.marts.recon_breaks where check_id in ('R3', 'B7')"
    )
    assert n == 3 and only_base == []
    people = "('PSA_CAPACITY_GAP', 'PSA_MISSING_TIMESHEET')"  # checks of a person, not of a project's time
    entities = (
        "select distinct coalesce(legal_entity_key, '-1') from other.marts.recon_breaks"
        f" where check_family = 'PSA' and check_id not in {people}"
    )
    assert both.execute(entities).fetchall() == [("-1",)]  # Harvest projects have no legal entity
    n, only_base, only_other = diff(
        both,
        "select check_id, record_key, legal_entity_key from {db}.marts.recon_breaks"
        f" where check_id in {people}",
    )
    assert n == 2 and (only_base, only_other) == ([], [])  # people keep the entity their Harvest role names


def test_r_and_client_breaks_match_where_harvest_keeps_the_keys(both: duckdb.DuckDBPyConnection) -> None:
    query = (
        f"select {BREAK_COLUMNS} from {{db}}.marts.recon_breaks "
        "where check_family in ('R1', 'R2', 'R5', 'R6')"
    )
    n, only_base, only_other = diff(both, query)
    assert n >= 6 and (only_base, only_other) == ([], [])
    families = both.execute(
        "select count(distinct check_family) from other.marts.recon_breaks where check_family like 'R%'"
    ).fetchone()[0]
    assert families == 6  # the xs firm's defects still hit every R family
    # the CRM's breaks point at HubSpot deals, where the CRM user will look
    crm = both.execute(
        "select distinct source_system, source_object from other.marts.recon_breaks"
        " where check_family in ('R1', 'R3')"
    ).fetchall()
    assert crm == [("hubspot", "deal")]


def test_opportunities_mart_matches(both: duckdb.DuckDBPyConnection) -> None:
    cols = (
        "opportunity_id, client_key, contract_key, crm_account_id, stage_category, is_won,"
        " is_closed, opportunity_type, forecast_category, probability, contract_type, legal_entity_key,"
        " close_date, first_won_at, first_lost_at, stage_change_count, amount_transaction,"
        " transaction_currency_code"
    )
    n, only_base, only_other = diff(both, f"select {cols} from {{db}}.marts.fct_opportunities")
    assert n > 100
    assert (only_base[:3], only_other[:3]) == ([], [])
