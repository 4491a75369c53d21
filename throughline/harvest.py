"""Harvest as the PSA: land an Airbyte Harvest record stream and build the PSA side from it.

``convert`` turns Airbyte's source-harvest output (one ``{"stream", "data", "emitted_at"}`` record per line,
as in ``../shared/external/harvest/expected_records.jsonl``) into the landing layout the contract
``ingestion/contracts/harvest.yml`` declares: ``landing/harvest/<extract date>/<stream>.jsonl`` holding each
record's ``data`` unchanged, one per line, plus the ``_SUCCESS.json`` marker. Streams the contract does not
declare (estimates, messages, categories, ...) are skipped and counted. ``run`` loads that landing into a
scratch warehouse with the ordinary loader and builds the models with ``source_systems.psa = harvest``.

``python -m throughline.harvest [--records FILE] [--warehouse FILE] [--as-of YYYY-MM-DD] [--no-approval]``
prints the utilization, margin and PSA breaks of the account; exit code 2 when the records file is missing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from ingestion.contract import COMPLETION_MARKER, load_contract
from ingestion.load import load_landing
from ingestion.warehouse import ensure_warehouse

#: ``../shared/external/harvest`` beside the repository; ``THROUGHLINE_HARVEST_DIR`` points elsewhere.
HARVEST_FOLDER = Path(
    os.environ.get("THROUGHLINE_HARVEST_DIR")
    or Path(__file__).resolve().parents[2] / "shared" / "external" / "harvest"
)
RECORDS_FILE = "expected_records.jsonl"
#: What the sample build selects: the PSA side through utilization, margin and the PSA break family.
SELECTION = "+kpi_utilization_monthly +kpi_project_margin_monthly +recon_psa_hygiene"


def convert(records: Path, landing: Path, extract_date: date) -> dict[str, int]:
    """Write one extract folder of the contract's streams; return rows per stream (skipped ones as ``-n``)."""
    contract = load_contract("harvest")
    wanted = {o.name: o.file for o in contract.objects}
    lines: dict[str, list[str]] = {name: [] for name in wanted}
    skipped: Counter[str] = Counter()
    with records.open(encoding="utf-8") as fh:
        for raw in fh:
            if not raw.strip():
                continue
            record = json.loads(raw)
            stream = record.get("stream")
            if stream in wanted:
                lines[stream].append(json.dumps(record["data"], ensure_ascii=False))
            else:
                skipped[str(stream)] += 1
    folder = landing / "harvest" / extract_date.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for stream, rows in lines.items():
        body = "".join(f"{r}\n" for r in rows).encode("utf-8")
        (folder / wanted[stream]).write_bytes(body)
        files[wanted[stream]] = {
            "rows": len(rows),
            "bytes": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
        }
    marker = {
        "system": "harvest",
        "extract_date": extract_date.isoformat(),
        "extract_type": "full",
        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "files": files,
    }
    (folder / COMPLETION_MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")
    return {**{s: len(r) for s, r in lines.items()}, **{s: -n for s, n in skipped.items()}}


def load(landing: Path, warehouse: Path) -> dict[str, tuple[str, int, int]]:
    """Load the landing into ``warehouse`` with the ordinary loader: (status, loaded, rejected) per file."""
    with duckdb.connect(str(warehouse)) as con:
        ensure_warehouse(con)
        results = load_landing(con, landing)
    return {r.file: (str(r.status), r.rows_loaded, r.rows_rejected) for r in results if r.system == "harvest"}


def build(warehouse: Path, target: Path, dbt_vars: dict[str, object]) -> subprocess.CompletedProcess[str]:
    """``dbt build`` of the PSA side with Harvest as the PSA (env THROUGHLINE_PSA=harvest). Tests that need a
    model outside the selection (e.g. relationships to CRM/ERP dims) are left out (cautious selection)."""
    from orchestration.dbt_project import DBT_PROJECT_DIR, dbt_executable

    env = {
        **os.environ,
        "THROUGHLINE_WAREHOUSE": str(warehouse),
        "THROUGHLINE_PSA": "harvest",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    cmd = [
        dbt_executable(), "build", "--select", *SELECTION.split(), "--indirect-selection", "cautious",
        "--vars", json.dumps(dbt_vars),
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target),
    ]  # fmt: skip
    return subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)


def run(records: Path, warehouse: Path, extract_date: date, dbt_vars: dict[str, object]) -> None:
    """Convert, load and build; raises RuntimeError with dbt's output when the build fails."""
    with tempfile.TemporaryDirectory(prefix="throughline-harvest-") as tmp:
        convert(records, Path(tmp) / "landing", extract_date)
        load(Path(tmp) / "landing", warehouse)
        done = build(warehouse, Path(tmp) / "target", dbt_vars)
    if done.returncode != 0:
        raise RuntimeError(
            f"dbt build with Harvest as the PSA failed:\n{done.stdout[-4000:]}{done.stderr[-2000:]}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=Path, default=HARVEST_FOLDER / RECORDS_FILE, help="Airbyte records")
    parser.add_argument("--warehouse", type=Path, help="DuckDB file to build (default: a temporary one)")
    parser.add_argument("--as-of", type=date.fromisoformat, help="last day the KPIs report on")
    parser.add_argument(
        "--no-approval", action="store_true", help="the account runs no timesheet approval: all time counts"
    )
    args = parser.parse_args(argv)
    if not args.records.is_file():
        print(f"throughline.harvest: no Harvest records at {args.records}; pass --records", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="throughline-harvest-") as tmp:
        warehouse = args.warehouse or Path(tmp) / "harvest.duckdb"
        dbt_vars: dict[str, object] = {"harvest_uses_approval": not args.no_approval}
        if args.as_of:
            dbt_vars["kpi_as_of_date"] = args.as_of.isoformat()
        run(args.records, warehouse, date.today(), dbt_vars)
        with duckdb.connect(str(warehouse), read_only=True) as con:
            for sql in (
                "select * from marts.kpi_utilization_monthly order by all",
                "select * from marts.kpi_project_margin_monthly order by all",
                "select check_id, count(*) from reconciliation.recon_psa_hygiene group by 1 order by 1",
            ):
                print(con.sql(sql))
    return 0


if __name__ == "__main__":
    sys.exit(main())
