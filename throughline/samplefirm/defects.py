"""Defect injection for the sample firm and its ground-truth manifest (stub; full catalogue follows)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

DEFECT_KINDS: dict[str, dict[str, Any]] = {}

TRUTH_COLUMNS = (
    "defect_id", "kind", "check_family", "system", "object", "record_key", "related_keys",
    "amount", "currency", "extract_date", "file", "line", "description",
)


def inject_before_billing(ctx: Any) -> None:
    """Set billing helper columns so invoices come out wrong (no-op in the stub)."""


def inject_after_billing(ctx: Any) -> None:
    """Edit or add ERP documents after billing (no-op in the stub)."""


def corrupt_landing(ctx: Any, landing: Path) -> None:
    """Insert malformed lines into written extract files (no-op in the stub)."""


def write_truth(ctx: Any, truth_dir: Path) -> None:
    """Write _truth/defects.csv (header only in the stub) and summary.json."""
    truth_dir.mkdir(parents=True, exist_ok=True)
    with (truth_dir / "defects.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerow(TRUTH_COLUMNS)
    (truth_dir / "summary.json").write_text(json.dumps({"counts": {}}, indent=2) + "\n", encoding="utf-8")
