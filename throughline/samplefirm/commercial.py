"""Commercial chain: staffing slots -> projects -> assignments, then the deals that sold them
(opportunities with history and line items), ERP sales orders and jobs, milestones and change orders.

Projects are derived from staffing demand so that utilization is realistic; contract values are then
priced from the planned hours, which keeps margins and budgets consistent.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from . import names as N
from .context import GenContext
from .ledger import next_id, post_lines
from .masters import master_ts
from .store import insert_df

#: Longest gap between two engagements (days) by role level: seniors sit on the bench more.
GAP_BY_LEVEL = np.array([12, 12, 14, 20, 28, 40, 60])
BILLING_TYPES = ["time_and_materials", "fixed_fee", "milestone", "retainer"]
TYPE_CODE = {"time_and_materials": "TM", "fixed_fee": "FF", "milestone": "MS", "retainer": "RT"}
SF_TYPE = {
    "time_and_materials": "Time & Materials",
    "fixed_fee": "Fixed Fee",
    "milestone": "Milestone",
    "retainer": "Retainer",
}


def build(ctx: GenContext) -> None:
    _slots(ctx)
    _projects(ctx)
    _assignments(ctx)
    _price_projects(ctx)
    _internal_projects(ctx)
    _opportunities(ctx)
    _sales_orders_and_jobs(ctx)
    _milestones(ctx)
    _change_orders(ctx)


def _slots(ctx: GenContext) -> None:
    """Consecutive engagement windows per resource across its employment (vectorised with cumsum)."""
    res = ctx.sql("""SELECT id, role_id, practice_id, legal_entity, hire_date, termination_date
                     FROM psa__resources ORDER BY id""").df()
    rng = ctx.rng
    start = np.maximum(
        pd.to_datetime(res["hire_date"]).values.astype("datetime64[D]").astype(np.int64),
        np.int64(ctx.start_date.toordinal() - 719163),
    )
    horizon = ctx.end_date.toordinal() - 719163 + 60
    term = pd.to_datetime(res["termination_date"]).values.astype("datetime64[D]")
    stop = np.where(np.isnat(term), horizon, term.astype(np.int64))
    n = len(res)
    k = int(np.ceil((horizon - start.min()) / 30)) + 2
    lengths = rng.integers(30, 160, (n, k))
    gaps = (rng.random((n, k)) * GAP_BY_LEVEL[res["role_id"].values - 1][:, None]).astype(np.int64)
    gaps[:, 0] = rng.integers(0, 10, n)
    starts = start[:, None] + np.cumsum(gaps + lengths, axis=1) - lengths
    ends = starts + lengths - 1
    mask = starts < stop[:, None]
    rid = np.repeat(res["id"].values, k).reshape(n, k)
    slots = pd.DataFrame(
        {
            "resource_id": rid[mask],
            "s": starts[mask],
            "e": np.minimum(ends, stop[:, None])[mask],
        }
    )
    slots["slot_id"] = np.arange(1, len(slots) + 1)
    ent = res.set_index("id")["legal_entity"]
    slots["entity"] = ent.loc[slots["resource_id"]].values
    other = rng.random(len(slots)) < 0.12
    alt = np.array(["US01", "UK01", "DE01"])[rng.integers(0, 3, len(slots))]
    slots["target_entity"] = np.where(other, alt, slots["entity"])
    slots["practice_id"] = res.set_index("id")["practice_id"].loc[slots["resource_id"]].values
    epoch = np.datetime64("1970-01-01")
    slots["start_date"] = (epoch + slots["s"].values.astype("timedelta64[D]")).astype("datetime64[D]")
    slots["end_date"] = (epoch + slots["e"].values.astype("timedelta64[D]")).astype("datetime64[D]")
    ctx.con.register("_slots_df", slots)
    ctx.sql(
        "CREATE OR REPLACE TABLE _gen_slots AS SELECT * EXCLUDE (s, e, start_date, end_date), "
        "start_date::DATE AS start_date, end_date::DATE AS end_date FROM _slots_df"
    )
    ctx.con.unregister("_slots_df")


def _projects(ctx: GenContext) -> None:
    """Seed one project per ~2.5 slots (starting near the seeding slot), then staff slots onto projects."""
    ctx.sql(f"""
        CREATE OR REPLACE TABLE _gen_proj AS
        WITH seeds AS (
            SELECT * FROM _gen_slots WHERE u(slot_id, 11) < 0.40
        )
        SELECT row_number() OVER (ORDER BY slot_id) AS id, slot_id AS seed_slot, practice_id,
               target_entity AS legal_entity,
               greatest(start_date - CAST(ri(slot_id, 12, 20) AS INTEGER),
                   DATE '{ctx.start_date}') AS start_date,
               start_date + CAST(60 + ri(slot_id, 13, 240) AS INTEGER) AS end_date
        FROM seeds
    """)
    ctx.sql("""
        CREATE OR REPLACE TABLE _gen_match AS
        WITH cand AS (
            SELECT s.slot_id, p.id AS project_id,
                   CASE WHEN p.seed_slot = s.slot_id THEN -1.0 ELSE u(s.slot_id, p.id) END AS pick
            FROM _gen_slots s JOIN _gen_proj p
              ON p.practice_id = s.practice_id AND p.legal_entity = s.target_entity
             AND p.start_date <= s.start_date + 10 AND p.end_date >= s.start_date + 20
        )
        SELECT slot_id, arg_min(project_id, pick * 1e12 + project_id) AS project_id FROM cand GROUP BY slot_id
    """)
    # Projects nobody staffed never happened.
    ctx.sql("DELETE FROM _gen_proj WHERE id NOT IN (SELECT project_id FROM _gen_match)")


def _assignments(ctx: GenContext) -> None:
    ctx.sql("""
        CREATE OR REPLACE TABLE _gen_asg AS
        SELECT row_number() OVER (ORDER BY s.slot_id) AS id, m.project_id, s.resource_id, r.role_id,
               greatest(s.start_date, p.start_date) AS start_date, least(s.end_date, p.end_date) AS end_date,
               round(r.weekly_capacity_hours * (0.8 + 0.2 * u(s.slot_id,
                   21)))::DECIMAL(9,2) AS hours_per_week,
               u(s.slot_id, 22) < 0.3 AS has_override, 0.90 + 0.07 * u(s.slot_id, 23) AS discount
        FROM _gen_slots s JOIN _gen_match m USING (slot_id) JOIN _gen_proj p ON p.id = m.project_id
        JOIN psa__resources r ON r.id = s.resource_id
        WHERE least(s.end_date, p.end_date) >= greatest(s.start_date, p.start_date)
    """)
    # Projects run from the first to the last staffed day.
    ctx.sql("""
        UPDATE _gen_proj p SET start_date = a.s, end_date = a.e
        FROM (SELECT project_id, min(start_date) s, max(end_date) e FROM _gen_asg GROUP BY 1) a
        WHERE a.project_id = p.id
    """)


def _price_projects(ctx: GenContext) -> None:
    """Client, currency, billing type and value of each project, priced from its planned staffing."""
    n_clients = ctx.scale.clients
    ctx.sql(f"""
        CREATE OR REPLACE TABLE _gen_proj2 AS
        WITH c AS (SELECT id AS client_id, erp_customer_id, name FROM psa__clients),
        p AS (
            SELECT p.*,
                   -- a few large accounts get most projects
                   1 + CAST(floor(pow(u(p.id, 31), 1.8) * {n_clients}) AS BIGINT) AS client_id,
                   u(p.id, 32) AS r_type, u(p.id, 33) AS r_ccy
            FROM _gen_proj p
        )
        SELECT p.id, p.practice_id, p.legal_entity, p.start_date, p.end_date, p.client_id,
               CASE WHEN p.practice_id = 8 AND p.r_type < 0.6 THEN 'retainer'
                    WHEN p.r_type < 0.52 THEN 'time_and_materials' WHEN p.r_type < 0.74 THEN 'fixed_fee'
                    WHEN p.r_type < 0.90 THEN 'milestone' ELSE 'retainer' END AS billing_type,
               CASE WHEN p.r_ccy < 0.10 THEN (CASE p.legal_entity WHEN 'US01' THEN 'EUR' ELSE 'USD' END)
                    ELSE (CASE p.legal_entity WHEN 'US01' THEN 'USD' WHEN 'UK01' THEN 'GBP' ELSE 'EUR' END)
               END AS currency
        FROM p
    """)
    # Planned hours, price and cost per project from its assignments and the rate card at start.
    ctx.sql("""
        CREATE OR REPLACE TABLE _gen_asg_rate AS
        SELECT a.*, p.currency, p.billing_type,
               (SELECT rc.bill_rate FROM psa__rate_cards rc WHERE rc.role_id = a.role_id
                   AND rc.currency = p.currency
                  AND a.start_date >= rc.effective_from AND a.start_date <= coalesce(rc.effective_to,
                      DATE '2999-12-31')
               ) AS card_rate,
               greatest(1, (datediff('day', a.start_date, a.end_date) + 1) * 5 / 7)
                   * a.hours_per_week / 5 AS planned_hours,
               r.cost_rate, r.cost_currency
        FROM _gen_asg a JOIN _gen_proj2 p ON p.id = a.project_id JOIN psa__resources r ON r.id = a.resource_id
    """)
    ctx.sql("""
        CREATE OR REPLACE TABLE _gen_proj_value AS
        SELECT a.project_id, sum(a.planned_hours) AS hours,
               -- summed as DECIMAL so parallel aggregation cannot change the last digit
               sum((a.planned_hours * a.card_rate * CASE WHEN a.has_override THEN a.discount ELSE 1 END)
                   ::DECIMAL(18,4)) AS value,
               sum((a.planned_hours * a.cost_rate * fc.usd / fp.usd)::DECIMAL(18,4)) AS cost
        FROM _gen_asg_rate a
        JOIN _gen_fx_daily fc ON fc.fx_day = a.start_date AND fc.currency = (SELECT id
            FROM netsuite__currency WHERE name = a.cost_currency)
        JOIN _gen_fx_daily fp ON fp.fx_day = a.start_date AND fp.currency = (SELECT id
            FROM netsuite__currency WHERE name = a.currency)
        GROUP BY 1
    """)
    ts = master_ts(ctx)
    ctx.sql(f"""
        INSERT INTO psa__projects BY NAME
        SELECT p.id, printf('P-%06d', p.id) AS code,
               c.name || ' - ' || pr.name || ' ' || CASE p.billing_type WHEN 'retainer'
                   THEN 'Support Retainer'
                   WHEN 'milestone' THEN 'Programme' WHEN 'fixed_fee' THEN 'Delivery'
                       ELSE 'Engagement' END AS name,
               p.client_id, p.legal_entity, p.practice_id, p.billing_type, true AS is_billable, p.currency,
               round(v.value * CASE p.billing_type WHEN 'fixed_fee' THEN 0.98 + 0.14 * u(p.id, 41)
                   ELSE 1 END, -2)
                   AS budget_amount,
               round(v.hours) AS budget_hours, round(v.cost, 2) AS budget_cost,
               round(v.cost * (0.97 + 0.12 * u(p.id, 42)), 2) AS eac_cost,
               CASE WHEN p.billing_type = 'time_and_materials' AND u(p.id, 43) < 0.4
                    THEN round(v.value * (0.92 + 0.35 * u(p.id, 44)), -3) END AS nte_amount,
               CASE WHEN p.billing_type = 'retainer'
                    THEN round(v.value / greatest(1, datediff('month', p.start_date, p.end_date) + 1), -2)
                    END AS retainer_monthly_amount,
               p.start_date, p.end_date,
               CASE WHEN p.end_date < DATE '{ctx.end_date}' THEN 'closed'
                    WHEN p.start_date > DATE '{ctx.end_date}' THEN 'planned' ELSE 'active' END AS status,
               pm.resource_id AS project_manager_id,
               least(p.start_date - 10, DATE '{ctx.end_date}')::TIMESTAMP + INTERVAL 10 HOUR AS created_at,
               CASE WHEN p.end_date < DATE '{ctx.end_date}' THEN p.end_date + INTERVAL 30 HOUR
                    ELSE least(p.start_date - 10, DATE '{ctx.end_date}')::TIMESTAMP
                        + INTERVAL 10 HOUR END AS updated_at,
               least(p.start_date - 10, DATE '{ctx.end_date}')::TIMESTAMP + INTERVAL 10 HOUR AS _gen_created
        FROM _gen_proj2 p JOIN _gen_proj_value v ON v.project_id = p.id
        JOIN psa__clients c ON c.id = p.client_id JOIN psa__practices pr ON pr.id = p.practice_id
        LEFT JOIN (SELECT a.project_id,
                          first(a.resource_id ORDER BY r.role_id DESC, u(a.id, 45) DESC, a.id) AS resource_id
                   FROM _gen_asg a JOIN psa__resources r ON r.id = a.resource_id GROUP BY 1) pm
          ON pm.project_id = p.id
    """)
    # Active projects nobody worked on in the last three weeks are on hold.
    ctx.sql(f"""
        UPDATE psa__projects SET status = 'on_hold'
        WHERE status = 'active' AND id NOT IN (
            SELECT project_id FROM _gen_asg WHERE end_date >= DATE '{ctx.end_date}' - 21
                                              AND start_date <= DATE '{ctx.end_date}')
    """)
    ctx.sql(
        """
        INSERT INTO psa__assignments BY NAME
        SELECT id, project_id, resource_id, role_id, start_date, end_date, hours_per_week,
               CASE WHEN has_override THEN round(card_rate * discount, 0) END AS bill_rate,
               least(start_date - 7, ?::DATE)::TIMESTAMP + INTERVAL 11 HOUR AS updated_at,
               least(start_date - 7, ?::DATE)::TIMESTAMP + INTERVAL 11 HOUR AS _gen_created
        FROM _gen_asg_rate
    """,
        [ctx.end_date, ctx.end_date],
    )
    del ts


def _internal_projects(ctx: GenContext) -> None:
    ts = master_ts(ctx)
    rows = []
    base_id = 900000
    for sid, code, _n, ccy, *_r in N.SUBSIDIARIES:
        for k, (work, label) in enumerate(
            [
                ("admin", "Administration"),
                ("training", "Training"),
                ("presales", "Presales"),
                ("internal", "Practice Development"),
            ]
        ):
            rows.append(
                {
                    "id": base_id + sid * 10 + k,
                    "code": f"INT-{code}-{work.upper()[:5]}",
                    "name": f"Internal - {label} ({code})",
                    "client_id": None,
                    "legal_entity": code,
                    "practice_id": None,
                    "billing_type": "non_billable",
                    "is_billable": False,
                    "currency": {1: "USD", 2: "GBP", 3: "EUR"}[ccy],
                    "start_date": ctx.start_date - timedelta(days=3 * 365),
                    "end_date": None,
                    "status": "active",
                    "created_at": ts,
                    "updated_at": ts,
                    "_gen_created": ts,
                }
            )
    insert_df(ctx, "psa__projects", pd.DataFrame(rows))


def _opportunities(ctx: GenContext) -> None:
    """Won deals (one per client project), lost and open deals, stage history and line items."""
    end = ctx.end_date
    ctx.sql(f"""
        CREATE OR REPLACE TABLE _gen_opp AS
        WITH won AS (
            SELECT p.id AS project_id, p.client_id, p.currency, p.budget_amount AS amount, p.billing_type,
                   p.legal_entity, p.practice_id, p.start_date, p.end_date, p.nte_amount,
                   p.start_date - CAST(7 + ri(p.id, 51, 40) AS INTEGER) AS close_date,
                   'Closed Won' AS stage_name, NULL::BIGINT AS other_k
            FROM psa__projects p WHERE p.billing_type <> 'non_billable'
        ), nw AS (SELECT count(*) AS n FROM won),
        other AS (
            SELECT i AS k, CASE WHEN u(i, 52) < 0.69 THEN 'lost' ELSE 'open' END AS kind FROM nw, range(1,
                CAST(n * 1.86 AS BIGINT) + 1) t(i)
        ), other2 AS (
            SELECT NULL::BIGINT AS project_id, 1 + ri(k, 53, {ctx.scale.clients}) AS client_id,
                   NULL AS currency, round(20000 + 400000 * pow(u(k, 54), 2), -3) AS amount,
                   ['time_and_materials','fixed_fee','milestone','retainer'][1 + ri(k, 55,
                       4)] AS billing_type,
                   NULL AS legal_entity, 1 + ri(k, 56, 8) AS practice_id,
                   NULL::DATE AS start_date, NULL::DATE AS end_date, NULL AS nte_amount,
                   CASE WHEN kind = 'lost'
                        THEN DATE '{ctx.start_date}' - 60 + CAST(ri(k, 57, datediff('day',
                            DATE '{ctx.start_date}', DATE '{end}') + 55) AS INTEGER)
                        ELSE DATE '{end}' + CAST(5 + ri(k, 58, 120) AS INTEGER) END AS close_date,
                   CASE WHEN kind = 'lost' THEN 'Closed Lost'
                        ELSE ['Prospecting','Qualification','Proposal','Negotiation'][1 + ri(k, 59,
                            4)] END AS stage_name, k AS other_k
            FROM other
        ), allo AS (SELECT * FROM won UNION ALL SELECT * FROM other2)
        SELECT row_number() OVER (ORDER BY coalesce(project_id, 0) = 0, project_id, other_k) AS n, *
        FROM allo
    """)
    # Fill entity and currency of non-won deals from the client.
    ctx.sql("""
        UPDATE _gen_opp o SET currency = c.currency,
               legal_entity = CASE c.currency WHEN 'GBP' THEN 'UK01' WHEN 'EUR' THEN 'DE01' ELSE 'US01' END
        FROM psa__clients c WHERE c.id = o.client_id AND o.project_id IS NULL
    """)
    # Stage path: won/lost pass through all four open stages; open deals stop at their current stage.
    ctx.sql(f"""
        CREATE OR REPLACE TABLE _gen_opp_hist AS
        WITH o AS (
            SELECT *, CAST(20 + ri(n, 61, 100) AS INTEGER) AS cycle_days,
                   CASE stage_name WHEN 'Prospecting' THEN 1 WHEN 'Qualification' THEN 2 WHEN 'Proposal'
                       THEN 3
                        WHEN 'Negotiation' THEN 4 ELSE 5 END AS last_step
            FROM _gen_opp
        ), steps AS (
            SELECT o.*, s.step FROM o, range(1, 6) s(step) WHERE s.step <= o.last_step
        )
        SELECT n, step,
               CASE WHEN step = 5 THEN stage_name
                    ELSE ['Prospecting','Qualification','Proposal','Negotiation'][step] END AS stage,
               CASE WHEN step = 5 AND stage_name = 'Closed Lost' THEN 0
                    ELSE [10, 20, 50, 75, 100][step] END AS probability,
               CASE WHEN last_step = 5 THEN close_date::TIMESTAMP - to_days(CAST((5
                   - step) * cycle_days / 4 AS INTEGER))
                    -- open deals: steps spread before today; the latest stage change lands in the last days
                    ELSE DATE '{end}'::TIMESTAMP - to_days(CAST((last_step
                        - step) * cycle_days / 4 AS INTEGER)
                         + CAST(CASE WHEN u(n, 63) < 0.3 THEN ri(n, 69, 4) ELSE ri(n, 62, 40) END AS INTEGER))
               END + to_hours(CAST(9 + ri(n * 10 + step, 64, 8) AS INTEGER)) + to_minutes(CAST(ri(n * 10
                   + step, 65, 60) AS INTEGER)) AS ts
        FROM steps
    """)
    ctx.sql(
        f"UPDATE _gen_opp_hist SET ts = TIMESTAMP '{end} 08:00:00' + to_minutes(CAST(n % 600 AS INTEGER)) "
        f"WHERE ts > TIMESTAMP '{end} 18:00:00'"
    )
    users = 12
    ctx.sql(f"""
        INSERT INTO salesforce__opportunity BY NAME
        WITH h AS (SELECT n, min(ts) AS created, max(ts) AS modified,
                          arg_max(stage, step) AS stage, arg_max(probability, step) AS prob,
                          CASE WHEN count(*) > 1 THEN list(stage ORDER BY step DESC)[2] END AS prev_stage
                   FROM _gen_opp_hist GROUP BY n)
        SELECT '006' || lpad(o.n::VARCHAR, 12, '0') || 'AAA' AS id,
               '001' || lpad(o.client_id::VARCHAR, 12, '0') || 'AAA' AS account_id,
               c.name || ' - ' || pr.name || CASE WHEN o.project_id IS NULL THEN ' opportunity'
                   ELSE '' END AS name,
               h.stage AS stage_name, o.amount, o.currency AS currency_iso_code, o.close_date,
               h.prob AS probability,
               CASE WHEN h.stage = 'Closed Won' THEN 'Closed' WHEN h.stage = 'Closed Lost' THEN 'Omitted'
                    WHEN h.prob >= 75 THEN 'Commit' WHEN h.prob >= 50 THEN 'BestCase'
                        ELSE 'Pipeline' END AS forecast_category,
               h.stage LIKE 'Closed%' AS is_closed, h.stage = 'Closed Won' AS is_won,
               CASE WHEN u(o.n, 66) < 0.5 THEN 'New Business' WHEN u(o.n, 66) < 0.85 THEN 'Existing Business'
                   ELSE 'Renewal' END AS type,
               ['Referral','Partner','Web','Event','Outbound'][1 + ri(o.n, 67, 5)] AS lead_source,
               '005' || lpad((1 + ri(o.client_id, 68, {users}))::VARCHAR, 12, '0') || 'AAA' AS owner_id,
               CASE o.billing_type WHEN 'time_and_materials' THEN 'Time & Materials' WHEN 'fixed_fee'
                   THEN 'Fixed Fee'
                    WHEN 'milestone' THEN 'Milestone' ELSE 'Retainer' END AS contract_type_c,
               o.nte_amount AS nte_amount_c, o.legal_entity AS contracting_entity_c,
               coalesce(o.start_date, o.close_date + 14) AS delivery_start_date_c,
               coalesce(o.end_date, o.close_date + 120) AS delivery_end_date_c,
               h.created AS created_date, h.modified AS last_modified_date, h.modified AS system_modstamp,
               false AS is_deleted, h.created AS _gen_created, h.prev_stage AS _gen_prev_stage
        FROM _gen_opp o JOIN h USING (n) JOIN psa__clients c ON c.id = o.client_id
        JOIN psa__practices pr ON pr.id = o.practice_id
    """)
    # A few open deals touched in the last nights are deleted.
    ctx.sql(f"""
        UPDATE salesforce__opportunity SET is_deleted = true, system_modstamp = system_modstamp
            + INTERVAL 1 HOUR
        WHERE NOT is_closed AND system_modstamp > TIMESTAMP '{ctx.extract_dates[0]} 23:59:59'
          AND u(hash(id), 70) < 0.08
    """)
    ctx.sql("""
        INSERT INTO salesforce__opportunity_history BY NAME
        SELECT '008' || lpad((h.n * 10 + h.step)::VARCHAR, 12, '0') || 'AAA' AS id,
               '006' || lpad(h.n::VARCHAR, 12, '0') || 'AAA' AS opportunity_id, h.stage AS stage_name,
               o.amount, o.close_date, h.probability,
               CASE WHEN h.stage = 'Closed Won' THEN 'Closed' WHEN h.stage = 'Closed Lost' THEN 'Omitted'
                    WHEN h.probability >= 75 THEN 'Commit' WHEN h.probability >= 50 THEN 'BestCase'
                        ELSE 'Pipeline'
               END AS forecast_category,
               '005' || lpad((1 + ri(o.client_id, 68, 12))::VARCHAR, 12, '0') || 'AAA' AS created_by_id,
               h.ts AS created_date, h.ts AS system_modstamp, false AS is_deleted, h.ts AS _gen_created
        FROM _gen_opp_hist h JOIN _gen_opp o USING (n)
    """)
    # Line items: the main service line (80 %), sometimes split with a second one.
    ctx.sql("""
        CREATE OR REPLACE TABLE _gen_oli AS
        WITH o AS (
            SELECT o.n, o.amount, o.billing_type, o.close_date, o.project_id,
                   (SELECT service_line FROM psa__practices pr WHERE pr.id = o.practice_id) AS sl_name,
                   u(o.n, 71) < 0.25 AS split
            FROM _gen_opp o
        ), lines AS (
            SELECT o.*, 1 AS k, CASE WHEN split THEN round(amount * 0.7, 2) ELSE amount END AS line_amount,
                   (SELECT id FROM netsuite__classification WHERE name = o.sl_name) AS sl
            FROM o
            UNION ALL
            SELECT o.*, 2, amount - round(amount * 0.7, 2),
                   1 + ((SELECT id FROM netsuite__classification WHERE name = o.sl_name) % 5)
            FROM o WHERE split
        )
        SELECT l.*, i.id AS item_id, i.itemid AS product_code
        FROM lines l JOIN netsuite__item i ON i.class = l.sl AND i.itemid LIKE '%-' || CASE l.billing_type
             WHEN 'time_and_materials' THEN 'TM' WHEN 'fixed_fee' THEN 'FF' WHEN 'milestone' THEN 'MS'
                 ELSE 'RT' END
    """)
    ctx.sql("""
        INSERT INTO salesforce__opportunity_line_item BY NAME
        SELECT '00k' || lpad((l.n * 10 + l.k)::VARCHAR, 12, '0') || 'AAA' AS id,
               '006' || lpad(l.n::VARCHAR, 12, '0') || 'AAA' AS opportunity_id,
               '01t' || lpad(l.item_id::VARCHAR, 12, '0') || 'AAA' AS product_2_id, l.product_code,
               p.name AS name, round(l.line_amount / 1500.0, 1) AS quantity,
               round(l.line_amount / greatest(round(l.line_amount / 1500.0, 1), 0.1), 2) AS unit_price,
               round(l.line_amount / greatest(round(l.line_amount / 1500.0, 1), 0.1), 2) AS list_price,
               0.0 AS discount, l.line_amount AS total_price, l.close_date + 14 AS service_date,
               s.created_date, s.created_date AS system_modstamp, false AS is_deleted,
                   s.created_date AS _gen_created
        FROM _gen_oli l JOIN salesforce__product_2 p ON p.product_code = l.product_code
        JOIN salesforce__opportunity s ON s.id = '006' || lpad(l.n::VARCHAR, 12, '0') || 'AAA'
    """)
    # Salesforce cascades a deleted opportunity to its line items and stage history.
    for child in ("salesforce__opportunity_line_item", "salesforce__opportunity_history"):
        ctx.sql(f"""
            UPDATE {child} AS c SET is_deleted = true,
                system_modstamp = greatest(c.system_modstamp + INTERVAL 1 SECOND, o.system_modstamp)
            FROM salesforce__opportunity AS o
            WHERE o.id = c.opportunity_id AND o.is_deleted
        """)


def _sales_orders_and_jobs(ctx: GenContext) -> None:
    """ERP contract (SalesOrd, non-posting) and job per won deal; cross ids written back."""
    base = next_id(ctx, "netsuite__transaction", "id")
    ctx.sql(f"""
        CREATE OR REPLACE TABLE _gen_so AS
        SELECT o.n, o.project_id, {base} + row_number() OVER (ORDER BY o.project_id) - 1 AS so_id,
               100000 + o.project_id AS job_id, o.close_date, o.currency, o.amount, o.billing_type,
               o.nte_amount, o.start_date, o.end_date, o.legal_entity,
               (SELECT id FROM netsuite__subsidiary WHERE externalid = o.legal_entity) AS sub,
               (SELECT id FROM netsuite__currency WHERE name = o.currency) AS ccy,
               2000 + o.client_id AS customer
        FROM _gen_opp o WHERE o.project_id IS NOT NULL
    """)
    ctx.sql(
        """
        INSERT INTO netsuite__transaction BY NAME
        SELECT so_id AS id, printf('SO-%s-%06d', legal_entity[1:2], so_id) AS tranid, 'SalesOrd' AS type,
               close_date AS trandate, close_date::TIMESTAMP + INTERVAL 15 HOUR AS createddate,
               CASE WHEN end_date < ?::DATE THEN 'C' ELSE 'B' END AS status, ccy AS currency,
               (SELECT f1.usd / f2.usd FROM _gen_fx_daily f1, _gen_fx_daily f2, netsuite__subsidiary s
                 WHERE f1.fx_day = close_date AND f2.fx_day = close_date AND f1.currency = ccy AND s.id = sub
                   AND f2.currency = s.currency) AS exchangerate,
               customer AS entity,
               (SELECT id FROM netsuite__accountingperiod ap WHERE ap.isposting
                   AND close_date BETWEEN ap.startdate AND ap.enddate) AS postingperiod,
               false AS posting, 'Contract' AS memo, printf('PO-%07d', so_id * 7 % 9999991) AS otherrefnum,
                   30 AS terms,
               amount AS foreigntotal, 0 AS taxtotal, start_date AS startdate, end_date AS enddate,
                   false AS voided,
               CASE billing_type WHEN 'time_and_materials' THEN 'TM' WHEN 'fixed_fee' THEN 'FF'
                   WHEN 'milestone' THEN 'MS' ELSE 'RT' END AS custbody_contract_type,
               nte_amount AS custbody_nte_amount,
               '006' || lpad(n::VARCHAR, 12, '0') || 'AAA' AS custbody_sf_opportunity_id,
               project_id::VARCHAR AS custbody_psa_project_id,
               close_date::TIMESTAMP + INTERVAL 15 HOUR AS lastmodifieddate, false AS _fivetran_deleted,
               close_date::TIMESTAMP + INTERVAL 15 HOUR AS _gen_created
        FROM _gen_so
    """,
        [ctx.end_date],
    )
    ctx.sql("""
        CREATE OR REPLACE TEMP VIEW _so_lines AS
        SELECT s.so_id AS transaction, l.k AS id, l.k AS linesequencenumber, false AS mainline,
            false AS taxline,
               l.item_id AS item, 1 AS quantity, l.line_amount AS rate, l.line_amount AS foreignamount,
               'Contract value' AS memo, s.sub AS subsidiary, p.practice_id AS department, l.sl AS class,
               s.customer AS entity, true AS isbillable, s.project_id::VARCHAR AS custcol_psa_project_id,
               s.start_date AS custcol_period_start, s.end_date AS custcol_period_end,
               NULL::VARCHAR AS _acct, 0.0 AS _dr, false AS _balancer, t.exchangerate AS _rate,
               t.createddate AS _ts, false AS _posting
        FROM _gen_so s JOIN _gen_oli l ON l.n = s.n JOIN netsuite__transaction t ON t.id = s.so_id
        JOIN psa__projects p ON p.id = s.project_id
    """)
    post_lines(ctx, "_so_lines")
    ctx.sql("""
        INSERT INTO netsuite__job BY NAME
        SELECT s.job_id AS id, p.code AS entityid, p.name AS companyname, s.customer, s.sub AS subsidiary,
               s.ccy AS currency, p.start_date AS startdate, p.end_date AS projectedenddate,
               CASE WHEN p.status = 'closed' THEN p.end_date END AS enddate,
               CASE p.billing_type WHEN 'time_and_materials' THEN 'TM' WHEN 'fixed_fee' THEN 'FF'
                   WHEN 'milestone' THEN 'MS' ELSE 'RT' END AS jobbillingtype,
               CASE p.status WHEN 'closed' THEN 'Closed' WHEN 'planned' THEN 'Pending' WHEN 'on_hold'
                   THEN 'On Hold' ELSE 'In Progress' END AS entitystatus,
               p.budget_amount AS estimatedrevenue, p.budget_cost AS estimatedcost,
               (SELECT 5000 + r.id FROM psa__resources r WHERE r.id = p.project_manager_id
                   AND r.employment_type = 'employee') AS projectmanager,
               CASE WHEN u(p.id, 81) < 0.9 THEN p.id::VARCHAR END AS custentity_psa_project_id,
               CASE WHEN u(p.id, 82) < 0.9 THEN '006' || lpad(s.n::VARCHAR, 12,
                   '0') || 'AAA' END AS custentity_sf_opportunity_id,
               p.status = 'closed' AS isinactive, s.close_date::TIMESTAMP + INTERVAL 16 HOUR AS datecreated,
               p.updated_at AS lastmodifieddate, false AS _fivetran_deleted,
               s.close_date::TIMESTAMP + INTERVAL 16 HOUR AS _gen_created
        FROM _gen_so s JOIN psa__projects p ON p.id = s.project_id
    """)
    ctx.sql("""
        UPDATE psa__projects p SET crm_opportunity_id = CASE WHEN u(p.id, 83) < 0.92
            THEN '006' || lpad(s.n::VARCHAR, 12, '0') || 'AAA' END,
               erp_sales_order_id = CASE WHEN u(p.id, 84) < 0.9 THEN s.so_id::VARCHAR END,
               erp_job_id = CASE WHEN u(p.id, 85) < 0.9 THEN s.job_id::VARCHAR END
        FROM _gen_so s WHERE s.project_id = p.id
    """)
    ctx.sql("""
        UPDATE salesforce__opportunity o SET erp_sales_order_id_c = CASE WHEN u(s.n, 86) < 0.85
            THEN s.so_id::VARCHAR END,
               psa_project_id_c = CASE WHEN u(s.n, 87) < 0.85 THEN s.project_id::VARCHAR END
        FROM _gen_so s WHERE o.id = '006' || lpad(s.n::VARCHAR, 12, '0') || 'AAA'
    """)
    # Clients served by a non-primary entity get a customer-subsidiary relationship.
    ctx.sql("""
        INSERT INTO netsuite__customersubsidiaryrelationship BY NAME
        WITH need AS (SELECT DISTINCT customer AS entity, sub AS subsidiary FROM _gen_so
                      EXCEPT SELECT entity, subsidiary FROM netsuite__customersubsidiaryrelationship),
        base AS (SELECT max(id) AS m FROM netsuite__customersubsidiaryrelationship)
        SELECT base.m + row_number() OVER (ORDER BY need.entity, need.subsidiary) AS id, need.entity,
               need.subsidiary, false AS isprimarysub,
               c.datecreated AS lastmodifieddate, false AS _fivetran_deleted, c.datecreated AS _gen_created
        FROM need JOIN netsuite__customer c ON c.id = need.entity, base
    """)


def _milestones(ctx: GenContext) -> None:
    """Billing schedule: FF schedule items (billed on due date) and MS milestones (billed on acceptance)."""
    end = ctx.end_date
    ctx.sql(f"""
        INSERT INTO psa__milestones BY NAME
        WITH p AS (
            SELECT id, budget_amount, start_date, end_date, billing_type, 2 + ri(id, 91, 4) AS k
            FROM psa__projects WHERE billing_type IN ('fixed_fee', 'milestone')
        ), m AS (
            SELECT p.*, s.i AS seq,
                   p.start_date + CAST(round(datediff('day', p.start_date,
                       p.end_date) * s.i / p.k) AS INTEGER) AS due
            FROM p, range(1, 7) s(i) WHERE s.i <= p.k
        ), m2 AS (
            SELECT *, due + CAST(ri(id * 10 + seq, 92, 12) AS INTEGER) - 4 AS completed,
                   CASE WHEN seq = k THEN budget_amount - round(budget_amount / k, 2) * (k - 1)
                        ELSE round(budget_amount / k, 2) END AS amt
            FROM m
        ), m3 AS (
            SELECT *, CASE WHEN billing_type = 'fixed_fee' THEN completed
                           ELSE completed + CAST(3 + ri(id * 10 + seq, 93, 12) AS INTEGER) END AS accepted
            FROM m2
        )
        SELECT id * 10 + seq AS id, id AS project_id,
               CASE WHEN billing_type = 'fixed_fee' THEN 'Fee instalment ' || seq || ' of ' || k
                    ELSE ['Discovery sign-off', 'Design approval', 'Build complete', 'UAT sign-off',
                          'Go-live', 'Hypercare exit'][seq] END AS name,
               seq AS sequence, amt AS amount, due AS due_date,
               CASE WHEN accepted <= DATE '{end}' THEN 'accepted' WHEN completed <= DATE '{end}'
                   THEN 'completed'
                    ELSE 'planned' END AS status,
               CASE WHEN completed <= DATE '{end}' THEN completed END AS completed_date,
               CASE WHEN accepted <= DATE '{end}' THEN accepted END AS accepted_date,
               CASE WHEN accepted <= DATE '{end}' THEN accepted::TIMESTAMP + INTERVAL 14 HOUR
                    WHEN completed <= DATE '{end}' THEN completed::TIMESTAMP + INTERVAL 14 HOUR
                    ELSE least(start_date - 10, DATE '{end}')::TIMESTAMP + INTERVAL 10 HOUR END AS updated_at,
               least(start_date - 10, DATE '{end}')::TIMESTAMP + INTERVAL 10 HOUR AS _gen_created
        FROM m3
    """)


def _change_orders(ctx: GenContext) -> None:
    """Change orders on ~20 % of projects; approved ones raise the budget and get an ERP amendment."""
    end = ctx.end_date
    ctx.sql(f"""
        CREATE OR REPLACE TABLE _gen_co AS
        SELECT p.id AS project_id, p.billing_type, p.currency, p.budget_amount, p.budget_hours, p.end_date,
               p.start_date + CAST(datediff('day', p.start_date, least(p.end_date, DATE '{end}')) * (0.3
                   + 0.4 * u(p.id, 101)) AS INTEGER) AS requested,
               CASE WHEN u(p.id, 102) < 0.7 THEN 'approved' WHEN u(p.id, 102) < 0.9 THEN 'pending'
                   ELSE 'rejected' END AS status,
               round(p.budget_amount * (0.05 + 0.2 * u(p.id, 103)), -2) AS amount_change,
               round(p.budget_hours * (0.05 + 0.2 * u(p.id, 103))) AS hours_change,
               -- about half of the change orders on running projects also extend the end date
               CASE WHEN p.end_date >= DATE '{end}' AND u(p.id, 108) < 0.5
                    THEN p.end_date + CAST(14 + 70 * u(p.id, 109) AS INTEGER) END AS new_end
        FROM psa__projects p
        WHERE p.billing_type IN ('time_and_materials', 'fixed_fee', 'milestone') AND u(p.id, 104) < 0.25
          AND p.start_date < DATE '{end}' - 45
    """)
    ctx.sql(f"""
        UPDATE _gen_co SET status = 'pending' WHERE status = 'approved' AND requested + 10 > DATE '{end}'
    """)
    base = next_id(ctx, "netsuite__transaction", "id")
    ctx.sql(f"""
        CREATE OR REPLACE TABLE _gen_co2 AS
        SELECT c.*, row_number() OVER (ORDER BY c.project_id) AS co_id,
               CASE WHEN c.status = 'approved' THEN c.requested + CAST(3 + ri(c.project_id, 105,
                   7) AS INTEGER) END AS approved,
               CASE WHEN c.status = 'approved'
                    THEN {base} + sum(CASE WHEN c.status = 'approved' THEN 1
                        ELSE 0 END) OVER (ORDER BY c.project_id) - 1 END AS so_id,
               s.so_id AS parent_so, s.sub, s.ccy, s.customer,
               -- some T&M change orders also raise the bill rates from their approval on
               CASE WHEN c.billing_type = 'time_and_materials' AND u(c.project_id, 106) < 0.4
                    THEN round(3 + 5 * u(c.project_id, 107), 1) ELSE 0.0 END AS rate_pct
        FROM _gen_co c JOIN _gen_so s ON s.project_id = c.project_id
    """)
    ctx.sql("""
        INSERT INTO psa__change_orders BY NAME
        SELECT co_id AS id, project_id, 'CO-1' AS number,
               CASE WHEN rate_pct <> 0 THEN 'Scope extension and rate increase' ELSE 'Scope extension' END
                   AS title,
               status, amount_change, hours_change, new_end AS new_end_date,
               rate_pct AS bill_rate_change_pct, requested AS requested_date,
               approved AS approved_date, so_id::VARCHAR AS erp_sales_order_id,
               requested::TIMESTAMP + INTERVAL 10 HOUR AS created_at,
               coalesce(approved, requested)::TIMESTAMP + INTERVAL 15 HOUR AS updated_at,
               requested::TIMESTAMP + INTERVAL 10 HOUR AS _gen_created
        FROM _gen_co2
    """)
    ctx.sql("""
        INSERT INTO netsuite__transaction BY NAME
        SELECT c.so_id AS id, printf('SO-%06d-A1', c.parent_so) AS tranid, 'SalesOrd' AS type,
            c.approved AS trandate,
               c.approved::TIMESTAMP + INTERVAL 16 HOUR AS createddate, 'B' AS status, c.ccy AS currency,
               t.exchangerate, c.customer AS entity,
               (SELECT id FROM netsuite__accountingperiod ap WHERE ap.isposting
                   AND c.approved BETWEEN ap.startdate AND ap.enddate) AS postingperiod,
               false AS posting, 'Contract amendment CO-1' AS memo, 30 AS terms,
                   c.amount_change AS foreigntotal,
               0 AS taxtotal, t.startdate, coalesce(c.new_end, t.enddate) AS enddate, false AS voided,
               t.custbody_contract_type,
               c.parent_so AS custbody_parent_contract, t.custbody_sf_opportunity_id,
               c.project_id::VARCHAR AS custbody_psa_project_id,
                   c.co_id::VARCHAR AS custbody_psa_change_order_id,
               c.approved::TIMESTAMP + INTERVAL 16 HOUR AS lastmodifieddate, false AS _fivetran_deleted,
               c.approved::TIMESTAMP + INTERVAL 16 HOUR AS _gen_created
        FROM _gen_co2 c JOIN netsuite__transaction t ON t.id = c.parent_so WHERE c.status = 'approved'
    """)
    ctx.sql("""
        CREATE OR REPLACE TEMP VIEW _co_lines AS
        SELECT c.so_id AS transaction, 1 AS id, 1 AS linesequencenumber, false AS mainline, false AS taxline,
               l.item, 1 AS quantity, c.amount_change AS rate, c.amount_change AS foreignamount,
               'Change order CO-1' AS memo, c.sub AS subsidiary, l.department, l.class, c.customer AS entity,
               true AS isbillable, c.project_id::VARCHAR AS custcol_psa_project_id,
               NULL::VARCHAR AS _acct, 0.0 AS _dr, false AS _balancer, t.exchangerate AS _rate,
               t.createddate AS _ts, false AS _posting
        FROM _gen_co2 c JOIN netsuite__transaction t ON t.id = c.so_id
        JOIN netsuite__transactionline l ON l.transaction = c.parent_so AND l.id = 1
        WHERE c.status = 'approved'
    """)
    post_lines(ctx, "_co_lines")
    # Approved change orders raise the PSA budget (and the NTE cap); FF/MS get an extra billing item.
    ctx.sql("""
        UPDATE psa__projects p SET budget_amount = p.budget_amount + c.amount_change,
               budget_hours = p.budget_hours + c.hours_change,
               end_date = coalesce(c.new_end, p.end_date),
               nte_amount = CASE WHEN p.nte_amount IS NOT NULL THEN p.nte_amount + c.amount_change END,
               updated_at = greatest(p.updated_at, c.approved::TIMESTAMP + INTERVAL 15 HOUR)
        FROM _gen_co2 c WHERE c.project_id = p.id AND c.status = 'approved'
    """)
    ctx.sql(f"""
        INSERT INTO psa__milestones BY NAME
        SELECT c.project_id * 10 + 9 AS id, c.project_id, 'Change order CO-1' AS name, 9 AS sequence,
               c.amount_change AS amount, least(c.end_date, c.approved + 30) AS due_date,
               CASE WHEN least(c.end_date, c.approved + 30) + 7 <= DATE '{end}' THEN 'accepted'
                   ELSE 'planned' END AS status,
               CASE WHEN least(c.end_date, c.approved + 30) + 7 <= DATE '{end}' THEN least(c.end_date,
                   c.approved + 30) END AS completed_date,
               CASE WHEN least(c.end_date, c.approved + 30) + 7 <= DATE '{end}' THEN least(c.end_date,
                   c.approved + 30) + 7 END AS accepted_date,
               CASE WHEN least(c.end_date, c.approved + 30) + 7 <= DATE '{end}' THEN least(c.end_date,
                   c.approved + 30) + 7
                    ELSE c.approved END::TIMESTAMP + INTERVAL 14 HOUR AS updated_at,
               c.approved::TIMESTAMP + INTERVAL 15 HOUR AS _gen_created
        FROM _gen_co2 c WHERE c.status = 'approved' AND c.billing_type IN ('fixed_fee', 'milestone')
    """)
