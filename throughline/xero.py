"""Run the ERP checks E1-E4 on the real Xero ledger in ``../shared/external/xero`` (data nobody here shaped).

Separate from the nightly: the ledger's CSV files are loaded as text into ``raw_xero`` of a scratch DuckDB
file, then ``dbt build --select tag:xero --vars '{xero_enabled: true}'`` builds the minimal Xero staging
(models/staging/xero/) and ``recon_xero_breaks`` (models/reconciliation/xero/) into it. Without the var
those models and their source are disabled, so the nightly and its Dagster assets never see them.
``python -m throughline.xero [--folder DIR] [--warehouse FILE]`` prints the breaks found per check.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from orchestration.dbt_project import DBT_PROJECT_DIR, dbt_executable

#: ``../shared/external/xero`` beside the repository; ``THROUGHLINE_XERO_DIR`` points elsewhere (a worktree).
XERO_FOLDER = Path(
    os.environ.get("THROUGHLINE_XERO_DIR")
    or Path(__file__).resolve().parents[2] / "shared" / "external" / "xero"
)
#: raw_xero table -> file of the Fivetran seed export.
FILES = {
    "invoice": "xero_invoice_data.csv",
    "invoice_line_item": "xero_invoice_line_item_data.csv",
    "journal": "xero_journal_data.csv",
    "journal_line": "xero_journal_line_data.csv",
}


def load_raw(folder: Path, warehouse: Path) -> dict[str, int]:
    """Load each file as text (typing is staging's job) into raw_xero; return rows per table."""
    counts = {}
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema if not exists raw_xero")
        for table, name in FILES.items():
            path = folder / name
            if not path.exists():
                raise FileNotFoundError(
                    f"{path} is missing; the Xero folder must hold {', '.join(FILES.values())}"
                )
            con.execute(
                f"create or replace table raw_xero.{table} as "
                "select * from read_csv(?, header = true, all_varchar = true)",
                [str(path)],
            )
            counts[table] = int(con.execute(f"select count(*) from raw_xero.{table}").fetchone()[0])
    return counts


def build(warehouse: Path, target: Path) -> subprocess.CompletedProcess[str]:
    """``dbt build`` of the Xero models (and their tests) into ``warehouse``."""
    env = {**os.environ, "THROUGHLINE_WAREHOUSE": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    cmd = [
        dbt_executable(), "build", "--select", "tag:xero", "--vars", "{xero_enabled: true}",
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target),
    ]  # fmt: skip
    return subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)


def breaks_by_check(warehouse: Path) -> list[tuple[str, int, float]]:
    """(check_id, breaks, money at risk in the base currency) from the built ``recon_xero_breaks``."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        catalog, schema = con.execute(
            "select table_catalog, table_schema from information_schema.tables "
            "where table_name = 'recon_xero_breaks'"
        ).fetchone()
        rows = con.execute(
            "select check_id, count(*), coalesce(sum(amount_at_risk_reporting), 0) "
            f'from "{catalog}"."{schema}".recon_xero_breaks group by 1 order by 1'
        ).fetchall()
    return [(r[0], int(r[1]), float(r[2])) for r in rows]


def run(folder: Path, warehouse: Path) -> list[tuple[str, int, float]]:
    """Load, build, and return the breaks per check; raises RuntimeError with dbt's output when it fails."""
    load_raw(folder, warehouse)
    with tempfile.TemporaryDirectory(prefix="throughline-xero-") as target:
        done = build(warehouse, Path(target))
    if done.returncode != 0:
        raise RuntimeError(
            f"dbt build of the Xero models failed:\n{done.stdout[-4000:]}{done.stderr[-2000:]}"
        )
    return breaks_by_check(warehouse)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=XERO_FOLDER, help="the Xero CSV folder")
    parser.add_argument("--warehouse", type=Path, help="scratch DuckDB file (default: a temporary one)")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"throughline.xero: no Xero folder at {args.folder}; pass --folder", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="throughline-xero-") as tmp:
        warehouse = args.warehouse or Path(tmp) / "xero.duckdb"
        for check_id, n, risk in run(args.folder, warehouse):
            print(f"{check_id:<18} {n:>5} break(s)  {risk:>12,.2f} CAD at risk")
    return 0


if __name__ == "__main__":
    sys.exit(main())
