"""The dbt docs site (model catalogue with columns, tests and lineage) beside a published warehouse.

``make demo`` calls ``build_dbt_docs`` after the nightly run so analysts can browse every mart's grain and
columns (docs/analysts.md). dbt reads the warehouse through a throwaway profile that opens the DuckDB file
READ_ONLY: building the docs never takes the write lock, so it can run next to analysts' read-only
connections. The output is ``<folder>/index.html`` (served by ``dbt docs serve`` or any static server) and
``<folder>/static_index.html`` (one self-contained file that opens straight from disk).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from orchestration.dbt_project import DBT_PROJECT_DIR, dbt_env, dbt_executable

#: Folder name of the docs site, beside the warehouse file.
DOCS_DIR_NAME = "dbt-docs"


class DbtDocsError(RuntimeError):
    """``dbt docs generate`` failed; the message holds dbt's own output and where its log is."""


def _read_only_profile(warehouse: Path, folder: Path) -> Path:
    """A ``profiles.yml`` for the ``throughline`` profile that opens ``warehouse`` read-only."""
    profile = {
        "throughline": {
            "target": "docs",
            "outputs": {
                "docs": {
                    "type": "duckdb",
                    "path": str(warehouse),
                    "schema": "main",
                    "threads": 1,
                    "config_options": {"access_mode": "READ_ONLY"},
                }
            },
        }
    }
    path = folder / "profiles.yml"
    path.write_text(yaml.safe_dump(profile), encoding="utf-8")
    return path


def build_dbt_docs(warehouse: Path, out: Path | None = None) -> Path:
    """Generate the dbt docs site for ``warehouse`` into ``out`` (default ``<warehouse dir>/dbt-docs``).

    Returns the path of ``static_index.html``. Raises ``DbtDocsError`` when dbt fails.
    """
    warehouse = Path(warehouse).resolve()
    out = Path(out or warehouse.parent / DOCS_DIR_NAME).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="throughline-dbt-docs-") as tmp:
        _read_only_profile(warehouse, Path(tmp))
        env = dbt_env(warehouse)
        env["DBT_LOG_PATH"] = str(out)
        result = subprocess.run(
            [
                dbt_executable(),
                "docs",
                "generate",
                "--static",
                "--quiet",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                tmp,
                "--target-path",
                str(out),
            ],
            cwd=DBT_PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    index = out / "static_index.html"
    if result.returncode != 0 or not index.exists():
        raise DbtDocsError(
            f"`dbt docs generate` for {warehouse} failed (exit {result.returncode}); see {out / 'dbt.log'}\n"
            f"{result.stdout}{result.stderr}".strip()
        )
    return index


def report_dbt_docs(warehouse: Path) -> Path | None:
    """Build the docs site beside ``warehouse`` and print where it is; a failure is one WARNING line."""
    if not warehouse.exists():
        return None
    try:
        index = build_dbt_docs(warehouse)
    except DbtDocsError as exc:
        print(f"WARNING: dbt docs not built: {str(exc).splitlines()[0]}", file=sys.stderr)
        return None
    print(f"  dbt docs   : {index}  (mart catalogue and lineage; see docs/analysts.md)")
    return index
