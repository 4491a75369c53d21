"""Revenue (revrec v1) and contract balances on the warehouses the nightly pipeline builds: the contract
balance identity, billings recomputed from staging, and per-method invariants recomputed from the PSA."""

from __future__ import annotations

from pathlib import Path

import duckdb


def test_contract_balance_identity(xs_clean_warehouse: Path) -> None:
    """cumulative revenue - net billings = unbilled - deferred, each >= 0 and never both, for every
    contract and month end; and cumulative revenue = running sum of fct_revenue."""
    with duckdb.connect(str(xs_clean_warehouse), read_only=True) as con:
        n, broken = con.execute(
            """
            select count(*), count(*) filter (where
                cumulative_revenue - cumulative_net_billings <> unbilled_receivable - deferred_revenue
                or unbilled_receivable < 0 or deferred_revenue < 0
                or (unbilled_receivable > 0 and deferred_revenue > 0)
                or cumulative_net_billings <> cumulative_invoiced - cumulative_credited)
            from marts.fct_contract_balances
            """
        ).fetchone()
        revenue_gaps = con.execute(
            """
            select b.psa_project_id, b.month_end_date, b.cumulative_revenue,
                coalesce(sum(r.amount_transaction), 0)
            from marts.fct_contract_balances as b
            left join marts.fct_revenue as r
                on r.psa_project_id = b.psa_project_id and r.month_end_date <= b.month_end_date
            group by all
            having b.cumulative_revenue <> coalesce(sum(r.amount_transaction), 0)
            """
        ).fetchall()
        kinds = con.execute(
            "select count(*) filter (where unbilled_receivable > 0), "
            "count(*) filter (where deferred_revenue > 0) "
            "from marts.fct_contract_balances"
        ).fetchone()
    assert n > 0 and broken == 0
    assert revenue_gaps == []
    assert kinds[0] > 0 and kinds[1] > 0, "the clean firm has both unbilled and deferred contracts"


def test_net_billings_tie_to_netsuite_lines(xs_clean_warehouse: Path) -> None:
    """At the latest month end, Σ net billings per contract currency = Σ invoice - credit memo lines from
    staging (excl. tax and expense recharges) dated on or before it."""
    with duckdb.connect(str(xs_clean_warehouse), read_only=True) as con:
        as_of = con.execute("select max(month_end_date) from marts.fct_contract_balances").fetchone()[0]
        got = dict(
            con.execute(
                "select transaction_currency_code, sum(cumulative_net_billings) "
                "from marts.fct_contract_balances "
                "where month_end_date = ? group by 1",
                [as_of],
            ).fetchall()
        )
        want = dict(
            con.execute(
                """
                select c.currency_code,
                    sum(case when h.transaction_type = 'invoice' then l.amount_transaction
                        else -l.amount_transaction end)
                from staging.stg_netsuite__transaction_lines as l
                join staging.stg_netsuite__transactions as h using (transaction_id)
                join staging.stg_netsuite__currencies as c on h.currency_id = c.currency_id
                left join staging.stg_netsuite__items as i on l.item_id = i.item_id
                where h.transaction_type in ('invoice', 'credit_memo') and not coalesce(l.is_main_line, false)
                    and not coalesce(l.is_tax_line, false) and not coalesce(h.is_voided, false)
                    and coalesce(l.psa_project_id, h.psa_project_id) is not null
                    and coalesce(i.item_type, '') <> 'OthCharge' and h.transaction_date <= ?
                group by 1
                """,
                [as_of],
            ).fetchall()
        )
    assert want and got == want


def test_revenue_methods_against_psa(xs_clean_warehouse: Path) -> None:
    """Per method, recomputed from staging: T&M never above the NTE cap and equal to hours x rate while under
    it; milestones = accepted amounts; fixed fee <= contract value; a retainer whose term ended is fully
    recognised."""
    with duckdb.connect(str(xs_clean_warehouse), read_only=True) as con:
        last_month_end = con.execute("select max(month_end_date) from marts.fct_revenue").fetchone()[0]
        per_project = con.execute(
            """
            with rev as (
                select psa_project_id as project_id, revenue_method, sum(amount_transaction) as revenue,
                    max(cumulative_excess_over_cap) as excess
                from marts.fct_revenue group by 1, 2
            ),
            tm as (
                select t.project_id, sum(t.hours * t.bill_rate) as value
                from staging.stg_psa__time_entries as t join staging.stg_psa__projects as p using (project_id)
                where t.time_entry_status = 'approved' and t.is_billable and t.spent_date <= $d
                    and t.currency_code = p.currency_code
                group by 1
            ),
            ms as (
                select project_id, sum(amount) as accepted from staging.stg_psa__milestones
                where accepted_date <= $d group by 1
            )
            select r.project_id, r.revenue_method, r.revenue, r.excess, p.nte_amount, p.budget_amount,
                p.end_date, tm.value, ms.accepted
            from rev as r
            join staging.stg_psa__projects as p using (project_id)
            left join tm using (project_id)
            left join ms using (project_id)
            """,
            {"d": last_month_end},
        ).fetchall()
    methods = {row[1] for row in per_project}
    assert methods == {"right_to_invoice", "cost_to_cost", "milestone_acceptance", "ratable"}
    for pid, method, revenue, excess, nte, budget, end_date, tm_value, accepted in per_project:
        if method == "right_to_invoice":
            assert nte is None or revenue <= nte, pid
            assert revenue + excess == round(tm_value or 0, 2), pid
        elif method == "milestone_acceptance":
            assert revenue == (accepted or 0), pid
        elif method == "cost_to_cost":
            assert 0 <= revenue <= budget, pid
        elif method == "ratable" and end_date is not None and end_date <= last_month_end:
            assert revenue == budget, pid


def test_revenue_currency_translation(xs_clean_warehouse: Path) -> None:
    """Entity and reporting amounts use the period-average rate; same-currency rows carry rate 1."""
    with duckdb.connect(str(xs_clean_warehouse), read_only=True) as con:
        rows = con.execute(
            """
            select count(*),
                count(*) filter (where fx_rate_type <> 'average' or is_fx_rate_missing),
                count(*) filter (where transaction_currency_code = reporting_currency_code
                    and (fx_rate_to_reporting <> 1 or amount_reporting <> amount_transaction)),
                count(*) filter (where
                    abs(amount_reporting - round(amount_transaction * fx_rate_to_reporting, 2)) > 0.005),
                count(*) filter (where legal_entity_key = '-1')
            from marts.fct_revenue
            """
        ).fetchone()
    assert rows[0] > 0 and rows[1:] == (0, 0, 0, 0)
