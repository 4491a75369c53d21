"""dbt fixtures: the mini firm built once per session (shared by xdist workers through a file lock)."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from dbt_mini_firm import load_mini_firm
from dbt_raw_fixtures import create_raw_tables, run_dbt
from session_builds import shared_build


def _cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    path = root / "throughline-dbt-cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def mini_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Warehouse with the raw tables, the mini firm's rows and a full ``dbt build`` (open read-only)."""
    cache = _cache(tmp_path_factory)
    warehouse = cache / "mini.duckdb"
    with shared_build(cache / "mini.lock", "mini_warehouse"):
        if not (cache / "mini.done").exists():
            warehouse.unlink(missing_ok=True)
            create_raw_tables(warehouse)
            with duckdb.connect(str(warehouse)) as con:
                load_mini_firm(con)
            # only the core marts and their parents: other layers are tested by their own suites
            run_dbt(
                ["build", "-s", "+path:models/marts/core", "--indirect-selection", "cautious"],
                warehouse,
                cache / "target",
            )
            (cache / "mini.done").write_text("ok")
    return warehouse
