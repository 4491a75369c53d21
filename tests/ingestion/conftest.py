"""Fixtures for the ingestion tests: a tmp landing folder and a loader returning results and a reader."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from ingestion.contract import load_contract
from ingestion.load import FileResult, load_landing, load_object, new_load_id


class Loaded:
    """Results of one ``load_landing`` call, with a read helper on the same warehouse file."""

    def __init__(self, warehouse: Path, results: list[FileResult]) -> None:
        self.warehouse = warehouse
        self.results = results

    def by_file(self, suffix: str) -> FileResult:
        hits = [r for r in self.results if r.file.endswith(suffix)]
        assert len(hits) == 1, f"expected one result for {suffix}, got {[r.file for r in self.results]}"
        return hits[0]

    def sql(self, query: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(query, params or []).fetchall()


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    return tmp_path / "landing"


@pytest.fixture
def load(tmp_path: Path, landing: Path) -> Callable[[], Loaded]:
    warehouse = tmp_path / "warehouse.duckdb"

    def _load() -> Loaded:
        with duckdb.connect(str(warehouse)) as con:
            results = load_landing(con, landing)
        for r in results:
            assert r.rows_read == r.rows_loaded + r.rows_rejected, r
        return Loaded(warehouse, results)

    return _load


@pytest.fixture
def load_only(tmp_path: Path, landing: Path) -> Callable[..., Loaded]:
    """Like ``load``, for the named objects only (``"salesforce.account"``): no tables for the other ~40
    objects, so a test of one file's parsing takes a fraction of a full landing load."""
    warehouse = tmp_path / "warehouse.duckdb"

    def _load(*names: str) -> Loaded:
        objs = [load_contract(n.split(".")[0]).object(n.split(".")[1]) for n in names]
        load_id = new_load_id()
        with duckdb.connect(str(warehouse)) as con:
            results = [r for o in objs for r in load_object(con, landing, o, load_id)]
        for r in results:
            assert r.rows_read == r.rows_loaded + r.rows_rejected, r
        return Loaded(warehouse, results)

    return _load
