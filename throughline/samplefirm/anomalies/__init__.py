"""Planted anomalies for the sample firm, with ground truth in ``_truth/anomalies.csv``.

Defects (``..defects``) are records a reconciliation rule can name. Anomalies are the other kind of loss:
records that are individually valid, balance everywhere, and still deserve a look (an expense claim ten
times the person's usual, padded timesheets, weekend work from someone who never works weekends, a
fixed-fee project burning ahead of plan, a retainer whose margin erodes, a fixed fee whose estimate
at completion passes the contract value, a client drifting to late payment). The generator calls:

- ``plant_before_billing`` after the defects' pre-billing hook: edits PSA expenses and time so billing,
  revenue and the ledger follow the planted values consistently (no reconciliation break appears);
- ``drift_payments`` from the payment stage, on the payment plan before payments are written (drifting
  clients, then behaviour clients whose lateness has causes the cash model can learn);
- ``write_truth`` always (a clean firm gets a header-only manifest).

Every choice is a hash of the record key and the seed (never ``ctx.rng``, so the rest of the firm is the
same with or without anomalies). Planted cases are logged in the working-store table ``_gen_anomalies``.
"""

from __future__ import annotations

from typing import Any

from .payments import drift_payments
from .projects import plant_eac_overrun, plant_fixed_fee_erosion, plant_margin_erosion
from .time_expenses import plant_expense_outliers, plant_offday_time, plant_padding
from .truth import ensure_log, write_truth

__all__ = ["drift_payments", "plant_before_billing", "write_truth"]


def plant_before_billing(ctx: Any) -> None:
    """Expense outliers, padded timesheets, off-day time, fixed-fee projects burning ahead, eroding
    retainers and re-estimated fixed fees over their contract value (not if clean)."""
    if ctx.clean:
        return
    ensure_log(ctx)
    plant_expense_outliers(ctx)
    plant_padding(ctx)
    plant_offday_time(ctx)
    plant_fixed_fee_erosion(ctx)
    plant_margin_erosion(ctx)
    plant_eac_overrun(ctx)
