"""Validate a pandas frame against one of ``expectations.suites.SUITES`` with an ephemeral GX context.

GX has no DuckDB data source (docs: dagster-dbt-duckdb-gx-notes §2.3), so callers pull the mart with
``con.sql(...).df()`` (only ``suite_columns(name)`` are needed) and pass the frame here. The context, its
pandas data source and each suite's batch definition are created once per process (importing GX and
building a context is the slow part); a validation itself is a fraction of a second on xs.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx  # noqa: E402  (analytics must be off before the import)
import pandas as pd  # noqa: E402
from great_expectations.core.batch_definition import BatchDefinition  # noqa: E402
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402
from great_expectations.expectations.row_conditions import (  # noqa: E402
    AndCondition,
    ComparisonCondition,
    NullityCondition,
    OrCondition,
)

from expectations.suites import SUITES  # noqa: E402

#: How many unexpected values each failed expectation reports.
UNEXPECTED_SAMPLE = 5
_COLUMN_KWARGS = ("column", "column_A", "column_B")


@dataclass(frozen=True)
class ExpectationResult:
    """Outcome of one expectation: ``column`` is ``a, b`` for pair and compound expectations."""

    expectation_type: str
    column: str | None
    severity: str  # critical | warning | info
    success: bool
    unexpected_count: int | None
    unexpected_values: list[Any] = field(default_factory=list)
    error: str | None = None  # set when GX could not evaluate it (e.g. a missing column)


@dataclass(frozen=True)
class SuiteResult:
    suite_name: str
    row_count: int
    results: list[ExpectationResult]

    @property
    def success(self) -> bool:
        return all(r.success for r in self.results)

    @property
    def failed(self) -> list[ExpectationResult]:
        return [r for r in self.results if not r.success]

    @property
    def critical_failed(self) -> list[ExpectationResult]:
        return [r for r in self.failed if r.severity == "critical"]


def _condition_columns(cond: Any) -> Iterable[str]:
    if isinstance(cond, ComparisonCondition | NullityCondition):
        yield cond.column.name
    elif isinstance(cond, AndCondition | OrCondition):
        for c in cond.conditions:
            yield from _condition_columns(c)


def suite_columns(suite_name: str) -> list[str]:
    """Columns the suite reads (incl. row conditions), in first-use order: what to select from DuckDB."""
    cols: dict[str, None] = {}
    for exp in _suite_expectations(suite_name):
        for key in _COLUMN_KWARGS:
            if getattr(exp, key, None):
                cols[getattr(exp, key)] = None
        for col in getattr(exp, "column_list", None) or []:
            cols[col] = None
        for col in _condition_columns(getattr(exp, "row_condition", None)):
            cols[col] = None
    return list(cols)


def _suite_expectations(suite_name: str) -> list:
    try:
        return SUITES[suite_name]
    except KeyError:
        raise KeyError(f"no expectation suite {suite_name!r}; known: {', '.join(sorted(SUITES))}") from None


@cache
def _context() -> Any:
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    ctx.data_sources.add_pandas("throughline_marts")
    return ctx


@cache
def _suite_and_batch(suite_name: str) -> tuple[gx.ExpectationSuite, BatchDefinition]:
    expectations = _suite_expectations(suite_name)
    ctx = _context()
    suite = ctx.suites.add(gx.ExpectationSuite(name=suite_name, expectations=expectations))
    asset = ctx.data_sources.get("throughline_marts").add_dataframe_asset(suite_name)
    return suite, asset.add_batch_definition_whole_dataframe("whole")


def _plain(value: Any) -> Any:
    """JSON-friendly value (numpy scalars, tuples of pair expectations, NaN, timestamps)."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _error(exception_info: Any) -> str | None:
    infos = (
        [exception_info]
        if isinstance(exception_info, dict) and "raised_exception" in exception_info
        else (list(exception_info.values()) if isinstance(exception_info, dict) else [])
    )
    messages = [
        str(i.get("exception_message")) for i in infos if isinstance(i, dict) and i.get("raised_exception")
    ]
    return "; ".join(messages) or None


def _column(kwargs: dict[str, Any]) -> str | None:
    if "column_list" in kwargs:
        return ", ".join(kwargs["column_list"])
    if "column_A" in kwargs:
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    return kwargs.get("column")


def validate_frame(suite_name: str, df: pd.DataFrame) -> SuiteResult:
    """Run suite ``suite_name`` on ``df``; results come back in the order the suite declares them."""
    suite, batch_definition = _suite_and_batch(suite_name)
    order = {exp.id: i for i, exp in enumerate(suite.expectations)}
    res = batch_definition.get_batch(batch_parameters={"dataframe": df}).validate(
        suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": UNEXPECTED_SAMPLE}
    )
    out: list[tuple[int, ExpectationResult]] = []
    for r in res.results:
        cfg = r.expectation_config
        result = r.result or {}
        error = _error(r.exception_info)
        out.append(
            (
                order.get(cfg.id, len(order)),
                ExpectationResult(
                    expectation_type=cfg.type,
                    column=_column(cfg.kwargs),
                    severity=str(getattr(cfg.severity, "value", cfg.severity)),
                    success=bool(r.success) and error is None,
                    unexpected_count=result.get("unexpected_count"),
                    unexpected_values=[_plain(v) for v in result.get("partial_unexpected_list") or []],
                    error=error,
                ),
            )
        )
    out.sort(key=lambda p: p[0])
    return SuiteResult(suite_name=suite_name, row_count=len(df), results=[r for _, r in out])
