"""NetSuite GL writing: ids, single journals (used by the defects hooks) and bulk document lines.

Bulk stages stage their lines in a DuckDB relation with the transactionline columns plus ``_acct``
(account number), ``_dr`` (signed debit-positive amount in transaction currency), ``_balancer`` (the line
that absorbs cent rounding so the document balances in functional currency), ``_rate`` (transaction to
functional currency) and ``_ts`` (line timestamp); :func:`post_lines` turns them into transactionline and
transactionaccountingline rows.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pandas as pd

from .context import GenContext
from .store import insert_df

LINE_COLUMNS = (
    "transaction",
    "id",
    "linesequencenumber",
    "mainline",
    "taxline",
    "item",
    "quantity",
    "rate",
    "foreignamount",
    "memo",
    "subsidiary",
    "department",
    "class",
    "entity",
    "isbillable",
    "createdfrom",
    "custcol_psa_project_id",
    "custcol_psa_role_id",
    "custcol_psa_milestone_id",
    "custcol_period_start",
    "custcol_period_end",
)


def next_id(ctx: GenContext, table: str, column: str) -> int:
    """Next free integer id in ``table.column`` (max + 1, at least 1)."""
    return int(ctx.scalar(f'SELECT coalesce(max("{column}"), 0) + 1 FROM {table}'))


def period_id(ctx: GenContext, d: date) -> int:
    pid = ctx.scalar(
        "SELECT id FROM netsuite__accountingperiod WHERE isposting AND ? BETWEEN startdate AND enddate", [d]
    )
    if pid is None:
        raise ValueError(f"no posting accounting period covers {d}")
    return int(pid)


def post_journal(
    ctx: GenContext,
    subsidiary_id: int,
    trandate: date,
    lines: list[tuple[str, float]],
    memo: str,
    type: str = "Journal",  # noqa: A002 - NetSuite's column name
) -> int:
    """Post one journal in the subsidiary's functional currency; lines = [(acctnumber, debit-positive)].

    The amounts are written as given (rounded to cents), so a caller can post an unbalanced document.
    Returns the new transaction id.
    """
    tid = next_id(ctx, "netsuite__transaction", "id")
    currency = int(ctx.scalar("SELECT currency FROM netsuite__subsidiary WHERE id = ?", [subsidiary_id]))
    ts = datetime.combine(trandate, time(20, 0))
    header = pd.DataFrame(
        [
            {
                "id": tid,
                "tranid": f"JE{tid:07d}",
                "type": type,
                "trandate": trandate,
                "createddate": ts,
                "status": "B",
                "currency": currency,
                "exchangerate": 1.0,
                "postingperiod": period_id(ctx, trandate),
                "posting": True,
                "memo": memo,
                "voided": False,
                "lastmodifieddate": ts,
                "_fivetran_deleted": False,
                "_gen_created": ts,
            }
        ]
    )
    insert_df(ctx, "netsuite__transaction", header)
    rows = []
    for i, (acct, amount) in enumerate(lines, start=1):
        rows.append(
            {
                "transaction": tid,
                "id": i,
                "linesequencenumber": i,
                "mainline": False,
                "taxline": False,
                "foreignamount": round(-float(amount), 2),
                "memo": memo,
                "subsidiary": subsidiary_id,
                "_acct": str(acct),
                "_dr": round(float(amount), 2),
                "_balancer": False,
                "_rate": 1.0,
                "_ts": ts,
                "_posting": True,
            }
        )
    stage = pd.DataFrame(rows)
    ctx.con.register("_pj_stage", stage)
    try:
        post_lines(ctx, "_pj_stage")
    finally:
        ctx.con.unregister("_pj_stage")
    return tid


def post_lines(ctx: GenContext, stage: str) -> None:
    """Write transactionline + transactionaccountingline rows from a staged relation (see module doc).

    Lines whose ``_acct`` is NULL get no accounting line (non-posting documents such as sales orders).
    """
    cols = ", ".join(f's."{c}"' if c in _stage_cols(ctx, stage) else f'NULL AS "{c}"' for c in LINE_COLUMNS)
    ctx.sql(f"""
        INSERT INTO netsuite__transactionline BY NAME
        SELECT {cols}, round(s.foreignamount * s._rate, 2) AS netamount,
               s._ts AS linelastmodifieddate, false AS _fivetran_deleted, s._ts AS _gen_created
        FROM {stage} s
    """)
    unpaid = "s._unpaid" if "_unpaid" in _stage_cols(ctx, stage) else "NULL"
    posting = "s._posting" if "_posting" in _stage_cols(ctx, stage) else "true"
    ctx.sql(f"""
        INSERT INTO netsuite__transactionaccountingline BY NAME
        WITH a AS (
            SELECT s.transaction, s.id AS transactionline, acc.id AS account, s._balancer, s._rate, s._ts,
                   {posting} AS posting, {unpaid} AS unpaid,
                   round(s._dr * s._rate, 2)::DECIMAL(18,2) AS raw
            FROM {stage} s JOIN netsuite__account acc ON acc.acctnumber = s._acct
            WHERE s._acct IS NOT NULL
        ), b AS (
            SELECT *, CASE WHEN _balancer
                      THEN -(sum(CASE WHEN _balancer THEN 0 ELSE raw END) OVER (PARTITION BY transaction))
                      ELSE raw END AS amt
            FROM a
        )
        SELECT transaction, transactionline, 1 AS accountingbook, account, amt AS amount,
               greatest(amt, 0) AS debit, greatest(-amt, 0) AS credit, amt AS netamount,
               _rate AS exchangerate, posting, unpaid AS amountunpaid, _ts AS lastmodifieddate,
               false AS _fivetran_deleted, _ts AS _gen_created
        FROM b
    """)


def _stage_cols(ctx: GenContext, stage: str) -> set[str]:
    return {r[0] for r in ctx.sql(f"DESCRIBE SELECT * FROM {stage}").fetchall()}
