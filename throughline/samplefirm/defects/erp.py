"""ERP breaks after billing: manual journals (B7, B8, E4, E5, E6), document edits (E1-E3),
intercompany pairs (I1-I5) and FX rate tables.

Journals go through the generator's ``ledger.post_journal`` (one call per injected journal: a handful);
everything else is set-based SQL on the working store.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from .store import pick, record, scalar, taken

TX, TL, TAL, LINK = (
    "netsuite__transaction", "netsuite__transactionline", "netsuite__transactionaccountingline",
    "netsuite__previoustransactionlinelink",
)  # fmt: skip

#: kind -> (debit account role, credit account role, description). Roles resolve to account numbers.
JOURNALS: dict[str, tuple[str, str, str]] = {
    "B7": ("suspense", "income", "Manual revenue journal not backed by PSA revenue."),
    "B8": ("unbilled", "suspense", "Manual journal to unbilled receivable: contract balances no longer tie."),
    "E4": ("ar", "suspense", "Manual journal to the AR control account (no subledger document)."),
    "E5": ("suspense", "deferred", "Manual journal to deferred revenue outside the roll-forward."),
    "E6": ("expense", "suspense", "Journal whose debits exceed its credits by 100.00."),
}

_ROLE_SQL = {
    "ar": "sspecacct = 'AcctRec' or accttype = 'AcctRec'",
    "unbilled": "sspecacct = 'UnbilledRec' or accttype = 'UnbilledRec'",
    "deferred": "sspecacct = 'DeferRevenue' or accttype = 'DeferRevenue'",
    "income": "accttype = 'Income'",
    "expense": "accttype = 'Expense'",
    "suspense": "accttype = 'OthCurrLiab' and sspecacct is null",
}


def _account(ctx: Any, role: str) -> str:
    acct = scalar(
        ctx,
        f"""select acctnumber from netsuite__account where ({_ROLE_SQL[role]})
            and not coalesce(issummary, false) and not coalesce(eliminate, false)
            order by (sspecacct is null) desc, acctnumber limit 1""",
    )
    if acct is None and role == "suspense":
        acct = scalar(ctx, "select acctnumber from netsuite__account where accttype = 'OthCurrLiab' limit 1")
    if acct is None:
        raise ValueError(f"netsuite__account: no account for role {role!r} ({_ROLE_SQL[role]})")
    return str(acct)


def inject_journals(ctx: Any) -> None:
    """One manual journal per picked entity-month, amount and day derived from a hash of the seed."""
    last_month = date(ctx.end_date.year, ctx.end_date.month, 1)
    months = f"""(select s.id as subsidiary, c.name as currency, m::date as month
                  from netsuite__subsidiary s join netsuite__currency c on c.id = s.currency,
                       range(DATE '{ctx.start_date.isoformat()}', DATE '{last_month.isoformat()}',
                             interval 1 month) r(m)
                  where not coalesce(s.iselimination, false))"""
    for kind, (dr, cr, description) in JOURNALS.items():
        if not pick(ctx, kind, months, "s.subsidiary::varchar || s.month::varchar"):
            continue
        rows = ctx.sql(
            f"""select subsidiary, currency, month + interval (hash(month, subsidiary, '{kind}',
                {ctx.seed}) % 20) day,
                       round(1500 + (hash(subsidiary, month, '{kind}', {ctx.seed}) % 850000) / 100.0, 2)
                from _pick order by subsidiary, month"""
        ).fetchall()
        dr_acct, cr_acct = _account(ctx, dr), _account(ctx, cr)
        posted = []
        for sub, cur, day, amount in rows:
            from ..ledger import post_journal

            credit = amount - 100.0 if kind == "E6" else amount
            tid = post_journal(
                ctx,
                int(sub),
                day.date() if hasattr(day, "date") else day,
                [(dr_acct, amount), (cr_acct, -credit)],
                description,
            )
            posted.append((tid, int(sub), cur, 100.0 if kind == "E6" else amount))
        ctx.con.execute(
            "create or replace temp table _posted (tid bigint, sub bigint, cur varchar, amt double)"
        )
        ctx.con.executemany("insert into _posted values (?, ?, ?, ?)", posted)
        record(
            ctx, kind, "netsuite", "transaction",
            f"""select json_object('id', p.tid) as record_key,
                       json_object('subsidiary', p.sub, 'debit_account', '{dr_acct}', 'credit_account',
                       '{cr_acct}')
                         as related_keys,
                       p.amt as amount, p.cur as currency, t.lastmodifieddate as landed_at, ? as description
                from _posted p join {TX} t on t.id = p.tid""",
            [description],
        )  # fmt: skip


def inject_e1(ctx: Any) -> None:
    src = f"""(select * from {TX} where type = 'CustInvc' and not coalesce(voided, false)
               and coalesce(foreigntotal, 0) > 0 and id not in {taken("netsuite", "transaction")})"""
    if not pick(ctx, "E1", src, "s.id"):
        return
    ctx.sql(f"""update {TX} t set foreigntotal = t.foreigntotal + greatest(25, round(0.02 *
        t.foreigntotal, 2))
                where t.id in (select id from _pick)""")
    _doc_record(
        ctx, "E1", "greatest(25, round(0.02 * foreigntotal, 2))", "Invoice header total above lines + tax."
    )
    # An intercompany invoice whose header grew no longer matches its counterpart bill: I2 finds that too.
    record(
        ctx, "I2", "netsuite", "transaction",
        f"""select json_object('id', p.id) as record_key,
                   json_object('bill', b.id) as related_keys,
                   greatest(25, round(0.02 * p.foreigntotal, 2)) as amount, c.name as currency,
                   p.lastmodifieddate as landed_at,
                   'Consequence of E1: intercompany invoice header raised above its counterpart bill.'
                     as description
            from _pick p join {TX} b on b.type = 'VendBill'
                 and (b.id = p.intercotransaction or b.intercotransaction = p.id)
            left join netsuite__currency c on c.id = p.currency""",
    )  # fmt: skip


def _doc_record(
    ctx: Any, kind: str, amount_sql: str, description: str, related: str = "tranid, tranid"
) -> None:
    record(
        ctx, kind, "netsuite", "transaction",
        f"""select json_object('id', p.id) as record_key, json_object('tranid', p.tranid) as related_keys,
                   {amount_sql} as amount, c.name as currency, p.lastmodifieddate as landed_at, ? as
                   description
            from _pick p left join netsuite__currency c on c.id = p.currency""",
        [description],
    )  # fmt: skip


def _credit_links(ctx: Any, doc_type: str, exclude_taken: bool = True) -> str:
    free = (
        f"l.nextdoc not in {taken('netsuite', 'transaction')} and l.previousdoc not in "
        f"{taken('netsuite', 'transaction')}"
        if exclude_taken
        else "true"
    )
    return f"""(select l.*, inv.foreigntotal as _inv_total, inv.currency as _inv_currency
                from {LINK} l join {TX} nd on nd.id = l.nextdoc and nd.type = '{doc_type}'
                join {TX} inv on inv.id = l.previousdoc and inv.type = 'CustInvc'
                where {free}
                qualify row_number() over (partition by l.nextdoc order by l.previousdoc, l.previousline)
                = 1)"""


def inject_e2(ctx: Any) -> None:
    """Over-applied and wrong-currency credits may share a credit memo (xs has few); unlinked ones not."""
    if pick(ctx, "E2_EXCEEDS_INVOICE", _credit_links(ctx, "CustCred"), "s.nextdoc"):
        _over_apply(ctx, 0.10)
        _link_record(ctx, "E2_EXCEEDS_INVOICE", "Credit applied to the invoice exceeds the invoice total.")
        _record_overpaid_consequence(ctx)
    shared = f"s.nextdoc in {taken('netsuite', 'transaction')}"
    any_credit = _credit_links(ctx, "CustCred", exclude_taken=False)
    if pick(ctx, "E2_CURRENCY", any_credit, "s.nextdoc", prefer=shared):
        ctx.sql(f"""update {TX} t set currency = (select min(c.id) from netsuite__currency c
                                                  where c.id <> k._inv_currency)
                    from _pick k where t.id = k.nextdoc""")
        _link_record(ctx, "E2_CURRENCY", "Credit memo in a different currency than the invoice it credits.")
    src = f"""(select * from {TX} where type = 'CustCred' and id not in {taken("netsuite", "transaction")})"""
    if pick(ctx, "E2_UNLINKED", src, "s.id"):
        ctx.sql(f"update {TL} set createdfrom = null where transaction in (select id from _pick)")
        ctx.sql(f"delete from {LINK} where nextdoc in (select id from _pick)")
        _doc_record(ctx, "E2_UNLINKED", "foreigntotal", "Credit memo not linked to any invoice.")


def _over_apply(ctx: Any, excess: float) -> None:
    ctx.sql(f"""update {LINK} l set
                  amount = round(l.amount * (k._inv_total * {1 + excess}) / nullif(l.foreignamount, 0), 2),
                  foreignamount = round(k._inv_total * {1 + excess}, 2)
                from _pick k where l.previousdoc = k.previousdoc and l.previousline = k.previousline
                  and l.nextdoc = k.nextdoc and l.nextline = k.nextline and l.linktype = k.linktype""")


def _record_overpaid_consequence(ctx: Any) -> None:
    """The picked invoices' payments now over-settle them (credits already exceed the total): E3 flags them.

    A payment of the open amount was applied after the credit; once the credit is inflated above the
    invoice total, that payment takes the invoice's settlements above its total, which is exactly what E3
    (payment over-application) reports, so the manifest lists it as its own E3 row.
    """
    record(
        ctx, "E3", "netsuite", "transaction",
        f"""select distinct json_object('id', l.nextdoc) as record_key,
                   json_object('invoice', l.previousdoc, 'invoice_line', l.previousline,
                               'linktype', l.linktype) as related_keys,
                   l.foreignamount as amount, c.name as currency, k.lastmodifieddate as landed_at,
                   'Consequence of E2_EXCEEDS_INVOICE: payment applied to an invoice whose credits already '
                   || 'exceed its total.' as description
            from _pick k join {LINK} l on l.previousdoc = k.previousdoc and l.linktype = 'Payment'
            join {TX} p on p.id = l.nextdoc and p.type = 'CustPymt'
            left join netsuite__currency c on c.id = k._inv_currency""",
    )  # fmt: skip


def _link_record(ctx: Any, kind: str, description: str) -> None:
    record(
        ctx, kind, "netsuite", "transaction",
        """select json_object('id', k.nextdoc) as record_key,
                   json_object('invoice', k.previousdoc, 'invoice_line', k.previousline, 'linktype',
                   k.linktype)
                     as related_keys,
                   round(k._inv_total * 0.10, 2) as amount, c.name as currency, k.lastmodifieddate as
                   landed_at,
                   ? as description
            from _pick k left join netsuite__currency c on c.id = k._inv_currency""",
        [description],
    )  # fmt: skip


def inject_e3(ctx: Any) -> None:
    if pick(ctx, "E3", _credit_links(ctx, "CustPymt"), "s.nextdoc"):
        _over_apply(ctx, 0.10)
        _link_record(ctx, "E3", "Payment applied 110% of the invoice total.")


# ---------------------------------------------------------------- intercompany


def _ic_pairs(ctx: Any, min_age_days: int = 45) -> str:
    """Intercompany invoice/bill pairs not yet carrying a defect, invoiced at least ``min_age_days`` ago
    (45 keeps a missing bill outside I1's window)."""
    cutoff = (ctx.end_date - timedelta(days=min_age_days)).isoformat()
    return f"""(select a.id as inv, b.id as bill, a.trandate as inv_date, a.foreigntotal as inv_total,
                       c.name as currency, b.exchangerate as bill_rate, b.currency as bill_currency,
                       b.entity as bill_entity, b.lastmodifieddate as landed_at,
                       (select any_value(subsidiary) from {TL} where transaction = a.id) as inv_sub,
                       (select any_value(subsidiary) from {TL} where transaction = b.id) as bill_sub
                from {TX} a join {TX} b on (b.id = a.intercotransaction or b.intercotransaction = a.id)
                left join netsuite__currency c on c.id = a.currency
                where a.type = 'CustInvc' and b.type = 'VendBill' and a.trandate < DATE '{cutoff}'
                  and a.id not in {taken("netsuite", "transaction")})"""


def _ic_record(ctx: Any, kind: str, amount_sql: str, description: str) -> None:
    record(
        ctx, kind, "netsuite", "transaction",
        f"""select json_object('id', inv) as record_key,
                   json_object('bill', bill, 'invoice_subsidiary', inv_sub, 'bill_subsidiary', bill_sub)
                     as related_keys,
                   {amount_sql} as amount, currency, landed_at, ? as description
            from _pick""",
        [description],
    )  # fmt: skip


def _scale_bill(ctx: Any, foreign: str, functional: str) -> None:
    """Scale the picked bills' transaction-currency and functional amounts (keeps them balanced)."""
    if foreign != "1":
        ctx.sql(f"""update {TX} set foreigntotal = round(foreigntotal * {foreign}, 2),
                    taxtotal = round(taxtotal * {foreign}, 2) where id in (select bill from _pick)""")
        ctx.sql(f"""update {TL} set foreignamount = round(foreignamount * {foreign}, 2),
                    rate = round(rate * {foreign}, 4) where transaction in (select bill from _pick)""")
    ctx.sql(f"""update {TL} set netamount = round(netamount * {functional}, 2)
                where transaction in (select bill from _pick)""")
    ctx.sql(f"""update {TAL} set amount = round(amount * {functional}, 2), debit = round(debit *
        {functional}, 2),
                credit = round(credit * {functional}, 2), netamount = round(netamount * {functional}, 2),
                amountunpaid = round(amountunpaid * {functional}, 2)
                where transaction in (select bill from _pick)""")


def inject_intercompany(ctx: Any) -> None:
    if pick(ctx, "I1", _ic_pairs(ctx), "s.inv"):
        _ic_record(ctx, "I1", "inv_total", "Intercompany invoice whose counterpart bill is missing.")
        for table, col in (
            (TAL, "transaction"),
            (TL, "transaction"),
            (LINK, "previousdoc"),
            (LINK, "nextdoc"),
        ):
            ctx.sql(f"delete from {table} where {col} in (select bill from _pick)")
        ctx.sql(f"delete from {TX} where id in (select bill from _pick)")
        ctx.sql(f"update {TX} set intercotransaction = null where id in (select inv from _pick)")
    if pick(ctx, "I2", _ic_pairs(ctx), "s.inv"):
        _scale_bill(ctx, "0.85", "0.85")
        _ic_record(ctx, "I2", "0.15 * inv_total", "Intercompany bill 15% below the invoice.")
    if pick(ctx, "I3", _ic_pairs(ctx), "s.inv"):
        ctx.sql(f"""update {TX} t set trandate = (k.inv_date + interval 1 month)::date,
                      postingperiod = (select p.id from netsuite__accountingperiod p where p.isposting
                                       and (k.inv_date + interval 1 month)::date between p.startdate and
                                       p.enddate)
                    from _pick k where t.id = k.bill""")
        _ic_record(ctx, "I3", "inv_total", "Intercompany bill booked one period after the invoice.")
    if pick(ctx, "I4", _ic_pairs(ctx), "s.inv"):
        ctx.sql(f"""update {TX} t set entity = coalesce(
                      (select min(v.id) from netsuite__vendor v where v.representingsubsidiary is not null
                         and v.representingsubsidiary <> k.inv_sub and v.id <> k.bill_entity),
                      (select min(v.id) from netsuite__vendor v where v.id <> k.bill_entity))
                    from _pick k where t.id = k.bill""")
        _ic_record(ctx, "I4", "inv_total", "Intercompany bill booked against the wrong counterparty.")
    if _pick_i5(ctx):
        ctx.sql(f"update {TX} set exchangerate = exchangerate * 1.06 where id in (select bill from _pick)")
        ctx.sql(
            f"update {TAL} set exchangerate = exchangerate * 1.06 "
            "where transaction in (select bill from _pick)"
        )
        _scale_bill(ctx, "1", "1.06")
        _ic_record(
            ctx, "I5", "0.06 * inv_total", "Intercompany bill translated at a rate 6% off the invoice rate."
        )


def _pick_i5(ctx: Any) -> int:
    """I5 prefers bills in a foreign currency for the buyer. It has no timing window, so when I1-I4 used up
    every older pair (a small firm), a recent pair is taken rather than injecting none."""
    for min_age in (45, 0):
        src = f"""(select p.*, (s.currency <> p.bill_currency) as _foreign from {_ic_pairs(ctx, min_age)} p
                   left join netsuite__subsidiary s on s.id = p.bill_sub)"""
        if n := pick(ctx, "I5", src, "s.inv", prefer="s._foreign"):
            return n
    return 0


# ---------------------------------------------------------------- FX


def inject_fx(ctx: Any) -> None:
    rates = "netsuite__currencyrate"
    weeks = f"""(select r.basecurrency, r.transactioncurrency, date_trunc('week', r.effectivedate)::date
        as wk,
                        c.name as currency, max(r.lastmodifieddate) as landed_at
                 from {rates} r join netsuite__currency c on c.id = r.transactioncurrency
                 where exists (select 1 from {TX} t where t.currency = r.transactioncurrency
                               and date_trunc('week', t.trandate) = date_trunc('week', r.effectivedate))
                   and r.effectivedate < DATE '{(ctx.end_date - timedelta(days=14)).isoformat()}'
                 group by all)"""
    if pick(ctx, "FX_MISSING_RATE", weeks, "s.basecurrency || '-' || s.transactioncurrency || s.wk"):
        ctx.sql(f"""delete from {rates} r using _pick k where r.basecurrency = k.basecurrency
                    and r.transactioncurrency = k.transactioncurrency
                    and r.effectivedate between k.wk - interval 1 day and k.wk + interval 6 day""")
        # The break is the whole run of days without a quote around the deleted week (rates are quoted on
        # weekdays only, so the run starts the day after the last quote before it and ends the day before
        # the next quote after it): that run is the record the check reports.
        around = f"""from {rates} r where r.basecurrency = k.basecurrency
                     and r.transactioncurrency = k.transactioncurrency and r.effectivedate"""
        record(
            ctx, "FX_MISSING_RATE", "netsuite", "currencyrate",
            f"""select json_object('basecurrency', k.basecurrency,
                                  'transactioncurrency', k.transactioncurrency,
                                  'from', ((select max(r.effectivedate) {around} < k.wk) + 1)::date,
                                  'to', ((select min(r.effectivedate) {around} > k.wk) - 1)::date)
                         as record_key,
                      '{{}}' as related_keys, null as amount, k.currency, k.landed_at,
                      'No daily rate for a week of a currency that transactions use.' as description
               from _pick k""",
        )  # fmt: skip
    src = f"(select * from {rates} where basecurrency <> transactioncurrency and exchangerate > 0)"
    if pick(ctx, "FX_INVERSE_INCONSISTENT", src, "s.id"):
        ctx.sql(f"""delete from {rates} r using _pick k where r.basecurrency = k.transactioncurrency
                    and r.transactioncurrency = k.basecurrency and r.effectivedate = k.effectivedate""")
        base = int(scalar(ctx, f"select coalesce(max(id), 0) from {rates}"))
        ctx.sql(f"""create or replace temp table _pick as
                    select *, {base} + row_number() over (order by id) as _new_id from _pick""")
        ctx.sql(f"""insert into {rates} select * exclude (_new_id) replace (
                      _new_id as id, transactioncurrency as basecurrency, basecurrency as transactioncurrency,
                      round(1.08 / exchangerate, 8) as exchangerate) from _pick""")
        record(
            ctx, "FX_INVERSE_INCONSISTENT", "netsuite", "currencyrate",
            """select json_object('id', k._new_id) as record_key, json_object('direct_rate_id', k.id) as
                related_keys,
                      null as amount, c.name as currency, k.lastmodifieddate as landed_at,
                      'Inverse rate 8% off 1 / direct rate on the same day.' as description
               from _pick k left join netsuite__currency c on c.id = k.transactioncurrency""",
        )  # fmt: skip
    cer = "netsuite__consolidatedexchangerate"
    src = f"""(select * from {cer} r where exists (select 1 from {TX} t where t.postingperiod =
        r.postingperiod)
               and coalesce(r.accountingbook, 1) = 1)"""
    if pick(ctx, "FX_MISSING_CONSOLIDATED_RATE", src, "s.id"):
        record(
            ctx, "FX_MISSING_CONSOLIDATED_RATE", "netsuite", "consolidatedexchangerate",
            """select json_object('postingperiod', postingperiod, 'fromsubsidiary', fromsubsidiary,
                                  'tosubsidiary', tosubsidiary) as record_key,
                      json_object('deleted_id', id) as related_keys, null as amount, null as currency,
                      _fivetran_synced as landed_at,
                      'Consolidated exchange rate missing for a period with transactions.' as description
               from _pick""",
        )  # fmt: skip
        ctx.sql(f"delete from {cer} where id in (select id from _pick)")


def inject_erp(ctx: Any) -> None:
    inject_intercompany(ctx)
    inject_e1(ctx)
    inject_e2(ctx)
    inject_e3(ctx)
    inject_journals(ctx)
    inject_fx(ctx)
