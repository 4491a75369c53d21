"""The ground-truth manifest: ``_truth/defects.csv`` (one row per defect) and ``_truth/summary.json``."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from .catalogue import DEFECT_KINDS
from .store import LOG, ensure_log, rates

TRUTH_COLUMNS = (
    "defect_id",
    "kind",
    "check_family",
    "system",
    "object",
    "record_key",
    "related_keys",
    "amount",
    "currency",
    "extract_date",
    "file",
    "line",
    "description",
)


def _rows(ctx: Any) -> list[tuple[Any, ...]]:
    ensure_log(ctx)
    dates = sorted(ctx.extract_dates)
    ctx.con.execute("create or replace temp table _gen_extract_dates (d date)")
    ctx.con.executemany("insert into _gen_extract_dates values (?)", [[d] for d in dates])
    families = ", ".join(f"('{k}', '{v['check_family']}')" for k, v in DEFECT_KINDS.items())
    return ctx.con.execute(
        f"""
        with fam(kind, family) as (values {families}),
        numbered as (
            select l.*, row_number() over (partition by l.kind order by l.seq) as n
            from {LOG} l
        )
        select n.kind || '-' || lpad(n.n::varchar, 4, '0') as defect_id, n.kind, f.family, n.system, n.object,
               n.record_key, coalesce(n.related_keys, '{{}}'), round(n.amount, 2), n.currency,
               coalesce((select min(d) from _gen_extract_dates where d >= n.landed_at::date),
                        (select max(d) from _gen_extract_dates)) as extract_date,
               n.file, n.line, n.description
        from numbered n join fam f using (kind)
        order by n.kind, n.n
        """
    ).fetchall()


def write_truth(ctx: Any, truth_dir: Path) -> None:
    """Write the manifest from the defect log (header only, zero counts, for a clean firm)."""
    truth_dir.mkdir(parents=True, exist_ok=True)
    rows = [] if ctx.clean else _rows(ctx)
    with (truth_dir / "defects.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(TRUTH_COLUMNS)
        for r in rows:
            w.writerow(["" if v is None else (f"{v:.2f}" if isinstance(v, float) else v) for v in r])
    counts = {k: 0 for k in DEFECT_KINDS}
    for r in rows:
        counts[r[1]] += 1
    summary = {
        "seed": ctx.seed,
        "scale": getattr(ctx.scale, "name", str(ctx.scale)),
        "clean": bool(ctx.clean),
        "total": len(rows),
        "counts": counts,
        "rates": rates(ctx).as_dict(),
    }
    (truth_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
