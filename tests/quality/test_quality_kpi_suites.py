"""The KPI-mart suites (backlog, leakage, margin, lock-up, cycle times) and the distribution expectations on
raw objects, on hand-made frames: a plausible frame passes, each injected problem fails exactly its
expectation with its severity."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from expectations.validate import suite_columns, validate_frame

MONTHS = ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]


def backlog() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "backlog_snapshot_id": [f"P1-{m}" for m in MONTHS],
            "backlog_transaction": [90_000.0, 60_000.0, 30_000.0, 0.0],
            "billing_backlog_transaction": [100_000.0, 70_000.0, 40_000.0, 0.0],
            "overrun_transaction": [0.0, 0.0, 0.0, 0.0],
            "contract_value_transaction": [120_000.0] * 4,
            "fx_rate_to_reporting": [1.1, 1.1, 1.09, 1.08],
            "is_overrun": [False] * 4,
        }
    )


def leakage() -> pd.DataFrame:
    amounts = {
        c: [0.0, 120.0, 0.0, 35.5]
        for c in (
            "unbilled_time_reporting",
            "unbilled_expenses_reporting",
            "below_rate_card_reporting",
            "write_offs_reporting",
            "credit_notes_reporting",
            "over_cap_reporting",
        )
    }
    return pd.DataFrame(
        {
            "month_start_date": MONTHS,
            "project_key": ["P1"] * 4,
            "legal_entity_key": ["US01"] * 4,
            **amounts,
            "leakage_total_reporting": [0.0, 480.0, 0.0, 142.0],
            "leakage_pct_of_revenue": [0.0, 0.02, 0.0, 0.01],
        }
    )


def margin() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "project_key": ["P1"] * 4,
            "month_start_date": MONTHS,
            "cost_reporting": [8_000.0, 9_000.0, 7_500.0, 8_200.0],
            "hours_total": [80.0, 90.0, 75.0, 82.0],
            "margin_pct": [0.35, 0.3, 0.4, None],  # no revenue in the last month
            "margin_itd_pct": [0.35, 0.33, 0.35, 0.3],
            "billing_realization": [0.95, 1.0, 0.9, None],
        }
    )


def lockup() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month_start_date": ["2026-01-01"] * 2 + ["2026-02-01"] * 2,
            "legal_entity_key": ["US01", "GROUP"] * 2,
            "wip_days": [20.0, 22.0, 18.0, 19.0],
            "debtor_days": [45.0, 50.0, 40.0, 44.0],
            "lockup_days": [65.0, 72.0, 58.0, 63.0],
        }
    )


def cycle_times() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month_start_date": ["2026-01-01"] * 4,
            "legal_entity_key": ["US01", "US01", "GROUP", "GROUP"],
            "contract_type": ["fixed_fee", "all", "fixed_fee", "all"],
            "activation_days_p80": [20.0, 25.0, 20.0, 25.0],
            "activation_days_median": [12.0, 14.0, 12.0, 14.0],
            "invoice_cycle_days_p80": [30.0, 31.0, None, 31.0],
            "invoice_cycle_days_median": [15.0, 16.0, None, 16.0],
            "expense_invoice_cycle_days_p80": [25.0, 25.0, 25.0, 25.0],
            "expense_invoice_cycle_days_median": [10.0, 10.0, 10.0, 10.0],
        }
    )


def raw_time_entries() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "hours": [2.0, 7.5, -1.0, 3.25],  # a negative correction is not a raw-range failure
            "spent_date": ["2026-11-02"] * 4,
            "currency": ["USD", "EUR", "GBP", "USD"],
            "bill_rate": [150.0, 120.0, 150.0, 0.0],
        }
    )


def raw_opportunities() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "amount": [12_000.0, 150_000.0, 80_000.0, 0.0],
            "currency_iso_code": ["USD", "EUR", "GBP", "USD"],
            "probability": [10.0, 100.0, 50.0, 0.0],
        }
    )


GOOD: dict[str, Callable[[], pd.DataFrame]] = {
    "marts.kpi_backlog_monthly": backlog,
    "marts.kpi_leakage_monthly": leakage,
    "marts.kpi_project_margin_monthly": margin,
    "marts.kpi_lockup_monthly": lockup,
    "marts.kpi_cycle_times_monthly": cycle_times,
    "raw_psa.time_entries": raw_time_entries,
    "raw_salesforce.opportunity": raw_opportunities,
}


def _set(
    column: str, values: object, rows: slice | list[int] = slice(None)
) -> Callable[[pd.DataFrame], None]:
    def mutate(df: pd.DataFrame) -> None:
        df.loc[df.index[rows], column] = values

    return mutate


BETWEEN, MEDIAN = "expect_column_values_to_be_between", "expect_column_median_to_be_between"
PAIR = "expect_column_pair_values_a_to_be_greater_than_b"
CASES = [
    ("marts.kpi_backlog_monthly", _set("backlog_snapshot_id", "P1-x", [0, 1]),
     {("expect_column_values_to_be_unique", "backlog_snapshot_id", "critical")}),
    ("marts.kpi_backlog_monthly", _set("backlog_transaction", -1.0, [2]),
     {(BETWEEN, "backlog_transaction", "critical")}),
    # one contract-month in four over its value: above the 10% the distribution allows
    ("marts.kpi_backlog_monthly", _set("is_overrun", True, [3]),
     {("expect_column_values_to_be_in_set", "is_overrun", "warning")}),
    ("marts.kpi_leakage_monthly", _set("write_offs_reporting", -50.0, [1]),
     {(BETWEEN, "write_offs_reporting", "warning")}),
    ("marts.kpi_leakage_monthly", _set("leakage_pct_of_revenue", 0.3),
     {(MEDIAN, "leakage_pct_of_revenue", "warning")}),
    ("marts.kpi_project_margin_monthly", _set("month_start_date", MONTHS[0], [1]),
     {("expect_compound_columns_to_be_unique", "project_key, month_start_date", "critical")}),
    ("marts.kpi_project_margin_monthly", _set("billing_realization", 3.0),
     {(MEDIAN, "billing_realization", "warning")}),
    ("marts.kpi_project_margin_monthly", _set("margin_itd_pct", -0.2),
     {(MEDIAN, "margin_itd_pct", "warning")}),
    ("marts.kpi_lockup_monthly", _set("lockup_days", 400.0, [0]), {(BETWEEN, "lockup_days", "warning")}),
    ("marts.kpi_lockup_monthly", _set("legal_entity_key", "UK01", [1, 3]),
     {("expect_column_distinct_values_to_contain_set", "legal_entity_key", "warning")}),
    ("marts.kpi_cycle_times_monthly", _set("invoice_cycle_days_median", 40.0, [0]),
     {(PAIR, "invoice_cycle_days_p80, invoice_cycle_days_median", "critical")}),
    # time exported in minutes: every entry out of range, and the median gives the unit change away
    ("raw_psa.time_entries", _set("hours", 90.0),
     {(BETWEEN, "hours", "warning"), (MEDIAN, "hours", "warning")}),
    ("raw_salesforce.opportunity", _set("amount", 0.0), {(MEDIAN, "amount", "warning")}),
]  # fmt: skip


@pytest.mark.parametrize("suite", list(GOOD))
def test_a_plausible_frame_passes_and_covers_every_column_the_suite_reads(suite: str) -> None:
    frame = GOOD[suite]()
    assert set(suite_columns(suite)) == set(frame.columns)
    res = validate_frame(suite, frame)
    assert res.success, [(r.expectation_type, r.column) for r in res.failed]


@pytest.mark.parametrize(("suite", "mutate", "expected"), CASES)
def test_each_problem_fails_its_expectation(
    suite: str, mutate: Callable[[pd.DataFrame], None], expected: set[tuple[str, str, str]]
) -> None:
    frame = GOOD[suite]()
    mutate(frame)
    res = validate_frame(suite, frame)
    assert {(r.expectation_type, r.column, r.severity) for r in res.failed} == expected
