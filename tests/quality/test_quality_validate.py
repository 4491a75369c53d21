"""validate_frame on hand-made frames: a clean frame passes, injected problems are reported exactly."""

from __future__ import annotations

import pandas as pd
import pytest

from expectations.catalog import SUITE_NAMES
from expectations.suites import SUITES
from expectations.validate import suite_columns, validate_frame

SUITE = "marts.fct_time_entries"


def time_entries() -> pd.DataFrame:
    """Three valid time entries: client T&M work, client work without FX rate, internal admin."""
    return pd.DataFrame(
        {
            "time_entry_id": ["1", "2", "3"],
            "resource_key": ["10", "11", "10"],
            "project_key": ["P1", "P1", "P9"],
            "client_key": ["crm:A", "crm:A", "-1"],
            "legal_entity_key": ["1", "1", "2"],
            "transaction_currency_code": ["USD", "EUR", "GBP"],
            "reporting_currency_code": ["USD", "USD", "USD"],
            "fx_rate_type": ["spot", "spot", "spot"],
            "hours": [7.5, 8.0, 2.0],
            "billable_hours": [7.5, 8.0, 0.0],
            "bill_rate": [150.0, 120.0, None],
            "cost_rate": [80.0, 70.0, 60.0],
            "billable_amount_transaction": [1125.0, 960.0, 0.0],
            "is_fx_rate_missing": [False, True, False],
            "billable_amount_entity": [1125.0, None, 0.0],
            "billable_amount_reporting": [1125.0, None, 0.0],
            "cost_amount_reporting": [600.0, None, 150.0],
            "time_entry_status": ["approved", "submitted", "approved"],
            "work_type": ["client", "client", "admin"],
        }
    )


def failures(df: pd.DataFrame) -> set[tuple[str, str | None, str]]:
    return {(r.expectation_type, r.column, r.severity) for r in validate_frame(SUITE, df).failed}


def test_catalog_names_match_suites() -> None:
    assert list(SUITE_NAMES) == list(SUITES)


def test_frame_covers_every_column_the_suite_reads() -> None:
    assert set(suite_columns(SUITE)) == set(time_entries().columns)


def test_valid_frame_passes_every_expectation() -> None:
    res = validate_frame(SUITE, time_entries())
    assert res.success, res.failed
    assert res.row_count == 3
    assert len(res.results) == len(SUITES[SUITE])
    assert [r.expectation_type for r in res.results][:2] == [
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_unique",
    ]


def test_duplicate_key_and_out_of_range_hours_are_the_only_failures() -> None:
    df = time_entries()
    df.loc[1, "time_entry_id"] = "1"  # duplicate key
    df.loc[2, ["hours", "billable_hours"]] = [30.0, 0.0]  # more than a day
    res = validate_frame(SUITE, df)
    assert failures(df) == {
        ("expect_column_values_to_be_unique", "time_entry_id", "critical"),
        ("expect_column_values_to_be_between", "hours", "warning"),  # [0, 24] and [0, 12] mostly 99%
    }
    by_key = {(r.expectation_type, r.column, r.unexpected_count): r for r in res.failed}
    assert by_key[("expect_column_values_to_be_unique", "time_entry_id", 2)].unexpected_values == ["1", "1"]
    hours = [r for r in res.failed if r.column == "hours"]
    assert len(hours) == 2 and all(r.unexpected_values == [30.0] for r in hours)
    assert [r.expectation_type for r in res.critical_failed] == ["expect_column_values_to_be_unique"]


def test_missing_amount_only_flagged_when_the_rate_is_present() -> None:
    df = time_entries()
    df.loc[0, "billable_amount_reporting"] = None  # rate present: a break
    assert failures(df) == {("expect_column_values_to_not_be_null", "billable_amount_reporting", "warning")}


def test_billable_hours_above_hours_fails_the_pair_expectation() -> None:
    df = time_entries()
    df.loc[0, "billable_hours"] = 8.0
    res = validate_frame(SUITE, df)
    assert [(r.column, r.unexpected_values) for r in res.failed] == [("hours, billable_hours", [[7.5, 8.0]])]


def test_missing_column_is_reported_as_a_failure_with_the_error() -> None:
    res = validate_frame(SUITE, time_entries().drop(columns=["bill_rate"]))
    (failed,) = res.failed
    assert failed.column == "bill_rate" and failed.error and "bill_rate" in failed.error


def test_unknown_suite_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="marts.dim_client"):
        validate_frame("marts.nope", time_entries())


def test_narrow_integers_are_checked_as_64_bit_with_the_same_result() -> None:
    """DuckDB gives INTEGER columns as int32; GX's range check goes row by row in Python for them, so
    ``for_gx`` widens them first. An out-of-range value is reported the same either way."""
    import numpy as np

    from expectations.validate import for_gx

    df = time_entries()
    df["hours"] = np.array([7, 30, 2], dtype=np.int32)  # 30: more than a day
    df["billable_hours"] = np.array([7, 8, 0], dtype=np.int16)
    widened = for_gx(df)
    assert widened["hours"].dtype == np.int64 and widened["billable_hours"].dtype == np.int64
    assert widened["time_entry_id"].dtype == df["time_entry_id"].dtype  # other columns left as they are
    assert df["hours"].dtype == np.int32  # the caller's frame is not changed
    unchanged = time_entries()
    assert for_gx(unchanged) is unchanged  # nothing narrow: no copy
    hours = [r for r in validate_frame(SUITE, df).failed if r.column == "hours"]
    assert len(hours) == 2 and all(r.unexpected_values == [30] for r in hours)
    assert hours == [r for r in validate_frame(SUITE, widened).failed if r.column == "hours"]
