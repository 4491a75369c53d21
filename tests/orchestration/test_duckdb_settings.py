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


def _dev_profile(env: dict[str, str]) -> dict:
    """The dbt profile's DuckDB target, rendered as dbt renders it (``env_var`` from ``env``)."""
    import jinja2
    import yaml

    text = (Path(__file__).resolve().parents[2] / "dbt_project" / "profiles.yml").read_text()
    rendered = jinja2.Environment().from_string(text).render(env_var=lambda k, d=None: env.get(k, d))
    return yaml.safe_load(rendered)["throughline"]["outputs"]["dev"]


def test_dbt_keeps_working_after_duckdb_spilled(tmp_path: Path) -> None:
    """dbt-duckdb opens a cursor per node and re-runs the profile's ``settings`` on each as ``SET``s; DuckDB
    refuses ``SET temp_directory`` once it has spilled there, so every node after the first spill failed
    (an l incremental night, 2026-12-04). The limits are given when the database opens instead."""
    from dbt.adapters.duckdb.credentials import DuckDBCredentials
    from dbt.adapters.duckdb.environments.local import LocalEnvironment

    db = tmp_path / "w.duckdb"
    profile = _dev_profile({"THROUGHLINE_WAREHOUSE": str(db), MEMORY_LIMIT_ENV: "64MB"})
    creds = DuckDBCredentials(
        path=profile["path"], config_options=profile.get("config_options"), settings=profile.get("settings")
    )
    env = LocalEnvironment(creds)
    first = env.handle()
    rows = "select range as i, md5(range::varchar) as s from range(2000000)"
    first.cursor().execute(f"create table t as {rows}")
    first.cursor().execute("create table u as select * from t order by s")  # spills past 64 MB
    assert Path(f"{db}.tmp").exists(), "the sort spilled to the warehouse's spill folder"
    second = env.handle()  # the next node's cursor
    assert second.cursor().execute("select count(*) from u").fetchone() == (2000000,)
    first.close()
    second.close()
