"""Where a night's time went, read from its run log (``<warehouse>.nightly.log``, kept by the benchmark as
``logs/<step>.nightly.log``): how long each Dagster step took, and dbt's own timing of each node it ran.

The benchmark records it for every night it times (``profile`` in its JSON). Run alone, it prints one
night's steps and slowest nodes, or compares two nights node by node::

    python -m bench.night_profile RUN.nightly.log [OTHER.nightly.log] [--top N]

On a machine whose speed drifts by tens of percent from run to run, a change worth a few seconds does not
show in a night's total; it shows on the nodes it touched, next to the nodes it did not (docs/performance.md).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Dagster's line for a finished step; the duration as dagster_shared's format_duration writes it.
STEP_LINE = re.compile(r'Finished execution of step "(?P<step>[^"]+)" in (?P<duration>[0-9hms.]+)\.')
DURATION = re.compile(r"^(?:(?P<ms>[0-9.]+)ms|(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>[0-9.]+)s)?)$")
#: dbt's line for a finished node: ``12 of 784 OK created sql table model marts.x .... [OK in 0.37s]``, a test
#: ``PASS name``, ``WARN 3 name``, ``FAIL 1 name``, an error ``ERROR creating sql table model marts.x``.
NODE_LINE = re.compile(
    r"^(?:\d\d:\d\d:\d\d\s+)?\s*\d+ of \d+ (?P<status>OK|PASS|WARN|FAIL|ERROR)(?: \d+)?\s+(?P<what>.*?)"
    r"\s*\.*\s*\[[^\]]*? in (?P<seconds>[0-9.]+)s\]"
)
MODEL_WHAT = re.compile(r"^(?:created|creating) sql (?P<kind>\w+ model) (?P<name>\S+)")
SNAPSHOT_WHAT = re.compile(r"^snapshott(?:ed|ing) (?P<name>\S+)")


@dataclass(frozen=True)
class Node:
    """One dbt node as the run log reports it."""

    name: str
    kind: str  # "table model", "incremental model", "view model", "snapshot", "test", "unit test"
    status: str
    seconds: float


def seconds_of(duration: str) -> float:
    """Seconds in one of Dagster's durations (``83ms``, ``8.3ms``, ``1.72s``, ``2m19s``, ``1h4m``)."""
    m = DURATION.match(duration)
    if not m or not duration:
        raise ValueError(f"not a Dagster duration: {duration!r}")
    if m["ms"] is not None:
        return float(m["ms"]) / 1000
    return int(m["h"] or 0) * 3600 + int(m["m"] or 0) * 60 + float(m["s"] or 0)


def steps(lines: Iterable[str]) -> dict[str, float]:
    """Seconds of each Dagster step that finished, in the order they finished."""
    out: dict[str, float] = {}
    for line in lines:
        m = STEP_LINE.search(line)
        if m:
            out[m["step"]] = round(seconds_of(m["duration"]), 3)
    return out


def node(line: str) -> Node | None:
    """The dbt node a log line reports finished, or None."""
    m = NODE_LINE.match(line)
    if not m:
        return None
    what, seconds = m["what"], float(m["seconds"])
    if model := MODEL_WHAT.match(what):
        return Node(model["name"], model["kind"], m["status"], seconds)
    if snap := SNAPSHOT_WHAT.match(what):
        return Node(snap["name"], "snapshot", m["status"], seconds)
    name = what.split()[0] if what else what
    return Node(name, "unit test" if "::" in name else "test", m["status"], seconds)


def nodes(lines: Iterable[str]) -> list[Node]:
    """Every finished dbt node of the log, in log order."""
    return [n for n in (node(line) for line in lines) if n is not None]


def summary(log: Path, top: int = 25) -> dict[str, Any]:
    """The profile the benchmark records: each step's seconds; dbt's node seconds by kind, in all, and the
    slowest ``top`` nodes."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    found = nodes(lines)
    by_kind: dict[str, dict[str, float]] = {}
    for n in found:
        kind = by_kind.setdefault(n.kind, {"nodes": 0, "seconds": 0.0})
        kind["nodes"] += 1
        kind["seconds"] += n.seconds
    for kind in by_kind.values():
        kind["seconds"] = round(kind["seconds"], 2)
    slowest = sorted(found, key=lambda n: (-n.seconds, n.name))[:top]
    return {
        "steps": steps(lines),
        "dbt_nodes": len(found),
        "dbt_node_seconds": round(sum(n.seconds for n in found), 2),
        "dbt_by_kind": dict(sorted(by_kind.items(), key=lambda kv: -kv[1]["seconds"])),
        "dbt_slowest": [[n.name, n.kind, n.seconds] for n in slowest],
    }


def compared(a: list[Node], b: list[Node]) -> list[tuple[str, float | None, float | None]]:
    """Each node of either night (by name: a model whose materialization changed is one node) with its
    seconds in each (None: not run that night), the largest change first."""
    first = {n.name: n.seconds for n in a}
    second = {n.name: n.seconds for n in b}
    rows = [(name, first.get(name), second.get(name)) for name in set(first) | set(second)]
    return sorted(rows, key=lambda r: (-abs((r[2] or 0) - (r[1] or 0)), r[0]))


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _print_one(log: Path, top: int) -> None:
    prof = summary(log, top)
    print(f"{log}: {prof['dbt_nodes']} dbt nodes, {prof['dbt_node_seconds']:.1f} s of node time")
    for kind, fig in prof["dbt_by_kind"].items():
        print(f"  {kind:18s} {int(fig['nodes']):5d} nodes {fig['seconds']:8.1f} s")
    print("steps:")
    for step, sec in sorted(prof["steps"].items(), key=lambda kv: -kv[1]):
        print(f"  {sec:8.2f}  {step}")
    print(f"slowest {top} nodes:")
    for name, kind, sec in prof["dbt_slowest"]:
        print(f"  {sec:8.2f}  {name} ({kind})")


def _print_two(first: Path, second: Path, top: int) -> None:
    def read(p: Path) -> list[str]:
        return p.read_text(encoding="utf-8", errors="replace").splitlines()

    a_lines, b_lines = read(first), read(second)
    a_nodes, b_nodes = nodes(a_lines), nodes(b_lines)
    print(f"A {first}\nB {second}")
    print(
        f"dbt node time: A {sum(n.seconds for n in a_nodes):.1f} s ({len(a_nodes)} nodes), "
        f"B {sum(n.seconds for n in b_nodes):.1f} s ({len(b_nodes)} nodes)"
    )
    a_steps, b_steps = steps(a_lines), steps(b_lines)
    print(f"{'A':>8} {'B':>8} {'B-A':>8}  step")
    for step in sorted(set(a_steps) | set(b_steps), key=lambda s: -(b_steps.get(s, 0) + a_steps.get(s, 0))):
        a, b = a_steps.get(step), b_steps.get(step)
        print(f"{_fmt(a):>8} {_fmt(b):>8} {_fmt((b or 0) - (a or 0)):>8}  {step}")
    print(f"{'A':>8} {'B':>8} {'B-A':>8}  node (the {top} largest changes)")
    for name, a, b in compared(a_nodes, b_nodes)[:top]:
        print(f"{_fmt(a):>8} {_fmt(b):>8} {_fmt((b or 0) - (a or 0)):>8}  {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.night_profile", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("logs", nargs="+", type=Path, help="one run log, or two to compare (A then B)")
    parser.add_argument("--top", type=int, default=25, help="nodes to list (default 25)")
    args = parser.parse_args(argv)
    if len(args.logs) > 2 or any(not p.is_file() for p in args.logs):
        print("give one or two existing run logs", file=sys.stderr)
        return 2
    if len(args.logs) == 1:
        _print_one(args.logs[0], args.top)
    else:
        _print_two(args.logs[0], args.logs[1], args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
