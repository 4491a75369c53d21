"""The firm's revenue plan: ``_truth/schedule.csv`` (project, month, component, scheduled revenue).

The generator knows each project's plan: billing-schedule items (milestones and fixed-fee instalments) by
due date, T&M staffing (assignment hours on planned working days x bill rate) and retainer fees by month.
The forecast tests compare the warehouse's schedule-based next-month forecast with this file where nothing
changed after the snapshot, so a broken link between the sources and the forecast shows up as a difference.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .context import GenContext

#: Working days per week: an assignment's weekly hours are spread evenly over Monday to Friday.
WORKDAYS = 5

SCHEDULE_COLUMNS = ["project_id", "month", "component", "scheduled_revenue", "currency"]

_PLAN_SQL = f"""
WITH p AS (
    SELECT id, billing_type, currency, retainer_monthly_amount, start_date, end_date
    FROM psa__projects
    WHERE billing_type IN ('time_and_materials', 'fixed_fee', 'milestone', 'retainer') AND deleted_at IS NULL
), items AS (
    SELECT m.project_id, date_trunc('month', m.due_date)::DATE AS month,
           CASE p.billing_type WHEN 'milestone' THEN 'milestone' ELSE 'fixed_fee_schedule' END AS component,
           sum(m.amount) AS amount
    FROM psa__milestones m JOIN p ON p.id = m.project_id
    WHERE p.billing_type IN ('fixed_fee', 'milestone') AND m.deleted_at IS NULL AND m.due_date IS NOT NULL
    GROUP BY ALL
), asg_days AS (
    SELECT a.id, a.project_id, a.role_id, a.hours_per_week, a.bill_rate, p.currency,
           date_trunc('month', d.d)::DATE AS month, count(*) AS days, min(d.d)::DATE AS first_day
    FROM psa__assignments a
    JOIN p ON p.id = a.project_id AND p.billing_type = 'time_and_materials'
    JOIN psa__resources r ON r.id = a.resource_id,
         LATERAL range(a.start_date::TIMESTAMP, a.end_date::TIMESTAMP + INTERVAL 1 DAY, INTERVAL 1 DAY) d(d)
    WHERE a.deleted_at IS NULL AND isodow(d.d) <= {WORKDAYS}
      AND NOT EXISTS (SELECT 1 FROM psa__holidays h
                      WHERE h.country_code = r.country_code AND h.holiday_date = d.d::DATE)
    GROUP BY ALL
), tm AS (
    SELECT s.project_id, s.month, 'time_and_materials' AS component,
           sum(round(s.hours_per_week / {WORKDAYS} * s.days * coalesce(s.bill_rate, rc.bill_rate), 2))
               AS amount
    FROM asg_days s
    LEFT JOIN psa__rate_cards rc ON rc.role_id = s.role_id AND rc.currency = s.currency
         AND s.first_day BETWEEN rc.effective_from AND coalesce(rc.effective_to, DATE '9999-12-31')
    GROUP BY ALL
), retainers AS (
    SELECT p.id AS project_id, m.m::DATE AS month, 'retainer' AS component,
           p.retainer_monthly_amount AS amount
    FROM p, LATERAL range(date_trunc('month', p.start_date)::TIMESTAMP,
                          date_trunc('month', p.end_date)::TIMESTAMP + INTERVAL 1 DAY, INTERVAL 1 MONTH) m(m)
    WHERE p.billing_type = 'retainer' AND p.retainer_monthly_amount IS NOT NULL
)
SELECT u.project_id, u.month, u.component, round(u.amount, 2) AS amount, p.currency
FROM (SELECT * FROM items UNION ALL SELECT * FROM tm UNION ALL SELECT * FROM retainers) u
JOIN p ON p.id = u.project_id
WHERE u.amount <> 0
ORDER BY u.project_id, u.month, u.component
"""


def write_schedule(ctx: GenContext, truth_dir: Path) -> int:
    """Write ``schedule.csv`` from the working store (after the defects, as the PSA holds the plan)."""
    rows = ctx.con.execute(_PLAN_SQL).fetchall()
    truth_dir.mkdir(parents=True, exist_ok=True)
    with (truth_dir / "schedule.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(SCHEDULE_COLUMNS)
        for project_id, month, component, amount, currency in rows:
            w.writerow([project_id, month.isoformat(), component, f"{amount:.2f}", currency])
    return len(rows)
