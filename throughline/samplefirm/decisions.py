"""The sample firm's controller decisions file: ``landing/controller/<night>/break_decisions.csv``.

A real controller reviews the break list every morning and records decisions (ingestion/contracts/
controller.yml); the sample firm does the same so the demo shows waived and acknowledged breaks. Every night
gets a file (header only when there is nothing to decide, e.g. a clean firm); on the last night the
controller waives the first injected R2 break (an internal investment project started without a deal),
acknowledges the first E4 break (AR is reconciling the control account) and shows an expired waiver on the
first PSA_CAPACITY_GAP (decided on the first night, lapsed the night before the last). Record keys come
from the defect log, so they are exactly the keys the checks report.
"""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ingestion.contract import COMPLETION_MARKER, load_contract

from .defects.store import LOG, ensure_log
from .extracts import _file_stats, marker_created_at

CONTROLLER = "M. Keller (Financial Controller)"

#: kind -> (decision, reason, decided days before the last night (None: on it), expires days after it)
DECISIONS: dict[str, tuple[str, str, int | None, int]] = {
    "R2": (
        "waive",
        "Internal investment project: delivery started without a CRM deal by design (approved by the COO).",
        None,
        90,
    ),
    "E4": (
        "acknowledge",
        "AR is reconciling the control account with the subledger; fix expected at month-end close.",
        None,
        30,
    ),
    "PSA_CAPACITY_GAP": ("waive", "Capacity profile being rebuilt by resourcing; temporary waiver.", 2, -1),
}


def _decision_rows(ctx: Any, last: date) -> list[list[str]]:
    ensure_log(ctx)
    rows = []
    for kind, (decision, reason, days_before, expires_after) in DECISIONS.items():
        found = ctx.con.execute(
            f"select record_key from {LOG} where kind = ? order by seq limit 1", [kind]
        ).fetchone()
        if found is None:
            continue
        decided = last - timedelta(days=days_before or 0)
        expires = last + timedelta(days=expires_after)
        rows.append([kind, found[0], decision, reason, CONTROLLER, decided.isoformat(), expires.isoformat()])
    return rows


def write_decisions(ctx: Any, landing: Path) -> None:
    """One decisions file and completion marker per extract night (decisions on the last night only)."""
    obj = load_contract("controller").object("break_decisions")
    nights = sorted(ctx.extract_dates)
    for i, night in enumerate(nights):
        folder = landing / "controller" / night.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / obj.file
        rows = _decision_rows(ctx, nights[-1]) if night == nights[-1] and not ctx.clean else []
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(obj.column_names)
            writer.writerows(rows)
        marker = {
            "system": "controller",
            "extract_date": night.isoformat(),
            "extract_type": "full" if i == 0 else "delta",
            "created_at": marker_created_at(night),
            "files": {obj.file: _file_stats(path, True)},
        }
        (folder / COMPLETION_MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
