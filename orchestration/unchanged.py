"""Nothing new landed, nothing changed in the dbt project: nothing is rebuilt and nothing is published.

A re-run of a night already loaded used to rebuild every model and republish an identical warehouse (63 % of
a full build at scale l, issue 10). The nightly now skips dbt (and, because every step after it waits on
dbt's assets, the checks, the publish and the report) when all of these hold:

* the run loaded nothing: this run wrote no row in ``raw.load_log`` except folders still waiting for their
  completion marker (a rejected, empty or reloaded file is news, and goes the usual way);
* the build's last dbt build (``ops.dbt_builds``, written after every dbt build of all models that raised
  no model error, published only with its build) was made from the same dbt project: same models, macros,
  tests, snapshots, seeds and ``dbt_project.yml`` (:func:`project_fingerprint`);
* the run selects every dbt asset (a subset launched from the UI is a deliberate rebuild);
* ``THROUGHLINE_SKIP_UNCHANGED`` is not ``0`` (set it to rebuild anyway, e.g. to prove a rebuild is
  identical).

The published warehouse is then left exactly as it was (same file, same modification time).

``throughline run`` asks first, before Dagster starts (:func:`landing_unchanged`): when every file of the
landing is already in ``raw.loaded_files`` with its marker's SHA-256 and the project is unchanged, there is
no run at all (seconds instead of minutes; nothing is recorded in the Dagster run history).
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingestion.landing import LandedFile, folder_files, scan_landing
from ingestion.status import LoadStatus
from orchestration.dbt_project import DBT_PROJECT_DIR

SKIP_ENV = "THROUGHLINE_SKIP_UNCHANGED"
#: When the nightly runs dbt unit tests: ``auto`` (default), ``always``, ``never`` (:func:`unit_tests_due`).
UNIT_TESTS_ENV = "THROUGHLINE_DBT_UNIT_TESTS"
UNIT_TESTS_MODES = ("auto", "always", "never")
#: dbt threads (``dbt_project/profiles.yml``); unset: one, two on a first build (:func:`first_build_threads`).
THREADS_ENV = "THROUGHLINE_DBT_THREADS"
FIRST_BUILD_THREADS = 2
STATE_TABLE = "ops.dbt_builds"
#: What the models compute from (profiles.yml only says where and with how much memory).
PROJECT_GLOBS = (
    "dbt_project.yml",
    "models/**/*",
    "macros/**/*",
    "tests/**/*",
    "snapshots/**/*",
    "seeds/**/*",
)
#: Load-log statuses that are not news: a folder still waiting for its marker is logged every night.
QUIET_STATUSES = (LoadStatus.WAITING,)


def skip_enabled() -> bool:
    return os.environ.get(SKIP_ENV, "1").strip() != "0"


def project_fingerprint(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """sha256 over the path and content of every file the models are built from."""
    digest = hashlib.sha256()
    files = sorted({p for g in PROJECT_GLOBS for p in project_dir.glob(g) if p.is_file()})
    for path in files:
        digest.update(str(path.relative_to(project_dir)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    rows = con.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?", [schema, table]
    ).fetchall()
    return bool(rows[0][0])


def loaded_anything(con: duckdb.DuckDBPyConnection, load_id: str) -> bool:
    """True when this load wrote a load-log row that is news (anything but a folder still waiting)."""
    if not _has_table(con, "raw", "load_log"):
        return True  # never loaded before: a first night
    rows = con.execute(
        "select count(*) from raw.load_log where load_id = ? and status not in (select unnest(?))",
        [load_id, [str(s) for s in QUIET_STATUSES]],
    ).fetchall()
    return bool(rows[0][0])


def last_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """The dbt project fingerprint of the last dbt build in this file, None when there was none."""
    if not _has_table(con, "ops", "dbt_builds"):
        return None
    rows = con.execute(f"select fingerprint from {STATE_TABLE} order by built_at desc limit 1").fetchall()
    return rows[0][0] if rows else None


def unit_tests_due(con: duckdb.DuckDBPyConnection, fingerprint: str) -> bool:
    """Whether this night's ``dbt build`` runs the unit tests as well as models and data tests.

    Unit tests check the definitions on fixed, hand-computed inputs: they depend on the project's code, not
    on the night's data, so re-running them against unchanged code proves nothing new (dbt Labs advise
    against running them in production builds). ``auto`` runs them when the project differs from the one
    the warehouse's last dbt build was made from (a first night, a changed model, macro or test), so a
    changed definition is still verified before its figures are published, and skips them otherwise (about
    40 % of the dbt step at scale xs). ``always`` and ``never`` force the choice; ``make test`` runs every
    unit test.
    """
    mode = os.environ.get(UNIT_TESTS_ENV, "auto").strip().lower() or "auto"
    if mode not in UNIT_TESTS_MODES:
        raise ValueError(f"{UNIT_TESTS_ENV}={mode!r}: use one of {', '.join(UNIT_TESTS_MODES)}")
    if mode != "auto":
        return mode == "always"
    return last_fingerprint(con) != fingerprint


def first_build_threads(con: duckdb.DuckDBPyConnection) -> int | None:
    """dbt threads for this build when they differ from the profile's, else None.

    A warehouse's first build makes every model from empty, the facts and their deletion checks whole: two
    threads let one model's DuckDB work overlap another's Python (dbt's compiling and events), and the dbt
    step of a first night fell 148 s -> 116 s at scale l and 335 s -> 273 s at xl, within the xl memory
    target (docs/performance.md, item 40). A nightly's models are small and mostly Python, which
    the GIL serialises: there one thread was as fast (l: 64 s against 69 s with two), and one model at a
    time leaves DuckDB every core and the whole memory limit. ``THROUGHLINE_DBT_THREADS``, when set, is
    used for every build.
    """
    if os.environ.get(THREADS_ENV, "").strip() or last_fingerprint(con) is not None:
        return None
    threads = min(FIRST_BUILD_THREADS, os.cpu_count() or 1)
    return threads if threads > 1 else None


def unchanged_reason(con: duckdb.DuckDBPyConnection, load_id: str, fingerprint: str) -> str | None:
    """Why this run need not rebuild (one line), or None when it must."""
    if not skip_enabled() or loaded_anything(con, load_id):
        return None
    if last_fingerprint(con) != fingerprint:
        return None
    return "no new extract file was loaded and the dbt project is unchanged since the published build"


def record_build(con: duckdb.DuckDBPyConnection, run_id: str, fingerprint: str) -> None:
    """Remember that this build's models were built from ``fingerprint`` (published with the build)."""
    con.execute("create schema if not exists ops")
    con.execute(
        f"create table if not exists {STATE_TABLE} "
        "(run_id varchar not null, fingerprint varchar not null, built_at timestamp not null)"
    )
    con.execute(
        f"comment on table {STATE_TABLE} is 'One row per dbt build of this warehouse: the run and the sha256 "
        "of the dbt project it was built from (orchestration/unchanged.py)'"
    )
    con.execute(
        f"insert into {STATE_TABLE} values (?, ?, ?)",
        [run_id, fingerprint, datetime.now(UTC).replace(tzinfo=None)],
    )


def _landed_files(landing: Path) -> list[LandedFile] | None:
    """Every file of the landing when every folder is complete and every file is plainly loadable, else
    None (a folder waiting, a refused, unlisted, missing or unknown file: let the loader log it)."""
    folders = scan_landing(landing)
    if not folders or not all(f.complete for f in folders):
        return None
    files = [lf for folder in folders for lf in folder_files(landing, folder)]
    if any(lf.refused or lf.obj is None or not lf.on_disk or lf.marker_entry is None for lf in files):
        return None
    return files


def landing_unchanged(landing: Path, warehouse: Path) -> str | None:
    """Before starting the Dagster job at all: why the night has nothing to do, or None.

    True only when every file of every extract folder was loaded into ``warehouse`` with the SHA-256 its
    marker lists (``raw.loaded_files``), each file on disk has its marker's byte count, and the dbt project
    is unchanged. It trusts the marker instead of re-hashing every file (the loader would hash them all,
    11 GB at xl); a file edited in place without changing its size is only seen by a run the marker or a new
    folder triggers (or ``THROUGHLINE_SKIP_UNCHANGED=0``).
    """
    if not skip_enabled() or not warehouse.is_file():
        return None
    files = _landed_files(landing)
    if not files:
        return None
    sizes_match = all(lf.path.stat().st_size == (lf.marker_entry or {}).get("bytes") for lf in files)
    if not sizes_match:
        return None
    with duckdb.connect(str(warehouse), read_only=True) as con:
        if not _has_table(con, "raw", "loaded_files") or last_fingerprint(con) != project_fingerprint():
            return None
        loaded = set(con.execute("select file, sha256 from raw.loaded_files").fetchall())
    if any((lf.rel_path, (lf.marker_entry or {}).get("sha256")) not in loaded for lf in files):
        return None
    return (
        f"all {len(files)} files of the landing were loaded before "
        "and the dbt project is unchanged since the published build"
    )
