"""Run the Xero models on the real Xero ledger in ``../shared/external/xero`` (data nobody here shaped).

The folder holds Fivetran's dbt_xero seed export (``xero_<table>_data.csv``). ``land`` copies the files the
Xero contract (ingestion/contracts/xero.yml) declares into a landing folder as one full extract, under the
contract's file names and with its completion marker; ``throughline run --landing DIR`` (or
``ingestion.load.load_landing``) then loads them like any other extract. ``python -m throughline.xero``
does that into a scratch warehouse, builds the Xero staging and ``recon_xero_breaks`` (tag xero, with
``THROUGHLINE_ERP=xero``) and prints the breaks found per check.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from ingestion.contract import COMPLETION_MARKER, load_contract
from ingestion.load import FileResult, load_landing
from orchestration.dbt_project import DBT_PROJECT_DIR, dbt_env, dbt_executable

#: ``../shared/external/xero`` beside the repository; ``THROUGHLINE_XERO_DIR`` points elsewhere (a worktree).
XERO_FOLDER = Path(
    os.environ.get("THROUGHLINE_XERO_DIR")
    or Path(__file__).resolve().parents[2] / "shared" / "external" / "xero"
)
#: Extract date the sample is landed under (the day after its newest journal).
SAMPLE_NIGHT = "2021-03-06"


def sample_file(folder: Path, contract_file: str) -> Path:
    """The seed export's name for a contract file: ``invoice.csv`` -> ``xero_invoice_data.csv``."""
    return folder / f"xero_{contract_file.removesuffix('.csv')}_data.csv"


def _stats(path: Path) -> dict[str, object]:
    data = path.read_bytes()
    rows = len([ln for ln in data.split(b"\n") if ln.strip()]) - 1
    return {"rows": rows, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


#: Contract objects Fivetran's seed export has no file for (quotes: the sample has no contracts); left out.
NOT_IN_SEEDS = ("quote", "quote_line_item")


def land(folder: Path, landing: Path, night: str = SAMPLE_NIGHT) -> Path:
    """Copy every contract file of the seed export into ``landing/xero/<night>/`` with its marker.

    Raises FileNotFoundError naming the first contract file the folder lacks (but those of NOT_IN_SEEDS)."""
    extract = landing / "xero" / night
    extract.mkdir(parents=True, exist_ok=True)
    for obj in load_contract("xero").objects:
        source = sample_file(folder, obj.file)
        if not source.exists() and obj.name in NOT_IN_SEEDS:
            continue
        if not source.exists():
            raise FileNotFoundError(f"{source} is missing; the Xero folder must hold Fivetran's seed export")
        (extract / obj.file).write_bytes(source.read_bytes())
    files = {p.name: _stats(p) for p in sorted(extract.glob("*.csv"))}
    marker = {"system": "xero", "extract_date": night, "extract_type": "full"}
    marker |= {"created_at": f"{night}T02:00:00Z", "files": files}
    (extract / COMPLETION_MARKER).write_text(json.dumps(marker))
    return extract


def load(folder: Path, warehouse: Path, landing: Path) -> list[FileResult]:
    """Land the seed export and load it into ``warehouse``; the Xero files' load results."""
    land(folder, landing)
    with duckdb.connect(str(warehouse)) as con:
        return [r for r in load_landing(con, landing) if r.file.startswith("xero/")]


def build(
    warehouse: Path, target: Path, select: str = "tag:xero", command: str = "build"
) -> subprocess.CompletedProcess[str]:
    """``dbt build`` (or ``command``) of ``select`` (default: the Xero models and their tests) into
    ``warehouse``, as a firm whose ERP is Xero."""
    env = {**dbt_env(warehouse), "THROUGHLINE_ERP": "xero"}
    cmd = [
        dbt_executable(), command, "--select", *select.split(), "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target),
    ]  # fmt: skip
    return subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)


def breaks_by_check(warehouse: Path) -> list[tuple[str, int, float]]:
    """(check_id, breaks, money at risk in the base currency) from the built ``recon_xero_breaks``."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select check_id, count(*), coalesce(sum(amount_at_risk_reporting), 0) "
            "from reconciliation.recon_xero_breaks group by 1 order by 1"
        ).fetchall()
    return [(r[0], int(r[1]), float(r[2])) for r in rows]


def run(folder: Path, warehouse: Path) -> list[tuple[str, int, float]]:
    """Land, load, build, and return the breaks per check; RuntimeError with dbt's output when it fails."""
    with tempfile.TemporaryDirectory(prefix="throughline-xero-") as tmp:
        load(folder, warehouse, Path(tmp) / "landing")
        done = build(warehouse, Path(tmp) / "target")
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
        found = run(args.folder, warehouse)
        for check_id, n, risk in found:
            print(f"{check_id:<18} {n:>5} break(s)  {risk:>12,.2f} at risk (base currency)")
        if not found:
            print("E1-E4: no break on this ledger")
    return 0


if __name__ == "__main__":
    sys.exit(main())
