"""``python -m bench.raw_tables``: what the raw layer's bookkeeping costs before any row is read.

Times ``load_landing`` of a one-file landing on a new warehouse (every raw table created, with its comments)
and again on the loaded warehouse (every object's tables checked, nothing new to load), three times each.
Run it on two commits, in turns, to compare them (docs/performance.md, "What changed", item 6).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from pathlib import Path

import duckdb

from ingestion.contract import load_contracts
from ingestion.load import load_landing

ACCOUNT = b"Id,Name,Type,SystemModstamp,IsDeleted\n001,Acme,Customer,2026-11-01 10:00:00,false\n"


def _landing(root: Path) -> Path:
    """A landing folder with one Salesforce account file and its completion marker."""
    folder = root / "landing" / "salesforce" / "2026-11-18"
    folder.mkdir(parents=True)
    (folder / "account.csv").write_bytes(ACCOUNT)
    entry = {"rows": 1, "bytes": len(ACCOUNT), "sha256": hashlib.sha256(ACCOUNT).hexdigest()}
    marker = {"system": "salesforce", "extract_date": "2026-11-18", "extract_type": "full"}
    marker |= {"created_at": "2026-11-18T03:00:00", "files": {"account.csv": entry}}
    (folder / "_SUCCESS.json").write_text(json.dumps(marker), encoding="utf-8")
    return root / "landing"


def measure(repeats: int = 3) -> list[tuple[float, float]]:
    """``[(seconds on a new warehouse, seconds on the loaded one), ...]``."""
    load_contracts()  # parsed once per process, as in a nightly: not what is measured
    out = []
    for _ in range(repeats):
        root = Path(tempfile.mkdtemp(prefix="throughline-raw-tables-"))
        landing = _landing(root)
        with duckdb.connect(str(root / "warehouse.duckdb")) as con:
            start = time.perf_counter()
            loaded = [r.rows_loaded for r in load_landing(con, landing) if r.file.endswith("account.csv")]
            first = time.perf_counter() - start
            assert loaded == [1], f"the account file did not load: {loaded}"
            start = time.perf_counter()
            load_landing(con, landing)
            out.append((first, time.perf_counter() - start))
    return out


def main() -> None:
    for first, again in measure():
        print(f"new warehouse {first:.2f} s, loaded warehouse {again:.2f} s")


if __name__ == "__main__":
    main()
