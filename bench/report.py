"""The benchmark's table (terminal) and JSON (file) from the measured scales."""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from pathlib import Path

import psutil

from bench.harness import STEPS, ScaleResult

GIB = 1024**3


def machine() -> dict[str, str | int]:
    """Where the figures were measured (they mean little without it)."""
    return {
        "cpus": psutil.cpu_count() or 0,
        "memory_gib": round(psutil.virtual_memory().total / GIB, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average_1m": round(psutil.getloadavg()[0], 2),
    }


def _cell(res: ScaleResult, step: str) -> str:
    fig = res.steps.get(step)
    if not fig:
        return ""
    ratios = res.ratios()[step]
    x = ratios["time_x_floor"]
    return f"{fig['seconds']:.1f}s {fig['peak_rss'] / GIB:.2f}G" + (f" ({x:.1f}x)" if x is not None else "")


def table(results: list[ScaleResult]) -> str:
    """One row per scale: each step's seconds, peak RSS and (time as a multiple of the floor)."""
    head = ["scale", *STEPS, "incr/full", "rerun/full", "warehouse"]
    rows = [head]
    for res in results:
        r = res.ratios()
        incr, rerun = r.get("incremental", {}), r.get("rerun", {})
        rows.append(
            [
                res.scale,
                *(_cell(res, s) for s in STEPS),
                _pct(incr.get("share_of_full")),
                _pct(rerun.get("share_of_full")),
                f"{res.warehouse_bytes / 1024**2:.0f}MB ({r['warehouse']['size_x_floor'] or 0:.1f}x)",
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows)


def _pct(share: float | None) -> str:
    return f"{share * 100:.0f}%" if share is not None else ""


def write_json(results: list[ScaleResult], path: Path, command: str) -> None:
    """The figures, their ratios, the machine, the date and the command, for docs/performance.md."""
    doc = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "machine": machine(),
        "scales": [r.as_json() for r in results],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2) + "\n")
