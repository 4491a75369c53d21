"""Land the sample firm's ERP in Xero's shape (``generate --erp xero``): same firm, same truth.

The generator writes the ERP as NetSuite; this module rewrites each night's ``netsuite/<night>/`` folder into
a ``xero/<night>/`` folder of Fivetran Xero tables (``ingestion/contracts/xero.yml``) and removes the NetSuite
folder. A firm with three legal entities runs three Xero organisations; Fivetran lands one connector per
organisation and its dbt package unions them adding ``source_relation``: this shape lands the three
subsidiaries as three organisations in one extract, ``source_relation`` = ``xero_<entity code>`` on every row.

- subsidiary -> organisation (the legal entity code as Xero's short code, the subsidiary currency as base);
- the one NetSuite chart -> one chart per organisation (ids of the parent's copy unchanged, the others'
  ``<id>-<entity>``, codes = NetSuite account numbers; AR is the DEBTORS system account, AP CREDITORS);
- customer -> one contact per organisation it trades in (``customersubsidiaryrelationship``): the customer's
  own subsidiary keeps its id, the other copies are ``<id>-<entity>``; all copies share the account number
  (the NetSuite external id; an intercompany customer, which NetSuite keeps per subsidiary, its entity id and
  owning entity), which is how the mapping tells they are one customer; vendor -> contact
  ``v<id>`` (vendor and customer ids overlap in NetSuite);
- invoice (CustInvc) -> ACCREC invoice, vendor bill -> ACCPAY, credit memo -> ACCRECCREDIT credit note, in the
  document currency with ``currency_rate`` = 1 / NetSuite's rate; the tax line's amount as the first line's
  tax; the applications of payments and credits as the header's ``amount_paid``, ``amount_credited``,
  ``amount_due`` and ``fully_paid_on_date`` (as of each night);
- every posting transaction -> one journal (``source_id`` = the transaction id; payments ACCRECPAYMENT,
  journals and FX revaluations MANJOURNAL) whose lines are the accounting lines, in the base currency.

- sales order (SalesOrd: the contract) -> quote, ACCEPTED (INVOICED once the contract has ended), reference =
  the CRM opportunity id, title = the PSA project code, terms = the contract type, expiry date = the contract
  end, with its lines; an invoice created from it carries the quote's reference (as Xero copies it).

Employees, classes, departments, items, currency rates, accounting periods, consolidated rates, credit note
lines, a contract's start, NTE cap and change order and the other custom fields have no home in the contract:
listed in docs/sources/xero-as-erp.md ("The sample firm in Xero's shape") with what that changes. Malformed
lines the defects appended to NetSuite files are not records, so not carried; they and their truth rows go to
``_truth/xero_not_carried.csv``.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

from ingestion.contract import load_contract
from ingestion.parse import sql_str

from .. import extracts

NS_FILES = (
    "subsidiary",
    "currency",
    "account",
    "customer",
    "customersubsidiaryrelationship",
    "vendor",
    "item",
    "transaction",
    "transactionline",
    "transactionaccountingline",
    "previoustransactionlinelink",
    "employee",
)
#: NetSuite transaction type -> Xero journal source type (documents of a type not listed post no journal).
SOURCE_TYPES = {
    "CustInvc": "ACCREC",
    "VendBill": "ACCPAY",
    "CustCred": "ACCRECCREDIT",
    "CustPymt": "ACCRECPAYMENT",
    "Journal": "MANJOURNAL",
    "FxReval": "MANJOURNAL",
}
#: NetSuite account type -> Xero account type (Xero's own list).
ACCOUNT_TYPES = {
    "Bank": "BANK",
    "AcctRec": "CURRENT",
    "UnbilledRec": "CURRENT",
    "OthCurrAsset": "CURRENT",
    "FixedAsset": "FIXED",
    "AcctPay": "CURRLIAB",
    "OthCurrLiab": "CURRLIAB",
    "DeferRevenue": "CURRLIAB",
    "LongTermLiab": "TERMLIAB",
    "Equity": "EQUITY",
    "Income": "REVENUE",
    "OthIncome": "OTHERINCOME",
    "COGS": "DIRECTCOSTS",
    "Expense": "EXPENSE",
    "OthExpense": "EXPENSE",
}
_NIGHT = r"regexp_extract(filename, '(\d{4}-\d{2}-\d{2})[/\\][^/\\]*$', 1)"
_TS = "strftime(try_cast({} as timestamp), '%Y-%m-%d %H:%M:%S')"


def _values(name: str, mapping: dict[str, str], cols: str) -> str:
    rows = ", ".join(f"('{k}', '{v}')" for k, v in mapping.items())
    return f"(select * from (values {rows}) as {name}({cols}))"


def _asof(table: str, key: str) -> str:
    """The latest row per key of a NetSuite table as of the night being written."""
    return (
        f"(select * from _ns_{table} where night <= $night"
        f" qualify row_number() over (partition by {key} order by night desc) = 1)"
    )


#: Xero table -> SELECT over the NetSuite tables (``$night``: the night written; ``$full``: the full extract).
TABLES: dict[str, str] = {
    "organization": """
        select c.organisation_id, s.name, s.legalname as legal_name, s.externalid as short_code,
            c.base_currency, s.country as country_code, 12 as financial_year_end_month,
            31 as financial_year_end_day, s.lastmodifieddate as created_date_utc, s._fivetran_deleted,
            s._fivetran_synced, c.source_relation
        from _ns_subsidiary as s inner join _companies as c on c.subsidiary_id = s.id
        where s.night = $night""",
    "contact": """
        select case when cu.subsidiary = x.subsidiary then cu.id else cu.id || '-' || c.entity_code end
                as contact_id,
            cu.companyname as name, null as first_name, null as last_name, cu.email as email_address,
            coalesce(cu.externalid, cu.entityid || ' ' || h.entity_code) as account_number,
            cu.vatregnumber as tax_number,
            case when cu.isinactive = 'true' then 'ARCHIVED' else 'ACTIVE' end as contact_status,
            true as is_customer, false as is_supplier, cur.name as default_currency,
            greatest(cu.lastmodifieddate, x.lastmodifieddate) as updated_date_utc,
            cu._fivetran_deleted = 'true' or x._fivetran_deleted = 'true' as _fivetran_deleted,
            greatest(cu._fivetran_synced, x._fivetran_synced) as _fivetran_synced, c.source_relation
        from (
            select entity, subsidiary, night, lastmodifieddate, _fivetran_deleted, _fivetran_synced
            from ASOF(customersubsidiaryrelationship, entity, subsidiary)
            union all  -- the customer's own subsidiary, whether or not a relationship row names it
            select id, subsidiary, night, lastmodifieddate, 'false', _fivetran_synced from ASOF(customer, id)
        ) as x
        inner join ASOF(customer, id) as cu on cu.id = x.entity
        inner join _companies as c on c.subsidiary_id = x.subsidiary
        left join _companies as h on h.subsidiary_id = cu.subsidiary
        left join _ns_currency_latest as cur on cur.id = cu.currency
        where x.night = $night or cu.night = $night
        qualify row_number() over (partition by x.entity, x.subsidiary order by x.night desc) = 1
        union all
        select 'v' || v.id, v.companyname, null, null, null, null, null,
            case when v.isinactive = 'true' then 'ARCHIVED' else 'ACTIVE' end, false, true, cur.name,
            v.lastmodifieddate, v._fivetran_deleted = 'true', v._fivetran_synced, c.source_relation
        from _ns_vendor as v
        inner join _companies as c on c.subsidiary_id = v.subsidiary
        left join _ns_currency_latest as cur on cur.id = v.currency
        where v.night = $night""",
    "account": """
        select a.id || c.id_suffix as account_id, a.fullname as name, a.acctnumber as code,
            coalesce(t.xero_type, 'EXPENSE') as type,
            case when t.xero_type in ('BANK', 'CURRENT', 'FIXED') then 'ASSET'
                when t.xero_type in ('CURRLIAB', 'TERMLIAB') then 'LIABILITY'
                when t.xero_type = 'EQUITY' then 'EQUITY'
                when t.xero_type in ('REVENUE', 'OTHERINCOME') then 'REVENUE' else 'EXPENSE' end as class,
            case when a.isinactive = 'true' then 'ARCHIVED' else 'ACTIVE' end as status,
            case when a.accttype = 'Bank' then c.base_currency end as currency_code,
            case a.accttype when 'AcctRec' then 'DEBTORS' when 'AcctPay' then 'CREDITORS'
                when 'Equity' then case a.sspecacct when 'RetEarnings' then 'RETAINEDEARNINGS' end
                when 'OthExpense' then case a.sspecacct when 'FXRevalRealized' then 'REALISEDCURRENCYGAIN'
                    when 'FXRevalUnrealized' then 'UNREALISEDCURRENCYGAIN' end
                when 'OthCurrLiab' then case a.sspecacct when 'SalesTaxPay' then 'GST' end end
                as system_account,
            a.fullname as description, a.lastmodifieddate as updated_date_utc, a._fivetran_deleted,
            a._fivetran_synced, c.source_relation
        from _ns_account as a
        cross join _companies as c
        left join ACCOUNT_TYPES as t on t.ns_type = a.accttype
        where a.night = $night""",
    "invoice": """
        select d.id as invoice_id, d.contact_id, d.tranid as invoice_number,
            coalesce(q.reference, d.otherrefnum) as reference,
            d.xero_type as type,
            case when d.voided = 'true' then 'VOIDED' when d.status = 'B' then 'PAID' else 'AUTHORISED' end
                as status,
            d.trandate as date, d.duedate as due_date,
            case when d.status = 'B' and d.voided <> 'true' then coalesce(d.settled_on, d.closedate) end
                as fully_paid_on_date,
            d.currency_code, d.currency_rate, 'Exclusive' as line_amount_types,
            d.total - d.tax as sub_total, d.tax as total_tax, d.total, d.paid as amount_paid,
            d.credited as amount_credited, d.total - d.paid - d.credited as amount_due,
            d.updated as updated_date_utc, d._fivetran_deleted, d.synced as _fivetran_synced,
            d.source_relation
        from _documents as d
        left join _invoice_quotes as q on q.invoice = d.id
        where d.xero_type in ('ACCREC', 'ACCPAY') and d.night = $night""",
    "invoice_line_item": """
        select l.transaction as invoice_id, l.transaction || '-' || l.id as line_item_id,
            a.acctnumber as account_code,
            i.itemid as item_code, l.memo as description, l.quantity, l.rate as unit_amount,
            null as discount_rate, l.foreignamount as line_amount,
            case when l.id = f.first_line then coalesce(f.tax, 0) else 0 end as tax_amount,
            case when l.id = f.first_line and f.tax <> 0 then 'OUTPUT' else 'NONE' end as tax_type,
            l._fivetran_deleted, l._fivetran_synced, d.source_relation
        from _ns_transactionline as l
        inner join ASOF(transaction, id) as t on t.id = l.transaction and t.type in ('CustInvc', 'VendBill')
        inner join _txn_company as d on d.transaction_id = l.transaction
        inner join _first_lines as f on f.transaction = l.transaction
        left join _ns_transactionaccountingline_latest as tal on tal.transaction = l.transaction
            and tal.transactionline = l.id
        left join _ns_account_latest as a on a.id = tal.account
        left join _ns_item_latest as i on i.id = l.item
        where l.night = $night and l.mainline = 'false' and l.taxline = 'false'""",
    "quote": """
        select t.id as quote_id, c.contact_id, t.tranid as quote_number,
            t.custbody_sf_opportunity_id as reference, pc.code as title, t.memo as summary,
            case t.custbody_contract_type when 'TM' then 'Time and materials' when 'FF' then 'Fixed fee'
                when 'MS' then 'Milestone' when 'RT' then 'Retainer' else t.custbody_contract_type end
                as terms,
            case when t.voided = 'true' then 'DELETED' when t.status = 'C' then 'INVOICED' else 'ACCEPTED' end
                as status,
            t.trandate as date, t.enddate as expiry_date, cur.name as currency_code,
            round(1 / try_cast(t.exchangerate as double), 10) as currency_rate,
            'Exclusive' as line_amount_types,
            try_cast(t.foreigntotal as decimal(18, 2)) - coalesce(try_cast(t.taxtotal as decimal(18, 2)), 0)
                as sub_total,
            coalesce(try_cast(t.taxtotal as decimal(18, 2)), 0) as total_tax,
            try_cast(t.foreigntotal as decimal(18, 2)) as total, t.lastmodifieddate as updated_date_utc,
            t._fivetran_deleted, t._fivetran_synced, c.source_relation
        from _ns_transaction as t
        inner join _txn_company as c on c.transaction_id = t.id
        left join _ns_currency_latest as cur on cur.id = t.currency
        left join _project_codes as pc on pc.id = t.custbody_psa_project_id
        where t.type = 'SalesOrd' and t.night = $night""",
    "quote_line_item": """
        select l.transaction as quote_id, l.transaction || '-' || l.id as line_item_id,
            null as account_code, i.itemid as item_code, l.memo as description, l.quantity,
            l.rate as unit_amount, null as discount_rate, l.foreignamount as line_amount, 0 as tax_amount,
            'NONE' as tax_type, l._fivetran_deleted, l._fivetran_synced, d.source_relation
        from _ns_transactionline as l
        inner join ASOF(transaction, id) as t on t.id = l.transaction and t.type = 'SalesOrd'
        inner join _txn_company as d on d.transaction_id = l.transaction
        left join _ns_item_latest as i on i.id = l.item
        where l.night = $night and l.mainline = 'false' and l.taxline = 'false'""",
    "credit_note": """
        select d.id as credit_note_id, d.contact_id, d.tranid as credit_note_number,
            d.otherrefnum as reference,
            'ACCRECCREDIT' as type,
            case when d.voided = 'true' then 'VOIDED' when d.status = 'B' then 'PAID' else 'AUTHORISED' end
                as status,
            d.trandate as date, case when d.status = 'B' then coalesce(d.settled_on, d.closedate) end
                as fully_paid_on_date,
            d.currency_code, d.currency_rate, 'Exclusive' as line_amount_types, d.total - d.tax as sub_total,
            d.tax as total_tax, d.total, d.total - d.applied as remaining_credit,
            d.updated as updated_date_utc, d._fivetran_deleted, d.synced as _fivetran_synced,
            d.source_relation
        from _documents as d
        where d.xero_type = 'ACCRECCREDIT' and d.night = $night""",
    "journal": """
        select 'J' || t.id as journal_id, try_cast(t.id as bigint) as journal_number,
            t.trandate as journal_date,
            t.createddate as created_date_utc, coalesce(t.memo, t.tranid) as reference, t.id as source_id,
            s.xero_type as source_type, t._fivetran_deleted, t._fivetran_synced, d.source_relation
        from ASOF(transaction, id) as t
        inner join SOURCE_TYPES as s on s.ns_type = t.type
        inner join _txn_company as d on d.transaction_id = t.id
        where t.id in (select transaction from _ns_transactionaccountingline where night = $night)""",
    "journal_line": """
        select 'J' || g.transaction as journal_id,
            g.transaction || '-' || g.transactionline as journal_line_id,
            g.account || d.id_suffix as account_id, a.acctnumber as account_code, a.fullname as account_name,
            coalesce(jt.xero_type, 'EXPENSE') as account_type, l.memo as description,
            g.netamount as net_amount, 0 as tax_amount, g.netamount as gross_amount, null as tax_type,
            g._fivetran_deleted, g._fivetran_synced, d.source_relation
        from _ns_transactionaccountingline as g
        inner join ASOF(transaction, id) as t on t.id = g.transaction
        inner join SOURCE_TYPES as s on s.ns_type = t.type
        inner join _txn_company as d on d.transaction_id = g.transaction
        left join _ns_account_latest as a on a.id = g.account
        left join ACCOUNT_TYPES as jt on jt.ns_type = a.accttype
        left join _ns_transactionline_latest as l
            on l.transaction = g.transaction and l.id = g.transactionline
        where g.night = $night and g.accountingbook = '1'""",
}
#: Contract tables the NetSuite export has nothing for: header-only files.
EMPTY_TABLES = ("bank_transaction", "tracking_category")


def _expand(sql: str) -> str:
    sql = sql.replace("SOURCE_TYPES", _values("s", SOURCE_TYPES, "ns_type, xero_type"))
    sql = sql.replace("ACCOUNT_TYPES", _values("t", ACCOUNT_TYPES, "ns_type, xero_type"))
    for table, key in (
        ("transaction", "id"),
        ("customer", "id"),
        ("customersubsidiaryrelationship", "entity, subsidiary"),
    ):
        sql = sql.replace(f"ASOF({table}, {key})", _asof(table, key))
    return sql


def _read_netsuite(ctx: Any, landing: Path, drop: dict[str, set[int]]) -> None:
    """Every night's NetSuite files into ``_ns_<object>`` (all text, column ``night``), without the malformed
    lines; ``_ns_<object>_latest``: the latest row per key."""
    nights = [d.isoformat() for d in ctx.extract_dates]
    contract = load_contract("netsuite")
    for obj in NS_FILES:
        paths = []
        for night in nights:
            path = landing / "netsuite" / night / f"{obj}.csv"
            if not path.exists():
                continue
            bad = drop.get(f"netsuite/{night}/{obj}.csv", set())
            if bad:
                lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
                path = path.with_suffix(".clean")
                path.write_text("".join(x for i, x in enumerate(lines, 1) if i not in bad), encoding="utf-8")
            paths.append(sql_str(str(path)))
        if paths:
            ctx.con.execute(
                f"create or replace temp table _ns_{obj} as select * exclude (filename), {_NIGHT} as night"
                f" from read_csv([{', '.join(paths)}], header = true, all_varchar = true,"
                " union_by_name = true, filename = true)"
            )
        else:  # no file of this object on any night: an empty table of the contract's columns
            cols = ", ".join(f'"{c}" varchar' for c in contract.object(obj).column_names)
            ctx.con.execute(f"create or replace temp table _ns_{obj} ({cols}, night varchar)")
        key = {"transactionaccountingline": "transaction, transactionline, accountingbook"}.get(obj, "id")
        key = {
            "transactionline": "transaction, id",
            "previoustransactionlinelink": "previousdoc, nextdoc",
        }.get(obj, key)
        key = {"customersubsidiaryrelationship": "entity, subsidiary"}.get(obj, key)
        ctx.con.execute(
            f"create or replace temp table _ns_{obj}_latest as select * from _ns_{obj}"
            f" qualify row_number() over (partition by {key} order by night desc) = 1"
        )


def _prepare_companies(ctx: Any) -> None:
    """``_companies`` (one organisation per subsidiary) and ``_txn_company`` (each document's organisation
    and contact: a customer's copy in another organisation is ``<id>-<entity>``, a vendor ``v<id>``)."""
    con = ctx.con
    con.execute(
        """create or replace temp table _companies as
        select s.id as subsidiary_id, s.externalid as entity_code,
            'xero_' || lower(s.externalid) as source_relation,
            'org-' || lower(s.externalid) as organisation_id, c.name as base_currency,
            case when coalesce(s.parent, '') = '' then '' else '-' || s.externalid end as id_suffix
        from _ns_subsidiary_latest as s left join _ns_currency_latest as c on c.id = s.currency
        where s.iselimination <> 'true'"""
    )
    con.execute(
        """create or replace temp table _txn_company as
        with subs as (
            select transaction as transaction_id,
                arg_min(subsidiary, (case when mainline = 'true' then 0 else 1 end, try_cast(id as bigint)))
                    as subsidiary_id
            from _ns_transactionline_latest group by transaction
        )
        select s.transaction_id, c.*, t.type,
            case when t.type = 'VendBill' then 'v' || t.entity
                when t.entity is null or t.entity = '' then null
                when cu.subsidiary = c.subsidiary_id then t.entity
                else t.entity || '-' || c.entity_code end as contact_id
        from subs as s
        inner join _companies as c on c.subsidiary_id = s.subsidiary_id
        inner join _ns_transaction_latest as t on t.id = s.transaction_id
        left join _ns_customer_latest as cu on cu.id = t.entity"""
    )
    con.execute(
        """create or replace temp table _first_lines as
        select transaction,
            cast(min(case when mainline = 'false' and taxline = 'false' then try_cast(id as bigint) end)
                as varchar) as first_line,
            coalesce(sum(case when taxline = 'true' then try_cast(foreignamount as decimal(18, 2)) end), 0)
                as tax
        from _ns_transactionline_latest group by transaction"""
    )


def _prepare_documents(ctx: Any) -> None:
    """``_documents``: invoices, bills and credit memos as of each night they (or their applications) change,
    with the applied amounts of that night: what a Xero header says about payments and credits."""
    ctx.con.execute(
        """create or replace temp table _documents as
        with emitted as (
            select night, id from _ns_transaction where type in ('CustInvc', 'VendBill', 'CustCred')
            union select night, previousdoc from _ns_previoustransactionlinelink
            union select night, nextdoc from _ns_previoustransactionlinelink
            union select night, transaction from _ns_transactionline
        ),
        txn as (
            select e.night as as_of, t.*
            from emitted as e inner join _ns_transaction as t on t.id = e.id and t.night <= e.night
            where t.type in ('CustInvc', 'VendBill', 'CustCred')
            qualify row_number() over (partition by e.night, e.id order by t.night desc) = 1
        ),
        links as (
            select e.night as as_of, e.id as doc, k.*
            from emitted as e
            inner join _ns_previoustransactionlinelink as k
                on (k.previousdoc = e.id or k.nextdoc = e.id) and k.night <= e.night
            qualify row_number() over (
                partition by e.night, e.id, k.previousdoc, k.previousline, k.nextdoc, k.nextline
                order by k.night desc) = 1
        ),
        applied as (
            select as_of, doc,
                sum(case when previousdoc = doc and linktype = 'Payment' then amt else 0 end) as paid,
                sum(case when previousdoc = doc and linktype = 'CreditMemoApplication' then amt else 0 end)
                    as credited,
                sum(case when nextdoc = doc and linktype = 'CreditMemoApplication' then amt else 0 end)
                    as applied,
                max(linkdate) as settled_on, max(lastmodifieddate) as updated, max(_fivetran_synced) as synced
            from (select *, try_cast(foreignamount as decimal(18, 2)) as amt from links
                  where coalesce(_fivetran_deleted, 'false') <> 'true')
            group by as_of, doc
        )
        select t.as_of as night, t.id, t.tranid, t.otherrefnum, t.type, t.status, t.voided, t.trandate,
            t.duedate, t.closedate, s.xero_type, c.contact_id, c.source_relation, cur.name as currency_code,
            round(1 / try_cast(t.exchangerate as double), 10) as currency_rate,
            coalesce(try_cast(t.foreigntotal as decimal(18, 2)), 0) as total,
            coalesce(try_cast(t.taxtotal as decimal(18, 2)), 0) as tax,
            coalesce(a.paid, 0) as paid, coalesce(a.credited, 0) as credited,
            coalesce(a.applied, 0) as applied,
            a.settled_on, greatest(t.lastmodifieddate, a.updated) as updated,
            greatest(t._fivetran_synced, a.synced) as synced, t._fivetran_deleted
        from txn as t
        inner join SOURCE_TYPES as s on s.ns_type = t.type
        inner join _txn_company as c on c.transaction_id = t.id
        left join _ns_currency_latest as cur on cur.id = t.currency
        left join applied as a on a.as_of = t.as_of and a.doc = t.id""".replace(
            "SOURCE_TYPES", _values("s", SOURCE_TYPES, "ns_type, xero_type")
        )
    )


def _prepare_quotes(ctx: Any) -> None:
    """``_project_codes`` (the PSA project code a quote is titled with) and ``_invoice_quotes``: the
    opportunity id of the sales order an invoice was created from, which Xero copies from the quote's
    reference to the invoice made from it."""
    has_projects = ctx.con.execute(
        "select count(*) from information_schema.tables where table_name = 'psa__projects'"
    ).fetchone()[0]
    codes = "select id::varchar as id, code from psa__projects" if has_projects else "select '' id, '' code"
    ctx.con.execute(f"create or replace temp table _project_codes as {codes}")
    ctx.con.execute(
        """create or replace temp table _invoice_quotes as
        select l.transaction as invoice, min(so.custbody_sf_opportunity_id) as reference
        from _ns_transactionline_latest as l
        inner join _ns_transaction_latest as so on so.id = l.createdfrom and so.type = 'SalesOrd'
        group by l.transaction"""
    )


def _write_night(ctx: Any, out: Path, night: str) -> None:
    """Every Xero table of one night as CSV (header only where the night has no record)."""
    contract = load_contract("xero")
    for table, query in TABLES.items():
        cols = [c.name for c in contract.object(table).columns]
        sql = _expand(query).replace("$night", f"'{night}'")
        order = ", ".join(f'"{c}"' for c in cols[:2])
        select = ", ".join(f'"{c}"' for c in cols)
        path = out / contract.object(table).file
        ctx.con.execute(
            f"copy (select {select} from ({sql}) order by {order}) to {sql_str(str(path))}"
            " (header, delimiter ',', timestampformat '%Y-%m-%d %H:%M:%S')"
        )
    for table in EMPTY_TABLES:
        cols = [c.name for c in contract.object(table).columns]
        (out / contract.object(table).file).write_text(",".join(cols) + "\n", encoding="utf-8")


def _write_not_carried(ctx: Any, truth: Path, drop: dict[str, set[int]]) -> None:
    """``_truth/xero_not_carried.csv``: the NetSuite records and lines the Xero landing cannot hold."""
    truth.mkdir(parents=True, exist_ok=True)
    lost = ctx.con.execute("select distinct 'employee', id from _ns_employee order by 1, 2").fetchall()
    with (truth / "xero_not_carried.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["what", "extract_date", "object", "record_id", "line"])
        w.writerows((what, "", what, rid, "") for what, rid in lost)
        for file, lines in sorted(drop.items()):
            _, night, name = file.split("/")
            w.writerows(("malformed_line", night, name.removesuffix(".csv"), "", n) for n in sorted(lines))


def reshape_erp(ctx: Any, landing: Path) -> int:
    """Rewrite ``landing/netsuite/<night>/`` as ``landing/xero/<night>/``; returns data rows written."""
    ns_root, xero_root = landing / "netsuite", landing / "xero"
    if xero_root.exists():
        shutil.rmtree(xero_root)
    drop = extracts.malformed_lines(ctx, "netsuite")
    _read_netsuite(ctx, landing, drop)
    _prepare_companies(ctx)
    _prepare_documents(ctx)
    _prepare_quotes(ctx)
    for d in ctx.extract_dates:
        out = xero_root / d.isoformat()
        out.mkdir(parents=True, exist_ok=True)
        _write_night(ctx, out, d.isoformat())
    _write_not_carried(ctx, landing.parent / "_truth", drop)
    shutil.rmtree(ns_root)
    if extracts.has_defect_log(ctx):
        ctx.con.execute("delete from _gen_defects where system = 'netsuite' and file is not null")
    return extracts.write_markers(ctx, landing, ("xero",))
