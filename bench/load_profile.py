"""``python -m bench.load_profile LANDING OBJECT DATABASE``: where one object's load spends its time.

Loads the first ``N`` extract folders of one contract object (``time_entries`` or ``psa__time_entries``) into
a new DuckDB file with the nightly's memory limit and spill folder, exactly as the raw asset does
(``ingestion.load.load_object``), and prints the slowest SQL statements. A new file is hashed while DuckDB
reads it (item 57), so its hash is not among them; a file at a path read before is hashed first, and that is
timed. This is how the loader's costs in docs/performance.md (item 13) were found and measured: the Dagster
step gives one number for a whole load, this gives one per statement. ``--last-only`` loads the folders
before the last one untimed and times the last: what an incremental night's delta costs on top of the
history.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from ingestion import load
from ingestion.contract import SourceObject, all_objects
from ingestion.landing import scan_landing
from orchestration.duckdb_settings import duckdb_config

Timings = list[tuple[float, str]]


class TimedConnection:
    """A DuckDB connection that records how long each ``execute`` took (the rest is passed through)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, timings: Timings) -> None:
        self._con, self._timings = con, timings

    def execute(self, sql: str, *args: Any) -> duckdb.DuckDBPyConnection:
        start = time.perf_counter()
        result = self._con.execute(sql, *args)
        self._timings.append((time.perf_counter() - start, " ".join(str(sql).split())))
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def find_object(name: str) -> SourceObject:
    for obj in all_objects():
        if name in (obj.name, f"{obj.system}__{obj.name}"):
            return obj
    raise SystemExit(f"no contract object named {name!r} (use <object> or <system>__<object>)")


def _timed_hash(timings: Timings) -> Callable[[Path], str]:
    original = load.sha256_of

    def sha256_of(path: Path) -> str:
        start = time.perf_counter()
        digest = original(path)
        timings.append((time.perf_counter() - start, f"sha256 of {path.name} (Python hashlib)"))
        return digest

    return sha256_of


def profile(
    landing: Path, obj: SourceObject, database: Path, nights: int, last_only: bool = False
) -> tuple[float, Timings, list]:
    """Load ``obj``'s first ``nights`` folders into a new ``database``; (seconds, timings, file results).

    ``last_only``: the folders before the last are loaded first, untimed, as earlier nights (load ids
    ``night-1`` ...); the seconds, timings and results are the last folder's."""
    for stale in (database, Path(f"{database}.wal")):
        stale.unlink(missing_ok=True)
    folders = sorted((f for f in scan_landing(landing) if f.system == obj.system), key=lambda f: f.name)
    folders = folders[:nights]
    timings: Timings = []
    with duckdb.connect(str(database), config=duckdb_config(database)) as con:
        if last_only:
            for n, folder in enumerate(folders[:-1], start=1):
                load.load_object(con, landing, obj, f"night-{n}", [folder])
            folders = folders[-1:]
        load.sha256_of = _timed_hash(timings)  # type: ignore[assignment]
        start = time.perf_counter()
        results = load.load_object(TimedConnection(con, timings), landing, obj, "profile", folders)  # type: ignore[arg-type]
        return time.perf_counter() - start, timings, results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("landing", type=Path)
    parser.add_argument("object", help="contract object: <object> or <system>__<object>")
    parser.add_argument("database", type=Path, help="new DuckDB file (replaced)")
    parser.add_argument("--nights", type=int, default=1, help="extract folders to load, oldest first")
    parser.add_argument("--top", type=int, default=12, help="statements to print")
    parser.add_argument(
        "--last-only", action="store_true", help="load the earlier folders untimed, time the last one"
    )
    args = parser.parse_args(argv)
    seconds, timings, results = profile(
        args.landing, find_object(args.object), args.database, args.nights, args.last_only
    )
    for took, sql in sorted(timings, reverse=True)[: args.top]:
        print(f"{took:8.2f} s  {sql[:120]}")
    spent = sum(t for t, _ in timings)
    print(f"load: {seconds:.1f} s, of which {spent:.1f} s in SQL statements and the file hash")
    for r in results:
        print(f"{r.file}: {r.status}, {r.rows_loaded} loaded, {r.rows_rejected} rejected")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
