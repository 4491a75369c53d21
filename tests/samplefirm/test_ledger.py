"""The ledger helpers the defects hooks use: ids and single journals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from throughline.samplefirm import masters
from throughline.samplefirm.context import make_context
from throughline.samplefirm.ledger import next_id, post_journal
from throughline.samplefirm.store import create_tables


def test_post_journal_writes_header_lines_and_gl(tmp_path: Path) -> None:
    with duckdb.connect() as con:
        ctx = make_context("xs", 1, tmp_path, True, con)
        create_tables(ctx)
        masters.build(ctx)
        assert next_id(ctx, "netsuite__transaction", "id") == 1
        tid = post_journal(ctx, 2, date(2026, 10, 31), [("1150", 1234.56), ("4000", -1234.56)], "accrual")
        assert tid == 1
        assert next_id(ctx, "netsuite__transaction", "id") == 2
        header = con.execute(
            "SELECT type, currency, trandate, p.periodname FROM netsuite__transaction t "
            "JOIN netsuite__accountingperiod p ON p.id = t.postingperiod WHERE t.id = 1"
        ).fetchone()
        assert header == ("Journal", 2, date(2026, 10, 31), "Oct 2026")
        gl = con.execute(
            "SELECT acc.acctnumber, a.amount, a.debit, a.credit FROM netsuite__transactionaccountingline a "
            "JOIN netsuite__account acc ON acc.id = a.account WHERE a.transaction = 1 "
            "ORDER BY a.transactionline"
        ).fetchall()
        assert [(n, float(a), float(d), float(c)) for n, a, d, c in gl] == [
            ("1150", 1234.56, 1234.56, 0.0),
            ("4000", -1234.56, 0.0, 1234.56),
        ]
        lines = con.execute(
            "SELECT subsidiary, foreignamount FROM netsuite__transactionline "
            "WHERE transaction = 1 ORDER BY id"
        ).fetchall()
        assert [(s, float(a)) for s, a in lines] == [(2, -1234.56), (2, 1234.56)]
        # Deliberately unbalanced documents are written as given.
        tid2 = post_journal(ctx, 1, date(2026, 10, 31), [("1100", 10.0), ("4000", -9.99)], "off by a cent")
        total = con.execute(
            "SELECT sum(amount) FROM netsuite__transactionaccountingline WHERE transaction = ?", [tid2]
        ).fetchone()[0]
        assert float(total) == 0.01
