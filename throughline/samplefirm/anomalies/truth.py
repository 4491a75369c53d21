"""The anomaly log (``_gen_anomalies``) and the manifest ``_truth/anomalies.csv`` written from it."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

LOG = "_gen_anomalies"

#: Detector ids: the manifest's ``detector`` column and ``marts.exceptions.source_id`` of the signals.
DETECTORS = (
    "EXPENSE_OUTLIER",
    "TIME_ROUND_PADDING",
    "TIME_OFFDAY_NOVELTY",
    "FF_BURN_AHEAD",
    "LATE_PAYMENT_DRIFT",
    "MARGIN_EROSION",
    "EAC_OVERRUN",
)

TRUTH_COLUMNS = ("anomaly_id", "detector", "system", "object", "record_key", "amount", "description")


def ensure_log(ctx: Any) -> None:
    ctx.con.execute(
        f"""create table if not exists {LOG} (
            detector varchar, system varchar, object varchar, record_key varchar, amount double,
            description varchar)"""
    )


def record(ctx: Any, detector: str, system: str, obj: str, select_sql: str) -> None:
    """Log planted cases from a query returning record_key (JSON text), amount and description."""
    ensure_log(ctx)
    ctx.con.execute(
        f"""insert into {LOG} select ?, ?, ?, q.record_key::varchar, q.amount::double, q.description
            from ({select_sql}) as q""",
        [detector, system, obj],
    )


def write_truth(ctx: Any, truth_dir: Path) -> None:
    """Write ``anomalies.csv``: one row per planted case by detector and key (header only if clean)."""
    truth_dir.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[Any, ...]] = []
    if not ctx.clean:
        ensure_log(ctx)
        rows = ctx.con.execute(
            f"""select detector || '-' || lpad(row_number() over (partition by detector
                       order by record_key)::varchar, 4, '0'),
                       detector, system, object, record_key, round(amount, 2), description
                from {LOG} order by detector, record_key"""
        ).fetchall()
    with (truth_dir / "anomalies.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(TRUTH_COLUMNS)
        for r in rows:
            w.writerow(["" if v is None else (f"{v:.2f}" if isinstance(v, float) else v) for v in r])
