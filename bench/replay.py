"""Run a benchmark's incremental night again: ``python -m bench.replay <scale dir>``.

A change to one model or step of the nightly is read from the incremental night, and the full benchmark
takes 13 minutes at xl to get there. ``python -m bench --keep-start`` keeps what that night starts from
(``<scale dir>/incremental-start``: the aged warehouse, dbt's parse state, the Dagster home); this puts it
back in place and times one ``throughline run`` on the scale's landing, which then holds the night. In
place, not in a copy elsewhere: dbt's parse state is keyed to the warehouse's path, and a night opened from
another folder would parse the whole project (10 s at xl) where the benchmark's parsed only what changed.
Prints the seconds, the peak RSS and the night's profile (``bench.night_profile``), and keeps the run's log
as ``<scale dir>/logs/replay-<n>.nightly.log`` for ``python -m bench.night_profile A B``. Run it alone on
the machine, as the benchmark.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from bench import night_profile
from bench.harness import START
from bench.night import summary_line, time_night

#: What the start holds, each put back in place of the scale folder's own.
RESTORED = ("warehouse.duckdb.builds/dbt", "dagster_home")


def restore(scale_dir: Path) -> Path:
    """Put the kept start back into ``scale_dir``; return its warehouse."""
    start = scale_dir / START
    warehouse = scale_dir / "warehouse.duckdb"
    # the published warehouse is a hard link to the last build: unlinked first, so no copy writes into it
    warehouse.unlink(missing_ok=True)
    shutil.copy2(start / "warehouse.duckdb", warehouse)
    for rel in RESTORED:
        shutil.rmtree(scale_dir / rel, ignore_errors=True)
        shutil.copytree(start / rel, scale_dir / rel)
    return warehouse


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.replay", description=__doc__)
    p.add_argument("scale_dir", type=Path, help="a benchmark's scale folder, e.g. /tmp/bench/xl")
    args = p.parse_args(argv)
    scale_dir: Path = args.scale_dir
    landing = scale_dir / "firm" / "landing"
    if not (scale_dir / START / "warehouse.duckdb").is_file() or not landing.is_dir():
        print(
            f"python -m bench.replay: {scale_dir} has no {START}/ (run python -m bench --keep-start)",
            file=sys.stderr,
        )
        return 2
    warehouse = restore(scale_dir)
    logs = scale_dir / "logs"
    n = 1 + len(list(logs.glob("replay-*.nightly.log")))
    m = time_night(landing, warehouse, logs / f"replay-{n}.log")
    run_log = warehouse.with_name(warehouse.name + ".nightly.log")
    kept = logs / f"replay-{n}.nightly.log"
    if run_log.exists():
        shutil.copy2(run_log, kept)
    print(summary_line(m))
    if kept.exists():
        night_profile.main([str(kept), "--top", "15"])
    return 0 if m.returncode in (0, 1) else m.returncode


if __name__ == "__main__":
    sys.exit(main())
