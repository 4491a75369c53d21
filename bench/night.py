"""Time one ``throughline run`` on an existing landing and warehouse: ``python -m bench.night L W``.

For a step the full benchmark does not isolate, e.g. the re-run of a night on a large warehouse you
already have (work on a copy: the run publishes into it). Prints one JSON line: seconds, peak RSS of the
process tree in MiB, exit code.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.harness import REPO, step_env
from bench.measure import Measurement, measure


def time_night(landing: Path, warehouse: Path, log: Path) -> Measurement:
    """One ``throughline run`` of ``landing`` into ``warehouse``, its output in ``log``, measured as the
    benchmark measures its nights (the process tree's peak RSS; the warehouse's folder holds its Dagster
    home)."""
    cmd = [sys.executable, "-m", "throughline.cli", "run", "--landing", str(landing)]
    return measure([*cmd, "--warehouse", str(warehouse)], log, step_env(warehouse.parent), cwd=REPO)


def summary_line(m: Measurement) -> str:
    """The JSON line both commands print: seconds, peak RSS in MiB (in all and by process), exit code."""
    return json.dumps(
        {
            "seconds": round(m.seconds, 1),
            "peak_rss_mib": m.peak_rss >> 20,
            "peak_mib_by_process": {k: v >> 20 for k, v in m.peak_by_process.items()},
            "returncode": m.returncode,
        }
    )


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench.night", description=__doc__)
    p.add_argument("landing", type=Path)
    p.add_argument("warehouse", type=Path)
    p.add_argument("--log", type=Path, help="the run's output (default <warehouse>.bench.log)")
    args = p.parse_args()
    log = args.log or args.warehouse.with_name(args.warehouse.name + ".bench.log")
    m = time_night(args.landing, args.warehouse, log)
    print(summary_line(m))
    return m.returncode


if __name__ == "__main__":
    sys.exit(main())
