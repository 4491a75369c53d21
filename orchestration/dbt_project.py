"""The dbt project as Dagster sees it, and the manifest that ``@dbt_assets`` is built from.

A fresh clone has no ``dbt_project/target/``; ``ensure_manifest()`` runs ``dbt parse`` (no database
connection needed) when the manifest is missing or older than any model, macro or YAML file, under a file
lock so parallel test workers do not parse twice at once.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

#: Env vars that pick the firm's source systems over dbt var ``source_systems`` (docs/sources/). A firm
#: that sets one gets its own target folder, so the manifest Dagster builds its assets from always holds
#: the staging of the systems being run (dbt enables only those).
SYSTEM_ENV_VARS = ("THROUGHLINE_CRM", "THROUGHLINE_ERP", "THROUGHLINE_PSA")


def systems_target_path() -> Path:
    """``target`` for the default systems, ``target/systems-crm-hubspot`` (etc.) when env picks others."""
    chosen = [
        f"{name.removeprefix('THROUGHLINE_').lower()}-{os.environ[name].strip().lower()}"
        for name in SYSTEM_ENV_VARS
        if os.environ.get(name, "").strip()
    ]
    return Path("target") / ("systems-" + "-".join(chosen)) if chosen else Path("target")


DBT_PROJECT = DbtProject(
    project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=systems_target_path()
)
MANIFEST_PATH: Path = DBT_PROJECT.manifest_path

#: Files whose change makes the manifest stale.
_PROJECT_GLOBS = (
    "dbt_project.yml",
    "profiles.yml",
    "models/**/*",
    "macros/**/*",
    "tests/**/*",
    "snapshots/**/*",
)


#: dbt engine (profiles.yml target) by ``THROUGHLINE_ENGINE``: the same project, models and Definitions on
#: DuckDB (default) or Apache Spark (docs/scale-out.md).
ENGINE_ENV = "THROUGHLINE_ENGINE"
ENGINE_TARGETS = {"duckdb": "dev", "spark": "spark"}
#: Where the Spark target keeps its metastore, tables and the raw layer's Parquet (profiles.yml).
SPARK_DIR_ENV = "THROUGHLINE_SPARK_DIR"
#: The raw layer's Parquet export that dbt registers on Spark (macros/spark_raw.sql).
SPARK_RAW_ENV = "THROUGHLINE_SPARK_RAW"


def engine() -> str:
    """``THROUGHLINE_ENGINE`` (``duckdb`` or ``spark``, default ``duckdb``); anything else is an error."""
    value = os.environ.get(ENGINE_ENV, "").strip().lower() or "duckdb"
    if value not in ENGINE_TARGETS:
        raise ValueError(
            f"{ENGINE_ENV}={value!r}: expected one of {', '.join(ENGINE_TARGETS)} (default duckdb)"
        )
    return value


def dbt_target() -> str:
    """The profiles.yml target of the selected engine."""
    return ENGINE_TARGETS[engine()]


def spark_dir(warehouse: Path) -> Path:
    """The Spark target's folder: ``THROUGHLINE_SPARK_DIR``, else ``<published warehouse>.spark``."""
    configured = os.environ.get(SPARK_DIR_ENV, "").strip()
    if configured:
        return Path(configured).resolve()
    published = Path(warehouse).resolve()
    return published.with_name(published.name + ".spark")


def parse_state_variant() -> str:
    """What dbt's parse state depends on besides the project's files, as a folder name: the engine's target
    and the chosen source systems (``""`` for DuckDB and the default systems; dbt_parse_state)."""
    systems = systems_target_path().name
    parts = [] if dbt_target() == ENGINE_TARGETS["duckdb"] else [dbt_target()]
    return "-".join(parts + ([systems] if systems != "target" else []))


def venv_dbt() -> Path:
    """Where the venv's ``dbt`` is: next to the running interpreter."""
    return Path(sys.executable).parent / "dbt"


def dbt_executable() -> str:
    """The ``dbt`` next to the running interpreter (the venv), else the one on PATH."""
    candidate = venv_dbt()
    if candidate.exists():
        return str(candidate)
    found = shutil.which("dbt")
    if not found:
        raise FileNotFoundError("dbt executable not found next to the Python interpreter or on PATH")
    return found


def dbt_env(warehouse: Path | None = None) -> dict[str, str]:
    """Environment for a dbt subprocess: no telemetry, the venv on PATH, optionally the warehouse path."""
    env = dict(os.environ)
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    if warehouse is not None:
        env["THROUGHLINE_WAREHOUSE"] = str(Path(warehouse).resolve())
    return env


def _newest_source_mtime() -> float:
    mtimes = [p.stat().st_mtime for g in _PROJECT_GLOBS for p in DBT_PROJECT_DIR.glob(g) if p.is_file()]
    return max(mtimes, default=0.0)


def manifest_is_stale() -> bool:
    return not MANIFEST_PATH.exists() or MANIFEST_PATH.stat().st_mtime < _newest_source_mtime()


def prepare_manifest() -> Path:
    """Run ``dbt parse`` to (re)write ``dbt_project/target/manifest.json``; return its path."""
    MANIFEST_PATH.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--quiet",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(DBT_PROJECT_DIR / DBT_PROJECT.target_path),
        ],
        cwd=DBT_PROJECT_DIR,
        env=dbt_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not MANIFEST_PATH.exists():
        raise RuntimeError(
            f"`dbt parse` in {DBT_PROJECT_DIR} failed (exit {result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return MANIFEST_PATH


def ensure_manifest() -> Path:
    """Parse only when the manifest is missing or stale; safe to call from parallel processes."""
    if not manifest_is_stale():
        return MANIFEST_PATH
    MANIFEST_PATH.parent.mkdir(parents=True, exist_ok=True)
    with (MANIFEST_PATH.parent / ".parse.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if manifest_is_stale():
                prepare_manifest()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return MANIFEST_PATH
