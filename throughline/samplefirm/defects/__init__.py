"""Defect injection for the sample firm and the ground-truth manifest ``DIR/_truth/``.

The generator calls, in order: ``inject_before_billing`` (sets billing helper columns so invoices come out
consistently wrong), ``inject_after_billing`` (edits or adds ERP, CRM and PSA records),
``corrupt_landing`` (malformed lines in the written files) and ``write_truth`` (always; a clean firm gets
an empty manifest).

Rates: every kind defaults to ``DEFECT_KINDS[kind]["default_rate"]``; set ``ctx.defect_rates`` to a
``DefectRates({...})`` (or a plain ``{kind: rate}`` dict) before the hooks run to change them. Each
injected defect is logged in the working-store table ``_gen_defects`` (never exported) with its record
keys; ``write_truth`` turns that log into ``_truth/defects.csv`` and ``_truth/summary.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .billing import inject_before_billing as _before
from .billing import key_billing_groups
from .catalogue import DEFECT_KIND_LIST, DEFECT_KINDS, DefectKind, DefectRates
from .commercial import inject_commercial
from .erp import inject_erp
from .hygiene import inject_hygiene
from .malformed import corrupt_files
from .store import ensure_log
from .truth import write_truth

__all__ = [
    "DEFECT_KINDS",
    "DEFECT_KIND_LIST",
    "DefectKind",
    "DefectRates",
    "corrupt_landing",
    "inject_after_billing",
    "inject_before_billing",
    "write_truth",
]


def inject_before_billing(ctx: Any) -> None:
    """B-type breaks: mark time, expenses, milestones and projects so billing gets them wrong."""
    if ctx.clean:
        return
    ensure_log(ctx)
    _before(ctx)


def inject_after_billing(ctx: Any) -> None:
    """Commercial, ERP, intercompany, FX, PSA-hygiene and client-master breaks on the finished store."""
    if ctx.clean:
        return
    ensure_log(ctx)
    inject_erp(ctx)
    inject_commercial(ctx)
    inject_hygiene(ctx)
    key_billing_groups(ctx)


def corrupt_landing(ctx: Any, landing: Path) -> None:
    """Malformed lines appended to a handful of written CSV and JSONL files."""
    if ctx.clean:
        return
    ensure_log(ctx)
    corrupt_files(ctx, landing)
