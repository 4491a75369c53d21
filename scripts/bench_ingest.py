"""Throughput of the raw loader: rows/s per object and seconds per million rows.

    .venv/bin/python scripts/bench_ingest.py --scale l            # a generated sample firm
    .venv/bin/python scripts/bench_ingest.py --synthetic 1000000  # contract-shaped rows, no generator needed

The synthetic mode writes one full extract with N rows for the biggest objects (PSA time entries as JSONL,
NetSuite transaction lines and accounting lines as CSV), typed from the contracts, with DuckDB COPY.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingestion.contract import COMPLETION_MARKER, SourceObject, load_contract  # noqa: E402
from ingestion.landing import scan_landing  # noqa: E402
from ingestion.load import load_object, new_load_id  # noqa: E402
from ingestion.warehouse import q  # noqa: E402

SYNTHETIC_OBJECTS = (
    ("psa", "time_entries"),
    ("netsuite", "transactionline"),
    ("netsuite", "transactionaccountingline"),
)


def _value_sql(obj: SourceObject, name: str, type_: str) -> str:
    t = type_.upper()
    if name in obj.primary_key:
        return "i" if t == "BIGINT" else "'k' || i"
    if obj.delete_marker and name == obj.delete_marker.column:
        return "null" if obj.delete_marker.when == "not_null" else "false"
    if t == "BIGINT":
        return "i % 9973"
    if t.startswith("DECIMAL") or t == "DOUBLE":
        return "round((i % 100000) / 100.0, 2)"
    if t == "BOOLEAN":
        return "i % 3 = 0"
    if t == "DATE":
        return "date '2024-01-01' + (i % 900)::int"
    if t == "TIMESTAMP":
        return "timestamp '2026-11-17 00:00:00' - to_seconds(i % 86400)"
    return "'text ' || (i % 1000)"


def write_synthetic(landing: Path, rows: int) -> None:
    markers: dict[str, dict] = {}
    with duckdb.connect() as con:
        for system, name in SYNTHETIC_OBJECTS:
            obj = load_contract(system).object(name)
            folder = landing / system / "2026-11-17"
            folder.mkdir(parents=True, exist_ok=True)
            cols = ", ".join(f"{_value_sql(obj, c.name, c.type)} as {q(c.name)}" for c in obj.columns)
            fmt = "(format json)" if obj.format == "jsonl" else "(format csv, header true)"
            path = folder / obj.file
            con.execute(f"copy (select {cols} from range(1, {rows} + 1) t(i) order by i) to '{path}' {fmt}")
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            marker = markers.setdefault(
                system,
                {
                    "system": system,
                    "extract_date": "2026-11-17",
                    "extract_type": "full",
                    "created_at": "2026-11-17T03:00:00",
                    "files": {},
                },
            )
            marker["files"][obj.file] = {"rows": rows, "bytes": path.stat().st_size, "sha256": digest}
            (folder / COMPLETION_MARKER).write_text(json.dumps(marker))


def bench(landing: Path, warehouse: Path) -> None:
    folders = scan_landing(landing)
    load_id = new_load_id()
    total_rows, total_s = 0, 0.0
    print(f"{'object':<42} {'rows':>10} {'seconds':>8} {'rows/s':>10} {'s per M rows':>12}")
    with duckdb.connect(str(warehouse)) as con:
        for system in ("salesforce", "netsuite", "psa"):
            for obj in load_contract(system).objects:
                t0 = time.perf_counter()
                results = load_object(con, landing, obj, load_id, folders)
                dt = time.perf_counter() - t0
                n = sum(r.rows_read for r in results)
                if not n:
                    continue
                total_rows, total_s = total_rows + n, total_s + dt
                name = f"{obj.schema}.{obj.name}"
                print(f"{name:<42} {n:>10,} {dt:>8.2f} {n / dt:>10,.0f} {dt / n * 1e6:>12.2f}")
    if total_rows:
        print(
            f"{'TOTAL':<42} {total_rows:>10,} {total_s:>8.2f} {total_rows / total_s:>10,.0f} "
            f"{total_s / total_rows * 1e6:>12.2f}"
        )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scale", default=None, help="generate a sample firm at this scale (needs the generator)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--synthetic", type=int, default=None, help="rows per synthetic object")
    p.add_argument("--dir", default=None, help="work folder (default: a temp folder)")
    args = p.parse_args()
    work = Path(args.dir or tempfile.mkdtemp(prefix="bench_ingest_"))
    landing, warehouse = work / "landing", work / "bench.duckdb"
    warehouse.unlink(missing_ok=True)
    t0 = time.perf_counter()
    if args.synthetic:
        write_synthetic(landing, args.synthetic)
    else:
        from throughline.samplefirm import generate

        generate(scale=args.scale or "l", seed=args.seed, out=work, clean=False)
    print(f"landing ready in {time.perf_counter() - t0:.1f}s: {landing}", file=sys.stderr)
    bench(landing, warehouse)
    return 0


if __name__ == "__main__":
    sys.exit(main())
