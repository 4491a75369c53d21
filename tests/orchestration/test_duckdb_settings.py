"""DuckDB's memory limit and spill folder reach the loader's connections (dbt reads the same variables)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.duckdb_settings import (
    MEMORY_LIMIT_ENV,
    PARENT_RESERVE,
    TEMP_DIRECTORY_ENV,
    child_limit,
    child_limit_env,
    duckdb_config,
    size_bytes,
)
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


@pytest.mark.parametrize(
    ("size", "expected"),
    [("3GB", 3 * 10**9), ("512 MiB", 512 * 2**20), ("2.5GiB", int(2.5 * 2**30)), ("4096", 4096)],
)
def test_sizes_are_read_as_duckdb_reads_them(size: str, expected: int) -> None:
    assert size_bytes(size) == expected


def test_a_percentage_is_of_this_machines_memory_and_a_bad_size_is_named() -> None:
    import psutil

    assert size_bytes("50%") == psutil.virtual_memory().total // 2
    with pytest.raises(ValueError, match="THROUGHLINE_DUCKDB_MEMORY_LIMIT='3 gigs': use a DuckDB size"):
        size_bytes("3 gigs")


def test_dbt_gets_the_limit_less_the_dagster_process_reserve(monkeypatch: pytest.MonkeyPatch) -> None:
    """dbt runs beside the Dagster process: together they stay near the one limit (docs/performance.md)."""
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "3GB")
    assert child_limit() == f"{(3 * 10**9 - PARENT_RESERVE) >> 20}MiB" == "2093MiB"
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "1GB")
    assert child_limit() == f"{10**9 // 2 >> 20}MiB"  # never under half the limit
    monkeypatch.delenv(MEMORY_LIMIT_ENV)
    assert child_limit_env() == {MEMORY_LIMIT_ENV: "2093MiB"}  # the default, 3GB
    with duckdb.connect(config={"memory_limit": child_limit()}) as con:  # a size DuckDB takes
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == "2.0 GiB"


def test_dbts_limit_does_not_move_with_the_dagster_processs_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """The limit is in dbt's profile, and the profile is part of dbt's parse state: a limit that followed the
    parent's resident memory changed every night and made dbt parse the whole project (the benchmark's
    incremental night said "Unable to do partial parsing because profile has changed")."""
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "3GB")
    first = _dev_profile({"THROUGHLINE_WAREHOUSE": "w.duckdb", **child_limit_env()})
    ballast = b"x" * (64 << 20)  # the Dagster process holds 64 MiB more tonight (pages written)
    second = _dev_profile({"THROUGHLINE_WAREHOUSE": "w.duckdb", **child_limit_env()})
    assert ballast and first == second


def test_the_dbt_asset_hands_dbt_its_share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from orchestration.assets.dbt import _warehouse_env

    monkeypatch.setenv(MEMORY_LIMIT_ENV, "3GB")
    with _warehouse_env(tmp_path / "w.duckdb"):
        inside = os.environ[MEMORY_LIMIT_ENV]
        profile = _dev_profile(dict(os.environ))
    assert inside.endswith("MiB") and int(inside.removesuffix("MiB")) < 3 * 10**9 >> 20
    assert profile["config_options"]["memory_limit"] == inside
    assert os.environ[MEMORY_LIMIT_ENV] == "3GB"  # restored after the block


def test_dbt_writes_no_debug_log_file_into_the_target_folder_it_loses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run's dbt target folder (and dagster-dbt's DBT_LOG_PATH in it) is removed after the step, so dbt
    is told not to write its debug log there; an operator's own DBT_LOG_LEVEL_FILE is kept."""
    import os

    from orchestration.assets.dbt import DBT_FILE_LOG_ENV, _warehouse_env

    monkeypatch.delenv(DBT_FILE_LOG_ENV, raising=False)
    with _warehouse_env(tmp_path / "w.duckdb"):
        assert os.environ[DBT_FILE_LOG_ENV] == "none"
    assert DBT_FILE_LOG_ENV not in os.environ  # restored after the block
    monkeypatch.setenv(DBT_FILE_LOG_ENV, "debug")
    with _warehouse_env(tmp_path / "w.duckdb"):
        assert os.environ[DBT_FILE_LOG_ENV] == "debug"


def test_every_connection_the_nightlys_assets_open_is_bounded() -> None:
    """The night's memory target holds only if no step opens DuckDB with its default limit (80 % of the
    machine): each ``duckdb.connect`` in the assets passes ``duckdb_config``, except the publish check,
    which opens the published file as an analyst would."""
    import re

    assets = Path(__file__).resolve().parents[2] / "orchestration" / "assets"
    unbounded = [
        f"{path.name}: {call.strip()}"
        for path in sorted(assets.glob("*.py"))
        for call in re.findall(r"duckdb\.connect\([^\n]*", path.read_text())
        if "config=" not in call and not (path.name == "publish.py" and "published" in call)
    ]
    assert unbounded == []
