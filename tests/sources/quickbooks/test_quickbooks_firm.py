"""The xs sample firm with its ERP in QuickBooks' shape gives the default run's answers, except exactly where
QuickBooks cannot carry what NetSuite carries.

``generate --erp quickbooks`` writes the same firm and truth with the ERP as three QuickBooks companies (one
per subsidiary, ``source_relation``) in Fivetran's QuickBooks tables, and NetSuite's daily rates as the
supplied ``fx_rates`` file; the nightly run with ``THROUGHLINE_ERP=quickbooks`` is compared with the default
run of the same seed (the shared ``xs_warehouse``). Invoices, credit memos, payments and their applications,
journals, the clients they belong to, the contracts (sales orders written as accepted estimates) and every
daily exchange rate are the same; what QuickBooks has no place for (PSA roles, milestones and service periods
on invoice lines, item types, consolidation rates, ERP employees, intercompany pairing, vendor bills and
revaluations as their own documents, unbilled receivable as an account type, a contract's change order id)
changes exactly the columns and breaks listed below and explained in docs/sources/quickbooks-as-erp.md ("The
sample firm in QuickBooks' shape"). One extra build a session.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from systems_firm import BASE, OTHER, changed_columns, compared, diff, mart_tables, systems_firm_warehouse
from warehouse_diff import RUN_STAMP_COLUMNS

pytestmark = (
    pytest.mark.slow
)  # one nightly build of the QuickBooks-shaped firm (plus the shared xs_warehouse)

#: Break columns that agree on every unchanged check: the record key names a credit memo, payment or journal
#: with QuickBooks' prefix (CM-, PMT-, JE-: stripped here), related_keys name the company and no sales order,
#: and amounts in reporting currency depend on period rates QuickBooks does not keep.
BREAK_COLUMNS = (
    "check_id, severity, regexp_replace(record_key, '(CM|PMT|JE)-', '') as record_key, client_key,"
    " project_key, legal_entity_key, currency_code, expected_amount, actual_amount, difference_amount,"
    " amount_at_risk, event_date, detected_on"
)
#: Breaks per check that QuickBooks changes (default run, QuickBooks run) for seed 7, and why
#: (docs/sources/quickbooks-as-erp.md): B2/B3 compare invoices per PSA role (no role on a QuickBooks line); B5
#: the PSA milestone on invoice lines (none either); B8 the unbilled receivable account type; E4 flags the
#: FX revaluations (journals in QuickBooks) that move AR; E6: the E1 invoice whose header exceeds its lines
#: posts its header, so its ledger does not balance; FX: the supplied rates give the same missing-rate run and
#: inverse quote as NetSuite's table, their record keys naming ISO codes and the quote's entry number
#: (counted, not compared row by row), and there are no consolidation rates; I1-I5: no intercompany pairing,
#: no vendor bills.
CHANGED_BREAKS = {
    "B2": (1, 32),
    "B3": (1, 0),
    "B5": (1, 0),
    "B8": (1, 0),
    "E4": (1, 8),
    "E6": (1, 2),
    "FX_INVERSE_INCONSISTENT": (1, 1),
    "FX_MISSING_CONSOLIDATED_RATE": (1, 0),
    "FX_MISSING_RATE": (1, 1),
    "I1": (1, 6),
    "I2": (1, 0),
    "I3": (1, 0),
    "I4": (1, 0),
    "I5": (1, 0),
}
_PERIOD_FX = {"fx_rate_to_entity", "fx_rate_to_reporting"}  # month-end rates derived from the daily ones
#: Mart columns whose values differ (as multisets) between the runs, per table; every other column is equal.
#: ALL: the table's rows themselves differ (GL lines, AR history, breaks, and what reads the PSA roles,
#: milestones and service periods QuickBooks lines lack). Contracts (accepted estimates) carry over: contract
#: keys everywhere are the default run's. Daily rates are the supplied ones (NetSuite's): time, expenses,
#: opportunities and invoice lines in reporting currency agree; month-end and monthly rates are derived from
#: them (no consolidation rates), so what converts at a month's end moves in the last digits.
ALL = None
CHANGED_COLUMNS: dict[str, set[str] | None] = {
    "anomaly_detectors": set(),
    # detectors read breaks and AR amounts: the same 19 signals, their scores and amounts move
    "anomaly_signal_history": {"amount_at_risk_reporting", "last_score"},
    "anomaly_signals": {"amount_at_risk", "amount_at_risk_reporting", "reason", "related_keys", "score"},
    # no country on a QuickBooks customer: the crosswalk matches on the cross-system ids alone
    "dim_client": {"country_code", "match_method", "crm_erp_match_method", "erp_psa_match_method"},
    "dim_contract": {"psa_change_order_id"},  # an estimate names no PSA change order (amendments inferred)
    "dim_currency": {"erp_currency_id", "display_symbol"},  # QuickBooks names currencies by ISO code
    "dim_date": {"erp_accounting_period_id", "accounting_period_name", "is_period_closed"},  # calendar months
    "dim_legal_entity": {"erp_subsidiary_id", "legal_entity_name", "legal_name", "country_code"}
    | {"erp_parent_subsidiary_id"},  # a company is its entity code; no legal name, country or parent record
    "dim_project": set(),
    "dim_resource": {"erp_employee_id", "erp_labor_cost_rate", "match_method"},  # no ERP employees
    "dim_service_line": set(),
    "exceptions": ALL,
    "fct_ar_open_items": ALL,  # payment 152's application dated with the payment; month-end rates
    "fct_ar_unapplied_cash": ALL,
    # billings per contract: no item types (expense recharges count as fees); month-end rates
    "fct_contract_balances": _PERIOD_FX
    | {"cumulative_invoiced", "cumulative_net_billings", "net_contract_position", "unbilled_receivable"}
    | {"deferred_revenue", "net_contract_position_entity", "net_contract_position_reporting"},
    "fct_expenses": set(),
    "fct_gl_lines": ALL,  # bills and revaluations are journals, ids prefixed, the ledger posted per document
    # credit memos keep QuickBooks' CM- prefix and name no invoice they were created from; no role, milestone,
    # service period end or reason on a line; invoice 144 names sales order 24, which is not exported (a
    # defect): QuickBooks links only accepted estimates
    "fct_invoice_lines": {"invoice_line_id", "transaction_id", "line_id", "erp_accounting_period_id"}
    | {"credit_reason_code", "created_from_transaction_id", "erp_subsidiary_id", "psa_milestone_id"}
    | {"psa_role_id", "erp_department_id", "is_billable", "service_period_end"},
    "fct_opportunities": set(),
    # PMT- ids; applications at the payment's rate and dated with the payment
    "fct_payments": {"payment_application_id", "payment_transaction_id", "application_date", "amount_entity"},
    "fct_revenue": _PERIOD_FX | {"amount_entity", "amount_reporting"},
    "fct_time_entries": set(),
    "fct_time_entries_monthly": set(),
    "forecast_statistical_backtest": set(),
    "forecast_statistical_monthly": {"forecast_value"},
    "kpi_ar_aging_monthly": ALL,
    # the same contracts and values: billings (item types) and month-end rates move
    "kpi_backlog_monthly": _PERIOD_FX
    | {"backlog_entity", "backlog_reporting", "billing_backlog_entity", "billing_backlog_reporting"}
    | {"billing_backlog_transaction", "billing_overrun_reporting", "billing_overrun_transaction"}
    | {"contract_value_reporting", "is_billing_overrun", "net_billed_to_date_transaction"},
    "kpi_backlog_rollforward": {"bookings_reporting", "change_orders_reporting", "closing_reporting"}
    | {"completion_releases_reporting", "fx_rate_to_reporting", "fx_reporting", "opening_reporting"}
    | {"revenue_outside_backlog_reporting", "revenue_recognized_reporting"},
    "kpi_cycle_times": set(),
    "kpi_cycle_times_monthly": {"invoice_trigger_count", "invoice_cycle_measured_count"}
    | {"invoice_trigger_unmeasured_count", "invoice_cycle_days_median", "invoice_cycle_days_p80"}
    | {"expense_invoice_trigger_count", "expense_invoice_cycle_measured_count"}
    | {"expense_invoice_cycle_days_median", "expense_invoice_cycle_days_p80"},
    "kpi_dso_monthly": {"ar_entity", "ar_reporting", "current_ar_entity", "current_ar_reporting"}
    | {"intercompany_ar_reporting", "credit_sales_month_entity", "credit_sales_month_reporting"}
    | {"credit_sales_window_entity", "credit_sales_window_reporting", "dso_simple_days"}
    | {"dso_countback_days", "bpdso_days", "add_days"},
    # the firm's month: hours, headcount and utilization agree; revenue, cost, margin, backlog, AR, DSO,
    # lockup, leakage and realization follow the item type, rate and application changes above
    "kpi_firm_monthly": {"revenue_entity", "revenue_reporting", "cost_entity", "cost_reporting"}
    | {"margin_entity", "margin_reporting", "margin_pct", "effective_bill_rate_reporting"}
    | {"tm_standard_value_reporting", "tm_billed_reporting", "billed_reporting", "collected_reporting"}
    | {"billing_realization", "billing_realization_12m", "collection_realization", "backlog_entity"}
    | {"backlog_reporting", "ar_entity", "ar_reporting", "current_ar_reporting", "wip_reporting"}
    | {"credit_sales_window_reporting", "dso_simple_days", "dso_countback_days", "bpdso_days"}
    | {"wip_days", "debtor_days", "lockup_days", "leakage_total_reporting", "leakage_revenue_reporting"}
    | {"leakage_pct_of_revenue", "unbilled_expenses_reporting", "invoice_cycle_days_median"},
    "kpi_forecast_accuracy_monthly": {"abs_error_total", "accuracy", "actual_total", "bias"}
    | {"conversion_ratio", "forecast_total", "relative_bias", "wape"},
    "kpi_forecast_eac": set(),
    "kpi_forecast_errors": {"abs_error", "accuracy", "actual_value", "error", "forecast_value"},
    "kpi_forecast_revenue_lines": {"amount_reporting", "fx_rate_to_reporting"},
    "kpi_forecast_snapshots": {"forecast_backlog", "forecast_pipeline", "forecast_value"},
    "kpi_forecast_utilization_lines": set(),
    "kpi_invoice_cycle_times": ALL,  # billing triggers: service period ends and milestones on lines
    "kpi_leakage_monthly": ALL,
    "kpi_lockup_monthly": {"wip_entity", "wip_reporting", "ar_entity", "ar_reporting", "revenue_month_entity"}
    | {"revenue_month_reporting", "trailing_revenue_entity", "trailing_revenue_reporting"}
    | {"wip_days", "debtor_days", "lockup_days"},
    # cost and margin per project: no ERP labour cost rates; billed and collected through the lines above
    "kpi_project_margin_monthly": {"billed_entity", "billed_reporting", "billing_realization"}
    | {"collected_entity", "collected_reporting", "collection_realization", "contractor_cost_entity"}
    | {"contractor_cost_reporting", "cost_entity", "cost_itd_entity", "cost_itd_reporting", "cost_reporting"}
    | {"credited_entity", "credited_reporting", "effective_bill_rate_entity"}
    | {"effective_bill_rate_itd_reporting", "effective_bill_rate_reporting", "expense_cost_entity"}
    | {"expense_cost_reporting", "invoiced_entity", "invoiced_reporting", "labor_cost_entity"}
    | {"labor_cost_reporting", "margin_entity", "margin_itd_entity", "margin_itd_pct", "margin_itd_reporting"}
    | {"margin_pct", "margin_reporting", "overall_realization", "pass_through_expense_entity"}
    | {"pass_through_expense_reporting", "revenue_entity", "revenue_itd_entity", "revenue_itd_reporting"}
    | {"revenue_reporting", "standard_value_entity", "standard_value_reporting"},
    "kpi_utilization_entity_monthly": set(),
    "kpi_utilization_monthly": set(),
    "recon_break_history": ALL,
    "recon_breaks": ALL,
    "recon_checks": set(),
    # the same rows per check and age band, their counts and amounts follow the breaks above
    "recon_summary": {"acknowledged_breaks", "age_band", "age_band_order", "amount_at_risk_reporting"}
    | {"check_family", "check_id", "check_title", "open_breaks", "owner", "severity", "total_breaks"},
}


@pytest.fixture(scope="session")
def xs_quickbooks_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The xs firm (seed 7, default defects) generated with ``--erp quickbooks`` and run with
    THROUGHLINE_ERP=quickbooks (tests/systems_firm.py)."""
    return systems_firm_warehouse(tmp_path_factory, "xs_quickbooks", {"THROUGHLINE_ERP": "quickbooks"})


@pytest.fixture(scope="module")
def both(xs_warehouse: Path, xs_quickbooks_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """``base``: the default run (NetSuite); ``other``: the QuickBooks run."""
    with compared(xs_warehouse, xs_quickbooks_warehouse) as con:
        yield con


def test_landing_has_three_quickbooks_companies(xs_quickbooks_warehouse: Path) -> None:
    landing = xs_quickbooks_warehouse.parent / "landing"
    assert not (landing / "netsuite").exists()
    with duckdb.connect(str(xs_quickbooks_warehouse), read_only=True) as con:
        companies = con.execute(
            "select distinct source_relation from raw_quickbooks.invoice order by 1"
        ).fetchall()
        rejected = con.execute(
            "select coalesce(sum(rows_rejected), 0) from raw.load_log where system = 'quickbooks'"
        ).fetchone()[0]
        entities = con.execute("select legal_entity_key from marts.dim_legal_entity order by 1").fetchall()
    assert companies == [("DE01",), ("UK01",), ("US01",)] and rejected == 0
    assert entities == [("-1",), ("DE01",), ("UK01",), ("US01",)]  # each company one legal entity


def test_documents_and_what_settles_them_are_the_same(both: duckdb.DuckDBPyConnection) -> None:
    n, only_base, only_other = diff(
        both,
        "select transaction_number, regexp_replace(transaction_id, '^CM-', ''), erp_customer_id, client_key,"
        " legal_entity_key, project_key, transaction_date, transaction_currency_code, amount_transaction,"
        " amount_entity from {db}.marts.fct_invoice_lines",
    )
    assert n > 150 and (only_base, only_other) == (
        [],
        [],
    )  # every line, its client, project, entity and amounts
    n, only_base, only_other = diff(
        both,
        "select payment_number, invoice_transaction_id, client_key, legal_entity_key, application_date,"
        " amount_transaction from {db}.marts.fct_payments",
    )
    # payment 152 was applied a month after it was received: QuickBooks dates an application with its payment
    assert n > 40 and [r[:2] + r[4:5] for r in only_base + only_other] == [
        ("PYMT-0000152", "50", date(2026, 10, 5)),
        ("PYMT-0000152", "50", date(2026, 9, 5)),
    ]
    n, only_base, only_other = diff(
        both,
        "select invoice_number, open_amount, legal_entity_key, client_key, is_intercompany, as_of_date"
        " from {db}.marts.fct_ar_open_items",
    )
    # the same open items, but invoice 50 at the end of September (paid by 152 on the 5th, in QuickBooks)
    assert n > 100 and (len(only_base), only_base[0][0], only_other) == (1, "INV-US-0000050", [])


def test_breaks_match_except_the_documented_checks(both: duckdb.DuckDBPyConnection) -> None:
    changed = ", ".join(f"'{c}'" for c in CHANGED_BREAKS)
    n, only_base, only_other = diff(
        both, f"select {BREAK_COLUMNS} from {{db}}.marts.recon_breaks where check_id not in ({changed})"
    )
    assert n > 30 and (only_base[:3], only_other[:3]) == ([], [])
    counts = "select check_id, count(*) from {db}.marts.recon_breaks group by 1"
    base, other = (dict(both.execute(counts.format(db=db)).fetchall()) for db in (BASE, OTHER))
    assert {c: (base.get(c, 0), other.get(c, 0)) for c in CHANGED_BREAKS} == CHANGED_BREAKS


def test_every_mart_is_listed(both: duckdb.DuckDBPyConnection) -> None:
    assert set(mart_tables(both)) == set(CHANGED_COLUMNS)


@pytest.mark.parametrize("table", sorted(CHANGED_COLUMNS))
def test_marts_differ_in_exactly_the_documented_columns(both: duckdb.DuckDBPyConnection, table: str) -> None:
    expected = CHANGED_COLUMNS[table]
    if expected is ALL:
        cols = both.execute(
            "select column_name from duckdb_columns() where database_name = ? and schema_name = 'marts'"
            " and table_name = ?",
            [BASE, table],
        ).fetchall()
        expected = {c for (c,) in cols} - RUN_STAMP_COLUMNS
    assert changed_columns(both, table) == expected
