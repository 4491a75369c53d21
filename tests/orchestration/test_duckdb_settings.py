"""DuckDB's memory limit and spill folder reach the loader's connections (dbt reads the same variables)."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.duckdb_settings import MEMORY_LIMIT_ENV, TEMP_DIRECTORY_ENV, duckdb_config
from orchestration.resources import WarehouseResource


def test_defaults_and_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MEMORY_LIMIT_ENV, raising=False)
    monkeypatch.delenv(TEMP_DIRECTORY_ENV, raising=False)
    db = tmp_path / "w.duckdb"
    assert duckdb_config(db) == {"memory_limit": "3GB", "temp_directory": f"{db}.tmp"}
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "512MB")
    monkeypatch.setenv(TEMP_DIRECTORY_ENV, str(tmp_path / "spill"))
    assert duckdb_config(db) == {"memory_limit": "512MB", "temp_directory": str(tmp_path / "spill")}


def test_the_warehouse_connection_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "512MB")
    monkeypatch.setenv(TEMP_DIRECTORY_ENV, str(tmp_path / "spill"))
    with WarehouseResource(path=str(tmp_path / "w.duckdb")).connect() as con:
        limit, temp = con.execute(
            "select current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchall()[0]
    assert limit in ("488.2 MiB", "512.0 MB", "488.2MiB")
    assert temp == str(tmp_path / "spill")
