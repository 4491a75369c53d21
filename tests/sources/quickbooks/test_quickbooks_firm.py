"""The xs sample firm with its ERP in QuickBooks' shape gives the default run's answers, except exactly where
QuickBooks cannot carry what NetSuite carries.

``generate --erp quickbooks`` writes the same firm and truth with the ERP as three QuickBooks companies (one
per subsidiary, ``source_relation``) in Fivetran's QuickBooks tables; the nightly run with
``THROUGHLINE_ERP=quickbooks`` is compared with the default run of the same seed (the shared
``xs_warehouse``).
Invoices, credit memos, payments and their applications, journals and the clients they belong to are the
same; what QuickBooks has no place for (sales orders = contracts, PSA roles and milestones on invoice lines,
rate tables, intercompany pairing, vendor bills and revaluations as their own documents, unbilled receivable
as an account type) changes exactly the columns and breaks listed below and explained in
docs/sources/quickbooks-as-erp.md ("The sample firm in QuickBooks' shape"). One extra build a session.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock
from warehouse_diff import RUN_STAMP_COLUMNS, attach_read_only

pytestmark = (
    pytest.mark.slow
)  # one nightly build of the QuickBooks-shaped firm (plus the shared xs_warehouse)

REPO_ROOT = Path(__file__).resolve().parents[3]
XS_SEED = 7  # the seed of tests/conftest.py's xs_firm / xs_warehouse
#: Break columns that agree on every unchanged check: the record key names a credit memo, payment or journal
#: with QuickBooks' prefix (CM-, PMT-, JE-: stripped here), related_keys name the company and no sales order,
#: and amounts in reporting currency depend on the rates QuickBooks does not keep.
BREAK_COLUMNS = (
    "check_id, severity, regexp_replace(record_key, '(CM|PMT|JE)-', '') as record_key, client_key,"
    " project_key, legal_entity_key, currency_code, expected_amount, actual_amount, difference_amount,"
    " amount_at_risk, event_date, detected_on"
)
#: Breaks per check that QuickBooks changes (default run, QuickBooks run) for seed 7, and why
#: (docs/sources/quickbooks-as-erp.md): B2/B3 compare invoices per PSA role (no role on a QuickBooks line); B5
#: and R6_CONTRACT_END need the sales order (contract); B8 the unbilled receivable account type; E4 flags the
#: FX revaluations (journals in QuickBooks) that move AR; E6: the E1 invoice whose header exceeds its lines
#: posts its header, so its ledger does not balance; FX: the rate table comes from the supplied fx_rates file
#: (the same quotes as NetSuite's), so the same missing-rate run and inverse quote are found, their record
#: keys naming ISO codes and the quote's entry number instead of NetSuite's ids (counted, not compared row by
#: row), and there are no consolidation rates; I1-I5: no intercompany pairing, no vendor bills.
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
    "R6_CONTRACT_END": (1, 0),
}
#: period (monthly average and closing) rates: NetSuite's consolidated rates against the supplied daily ones
_PERIOD_FX = {"fx_rate_to_entity", "fx_rate_to_reporting"}
_CONTRACT = {"contract_key"}  # no sales order: every contract is the unknown member
#: Mart columns whose values differ (as multisets) between the runs, per table; every other column is equal.
#: ALL: the table's rows themselves differ (tables built on contracts, GL lines, AR history, breaks).
ALL = None
CHANGED_COLUMNS: dict[str, set[str] | None] = {
    "anomaly_detectors": set(),
    # detectors read breaks and AR amounts: the same signals, scored on other amounts
    "anomaly_signal_history": {"last_score", "amount_at_risk_reporting"},
    "anomaly_signals": {"related_keys", "score", "amount_at_risk", "amount_at_risk_reporting", "reason"},
    # no country on a QuickBooks customer: the crosswalk matches on the cross-system ids alone
    "dim_client": {"country_code", "match_method", "crm_erp_match_method", "erp_psa_match_method"},
    "dim_contract": ALL,  # no sales orders: only the unknown contract
    "dim_currency": {"erp_currency_id", "display_symbol"},  # QuickBooks names currencies by ISO code
    "dim_date": {"erp_accounting_period_id", "accounting_period_name", "is_period_closed"},  # calendar months
    "dim_legal_entity": {"erp_subsidiary_id", "legal_entity_name", "legal_name", "country_code"}
    | {"erp_parent_subsidiary_id"},  # a company is its entity code; no legal name, country or parent record
    "dim_project": _CONTRACT,
    "dim_resource": {"erp_employee_id", "erp_labor_cost_rate", "match_method"},  # no ERP employees
    "dim_service_line": set(),
    "exceptions": ALL,
    "fct_ar_open_items": ALL,  # reporting amounts; payment 152's application dated with the payment
    "fct_ar_unapplied_cash": ALL,
    "fct_contract_balances": _CONTRACT
    | _PERIOD_FX
    | {"cumulative_invoiced", "cumulative_net_billings"}
    | {"net_contract_position", "unbilled_receivable", "deferred_revenue", "net_contract_position_entity"}
    | {"net_contract_position_reporting"},
    "fct_expenses": _CONTRACT,
    "fct_gl_lines": ALL,  # bills and revaluations are journals, ids prefixed, the ledger posted per document
    # credit memos keep QuickBooks' CM- prefix; no role, milestone, sales order or reason on a line
    "fct_invoice_lines": _CONTRACT
    | {"invoice_line_id", "transaction_id", "line_id", "erp_accounting_period_id", "credit_reason_code"}
    | {
        "created_from_transaction_id",
        "erp_subsidiary_id",
        "psa_milestone_id",
        "psa_role_id",
        "erp_department_id",
    }
    | {"is_billable", "service_period_end"},
    "fct_opportunities": _CONTRACT,
    # PMT- ids; applications at the payment's rate and dated with the payment
    "fct_payments": _CONTRACT
    | {"payment_application_id", "payment_transaction_id", "application_date", "amount_entity"},
    "fct_revenue": _CONTRACT | _PERIOD_FX | {"amount_entity", "amount_reporting"},
    "fct_time_entries": _CONTRACT,
    "forecast_statistical_backtest": set(),
    "forecast_statistical_monthly": {"forecast_value"},
    "kpi_ar_aging_monthly": ALL,
    "kpi_backlog_monthly": ALL,  # backlog is contracts
    "kpi_backlog_rollforward": ALL,
    "kpi_cycle_times": _CONTRACT,
    "kpi_cycle_times_monthly": {"invoice_trigger_count", "invoice_cycle_measured_count"}
    | {"invoice_trigger_unmeasured_count", "invoice_cycle_days_median", "invoice_cycle_days_p80"}
    | {"expense_invoice_trigger_count", "expense_invoice_cycle_measured_count"}
    | {"expense_invoice_cycle_days_median", "expense_invoice_cycle_days_p80"},
    "kpi_dso_monthly": {"ar_entity", "ar_reporting", "current_ar_entity", "current_ar_reporting"}
    | {"intercompany_ar_reporting", "credit_sales_month_entity", "credit_sales_month_reporting"}
    | {"credit_sales_window_entity", "credit_sales_window_reporting", "dso_simple_days"}
    | {"dso_countback_days", "bpdso_days", "add_days"},
    # the firm's month: hours, headcount and utilization agree; revenue, cost, margin, backlog, AR, DSO,
    # lockup, leakage and realization follow the contract, rate and application changes above
    "kpi_firm_monthly": {"revenue_entity", "revenue_reporting", "cost_entity", "cost_reporting"}
    | {"margin_entity", "margin_reporting", "margin_pct", "effective_bill_rate_reporting"}
    | {"tm_standard_value_reporting", "tm_billed_reporting", "billed_reporting", "collected_reporting"}
    | {"billing_realization", "billing_realization_12m", "collection_realization", "backlog_entity"}
    | {"backlog_reporting", "ar_entity", "ar_reporting", "current_ar_reporting"}
    | {
        "credit_sales_window_reporting",
        "dso_simple_days",
        "dso_countback_days",
        "bpdso_days",
        "wip_reporting",
    }
    | {"wip_days", "debtor_days", "lockup_days", "leakage_total_reporting", "leakage_revenue_reporting"}
    | {"leakage_pct_of_revenue", "unbilled_expenses_reporting", "invoice_cycle_days_median"},
    "kpi_forecast_accuracy_monthly": ALL,
    "kpi_forecast_eac": ALL,
    "kpi_forecast_errors": ALL,
    "kpi_forecast_revenue_lines": ALL,
    "kpi_forecast_snapshots": ALL,
    "kpi_forecast_utilization_lines": set(),
    "kpi_invoice_cycle_times": ALL,
    "kpi_leakage_monthly": ALL,
    "kpi_lockup_monthly": {"wip_entity", "wip_reporting", "ar_entity", "ar_reporting"}
    | {
        "revenue_month_entity",
        "revenue_month_reporting",
        "trailing_revenue_entity",
        "trailing_revenue_reporting",
    }
    | {"wip_days", "debtor_days", "lockup_days"},
    # the same projects and hours; amounts follow contracts (none) and the period rates
    "kpi_project_margin_monthly": _CONTRACT
    | {"revenue_entity", "revenue_reporting", "labor_cost_entity", "labor_cost_reporting"}
    | {"contractor_cost_entity", "contractor_cost_reporting", "expense_cost_entity", "expense_cost_reporting"}
    | {"pass_through_expense_entity", "pass_through_expense_reporting", "cost_entity", "cost_reporting"}
    | {"margin_entity", "margin_reporting", "margin_pct", "revenue_itd_entity", "revenue_itd_reporting"}
    | {"cost_itd_entity", "cost_itd_reporting", "margin_itd_entity", "margin_itd_reporting"}
    | {
        "margin_itd_pct",
        "effective_bill_rate_entity",
        "effective_bill_rate_reporting",
        "effective_bill_rate_itd_reporting",
    }
    | {"standard_value_entity", "standard_value_reporting", "invoiced_entity", "invoiced_reporting"}
    | {"credited_entity", "credited_reporting", "billed_entity", "billed_reporting", "collected_entity"}
    | {"collected_reporting", "billing_realization", "collection_realization", "overall_realization"},
    "kpi_utilization_entity_monthly": set(),
    "kpi_utilization_monthly": set(),
    "recon_break_history": ALL,
    "recon_breaks": ALL,
    "recon_checks": set(),
    "recon_summary": ALL,
}


@pytest.fixture(scope="session")
def xs_quickbooks_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The xs firm (seed 7, default defects) generated with ``--erp quickbooks`` and run with
    THROUGHLINE_ERP=quickbooks (a subprocess: its Dagster definitions and dbt target never mix with the
    default runs of this session)."""
    root = tmp_path_factory.getbasetemp()
    root = root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root
    target = root / "throughline-cache" / "xs_quickbooks"
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if not (target / ".done").exists():
            env = {**os.environ, "THROUGHLINE_ERP": "quickbooks", "PYTHONPATH": str(REPO_ROOT)}
            cli = [sys.executable, "-m", "throughline.cli"]
            gen = [*cli, "generate", "--scale", "xs", "--seed", str(XS_SEED), "--erp", "quickbooks"]
            subprocess.run([*gen, "--out", str(target)], env=env, check=True, capture_output=True)
            run = [
                *cli,
                "run",
                "--landing",
                str(target / "landing"),
                "--warehouse",
                str(target / "wh.duckdb"),
            ]
            proc = subprocess.run(run, env=env, capture_output=True, text=True, check=False)
            assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
            (target / ".done").write_text("ok")
    return target / "wh.duckdb"


@pytest.fixture(scope="module")
def both(xs_warehouse: Path, xs_quickbooks_warehouse: Path) -> duckdb.DuckDBPyConnection:
    """``ns``: the default run (NetSuite); ``qb``: the QuickBooks run."""
    con = duckdb.connect()
    attach_read_only(con, xs_warehouse, "ns")
    attach_read_only(con, xs_quickbooks_warehouse, "qb")
    yield con
    con.close()


def _diff(con: duckdb.DuckDBPyConnection, query: str) -> tuple[int, list[tuple], list[tuple]]:
    """Row count of the default side and the rows only one side has."""
    ns, qb = query.format(db="ns"), query.format(db="qb")
    n = con.execute(f"select count(*) from ({ns})").fetchone()[0]
    return n, con.execute(f"{ns} except all {qb}").fetchall(), con.execute(f"{qb} except all {ns}").fetchall()


def _changed_columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """Columns of ``marts.<table>`` whose values differ as multisets between the runs (run stamps aside)."""
    cols = con.execute(
        "select column_name from duckdb_columns() where database_name = 'ns' and schema_name = 'marts'"
        " and table_name = ? order by column_index",
        [table],
    ).fetchall()
    changed = set()
    for (col,) in cols:
        if col in RUN_STAMP_COLUMNS:
            continue
        ns, qb = (f'select "{col}" from {db}.marts.{table}' for db in ("ns", "qb"))
        if (
            con.execute(f"select count(*) from ({ns} except all {qb})").fetchone()[0]
            or con.execute(f"select count(*) from ({qb} except all {ns})").fetchone()[0]
        ):
            changed.add(col)
    return changed


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
    n, only_ns, only_qb = _diff(
        both,
        "select transaction_number, regexp_replace(transaction_id, '^CM-', ''), erp_customer_id, client_key,"
        " legal_entity_key, project_key, transaction_date, transaction_currency_code, amount_transaction,"
        " amount_entity from {db}.marts.fct_invoice_lines",
    )
    assert n > 150 and (only_ns, only_qb) == ([], [])  # every line, its client, project, entity and amounts
    n, only_ns, only_qb = _diff(
        both,
        "select payment_number, invoice_transaction_id, client_key, legal_entity_key, application_date,"
        " amount_transaction from {db}.marts.fct_payments",
    )
    # payment 152 was applied a month after it was received: QuickBooks dates an application with its payment
    assert n > 40 and [r[:2] + r[4:5] for r in only_ns + only_qb] == [
        ("PYMT-0000152", "50", date(2026, 10, 5)),
        ("PYMT-0000152", "50", date(2026, 9, 5)),
    ]
    n, only_ns, only_qb = _diff(
        both,
        "select invoice_number, open_amount, legal_entity_key, client_key, is_intercompany, as_of_date"
        " from {db}.marts.fct_ar_open_items",
    )
    # the same open items, but invoice 50 at the end of September (paid by 152 on the 5th, in QuickBooks)
    assert n > 100 and (len(only_ns), only_ns[0][0], only_qb) == (1, "INV-US-0000050", [])


def test_breaks_match_except_the_documented_checks(both: duckdb.DuckDBPyConnection) -> None:
    changed = ", ".join(f"'{c}'" for c in CHANGED_BREAKS)
    n, only_ns, only_qb = _diff(
        both, f"select {BREAK_COLUMNS} from {{db}}.marts.recon_breaks where check_id not in ({changed})"
    )
    assert n > 30 and (only_ns[:3], only_qb[:3]) == ([], [])
    counts = "select check_id, count(*) from {db}.marts.recon_breaks group by 1"
    ns, qb = (dict(both.execute(counts.format(db=db)).fetchall()) for db in ("ns", "qb"))
    assert {c: (ns.get(c, 0), qb.get(c, 0)) for c in CHANGED_BREAKS} == CHANGED_BREAKS


def test_every_mart_is_listed(both: duckdb.DuckDBPyConnection) -> None:
    tables = both.execute(
        "select table_name from duckdb_tables() where database_name = 'ns' and schema_name = 'marts'"
    ).fetchall()
    assert {t for (t,) in tables} == set(CHANGED_COLUMNS)


@pytest.mark.parametrize("table", sorted(CHANGED_COLUMNS))
def test_marts_differ_in_exactly_the_documented_columns(both: duckdb.DuckDBPyConnection, table: str) -> None:
    expected = CHANGED_COLUMNS[table]
    if expected is ALL:
        cols = both.execute(
            "select column_name from duckdb_columns() where database_name = 'ns' and schema_name = 'marts'"
            " and table_name = ?",
            [table],
        ).fetchall()
        expected = {c for (c,) in cols} - RUN_STAMP_COLUMNS
    assert _changed_columns(both, table) == expected
