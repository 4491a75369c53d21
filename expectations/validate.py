"""Validate a pandas frame against one of ``expectations.suites.SUITES`` with an ephemeral GX context.

GX has no DuckDB data source (docs: dagster-dbt-duckdb-gx-notes §2.3), so callers pull the table with
``con.sql(...).df()`` (only ``suite_columns(name)`` are needed) and pass the frame here. The context, its
pandas data source and each suite's validation definition are created once per process (importing GX and
building a context is the slow part); a validation itself is a fraction of a second on xs. Each validation
runs through a GX ``ValidationDefinition``, so its result is kept in the context's results store and
``publish_data_docs`` can render every validation of the process as GX Data Docs (static HTML).
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx  # noqa: E402  (analytics must be off before the import)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402
from great_expectations.expectations.row_conditions import (  # noqa: E402
    AndCondition,
    ComparisonCondition,
    NullityCondition,
    OrCondition,
)

from expectations.catalog import SPEC_BY_NAME  # noqa: E402
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
    #: Index columns (``SuiteSpec.index_columns``) of the first unexpected rows, e.g. which extract.
    unexpected_index: list[dict[str, Any]] = field(default_factory=list)
    observed_value: Any = None  # what an aggregate expectation measured (e.g. a distinct-value count)


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
def _validation(suite_name: str) -> gx.ValidationDefinition:
    expectations = _suite_expectations(suite_name)
    ctx = _context()
    suite = ctx.suites.add(gx.ExpectationSuite(name=suite_name, expectations=expectations))
    asset = ctx.data_sources.get("throughline_marts").add_dataframe_asset(suite_name)
    batch_definition = asset.add_batch_definition_whole_dataframe("whole")
    return ctx.validation_definitions.add(
        gx.ValidationDefinition(name=suite_name, data=batch_definition, suite=suite)
    )


def _result_format(suite_name: str, df: pd.DataFrame) -> dict[str, Any]:
    fmt: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": UNEXPECTED_SAMPLE}
    spec = SPEC_BY_NAME.get(suite_name)
    index = [c for c in (spec.index_columns if spec else ()) if c in df.columns]
    if index:
        fmt["unexpected_index_column_names"] = index
    return fmt


def publish_data_docs(folder: Path) -> Path:
    """Render every validation this process ran (and every suite) as GX Data Docs in ``folder``.

    Returns the site's ``index.html``. The folder is a static site: open the file, no server needed.
    """
    folder = Path(folder).resolve()
    ctx = _context()
    name = "throughline_" + hashlib.sha1(str(folder).encode()).hexdigest()[:12]  # one site per folder
    if name not in (ctx.get_site_names() or []):
        ctx.add_data_docs_site(
            site_name=name,
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(folder)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    ctx.build_data_docs(site_names=[name])
    return folder / "index.html"


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


def _index(result: dict[str, Any], column: str | None) -> list[dict[str, Any]]:
    rows = result.get("partial_unexpected_index_list") or []
    return [{k: _plain(v) for k, v in r.items() if k != column} for r in rows if isinstance(r, dict)]


def for_gx(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its integer columns as 64-bit integers, the dtype GX's pandas range check
    (``expect_column_values_to_be_between``) compares column-wise. DuckDB gives an INTEGER column as int32,
    and for any dtype but int64 and float64 GX calls a Python function per row: 0.2 s of the xl night's 465 K
    open AR items (their aging bucket order). Values and results are unchanged; other columns are left as
    they are."""
    narrow = [
        name
        for name, dtype in df.dtypes.items()
        if isinstance(dtype, np.dtype) and dtype.kind in "iu" and dtype != np.int64 and dtype != np.uint64
    ]
    if not narrow:
        return df
    return df.astype({name: np.int64 for name in narrow})


def validate_frame(suite_name: str, df: pd.DataFrame) -> SuiteResult:
    """Run suite ``suite_name`` on ``df``; results come back in the order the suite declares them."""
    df = for_gx(df)
    validation = _validation(suite_name)
    order = {exp.id: i for i, exp in enumerate(validation.suite.expectations)}
    res = validation.run(batch_parameters={"dataframe": df}, result_format=_result_format(suite_name, df))
    out: list[tuple[int, ExpectationResult]] = []
    for r in res.results:
        cfg = r.expectation_config
        result = r.result or {}
        error = _error(r.exception_info)
        column = _column(cfg.kwargs)
        out.append(
            (
                order.get(cfg.id, len(order)),
                ExpectationResult(
                    expectation_type=cfg.type,
                    column=column,
                    severity=str(getattr(cfg.severity, "value", cfg.severity)),
                    success=bool(r.success) and error is None,
                    unexpected_count=result.get("unexpected_count"),
                    unexpected_values=[_plain(v) for v in result.get("partial_unexpected_list") or []],
                    error=error,
                    unexpected_index=_index(result, column),
                    observed_value=_plain(result.get("observed_value")),
                ),
            )
        )
    out.sort(key=lambda p: p[0])
    return SuiteResult(suite_name=suite_name, row_count=len(df), results=[r for _, r in out])
