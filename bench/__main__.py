"""``python -m bench``: measure the nightly at the given scales and print/write the figures.

Exit codes: 0 measured; 1 a step failed (its log is named); 2 bad arguments.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
from pathlib import Path

from bench.harness import run_scale
from bench.report import table, write_json

SCALES = ("xs", "s", "m", "l", "xl")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--scales", nargs="+", choices=SCALES, default=["s", "m", "l", "xl"])
    p.add_argument("--seed", type=int, default=42, help="sample-firm seed")
    p.add_argument("--dir", type=Path, default=Path("/tmp/throughline-bench"), help="work folder (emptied)")
    p.add_argument("--json", type=Path, default=Path("bench-results.json"), help="where to write the figures")
    p.add_argument("--firm", type=Path, help="reuse this generated firm's landing (one scale; not timed)")
    p.add_argument(
        "--keep-start",
        action="store_true",
        help="keep the incremental night's start in <dir>/<scale>/incremental-start (python -m bench.replay)",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.firm is not None and len(args.scales) != 1:
        print("python -m bench: --firm reuses one firm; give exactly one --scales", file=sys.stderr)
        return 2
    if args.firm is not None and not (args.firm / "landing").is_dir():
        print(
            f"python -m bench: --firm {args.firm} has no landing/ folder; give a generated firm",
            file=sys.stderr,
        )
        return 2
    # a terminated benchmark unwinds (bench.measure then stops the running step's whole process group)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results = []
    try:
        for scale in args.scales:
            print(f"bench: scale {scale} in {args.dir / scale}", flush=True)
            results.append(run_scale(scale, args.seed, args.dir / scale, args.firm, args.keep_start))
    except RuntimeError as exc:
        print(f"python -m bench: {exc}", file=sys.stderr)
        return 1
    finally:
        command = shlex.join(["python", "-m", "bench", *(sys.argv[1:] if argv is None else argv)])
        write_json(results, args.json, command)
    print(table(results))
    print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
