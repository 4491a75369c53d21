"""Headline figures of a generated firm (logged at the end of generation, used by the benchmark)."""

from __future__ import annotations

from .context import GenContext


def firm_kpis(ctx: GenContext) -> dict[str, float]:
    """Billable utilization, T&M delivery margin and DSO, computed from the working store."""
    util = ctx.scalar("""
        SELECT sum(hours) FILTER (WHERE is_billable) / sum(hours) FROM psa__time_entries
        WHERE deleted_at IS NULL AND status <> 'rejected'
    """)
    margin = ctx.scalar("""
        SELECT 1 - sum(t.hours * t.cost_rate * fc.usd) / sum(t.hours * t.bill_rate * fb.usd)
        FROM psa__time_entries t
        JOIN _gen_fx_daily fc ON fc.fx_day = t.spent_date AND fc.currency = ccy_id(t.cost_currency)
        JOIN _gen_fx_daily fb ON fb.fx_day = t.spent_date AND fb.currency = ccy_id(t.currency)
        WHERE t.is_billable AND t.status = 'approved' AND t.deleted_at IS NULL
    """)
    dso = ctx.scalar(f"""
        WITH inv AS (SELECT i.id, i.inv_date, i.total * i.rate AS total_f, s.total - s.settled AS open_fc,
                            i.rate
                     FROM _gen_inv i JOIN _gen_inv_state s USING (id))
        SELECT 90 * sum(open_fc * rate)
               / nullif(sum(total_f) FILTER (WHERE inv_date > DATE '{ctx.end_date}' - 90), 0)
        FROM inv
    """)
    return {
        "billable_utilization": round(float(util or 0), 3),
        "tm_delivery_margin": round(float(margin or 0), 3),
        "dso_days": round(float(dso or 0), 1),
    }
