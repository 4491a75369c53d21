"""Time sample-firm generation per scale: seconds, landed rows and bytes, time entries.

Usage: .venv/bin/python scripts/bench_generate.py [--scales xs s m l xl] [--seed 42] [--clean] [--keep]
Each scale is generated into a temporary folder (deleted afterwards unless --keep).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from ingestion.contract import COMPLETION_MARKER
from throughline.samplefirm import SCALES, generate


def landed(out: Path) -> tuple[int, int, int]:
    """(data rows, bytes, time entries) over all completion markers."""
    rows = size = te = 0
    for marker in (out / "landing").rglob(COMPLETION_MARKER):
        files = json.loads(marker.read_text())["files"]
        rows += sum(f["rows"] for f in files.values())
        size += sum(f["bytes"] for f in files.values())
        te += files.get("time_entries.jsonl", {}).get("rows", 0)
    return rows, size, te


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--scales", nargs="+", default=["xs", "s", "m"], choices=list(SCALES))
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--clean", action="store_true")
    p.add_argument("--keep", action="store_true")
    args = p.parse_args()
    print(f"{'scale':<6}{'seconds':>10}{'rows':>14}{'MB':>10}{'time entries':>15}")
    for scale in args.scales:
        out = Path(tempfile.mkdtemp(prefix=f"bench-{scale}-"))
        t0 = time.perf_counter()
        generate(scale=scale, seed=args.seed, out=out, clean=args.clean)
        secs = time.perf_counter() - t0
        rows, size, te = landed(out)
        print(f"{scale:<6}{secs:>10.1f}{rows:>14,}{size / 1e6:>10.1f}{te:>15,}", flush=True)
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
