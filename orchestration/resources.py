"""Dagster resources: where the DuckDB warehouse and the landing folder are.

Both default to the demo layout and can be moved with environment variables, so ``dagster dev`` and
``throughline run`` see the same files.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import Field

DEFAULT_WAREHOUSE = "demo/warehouse.duckdb"
DEFAULT_LANDING = "demo/landing"


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file (env ``THROUGHLINE_WAREHOUSE``). One writer at a time: always close."""

    path: str = Field(
        default_factory=lambda: os.environ.get("THROUGHLINE_WAREHOUSE", DEFAULT_WAREHOUSE),
        description="DuckDB database file",
    )

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(self.path, read_only=read_only) as con:
            yield con


class LandingResource(dg.ConfigurableResource):
    """The landing folder ``<system>/<extract_date>/<file>`` (env ``THROUGHLINE_LANDING``)."""

    path: str = Field(
        default_factory=lambda: os.environ.get("THROUGHLINE_LANDING", DEFAULT_LANDING),
        description="landing folder with one sub-folder per source system",
    )

    @property
    def root(self) -> Path:
        return Path(self.path)
