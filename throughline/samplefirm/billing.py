"""Billing, cash and GL: invoices (T&M, expenses, fixed-fee schedule, milestones, retainers), credit
notes, customer payments, intercompany recharges, revenue-recognition journals and FX revaluation.

Honours the ``_gen_`` billing helper columns the defects hooks may set. Every document balances in the
subsidiary's functional currency (cent rounding goes to the AR / main line).
"""

from __future__ import annotations

from . import names as N
from .anomalies import drift_payments
from .context import GenContext
from .ledger import next_id, post_journal, post_lines


def build(ctx: GenContext) -> None:
    _macros(ctx)
    _opening_balances(ctx)
    _billing_events(ctx)
    _invoices(ctx)
    _credit_notes(ctx)
    _payments(ctx)
    _intercompany(ctx)
    _revenue_recognition(ctx)
    _payroll_and_expenses(ctx)
    _fx_revaluation(ctx)
    _finish_invoices(ctx)


def _macros(ctx: GenContext) -> None:
    # Sales tax on services by selling entity (domestic rates; US services untaxed).
    rates = " ".join(f"WHEN {sid} THEN {tax}" for sid, *_r, tax in N.SUBSIDIARIES)
    ctx.sql(f"CREATE OR REPLACE MACRO tax_rate(s) AS CASE s {rates} ELSE 0.0 END")
    ctx.sql("CREATE OR REPLACE MACRO ccy_id(n) AS CASE n WHEN 'USD' THEN 1 WHEN 'GBP' THEN 2 ELSE 3 END")
    ctx.sql("CREATE OR REPLACE MACRO sub_id(c) AS CASE c WHEN 'US01' THEN 1 WHEN 'UK01' THEN 2 ELSE 3 END")
    ctx.sql("""CREATE OR REPLACE MACRO fxr(f, t, day) AS (
        SELECT _fa.usd / _fb.usd FROM _gen_fx_daily _fa, _gen_fx_daily _fb
        WHERE _fa.fx_day = day AND _fb.fx_day = day AND _fa.currency = f AND _fb.currency = t)""")
    ctx.sql("""CREATE OR REPLACE MACRO period_of(day) AS (
        SELECT id FROM netsuite__accountingperiod ap
        WHERE ap.isposting AND day BETWEEN ap.startdate AND ap.enddate)""")


def _opening_balances(ctx: GenContext) -> None:
    """Opening cash and equity per entity on the first day: about three months of its payroll."""
    rows = ctx.sql("""
        SELECT s.id, round(sum(r.weekly_capacity_hours * r.cost_rate) * 13, -3)
        FROM netsuite__subsidiary s JOIN psa__resources r ON r.legal_entity = s.externalid
        GROUP BY 1 ORDER BY 1
    """).fetchall()
    for sub, amount in rows:
        post_journal(
            ctx,
            int(sub),
            ctx.start_date,
            [("1000", float(amount)), ("3000", -float(amount))],
            "Opening balances",
            type="Journal",
        )


def _billing_events(ctx: GenContext) -> None:
    """One row per future invoice line, with the invoice it belongs to (doc_key) and its credit account."""
    end = ctx.end_date
    # Approved billable T&M time and whether it fits under the project's not-to-exceed cap.
    ctx.sql("""
        CREATE OR REPLACE TABLE _gen_te_value AS
        SELECT t.id, t.project_id, t.spent_date, t.hours, t.bill_rate, t.role_id, t.approved_at,
               t.hours * t.bill_rate AS value, p.billing_type, p.currency,
               coalesce(sum(t.hours * t.bill_rate) OVER (PARTITION BY t.project_id ORDER BY t.spent_date, t.id
                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) <= p.nte_amount, true) AS within_nte
        FROM psa__time_entries t JOIN psa__projects p ON p.id = t.project_id
        WHERE t.status = 'approved' AND t.is_billable AND t.deleted_at IS NULL AND t.bill_rate IS NOT NULL
    """)
    ctx.sql(f"""
        CREATE OR REPLACE TABLE _gen_bill AS
        WITH tm AS (
            SELECT t.id AS te_id, t.project_id, t.role_id, t.spent_date,
                   greatest(date_trunc('month', t.spent_date) + INTERVAL 1 MONTH,
                            date_trunc('month', t.approved_at::DATE - 4) + INTERVAL 1 MONTH)::DATE
                                + 4 AS inv_date,
                   round(t.bill_rate * e._gen_bill_rate_factor, 2) AS rate,
                       t.hours * e._gen_bill_hours_factor AS qty
            FROM _gen_te_value t JOIN psa__time_entries e ON e.id = t.id
            WHERE t.billing_type = 'time_and_materials' AND t.within_nte AND NOT e._gen_skip_billing
        ), ex AS (
            SELECT x.id AS ex_id, x.project_id, x.spent_date,
                   greatest(date_trunc('month', x.spent_date) + INTERVAL 1 MONTH,
                            date_trunc('month', x.approved_at::DATE - 4) + INTERVAL 1 MONTH)::DATE
                                + 4 AS inv_date,
                   round(x.amount * (1 + coalesce(x.markup_pct, 0) / 100), 2) AS amt
            FROM psa__expenses x
            WHERE x.status = 'approved' AND x.is_billable AND NOT x._gen_skip_billing AND x.deleted_at IS NULL
        )
        SELECT project_id, inv_date, 'TM' AS grp, 1 AS kind, role_id, NULL::BIGINT AS milestone_id,
               date_trunc('month', spent_date)::DATE AS period_start, last_day(spent_date) AS period_end,
               rate, sum(qty) AS qty, round(sum(qty) * rate, 2) AS amount, '1150' AS acct,
                   'Professional services' AS memo
        FROM tm WHERE inv_date <= DATE '{end}' GROUP BY 1, 2, 5, 7, 8, 9
        UNION ALL
        SELECT project_id, inv_date, 'TM', 2, NULL, NULL, date_trunc('month', spent_date)::DATE,
            last_day(spent_date),
               sum(amt), 1, sum(amt), '4100', 'Reimbursable expenses'
        FROM ex WHERE inv_date <= DATE '{end}' GROUP BY 1, 2, 7, 8
        UNION ALL
        SELECT m.project_id,
               CASE WHEN p.billing_type = 'fixed_fee' THEN m.due_date
                    WHEN m._gen_bill_early THEN coalesce(m.completed_date, m.due_date)
                        ELSE m.accepted_date END,
               'M' || m.id, 3, NULL, m.id, m.due_date, m.due_date,
               round(m.amount * p._gen_overbill_factor, 2), 1, round(m.amount * p._gen_overbill_factor, 2),
                   '2400',
               m.name
        FROM psa__milestones m JOIN psa__projects p ON p.id = m.project_id
        WHERE NOT m._gen_skip_billing AND m.deleted_at IS NULL
          AND ((p.billing_type = 'fixed_fee' AND m.due_date <= DATE '{end}')
            OR (p.billing_type = 'milestone' AND (m.accepted_date IS NOT NULL
                 OR (m._gen_bill_early AND coalesce(m.completed_date, m.due_date) <= DATE '{end}'))))
        UNION ALL
        SELECT p.id, greatest(mo.m::DATE, p.start_date), 'R' || strftime(mo.m, '%Y%m'), 4, NULL, NULL,
               greatest(mo.m::DATE, p.start_date), least(last_day(mo.m::DATE), p.end_date),
               round(p.retainer_monthly_amount * p._gen_overbill_factor, 2), 1,
               round(p.retainer_monthly_amount * p._gen_overbill_factor, 2), '2400', 'Monthly retainer'
        FROM psa__projects p,
             LATERAL range(date_trunc('month', p.start_date), least(p.end_date, DATE '{end}')
                 + INTERVAL 1 DAY,
                           INTERVAL 1 MONTH) mo(m)
        WHERE p.billing_type = 'retainer' AND p.retainer_monthly_amount > 0 AND p.deleted_at IS NULL
          AND greatest(mo.m::DATE, p.start_date) <= DATE '{end}'
    """)
    ctx.sql("DELETE FROM _gen_bill WHERE amount = 0")


def _invoices(ctx: GenContext) -> None:
    base = next_id(ctx, "netsuite__transaction", "id")
    ctx.sql(f"""
        CREATE OR REPLACE TABLE _gen_inv AS
        WITH d AS (
            SELECT project_id, inv_date, grp, sum(amount) AS net FROM _gen_bill GROUP BY ALL
        )
        SELECT {base} + row_number() OVER (ORDER BY d.inv_date, d.project_id, d.grp) - 1 AS id,
               d.project_id, d.inv_date, d.grp, d.net, sub_id(p.legal_entity) AS sub,
                   ccy_id(p.currency) AS ccy,
               2000 + p.client_id AS customer, c.terms::INTEGER AS terms, s.so_id, p.practice_id,
               round(d.net * tax_rate(sub_id(p.legal_entity)), 2) AS tax,
               fxr(ccy_id(p.currency), sub_id(p.legal_entity), d.inv_date) AS rate,
               d.inv_date::TIMESTAMP + INTERVAL 9 HOUR + to_minutes(CAST(ri(d.project_id,
                   epoch(d.inv_date)::BIGINT, 300) AS INTEGER)) AS ts
        FROM d JOIN psa__projects p ON p.id = d.project_id JOIN netsuite__customer c ON c.id = 2000
            + p.client_id
        LEFT JOIN _gen_so s ON s.project_id = d.project_id
    """)
    ctx.sql("ALTER TABLE _gen_inv ADD COLUMN total DECIMAL(18,2)")
    ctx.sql("UPDATE _gen_inv SET total = net + tax")
    ctx.sql("""
        CREATE OR REPLACE TABLE _gen_inv_lines AS
        SELECT i.id AS transaction, row_number() OVER (PARTITION BY i.id ORDER BY b.kind, b.period_start,
            b.role_id, b.rate) AS id,
               b.*, i.sub, i.customer, i.so_id, i.practice_id, i.rate AS fx, i.ts
        FROM _gen_bill b JOIN _gen_inv i ON i.project_id = b.project_id AND i.inv_date = b.inv_date
            AND i.grp = b.grp
    """)
    ctx.sql("""
        INSERT INTO netsuite__transaction BY NAME
        SELECT i.id, printf('INV-%s-%07d', CASE i.sub WHEN 1 THEN 'US' WHEN 2 THEN 'UK' ELSE 'DE' END,
            i.id) AS tranid,
               'CustInvc' AS type, i.inv_date AS trandate, i.ts AS createddate, i.inv_date
                   + i.terms AS duedate,
               'A' AS status, i.ccy AS currency, i.rate AS exchangerate, i.customer AS entity,
               period_of(i.inv_date) AS postingperiod, true AS posting,
               CASE WHEN i.grp = 'TM' THEN 'Monthly services ' || strftime(i.inv_date - 10, '%b %Y')
                   ELSE 'Billing schedule' END AS memo,
               so.otherrefnum, i.terms, i.total AS foreigntotal, i.tax AS taxtotal, false AS voided,
               so.custbody_sf_opportunity_id, i.project_id::VARCHAR AS custbody_psa_project_id,
               i.ts AS lastmodifieddate, false AS _fivetran_deleted, i.ts AS _gen_created
        FROM _gen_inv i LEFT JOIN netsuite__transaction so ON so.id = i.so_id
    """)
    ctx.sql("""
        CREATE OR REPLACE TEMP VIEW _inv_post AS
        SELECT i.id AS transaction, 0 AS id, 0 AS linesequencenumber, true AS mainline, false AS taxline,
               NULL::BIGINT AS item, NULL::DECIMAL(18,4) AS quantity, NULL::DECIMAL(18,4) AS rate,
               i.total AS foreignamount, 'Invoice total' AS memo, i.sub AS subsidiary,
                   i.practice_id AS department,
               NULL::BIGINT AS class, i.customer AS entity, NULL::BOOLEAN AS isbillable,
                   i.so_id AS createdfrom,
               i.project_id::VARCHAR AS custcol_psa_project_id, NULL::VARCHAR AS custcol_psa_role_id,
               NULL::VARCHAR AS custcol_psa_milestone_id, NULL::DATE AS custcol_period_start,
                   NULL::DATE AS custcol_period_end,
               '1100' AS _acct, i.total::DOUBLE AS _dr, true AS _balancer, i.rate AS _rate, i.ts AS _ts,
                   i.total AS _unpaid
        FROM _gen_inv i
        UNION ALL
        SELECT l.transaction, l.id, l.id, false, false,
               CASE WHEN l.kind = 2 THEN 90 ELSE (SELECT it.id FROM netsuite__item it JOIN psa__practices pr
                   ON pr.id = l.practice_id
                     JOIN netsuite__classification cl ON cl.name = pr.service_line
                     WHERE it.class = cl.id AND it.itemid LIKE '%-' || (CASE l.kind WHEN 1 THEN 'TM' WHEN 4
                         THEN 'RT'
                           ELSE (SELECT CASE billing_type WHEN 'fixed_fee' THEN 'FF' ELSE 'MS' END
                               FROM psa__projects WHERE id = l.project_id) END)) END,
               l.qty, l.rate, l.amount, l.memo, l.sub, l.practice_id,
               (SELECT cl.id FROM psa__practices pr JOIN netsuite__classification cl
                   ON cl.name = pr.service_line WHERE pr.id = l.practice_id),
               l.customer, true, l.so_id, l.project_id::VARCHAR, l.role_id::VARCHAR, l.milestone_id::VARCHAR,
               l.period_start, l.period_end, l.acct, -l.amount::DOUBLE, false, l.fx, l.ts, NULL
        FROM _gen_inv_lines l
        UNION ALL
        SELECT i.id, 9999, 9999, false, true, NULL, NULL, NULL, i.tax, 'Sales tax', i.sub, NULL, NULL,
            i.customer,
               NULL, NULL, i.project_id::VARCHAR, NULL, NULL, NULL, NULL, '2200', -i.tax::DOUBLE, false,
                   i.rate, i.ts, NULL
        FROM _gen_inv i WHERE i.tax <> 0
    """)
    post_lines(ctx, "_inv_post")
    # Link PSA records to the invoice that billed them.
    ctx.sql("""
        UPDATE psa__time_entries e SET erp_invoice_id = i.id::VARCHAR, updated_at = greatest(e.updated_at,
            i.ts)
        FROM (SELECT t.id AS te_id, i.id, i.ts
              FROM _gen_te_value t JOIN psa__time_entries x ON x.id = t.id
              JOIN _gen_inv i ON i.project_id = t.project_id AND i.grp = 'TM'
                AND i.inv_date = greatest(date_trunc('month', t.spent_date) + INTERVAL 1 MONTH,
                                          date_trunc('month', t.approved_at::DATE - 4)
                                              + INTERVAL 1 MONTH)::DATE + 4
              WHERE t.billing_type = 'time_and_materials' AND t.within_nte AND NOT x._gen_skip_billing) i
        WHERE e.id = i.te_id
    """)
    ctx.sql("""
        UPDATE psa__expenses e SET erp_invoice_id = i.id::VARCHAR, updated_at = greatest(e.updated_at, i.ts)
        FROM _gen_inv i
        WHERE i.project_id = e.project_id AND i.grp = 'TM' AND e.status = 'approved' AND e.is_billable
          AND NOT e._gen_skip_billing AND e.deleted_at IS NULL
          AND i.inv_date = greatest(date_trunc('month', e.spent_date) + INTERVAL 1 MONTH,
                                    date_trunc('month', e.approved_at::DATE - 4) + INTERVAL 1 MONTH)::DATE + 4
    """)
    ctx.sql("""
        UPDATE psa__milestones m SET erp_invoice_id = i.id::VARCHAR, updated_at = greatest(m.updated_at, i.ts)
        FROM _gen_inv i WHERE i.grp = 'M' || m.id
    """)


def _credit_notes(ctx: GenContext) -> None:
    end = ctx.end_date
    base = next_id(ctx, "netsuite__transaction", "id")
    ctx.sql(f"""
        CREATE OR REPLACE TABLE _gen_cm AS
        WITH pick0 AS (
            SELECT i.*, u(i.id, 151) AS r,
                   ['DISPUTE', 'WRITE_OFF', 'DISCOUNT', 'REBILL'][1 + ri(i.id, 152, 4)] AS reason,
                   i.inv_date + CAST(10 + ri(i.id, 153, 30) AS INTEGER) AS cm_date
            FROM _gen_inv i WHERE u(i.id, 150) < 0.03
        ), bad AS (
            -- invoices never paid are written off in full after five months
            SELECT i.*, 1.0 AS r, 'WRITE_OFF' AS reason, i.inv_date + 150 AS cm_date
            FROM _gen_inv i WHERE u(i.id, 161) >= 0.99 AND u(i.id, 150) >= 0.03
        ), pick AS (SELECT * FROM pick0 UNION ALL SELECT * FROM bad
        )
        SELECT {base} + row_number() OVER (ORDER BY id) - 1 AS cm_id, id AS inv_id, grp, sub, ccy, customer,
               project_id, practice_id, cm_date, reason,
               CASE WHEN r = 1.0 THEN net ELSE round(net * (0.05 + 0.45 * r), 2) END AS cm_net,
               CASE WHEN r = 1.0 THEN tax
                    ELSE round(round(net * (0.05 + 0.45 * r), 2) * tax_rate(sub), 2)
               END AS cm_tax,
               -- at the invoice's rate, so AR is relieved at its carrying amount
               rate, cm_date::TIMESTAMP + INTERVAL 11 HOUR AS ts
        FROM pick WHERE cm_date <= DATE '{end}'
    """)
    ctx.sql("""
        INSERT INTO netsuite__transaction BY NAME
        SELECT cm_id AS id, printf('CM-%07d', cm_id) AS tranid, 'CustCred' AS type, cm_date AS trandate,
               ts AS createddate, 'B' AS status, ccy AS currency, rate AS exchangerate, customer AS entity,
               period_of(cm_date) AS postingperiod, true AS posting, 'Credit memo: ' || reason AS memo,
               cm_net + cm_tax AS foreigntotal, cm_tax AS taxtotal, false AS voided,
               project_id::VARCHAR AS custbody_psa_project_id, reason AS custbody_reason_code,
               ts AS lastmodifieddate, false AS _fivetran_deleted, ts AS _gen_created
        FROM _gen_cm
    """)
    ctx.sql("""
        CREATE OR REPLACE TEMP VIEW _cm_post AS
        SELECT cm_id AS transaction, 0 AS id, 0 AS linesequencenumber, true AS mainline, false AS taxline,
               NULL::BIGINT AS item, (cm_net + cm_tax) AS foreignamount, 'Credit total' AS memo,
                   sub AS subsidiary,
               customer AS entity, inv_id AS createdfrom, project_id::VARCHAR AS custcol_psa_project_id,
               '1100' AS _acct, -(cm_net + cm_tax)::DOUBLE AS _dr, true AS _balancer, rate AS _rate,
                   ts AS _ts,
               0::DECIMAL(18,2) AS _unpaid
        FROM _gen_cm
        UNION ALL
        SELECT cm_id, 1, 1, false, false, NULL, cm_net, 'Credit: ' || reason, sub, customer, inv_id,
               project_id::VARCHAR,
               -- write-offs are bad debt; other credits reverse billing (unbilled T&M, deferred schedule)
               CASE WHEN reason = 'WRITE_OFF' THEN '6500' WHEN grp = 'TM' THEN '1150' ELSE '2400' END,
               cm_net::DOUBLE,
                   false,
               rate, ts, NULL FROM _gen_cm
        UNION ALL
        SELECT cm_id, 2, 2, false, true, NULL, cm_tax, 'Tax credit', sub, customer, inv_id,
            project_id::VARCHAR,
               '2200', cm_tax::DOUBLE, false, rate, ts, NULL FROM _gen_cm WHERE cm_tax <> 0
    """)
    post_lines(ctx, "_cm_post")
    ctx.sql("""
        INSERT INTO netsuite__previoustransactionlinelink BY NAME
        SELECT inv_id AS previousdoc, 0 AS previousline, cm_id AS nextdoc, 0 AS nextline,
               'CreditMemoApplication' AS linktype, 'CustInvc' AS previoustype, 'CustCred' AS nexttype,
               cm_date AS linkdate, cm_net + cm_tax AS foreignamount, round((cm_net + cm_tax) * rate,
                   2) AS amount,
               ts AS lastmodifieddate, false AS _fivetran_deleted, ts AS _gen_created
        FROM _gen_cm
    """)


def _payments(ctx: GenContext) -> None:
    """Customer payments: mostly on time or somewhat late, some partial, overpaid, unapplied or never."""
    end = ctx.end_date
    ctx.sql("""
        CREATE OR REPLACE TABLE _gen_pay_plan AS
        WITH due AS (
            SELECT i.*, i.total - coalesce((SELECT sum(c.cm_net + c.cm_tax) FROM _gen_cm c
                WHERE c.inv_id = i.id), 0) AS open_amt,
                   u(i.id, 161) AS r
            FROM _gen_inv i
        ), lat AS (
            SELECT *, CASE WHEN r < 0.60 THEN -8 + 16 * u(id, 162) WHEN r < 0.88 THEN 8 + 25 * u(id, 162)
                           WHEN r < 0.99 THEN 33 + 60 * u(id, 162) ELSE 9999 END AS late,
                      u(id, 163) AS r2
            FROM due WHERE open_amt > 0
        )
        -- first (or only) payment
        SELECT id AS inv_id, 1 AS k, inv_date + terms + CAST(late AS INTEGER) AS pay_date,
               CASE WHEN r2 < 0.06 THEN round(open_amt * (0.4 + 0.4 * u(id, 164)), 2)
                    WHEN r2 < 0.07 THEN open_amt + round(5 + 45 * u(id, 165), 2) ELSE open_amt END AS amount,
               CASE WHEN r2 < 0.06 THEN round(open_amt * (0.4 + 0.4 * u(id, 164)), 2)
                   ELSE open_amt END AS applied,
               r2 BETWEEN 0.07 AND 0.08 AS unapplied
        FROM lat WHERE late < 9999
        UNION ALL
        -- the rest of a partial payment, one to three months later
        SELECT id, 2, inv_date + terms + CAST(late AS INTEGER) + 30 + CAST(ri(id, 166, 60) AS INTEGER),
               open_amt - round(open_amt * (0.4 + 0.4 * u(id, 164)), 2),
               open_amt - round(open_amt * (0.4 + 0.4 * u(id, 164)), 2), false
        FROM lat WHERE late < 9999 AND r2 < 0.06
    """)
    drift_payments(ctx)  # planted late payers (none when clean)
    ctx.sql(f"DELETE FROM _gen_pay_plan WHERE pay_date > DATE '{end}'")
    base = next_id(ctx, "netsuite__transaction", "id")
    ctx.sql(f"""
        CREATE OR REPLACE TABLE _gen_pay AS
        SELECT {base} + row_number() OVER (ORDER BY p.pay_date, p.inv_id, p.k) - 1 AS pay_id, p.*, i.sub,
            i.ccy,
               i.customer, i.project_id, i.rate AS inv_rate, fxr(i.ccy, i.sub, p.pay_date) AS rate,
               p.pay_date::TIMESTAMP + INTERVAL 13 HOUR + to_minutes(CAST(ri(p.inv_id, p.k,
                   200) AS INTEGER)) AS ts,
               -- unapplied cash is matched to its invoice by the collector about a month later
               CASE WHEN p.unapplied THEN p.pay_date + 30 ELSE p.pay_date END AS apply_date
        FROM _gen_pay_plan p JOIN _gen_inv i ON i.id = p.inv_id
    """)
    ctx.sql(f"""
        ALTER TABLE _gen_pay ADD COLUMN applied_ts TIMESTAMP;
        UPDATE _gen_pay
        SET applied_ts = CASE WHEN unapplied THEN apply_date::TIMESTAMP + INTERVAL 10 HOUR ELSE ts END;
        UPDATE _gen_pay SET apply_date = NULL, applied_ts = NULL WHERE apply_date > DATE '{end}';
    """)
    ctx.sql("""
        INSERT INTO netsuite__transaction BY NAME
        SELECT pay_id AS id, printf('PYMT-%07d', pay_id) AS tranid, 'CustPymt' AS type, pay_date AS trandate,
               ts AS createddate, 'C' AS status, ccy AS currency, rate AS exchangerate, customer AS entity,
               period_of(pay_date) AS postingperiod, true AS posting,
               CASE WHEN unapplied THEN 'Unapplied cash' ELSE 'Customer payment' END AS memo,
               amount AS foreigntotal, 0 AS taxtotal, false AS voided,
               coalesce(applied_ts, ts) AS lastmodifieddate, false AS _fivetran_deleted, ts AS _gen_created
        FROM _gen_pay
    """)
    ctx.sql("""
        CREATE OR REPLACE TEMP VIEW _pay_post AS
        SELECT pay_id AS transaction, 0 AS id, 0 AS linesequencenumber, true AS mainline, false AS taxline,
               amount AS foreignamount, 'Cash received' AS memo, sub AS subsidiary, customer AS entity,
               '1000' AS _acct, amount::DOUBLE AS _dr, false AS _balancer, rate AS _rate, ts AS _ts,
               project_id::VARCHAR AS custcol_psa_project_id
        FROM _gen_pay
        UNION ALL
        SELECT pay_id, 1, 1, false, false, amount, 'Applied to receivable', sub, customer, '1100',
               -(applied + (amount - applied) * rate / inv_rate)::DOUBLE,
               false, inv_rate, ts, project_id::VARCHAR
        FROM _gen_pay
        UNION ALL
        SELECT pay_id, 2, 2, false, false, 0, 'Realized FX', sub, customer, '7910', 0.0, true, 1.0, ts,
            project_id::VARCHAR
        FROM _gen_pay
    """)
    post_lines(ctx, "_pay_post")
    ctx.sql("""
        INSERT INTO netsuite__previoustransactionlinelink BY NAME
        SELECT inv_id AS previousdoc, 0 AS previousline, pay_id AS nextdoc, 0 AS nextline,
               'Payment' AS linktype, 'CustInvc' AS previoustype, 'CustPymt' AS nexttype,
               apply_date AS linkdate, applied AS foreignamount, round(applied * inv_rate, 2) AS amount,
               applied_ts AS lastmodifieddate, false AS _fivetran_deleted, applied_ts AS _gen_created
        FROM _gen_pay WHERE apply_date IS NOT NULL
    """)


def _intercompany(ctx: GenContext) -> None:
    """When a resource of entity B works on entity A's project, B invoices A monthly at cost + 10 %."""
    end = ctx.end_date
    ctx.sql(f"""
        CREATE OR REPLACE TABLE _gen_ic AS
        WITH t AS (
            SELECT sub_id(r.legal_entity) AS seller, sub_id(p.legal_entity) AS buyer,
                   (date_trunc('month', t.spent_date) + INTERVAL 1 MONTH)::DATE + 4 AS inv_date,
                   t.hours * t.cost_rate * 1.10 AS amt, t.project_id
            FROM psa__time_entries t JOIN psa__resources r ON r.id = t.resource_id
            JOIN psa__projects p ON p.id = t.project_id
            WHERE t.status = 'approved' AND t.deleted_at IS NULL AND p.is_billable
                AND r.legal_entity <> p.legal_entity
        ), g AS (
            SELECT seller, buyer, inv_date, round(sum(amt), 2) AS amount FROM t
            WHERE inv_date <= DATE '{end}' GROUP BY ALL
        )
        SELECT row_number() OVER (ORDER BY inv_date, seller, buyer) AS n, g.*,
               (SELECT currency FROM netsuite__subsidiary WHERE id = seller) AS ccy,
               inv_date::TIMESTAMP + INTERVAL 17 HOUR AS ts
        FROM g
    """)
    base = next_id(ctx, "netsuite__transaction", "id")
    ctx.sql(f"""
        CREATE OR REPLACE TABLE _gen_ic2 AS
        SELECT *, {base} + 2 * (n - 1) AS inv_id, {base} + 2 * (n - 1) + 1 AS bill_id,
               fxr(ccy, buyer, inv_date) AS buyer_rate,
               (SELECT id FROM netsuite__customer WHERE subsidiary = seller
                   AND representingsubsidiary = buyer) AS ic_customer,
               (SELECT id FROM netsuite__vendor WHERE subsidiary = buyer
                   AND representingsubsidiary = seller) AS ic_vendor
        FROM _gen_ic
    """)
    ctx.sql("""
        INSERT INTO netsuite__transaction BY NAME
        SELECT inv_id AS id, printf('IC-INV-%07d', inv_id) AS tranid, 'CustInvc' AS type,
            inv_date AS trandate,
               ts AS createddate, inv_date + 30 AS duedate, 'A' AS status, ccy AS currency,
                   1.0 AS exchangerate,
               ic_customer AS entity, period_of(inv_date) AS postingperiod, true AS posting,
               'Intercompany staff recharge' AS memo, 30 AS terms, amount AS foreigntotal, 0 AS taxtotal,
               false AS voided, bill_id AS intercotransaction, ts AS lastmodifieddate,
                   false AS _fivetran_deleted,
               ts AS _gen_created
        FROM _gen_ic2
    """)
    ctx.sql("""
        INSERT INTO netsuite__transaction BY NAME
        SELECT bill_id AS id, printf('IC-BILL-%07d', bill_id) AS tranid, 'VendBill' AS type,
            inv_date AS trandate,
               ts AS createddate, inv_date + 30 AS duedate, 'A' AS status, ccy AS currency,
                   buyer_rate AS exchangerate,
               ic_vendor AS entity, period_of(inv_date) AS postingperiod, true AS posting,
               'Intercompany staff recharge' AS memo, 30 AS terms, amount AS foreigntotal, 0 AS taxtotal,
               false AS voided, inv_id AS intercotransaction, ts AS lastmodifieddate,
                   false AS _fivetran_deleted,
               ts AS _gen_created
        FROM _gen_ic2
    """)
    ctx.sql("""
        CREATE OR REPLACE TEMP VIEW _ic_post AS
        SELECT inv_id AS transaction, 0 AS id, 0 AS linesequencenumber, true AS mainline, false AS taxline,
               NULL::BIGINT AS item, amount AS foreignamount, 'Intercompany receivable' AS memo,
                   seller AS subsidiary,
               ic_customer AS entity, '1300' AS _acct, amount::DOUBLE AS _dr, true AS _balancer,
                   1.0 AS _rate, ts AS _ts,
               amount AS _unpaid
        FROM _gen_ic2
        UNION ALL
        SELECT inv_id, 1, 1, false, false, 91, amount, 'Intercompany services', seller, ic_customer, '4900',
               -amount::DOUBLE, false, 1.0, ts, NULL FROM _gen_ic2
        UNION ALL
        SELECT bill_id, 0, 0, true, false, NULL, amount, 'Intercompany payable', buyer, ic_vendor, '2300',
               -amount::DOUBLE, true, buyer_rate, ts, amount FROM _gen_ic2
        UNION ALL
        SELECT bill_id, 1, 1, false, false, 91, amount, 'Intercompany services', buyer, ic_vendor, '5900',
               amount::DOUBLE, false, buyer_rate, ts, NULL FROM _gen_ic2
    """)
    post_lines(ctx, "_ic_post")


def _revenue_recognition(ctx: GenContext) -> None:
    """Month-end journals per subsidiary and project currency, one Dr/Cr pair per project."""
    end = ctx.end_date
    last_closed = f"(date_trunc('month', DATE '{end}') - INTERVAL 1 DAY)::DATE"
    ctx.sql(f"""
        CREATE OR REPLACE TABLE _gen_rev AS
        WITH tm AS (
            SELECT project_id, last_day(spent_date) AS me, sum(value) AS rev, '1150' AS acct
            FROM _gen_te_value WHERE billing_type = 'time_and_materials' AND within_nte GROUP BY ALL
        ), cost AS (
            SELECT t.project_id, last_day(t.spent_date) AS me,
                   sum((t.hours * t.cost_rate * fxr(ccy_id(t.cost_currency), ccy_id(t.currency),
                       last_day(t.spent_date)))::DECIMAL(18,4)) AS c
            FROM psa__time_entries t JOIN psa__projects p ON p.id = t.project_id
            WHERE p.billing_type = 'fixed_fee' AND t.status = 'approved' AND t.deleted_at IS NULL
            GROUP BY ALL
        ), ff AS (
            SELECT c.project_id, c.me,
                   least(1.0, sum(c.c) OVER (PARTITION BY c.project_id ORDER BY c.me) / p.eac_cost)
                       * p.budget_amount AS cum
            FROM cost c JOIN psa__projects p ON p.id = c.project_id WHERE p.eac_cost > 0
        ), ff2 AS (
            SELECT project_id, me, round(cum, 2) - coalesce(lag(round(cum,
                2)) OVER (PARTITION BY project_id ORDER BY me), 0) AS rev,
                   '2400' AS acct
            FROM ff
        ), rt AS (
            SELECT p.id AS project_id, last_day(mo.m::DATE) AS me, p.retainer_monthly_amount AS rev,
                '2400' AS acct
            FROM psa__projects p, LATERAL range(date_trunc('month', p.start_date), p.end_date
                + INTERVAL 1 DAY, INTERVAL 1 MONTH) mo(m)
            WHERE p.billing_type = 'retainer'
        ), ms AS (
            SELECT m.project_id, last_day(m.accepted_date) AS me, sum(m.amount) AS rev, '2400' AS acct
            FROM psa__milestones m JOIN psa__projects p ON p.id = m.project_id
            WHERE p.billing_type = 'milestone' AND m.accepted_date IS NOT NULL
                AND m.deleted_at IS NULL GROUP BY ALL
        ), allr AS (
            SELECT * FROM tm UNION ALL SELECT * FROM ff2 UNION ALL SELECT * FROM rt UNION ALL SELECT * FROM ms
        )
        SELECT a.project_id, a.me, round(a.rev, 2) AS rev, a.acct, sub_id(p.legal_entity) AS sub,
               ccy_id(p.currency) AS ccy, 2000 + p.client_id AS customer, p.practice_id
        FROM allr a JOIN psa__projects p ON p.id = a.project_id
        WHERE a.me <= {last_closed} AND round(a.rev, 2) <> 0
    """)
    base = next_id(ctx, "netsuite__transaction", "id")
    ctx.sql(f"""
        CREATE OR REPLACE TABLE _gen_rev_docs AS
        SELECT {base} + row_number() OVER (ORDER BY me, sub, ccy) - 1 AS id, me, sub, ccy, fxr(ccy, sub,
            me) AS rate,
               me::TIMESTAMP + INTERVAL 1 DAY + INTERVAL 4 DAY + INTERVAL 16 HOUR AS ts
        FROM (SELECT DISTINCT me, sub, ccy FROM _gen_rev)
    """)
    ctx.sql(f"UPDATE _gen_rev_docs SET ts = least(ts, TIMESTAMP '{end} 20:00:00')")
    ctx.sql("""
        INSERT INTO netsuite__transaction BY NAME
        SELECT id, printf('JE-REV-%07d', id) AS tranid, 'Journal' AS type, me AS trandate, ts AS createddate,
               'B' AS status, ccy AS currency, rate AS exchangerate, period_of(me) AS postingperiod,
                   true AS posting,
               'Revenue recognition ' || strftime(me, '%b %Y') AS memo, false AS voided,
               ts AS lastmodifieddate, false AS _fivetran_deleted, ts AS _gen_created
        FROM _gen_rev_docs
    """)
    ctx.sql("""
        CREATE OR REPLACE TEMP VIEW _rev_post AS
        WITH l AS (
            SELECT d.id AS transaction, row_number() OVER (PARTITION BY d.id ORDER BY r.project_id) AS k,
                r.*, d.rate, d.ts
            FROM _gen_rev r JOIN _gen_rev_docs d ON d.me = r.me AND d.sub = r.sub AND d.ccy = r.ccy
        )
        SELECT transaction, 2 * k - 1 AS id, 2 * k - 1 AS linesequencenumber, false AS mainline,
            false AS taxline,
               -rev AS foreignamount, CASE acct WHEN '1150' THEN 'Accrue unbilled T&M revenue'
                   ELSE 'Release deferred revenue' END AS memo,
               sub AS subsidiary, practice_id AS department, customer AS entity,
                   project_id::VARCHAR AS custcol_psa_project_id,
               acct AS _acct, rev::DOUBLE AS _dr, false AS _balancer, rate AS _rate, ts AS _ts
        FROM l
        UNION ALL
        SELECT transaction, 2 * k, 2 * k, false, false, rev, 'Services revenue', sub, practice_id, customer,
               project_id::VARCHAR, '4000', -rev::DOUBLE, false, rate, ts
        FROM l
    """)
    post_lines(ctx, "_rev_post")


def _payroll_and_expenses(ctx: GenContext) -> None:
    """Month-end cost journals per subsidiary: delivery labour (client time) to direct labour, other time
    to salaries, reimbursed expenses to reimbursable expenses, all paid from the bank."""
    end = ctx.end_date
    last_closed = f"(date_trunc('month', DATE '{end}') - INTERVAL 1 DAY)::DATE"
    ctx.sql(f"""
        CREATE OR REPLACE TABLE _gen_cost AS
        WITH lab AS (
            SELECT sub_id(r.legal_entity) AS sub, last_day(t.spent_date) AS me,
                   CASE WHEN t.work_type = 'client' THEN '5000' ELSE '6000' END AS acct,
                   sum(t.hours * t.cost_rate) AS amt
            FROM psa__time_entries t JOIN psa__resources r ON r.id = t.resource_id
            WHERE t.deleted_at IS NULL AND t.status <> 'rejected' GROUP BY ALL
        ), exp AS (
            SELECT sub_id(r.legal_entity) AS sub, last_day(x.spent_date) AS me, '5100' AS acct,
                   sum(round(x.amount * fxr(ccy_id(x.currency), sub_id(r.legal_entity), x.spent_date), 2)
                       ::DECIMAL(18,2)) AS amt
            FROM psa__expenses x JOIN psa__resources r ON r.id = x.resource_id
            WHERE x.deleted_at IS NULL AND x.status = 'approved' GROUP BY ALL
        )
        SELECT sub, me, acct, round(amt, 2) AS amt FROM (SELECT * FROM lab UNION ALL SELECT * FROM exp)
        WHERE me <= {last_closed} AND amt <> 0
    """)
    base = next_id(ctx, "netsuite__transaction", "id")
    ctx.sql(f"""
        CREATE OR REPLACE TABLE _gen_cost_docs AS
        SELECT {base} + row_number() OVER (ORDER BY me, sub) - 1 AS id, me, sub,
               (SELECT currency FROM netsuite__subsidiary WHERE id = sub) AS ccy,
               least(me::TIMESTAMP + INTERVAL 1 DAY + INTERVAL 3 DAY + INTERVAL 15 HOUR,
                     TIMESTAMP '{end} 20:00:00') AS ts
        FROM (SELECT DISTINCT me, sub FROM _gen_cost)
    """)
    ctx.sql("""
        INSERT INTO netsuite__transaction BY NAME
        SELECT id, printf('JE-PAY-%07d', id) AS tranid, 'Journal' AS type, me AS trandate, ts AS createddate,
               'B' AS status, ccy AS currency, 1.0 AS exchangerate, period_of(me) AS postingperiod,
               true AS posting, 'Payroll and expense reimbursements ' || strftime(me, '%b %Y') AS memo,
               false AS voided, ts AS lastmodifieddate, false AS _fivetran_deleted, ts AS _gen_created
        FROM _gen_cost_docs
    """)
    ctx.sql("""
        CREATE OR REPLACE TEMP VIEW _cost_post AS
        SELECT d.id AS transaction, row_number() OVER (PARTITION BY d.id ORDER BY c.acct) AS id,
               row_number() OVER (PARTITION BY d.id ORDER BY c.acct) AS linesequencenumber, false AS mainline,
               false AS taxline, -c.amt AS foreignamount,
               CASE c.acct WHEN '5000' THEN 'Delivery labour'
                    WHEN '6000' THEN 'Non-billable time and overhead'
                    ELSE 'Expense reimbursements' END AS memo,
               c.sub AS subsidiary, c.acct AS _acct, c.amt::DOUBLE AS _dr, false AS _balancer, 1.0 AS _rate,
               d.ts AS _ts
        FROM _gen_cost c JOIN _gen_cost_docs d ON d.me = c.me AND d.sub = c.sub
        UNION ALL
        SELECT id, 99, 99, false, false, 0, 'Paid from bank', sub, '1000', 0.0, true, 1.0, ts
        FROM _gen_cost_docs
    """)
    post_lines(ctx, "_cost_post")
    ctx.sql("""
        UPDATE netsuite__transactionline l SET foreignamount = -a.amount, netamount = -a.amount
        FROM netsuite__transactionaccountingline a, _gen_cost_docs d
        WHERE l.transaction = d.id AND l.id = 99 AND a.transaction = l.transaction AND a.transactionline = 99
    """)


def _fx_revaluation(ctx: GenContext) -> None:
    """Month-end unrealized FX on open foreign-currency AR, posted as the change since the last month."""
    end = ctx.end_date
    ctx.sql(f"""
        CREATE OR REPLACE TABLE _gen_reval AS
        WITH me AS (
            SELECT DISTINCT last_day(fx_day) AS me FROM _gen_fx_daily
            WHERE fx_day >= (SELECT min(inv_date) FROM _gen_inv) AND last_day(fx_day) < DATE '{end}'
        ), inv AS (
            SELECT i.*, s.currency AS fccy FROM _gen_inv i JOIN netsuite__subsidiary s ON s.id = i.sub
                WHERE i.ccy <> s.currency
        ), open AS (
            SELECT inv.id, inv.sub, inv.ccy, inv.fccy, inv.rate, me.me,
                   inv.total - coalesce((SELECT sum(c.cm_net + c.cm_tax) FROM _gen_cm c
                       WHERE c.inv_id = inv.id AND c.cm_date <= me.me), 0)
                             - coalesce((SELECT sum(p.applied) FROM _gen_pay p WHERE p.inv_id = inv.id
                                 AND p.apply_date <= me.me), 0)
                     AS open_fc
            FROM inv JOIN me ON me.me >= inv.inv_date
        ), tgt AS (
            SELECT *, round(open_fc * (fxr(ccy, fccy, me) - rate), 2)::DECIMAL(18,2) AS target FROM open
        ), delta AS (
            SELECT sub, me, sum(target - coalesce(prev, 0)) AS amt FROM (
                SELECT *, lag(target) OVER (PARTITION BY id ORDER BY me) AS prev FROM tgt) GROUP BY ALL
        )
        SELECT * FROM delta WHERE amt <> 0
    """)
    base = next_id(ctx, "netsuite__transaction", "id")
    ctx.sql(f"""
        CREATE OR REPLACE TABLE _gen_reval_docs AS
        SELECT {base} + row_number() OVER (ORDER BY me, sub) - 1 AS id, r.*,
               (SELECT currency FROM netsuite__subsidiary WHERE id = r.sub) AS ccy,
               least(me::TIMESTAMP + INTERVAL 1 DAY + INTERVAL 2 DAY + INTERVAL 10 HOUR,
                   TIMESTAMP '{end} 20:00:00') AS ts
        FROM _gen_reval r
    """)
    ctx.sql("""
        INSERT INTO netsuite__transaction BY NAME
        SELECT id, printf('FXR-%07d', id) AS tranid, 'FxReval' AS type, me AS trandate, ts AS createddate,
            'B' AS status,
               ccy AS currency, 1.0 AS exchangerate, period_of(me) AS postingperiod, true AS posting,
               'Unrealized FX revaluation of open AR ' || strftime(me, '%b %Y') AS memo, false AS voided,
               ts AS lastmodifieddate, false AS _fivetran_deleted, ts AS _gen_created
        FROM _gen_reval_docs
    """)
    ctx.sql("""
        CREATE OR REPLACE TEMP VIEW _reval_post AS
        SELECT id AS transaction, 1 AS id, 1 AS linesequencenumber, false AS mainline, false AS taxline,
               -amt AS foreignamount, 'Revalue open receivables' AS memo, sub AS subsidiary, '1100' AS _acct,
               amt::DOUBLE AS _dr, false AS _balancer, 1.0 AS _rate, ts AS _ts
        FROM _gen_reval_docs
        UNION ALL
        SELECT id, 2, 2, false, false, amt, 'Unrealized FX', sub, '7900', -amt::DOUBLE, false, 1.0, ts
        FROM _gen_reval_docs
    """)
    post_lines(ctx, "_reval_post")


def _finish_invoices(ctx: GenContext) -> None:
    """Invoice status, close date, open amount and last-modified after credits and payments."""
    ctx.sql("""
        CREATE OR REPLACE TABLE _gen_inv_state AS
        SELECT i.id, i.total, i.rate,
               coalesce(c.amt, 0) + coalesce(p.amt, 0) AS settled,
               greatest(c.last_ts, p.last_ts) AS last_ts, greatest(c.last_d, p.last_d) AS last_d
        FROM _gen_inv i
        LEFT JOIN (SELECT inv_id, sum(cm_net + cm_tax) AS amt, max(ts) AS last_ts, max(cm_date) AS last_d
                   FROM _gen_cm GROUP BY 1) c ON c.inv_id = i.id
        LEFT JOIN (SELECT inv_id, sum(applied) AS amt, max(applied_ts) AS last_ts, max(apply_date) AS last_d
                   FROM _gen_pay WHERE apply_date IS NOT NULL GROUP BY 1) p ON p.inv_id = i.id
    """)
    ctx.sql("""
        UPDATE netsuite__transaction t
        SET status = CASE WHEN s.settled >= s.total THEN 'B' ELSE 'A' END,
            closedate = CASE WHEN s.settled >= s.total THEN s.last_d END,
            lastmodifieddate = greatest(t.lastmodifieddate, coalesce(s.last_ts, t.lastmodifieddate))
        FROM _gen_inv_state s WHERE s.id = t.id
    """)
    ctx.sql("""
        UPDATE netsuite__transactionaccountingline a
        SET amountunpaid = greatest(0, round((s.total - s.settled) * s.rate, 2)),
            lastmodifieddate = greatest(a.lastmodifieddate, coalesce(s.last_ts, a.lastmodifieddate))
        FROM _gen_inv_state s WHERE s.id = a.transaction AND a.transactionline = 0
    """)
