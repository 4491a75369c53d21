"""E1-E4 on the real Xero ledger (../shared/external/xero): it loads through the Xero contract, and the
checks find what docs/reconciliation.md records and can fire at all.

Skips when the folder is absent (it is not part of the repository). THROUGHLINE_XERO_DIR points at it from
a checkout whose parent folder has no ``shared/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from throughline import xero

pytestmark = [
    pytest.mark.shared,
    pytest.mark.slow,  # two dbt builds of the Xero models
    pytest.mark.skipif(
        not xero.XERO_FOLDER.is_dir(),
        reason=f"the real Xero ledger is not on this machine ({xero.XERO_FOLDER}); set THROUGHLINE_XERO_DIR",
    ),
]

#: rows per contract file of the seed export (the organisation and tracking categories included)
ROWS = {
    "organization": 1,
    "contact": 152,
    "account": 71,
    "invoice": 601,
    "invoice_line_item": 649,
    "credit_note": 2,
    "bank_transaction": 155,
    "journal": 1685,
    "journal_line": 4033,
    "tracking_category": 6,
}


def _build(warehouse: Path) -> list[tuple[str, str]]:
    # one dbt target folder beside the scratch warehouses, so the second build re-uses the first one's parse
    done = xero.build(warehouse, warehouse.parent.parent / "xero-target", select="+recon_xero_breaks")
    assert done.returncode == 0, done.stdout[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        sql = "select check_id, record_key from reconciliation.recon_xero_breaks order by 1, 2"
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed export landed and loaded (not built) into a scratch warehouse."""
    tmp = tmp_path_factory.mktemp("xero")
    warehouse = tmp / "xero.duckdb"
    results = xero.load(xero.XERO_FOLDER, warehouse, tmp / "landing")
    assert {r.file.rsplit("/", 1)[1].removesuffix(".csv"): r.status for r in results} == dict.fromkeys(
        ROWS, "loaded"
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        counts = {t: con.execute(f"select count(*) from raw_xero.{t}").fetchone()[0] for t in ROWS}
        rejected = con.execute("select count(*) from raw.rejects").fetchone()[0]
    assert (counts, rejected) == (ROWS, 0)  # every row of every contract file, nothing rejected
    return warehouse


def test_the_real_ledger_is_consistent_and_ar_ties_to_the_gl(loaded: Path, tmp_path: Path) -> None:
    """What docs/reconciliation.md records: no E1-E4 break; AR subledger and GL differ by FX rounding only."""
    built = tmp_path / "built.duckdb"
    shutil.copy(loaded, built)
    assert _build(built) == []
    with duckdb.connect(str(built), read_only=True) as con:
        sub, gl, base = con.execute(
            "select (select sum(amount_due / currency_rate) from staging.stg_xero__invoices "
            "        where invoice_type = 'ACCREC' and status not in ('VOIDED', 'DELETED', 'DRAFT')), "
            "       (select sum(net_amount) from staging.stg_xero__journal_lines"
            "        where account_code = '610'), "
            "       (select base_currency_code from intermediate.int_xero__base_currency)"
        ).fetchone()
    assert round(float(gl), 2) == 60596.16 and abs(float(sub) - float(gl)) < 0.05
    assert base == "CAD"  # not in the cut-down organisation record: the currency booked at rate 1


def test_tampered_copy_trips_e1_e2_e3_and_e4(loaded: Path, tmp_path: Path) -> None:
    """The same checks on a copy with four planted errors find exactly those records."""
    copy = tmp_path / "tampered.duckdb"
    shutil.copy(loaded, copy)
    with duckdb.connect(str(copy)) as con:
        paid = con.execute(
            "select invoice_id from raw_xero.invoice where status = 'PAID' and type = 'ACCREC' "
            "order by invoice_id limit 3"
        ).fetchall()
        open_id = con.execute(
            "select invoice_id from raw_xero.invoice where status = 'AUTHORISED' and type = 'ACCREC' "
            "order by invoice_id limit 1"
        ).fetchone()[0]
        e1_id, e3_id, e2_id = (p[0] for p in paid)
        # E1: header total 10 above its lines (the header balance then no longer holds either)
        con.execute("update raw_xero.invoice set total = total + 10 where invoice_id = ?", [e1_id])
        # E3: paid 5 more than the invoice
        con.execute("update raw_xero.invoice set amount_paid = total + 5 where invoice_id = ?", [e3_id])
        # E2: credited 7 more than the invoice, nothing paid (E3 caps credits at the total: no E3 break)
        con.execute(
            "update raw_xero.invoice set amount_credited = total + 7, amount_paid = 0 where invoice_id = ?",
            [e2_id],
        )
        # E4: an open balance 100 higher in the subledger than the GL knows
        due = "update raw_xero.invoice set amount_due = amount_due + 100 where invoice_id = ?"
        con.execute(due, [open_id])
    found = _build(copy)
    assert ("E1", f'{{"id":"{e1_id}"}}') in found
    assert ("E3", f'{{"id":"{e3_id}"}}') in found
    assert ("E2_EXCEEDS_INVOICE", f'{{"id":"{e2_id}"}}') in found
    assert ("E4", '{"organisation":"xero","account_code":"610"}') in found  # per organisation
    assert {c for c, _ in found} == {"E1", "E2_EXCEEDS_INVOICE", "E3", "E3_DUE_MISMATCH", "E4"}
    assert [k for c, k in found if c in ("E2_EXCEEDS_INVOICE", "E3")] == [
        f'{{"id":"{e2_id}"}}',
        f'{{"id":"{e3_id}"}}',
    ]  # exactly one record each: the credit above the total is not also an E3 break
    due = sorted(k for c, k in found if c == "E3_DUE_MISMATCH")
    assert due == sorted(f'{{"id":"{i}"}}' for i in (e1_id, e2_id, e3_id, open_id))
