"""Delivery: time off, daily time entries (client, internal, bench) and expenses, all set-based SQL.

Every resource-working-day (weekday, employed, not a public holiday of its country, not off) yields
about three entries: two on its client assignment plus admin time, or two internal entries on the bench.
"""

from __future__ import annotations

from .context import GenContext

#: Billable share of an assigned day by role level (Analyst .. Partner).
BILLABLE_SHARE = [0.92, 0.92, 0.90, 0.85, 0.78, 0.68, 0.55]
CLIENT_NOTES = [
    "Workshop preparation",
    "Development",
    "Client meeting",
    "Analysis",
    "Documentation",
    "Testing",
    "Status reporting",
    "Design session",
]


def build(ctx: GenContext) -> None:
    _person_days(ctx)
    _time_off(ctx)
    _time_entries(ctx)
    _expenses(ctx)


def _person_days(ctx: GenContext) -> None:
    ctx.sql(f"""
        CREATE OR REPLACE TABLE _gen_days AS
        SELECT r.id AS resource_id, t.d::DATE AS day, r.country_code, r.weekly_capacity_hours / 5 AS cap,
               r.role_id, r.legal_entity, r.employment_type
        FROM psa__resources r,
             LATERAL range(greatest(r.hire_date, DATE '{ctx.start_date}')::TIMESTAMP,
                           least(coalesce(r.termination_date, DATE '{ctx.end_date}'),
                               DATE '{ctx.end_date}')::TIMESTAMP
                               + INTERVAL 1 DAY, INTERVAL 1 DAY) t(d)
        WHERE isodow(t.d) <= 5
          AND NOT EXISTS (SELECT 1 FROM psa__holidays h WHERE h.country_code = r.country_code
                                                         AND h.holiday_date = t.d::DATE)
    """)


def _time_off(ctx: GenContext) -> None:
    """Vacation weeks (summer and December peaks) and sick days; employees only."""
    ctx.sql("""
        CREATE OR REPLACE TABLE _gen_off AS
        WITH d AS (
            SELECT *, date_trunc('week', day)::DATE AS wk, month(day) AS m FROM _gen_days
            WHERE employment_type = 'employee'
        ), v AS (
            SELECT *, CASE WHEN m IN (7, 8) THEN 0.20 WHEN m = 12 AND day(day) >= 18 THEN 0.55
                           WHEN m = 12 AND day(day) < 18 THEN 0.04 ELSE 0.055 END AS p_week,
                   u(resource_id, epoch(wk)::BIGINT) AS r_week, 2 + ri(resource_id, epoch(wk)::BIGINT,
                       4) AS len,
                   u3(resource_id, epoch(day)::BIGINT, 3) AS r_sick
            FROM d
        )
        SELECT resource_id, day, cap,
               CASE WHEN r_week < p_week AND isodow(day) > 5 - len THEN 'vacation' ELSE 'sick' END AS type
        FROM v
        WHERE (r_week < p_week AND isodow(day) > 5 - len)
           OR r_sick < CASE WHEN m IN (1, 2, 11, 12) THEN 0.018 ELSE 0.009 END
    """)
    ctx.sql("""
        INSERT INTO psa__time_off BY NAME
        SELECT row_number() OVER (ORDER BY resource_id, day) AS id, resource_id, day AS off_date,
            cap AS hours,
               type, 'approved' AS status,
               CASE WHEN type = 'vacation' THEN (day - 21)::TIMESTAMP + INTERVAL 10 HOUR
                    ELSE day::TIMESTAMP + INTERVAL 9 HOUR END AS updated_at,
               CASE WHEN type = 'vacation' THEN (day - 21)::TIMESTAMP + INTERVAL 10 HOUR
                    ELSE day::TIMESTAMP + INTERVAL 9 HOUR END AS _gen_created
        FROM _gen_off
    """)
    ctx.sql("DELETE FROM _gen_days d USING _gen_off o WHERE o.resource_id = d.resource_id AND o.day = d.day")


def _time_entries(ctx: GenContext) -> None:
    end = ctx.end_date
    shares = "[" + ", ".join(str(s) for s in BILLABLE_SHARE) + "]"
    notes = "[" + ", ".join(f"'{n}'" for n in CLIENT_NOTES) + "]"
    ctx.sql(f"""
        CREATE OR REPLACE TABLE _gen_te AS
        WITH d AS (
            SELECT d.*, a.id AS assignment_id, a.project_id, a.bill_rate AS asg_rate, p.currency,
                   p.project_manager_id, epoch(d.day)::BIGINT AS dk
            FROM _gen_days d
            LEFT JOIN psa__assignments a ON a.resource_id = d.resource_id AND d.day BETWEEN a.start_date
                AND a.end_date
            LEFT JOIN psa__projects p ON p.id = a.project_id
        ), h AS (
            SELECT *, round(cap * least(1.0, {shares}[role_id] * (0.9 + 0.18 * u(resource_id,
                dk))) * 4) / 4 AS billable
            FROM d
        ), hp AS (
            SELECT h.*, round(billable * (0.35 + 0.2 * u3(resource_id, dk, 1)) * 4) / 4 AS c1,
                   round(billable * (0.25 + 0.1 * u3(resource_id, dk, 4)) * 4) / 4 AS c2,
                   round(cap * (0.4 + 0.3 * u3(resource_id, dk, 2)) * 4) / 4 AS b1
            FROM h
        ), e AS (
            -- staffed days: three client entries and the rest as admin; bench days: internal work + admin
            SELECT hp.*, k.k,
                   CASE WHEN project_id IS NULL
                        THEN (CASE k.k WHEN 1 THEN ['presales', 'training', 'internal'][1 + ri(resource_id,
                                  dk, 3)] ELSE 'admin' END)
                        WHEN k.k = 3 THEN 'admin' ELSE 'client' END AS work_type,
                   CASE WHEN project_id IS NULL THEN (CASE k.k WHEN 1 THEN b1 ELSE cap - b1 END)
                        ELSE (CASE k.k WHEN 1 THEN c1 WHEN 2 THEN c2 WHEN 4 THEN billable - c1 - c2
                              ELSE cap - billable END) END AS hours
            FROM hp JOIN (VALUES (1), (2), (3), (4)) k(k) ON project_id IS NOT NULL OR k.k <= 2
        ), s AS (
            SELECT e.*,
                   -- timesheets are submitted on Friday afternoon, some late
                   (date_trunc('week', day) + INTERVAL 4 DAY + INTERVAL 15 HOUR
                     + to_minutes(CAST(ri(resource_id, epoch(date_trunc('week', day))::BIGINT,
                         240) AS INTEGER))
                     + CASE WHEN u(resource_id, epoch(date_trunc('week', day))::BIGINT + 1) < 0.12
                            THEN INTERVAL 3 DAY ELSE INTERVAL 0 DAY END) AS sub_ts,
                   to_hours(CAST(24 * (1 + ri(resource_id, epoch(date_trunc('week', day))::BIGINT + 2, 6))
                                 + ri(resource_id, epoch(date_trunc('week', day))::BIGINT + 3, 8)
                                     - 6 AS INTEGER))
                     AS appr_delay
            FROM e WHERE hours >= 0.25
        )
        SELECT row_number() OVER (ORDER BY resource_id, day, k) AS id, s.resource_id,
               CASE WHEN s.work_type = 'client' THEN s.project_id
                    ELSE 900000 + (CASE s.legal_entity WHEN 'US01' THEN 1 WHEN 'UK01' THEN 2 ELSE 3 END) * 10
                         + (CASE s.work_type WHEN 'admin' THEN 0 WHEN 'training' THEN 1 WHEN 'presales'
                             THEN 2 ELSE 3 END)
               END AS project_id,
               CASE WHEN s.work_type = 'client' THEN s.assignment_id END AS assignment_id, s.role_id,
               s.day AS spent_date, s.hours::DECIMAL(9,2) AS hours, s.work_type = 'client' AS is_billable,
                   s.work_type,
               s.sub_ts,
               -- approvals land on working days: a weekend approval moves to Monday
               s.sub_ts + s.appr_delay + CASE isodow(s.sub_ts + s.appr_delay) WHEN 6 THEN INTERVAL 2 DAY
                                                WHEN 7 THEN INTERVAL 1 DAY
                                                    ELSE INTERVAL 0 DAY END AS appr_ts, s.project_manager_id,
                                                    s.asg_rate, s.currency, s.dk, s.k
        FROM s
    """)
    end_ts = f"TIMESTAMP '{end} 23:59:59'"
    # The current week's entries exist as drafts from the day they were worked; older ones are seen
    # from their submission on.
    created = (
        f"CASE WHEN t.sub_ts > {end_ts} OR t.spent_date > DATE '{end}' - 7 "
        "THEN t.spent_date::TIMESTAMP + INTERVAL 17 HOUR + to_minutes(CAST(ri(t.id, 122, 120) AS INTEGER)) "
        "ELSE t.sub_ts END"
    )
    ctx.sql(f"""
        INSERT INTO psa__time_entries BY NAME
        WITH t AS (
            SELECT t.*, r.cost_rate, r.cost_currency, r.legal_entity,
                   u3(t.resource_id, t.dk, t.k + 10) AS r_rej,
                   -- Entries of one person, project and day get different notes: two entries alike in
                   -- every field are what the PSA_DUPLICATE_TIME check flags.
                   min(t.id) OVER (PARTITION BY t.resource_id, t.project_id, t.spent_date) AS note_seed,
                   row_number() OVER (PARTITION BY t.resource_id, t.project_id, t.spent_date ORDER BY t.id)
                       AS note_rn
            FROM _gen_te t JOIN psa__resources r ON r.id = t.resource_id
        ), appr AS (
            SELECT legal_entity, min(id) AS approver FROM psa__resources WHERE role_id >= 5 GROUP BY 1
        )
        SELECT t.id, t.resource_id, t.project_id, t.assignment_id, t.role_id, t.spent_date, t.hours,
            t.is_billable,
               t.work_type,
               CASE WHEN t.sub_ts > {end_ts} THEN 'draft' WHEN t.r_rej < 0.008 THEN 'rejected'
                    WHEN t.appr_ts > {end_ts} THEN 'submitted' ELSE 'approved' END AS status,
               CASE WHEN t.sub_ts <= {end_ts} THEN t.sub_ts END AS submitted_at,
               CASE WHEN t.appr_ts <= {end_ts} AND t.r_rej >= 0.008 THEN t.appr_ts END AS approved_at,
               CASE WHEN t.appr_ts <= {end_ts} AND t.r_rej >= 0.008
                    THEN coalesce(CASE WHEN t.is_billable THEN t.project_manager_id END,
                        appr.approver) END AS approved_by_id,
               CASE WHEN t.is_billable
                    THEN round(coalesce(t.asg_rate, rc.bill_rate)
                               * (1 + coalesce(co.bill_rate_change_pct, 0) / 100), 2)
               END AS bill_rate,
               t.cost_rate, coalesce(t.currency, t.cost_currency) AS currency, t.cost_currency,
               CASE WHEN t.is_billable
                    THEN {notes}[1 + (ri(t.note_seed, 121, {len(CLIENT_NOTES)}) + t.note_rn - 1)
                                     % {len(CLIENT_NOTES)}]
                    ELSE upper(t.work_type[1]) || t.work_type[2:]
                         || CASE WHEN t.note_rn > 1 THEN ' (part ' || t.note_rn || ')' ELSE '' END
               END AS notes,
               {created} AS created_at,
               CASE WHEN t.appr_ts <= {end_ts} AND t.r_rej >= 0.008 THEN t.appr_ts
                    WHEN t.sub_ts <= {end_ts} THEN greatest(t.sub_ts, {created} + INTERVAL 1 MINUTE)
                    ELSE {created} END AS updated_at,
               {created} AS _gen_created
        FROM t LEFT JOIN appr ON appr.legal_entity = t.legal_entity
        LEFT JOIN psa__rate_cards rc ON t.is_billable AND rc.role_id = t.role_id AND rc.currency = t.currency
             AND t.spent_date BETWEEN rc.effective_from AND coalesce(rc.effective_to, DATE '2999-12-31')
        LEFT JOIN psa__change_orders co ON co.project_id = t.project_id AND co.status = 'approved'
             AND co.bill_rate_change_pct <> 0 AND t.spent_date >= co.approved_date
    """)
    ctx.sql("DROP TABLE _gen_te")
    # A few unsubmitted or pending entries of the last nights are deleted by their owner the next day.
    first = ctx.extract_dates[0]
    ctx.sql(f"""
        UPDATE psa__time_entries
        SET deleted_at = _gen_created + INTERVAL 26 HOUR, updated_at = _gen_created + INTERVAL 26 HOUR
        WHERE status IN ('draft', 'submitted') AND _gen_created > TIMESTAMP '{first} 00:00:00'
          AND _gen_created < TIMESTAMP '{end} 00:00:00' - INTERVAL 6 HOUR AND u(id, 131) < 0.03
    """)


def _expenses(ctx: GenContext) -> None:
    end_ts = f"TIMESTAMP '{ctx.end_date} 23:59:59'"
    ctx.sql(f"""
        INSERT INTO psa__expenses BY NAME
        WITH d AS (
            SELECT d.resource_id, d.day, a.project_id, p.currency, p.is_billable AS proj_billable,
                   epoch(d.day)::BIGINT AS dk
            FROM _gen_days d JOIN psa__assignments a ON a.resource_id = d.resource_id
                 AND d.day BETWEEN a.start_date AND a.end_date
            JOIN psa__projects p ON p.id = a.project_id
            WHERE isodow(d.day) = 1 AND u(d.resource_id, epoch(d.day)::BIGINT + 5) < 0.22
        ), e AS (
            SELECT d.*, k.k, ['travel', 'lodging', 'meals', 'software', 'other'][1 + ri(resource_id, dk
                + k.k, 5)] AS category
            FROM d, range(1, 3) k(k) WHERE k.k = 1 OR u(resource_id, dk + 7) < 0.5
        ), f AS (
            SELECT e.*,
                   round(CASE category WHEN 'travel' THEN 150 + 650 * u3(resource_id, dk, k)
                                       WHEN 'lodging' THEN 120 + 400 * u3(resource_id, dk, k)
                                       WHEN 'meals' THEN 15 + 80 * u3(resource_id, dk, k)
                                       WHEN 'software' THEN 20 + 200 * u3(resource_id, dk, k)
                                       ELSE 10 + 120 * u3(resource_id, dk, k) END, 2) AS amount,
                   day + CAST(ri(resource_id, dk + k, 4) AS INTEGER) AS spent,
                   (day + 5 + CAST(ri(resource_id, dk + k + 1, 5) AS INTEGER))::TIMESTAMP
                       + to_hours(CAST(9 + ri(resource_id, dk + k + 2, 9) AS INTEGER)) AS sub_ts
            FROM e
        )
        SELECT row_number() OVER (ORDER BY resource_id, spent, k) AS id, resource_id, project_id,
            spent AS spent_date,
               category, amount, currency,
               proj_billable AND category <> 'software' AND u3(resource_id, dk, k + 20) < 0.85 AS is_billable,
               [0.0, 0.0, 5.0, 10.0][1 + ri(project_id, 141, 4)] AS markup_pct,
               CASE WHEN u3(resource_id, dk, k + 30) < 0.02 THEN 'rejected'
                    WHEN sub_ts + INTERVAL 3 DAY > {end_ts} THEN 'submitted' ELSE 'approved' END AS status,
               CASE WHEN u3(resource_id, dk, k + 30) >= 0.02 AND sub_ts + INTERVAL 3 DAY <= {end_ts}
                    THEN sub_ts + INTERVAL 3 DAY END AS approved_at,
               least(sub_ts, {end_ts}) AS created_at,
               CASE WHEN sub_ts + INTERVAL 3 DAY <= {end_ts} THEN sub_ts + INTERVAL 3 DAY ELSE least(sub_ts,
                   {end_ts}) END AS updated_at,
               least(sub_ts, {end_ts}) AS _gen_created
        FROM f WHERE spent <= DATE '{ctx.end_date}' AND sub_ts <= {end_ts}
    """)
