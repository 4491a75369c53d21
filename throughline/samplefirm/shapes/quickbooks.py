"""Land the sample firm's ERP in QuickBooks Online's shape (``generate --erp quickbooks``): same truth.

The generator writes the ERP as NetSuite; this module rewrites each night's ``netsuite/<night>/`` folder into
a ``quickbooks/<night>/`` folder of Fivetran QuickBooks tables (``ingestion/contracts/quickbooks.yml``) and
removes the NetSuite folder. The firm's three subsidiaries become three QuickBooks companies (realms) in one
extract, each row naming its company in ``source_relation`` (the subsidiary's legal entity code, ``US01``),
as Fivetran's ``union_schemas`` does for one connector per company. Ids, amounts, rates and dates are carried
over unchanged where QuickBooks has a place for them (NetSuite ids are unique across the firm, so no id
repeats across companies except the shared chart):

- customer -> customer of every company it is in (primary subsidiary, related subsidiaries, those it is
  billed from: same id and name in each; an intercompany customer keeps its NetSuite name,
  ``IC UK01``, the convention the mapping reads); vendor -> vendor; project (NetSuite job) -> job, the
  sub-customer QuickBooks tracks a project as (same id, named by the project code), and a document or journal
  line on a project names the job as its customer;
- account, item, class, department -> the same chart in every company (QuickBooks' account types and detail
  types for NetSuite's, accounts kept in the company's home currency);
- invoice (CustInvc) -> invoice and invoice lines (line account = the account the line posts to), balance =
  NetSuite's amount unpaid; credit memo (CustCred) -> credit memo and lines;
- payment (CustPymt) -> payment (deposit and receivable accounts from its ledger lines) and one payment line
  per invoice it settles; a credit memo applied to an invoice -> a zero payment naming the invoice and the
  credit memo (how QuickBooks records an application);
- journal, FX revaluation and vendor bill -> journal entry with the ledger lines they post (the contract has
  no bill table; QuickBooks books a revaluation as a home-currency journal).

- sales order (SalesOrd: the contract) -> estimate, Accepted (Closed once the contract has ended), on the
  project's job, with its lines (service date = contract start, expiration date = contract end) and the three
  custom fields a firm fills in (CRM opportunity id, contract type, not-to-exceed); an invoice created from it
  -> an ``invoice_linked_txn`` row naming the estimate (NetSuite's created-from).

What QuickBooks cannot carry (the amendment's parent and change order ids, NetSuite projects, currency and
consolidation rate tables, accounting periods, employees, cross-system ids on documents, intercompany pairing)
is listed in docs/sources/quickbooks-as-erp.md with what it changes. The malformed lines the defects appended
to NetSuite files are not records, so not carried: they go to ``_truth/quickbooks_not_carried.csv`` and leave
the manifest.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

from ingestion.parse import sql_str

from .. import extracts

#: Payment ids of credit memo applications (zero payments): offset so they never meet a NetSuite id.
CREDIT_APPLICATION_ID_OFFSET = 1_000_000_000
NS_FILES = ("subsidiary", "currency", "customer", "job", "vendor", "account", "item", "classification")
NS_FILES += ("department", "customersubsidiaryrelationship")
NS_FILES += ("transaction", "transactionline", "transactionaccountingline", "previoustransactionlinelink")
#: NetSuite account type (and special account) -> QuickBooks account type, detail type, classification.
ACCOUNT_TYPES: tuple[tuple[str, str, str, str], ...] = (
    ("Bank", "", "Bank", "Checking"),
    ("AcctRec", "", "Accounts Receivable", "AccountsReceivable"),
    ("UnbilledRec", "", "Other Current Asset", "OtherCurrentAssets"),
    ("OthCurrAsset", "", "Other Current Asset", "OtherCurrentAssets"),
    ("FixedAsset", "", "Fixed Asset", "OtherFixedAssets"),
    ("AcctPay", "", "Accounts Payable", "AccountsPayable"),
    ("OthCurrLiab", "SalesTaxPay", "Other Current Liability", "GlobalTaxPayable"),
    ("OthCurrLiab", "", "Other Current Liability", "OtherCurrentLiabilities"),
    ("DeferRevenue", "", "Other Current Liability", "DeferredRevenue"),
    ("Equity", "RetEarnings", "Equity", "RetainedEarnings"),
    ("Equity", "", "Equity", "AccumulatedAdjustment"),
    ("Income", "", "Income", "ServiceFeeIncome"),
    ("OthIncome", "", "Other Income", "OtherMiscellaneousIncome"),
    ("COGS", "", "Cost of Goods Sold", "CostOfLaborCos"),
    ("Expense", "", "Expense", "OtherMiscellaneousServiceCost"),
    ("OthExpense", "FXRevalRealized", "Other Expense", "ExchangeGainOrLoss"),
    ("OthExpense", "", "Other Expense", "OtherMiscellaneousExpense"),
)
_CLASSIFICATION = {"Bank": "Asset", "Accounts Receivable": "Asset", "Other Current Asset": "Asset"}
_CLASSIFICATION |= {
    "Fixed Asset": "Asset",
    "Accounts Payable": "Liability",
    "Other Current Liability": "Liability",
}
_CLASSIFICATION |= {"Equity": "Equity", "Income": "Revenue", "Other Income": "Revenue"}
_NIGHT = r"regexp_extract(filename, '(\d{4}-\d{2}-\d{2})[/\\][^/\\]*$', 1)"
_FLAGS = "_fivetran_deleted, _fivetran_synced"
_SYNC = "_fivetran_synced"


def _account_types_sql() -> str:
    rows = ", ".join(
        f"('{ns}', '{spec}', '{qb}', '{sub}', '{_CLASSIFICATION.get(qb, 'Expense')}')"
        for ns, spec, qb, sub in ACCOUNT_TYPES
    )
    return f"(select * from (values {rows}) as t(ns_type, ns_special, qb_type, qb_sub_type, classification))"


#: QuickBooks file -> SELECT over the NetSuite tables of one night (``$night``; ``$full`` on the first night).
STREAMS: dict[str, str] = {
    "customer": f"""
        select c.id, case when c.representingsubsidiary is not null then c.entityid else c.companyname end
                as display_name,
            c.companyname as company_name, c.companyname as fully_qualified_name,
            c.parent as parent_customer_id, false as job, c.isinactive <> 'true' as active,
            cu.code as currency_id, null::decimal(18, 2) as balance,
            c.email, null::varchar as website, c.vatregnumber as resale_number, null::boolean as taxable,
            c.datecreated as created_at, c.lastmodifieddate as updated_at, c.{_FLAGS}, co.source_relation
        from _ns_customer as c
        inner join _customer_companies as cc on cc.customer = c.id
        left join _cur as cu on cu.id = c.currency
        left join _company as co on co.id = cc.subsidiary
        where c.night = $night
        union all
        select j.id, j.entityid, j.companyname, j.companyname, j.customer, true, j.isinactive <> 'true',
            cu.code, null, null, null, null, null, j.datecreated, j.lastmodifieddate, j.{_FLAGS},
            co.source_relation
        from _ns_job as j
        left join _cur as cu on cu.id = j.currency
        left join _company as co on co.id = j.subsidiary
        where j.night = $night""",
    "vendor": f"""
        select v.id, v.entityid as display_name, v.companyname as company_name, cu.code as currency_id,
            v.isinactive <> 'true' as active, null::decimal(18, 2) as balance,
            v.lastmodifieddate as created_at, v.lastmodifieddate as updated_at, v.{_FLAGS}, co.source_relation
        from _ns_vendor as v
        left join _cur as cu on cu.id = v.currency
        left join _company as co on co.id = v.subsidiary
        where v.night = $night""",
    "account": f"""
        select a.id, a.fullname as name, a.fullname as fully_qualified_name, a.acctnumber as account_number,
            t.qb_type as account_type, t.qb_sub_type as account_sub_type, t.classification,
            a.parent as parent_account_id, co.currency_code as currency_id, a.isinactive <> 'true' as active,
            null::decimal(18, 2) as balance, a.lastmodifieddate as created_at,
            a.lastmodifieddate as updated_at, a.{_FLAGS}, co.source_relation
        from _ns_account as a
        cross join _company as co
        left join (
            select * from {_account_types_sql()}
        ) as t on t.ns_type = a.accttype and t.ns_special in (coalesce(a.sspecacct, ''), '')
        where a.night = $night
        qualify row_number() over (partition by co.source_relation, a.id order by t.ns_special desc) = 1""",
    "item": f"""
        select i.id, i.itemid as name, i.fullname as fully_qualified_name, 'Service' as type,
            i.incomeaccount as income_account_id, null::decimal(18, 2) as unit_price,
            i.isinactive <> 'true' as active,
            i.lastmodifieddate as created_at, i.lastmodifieddate as updated_at, i.{_FLAGS}, co.source_relation
        from _ns_item as i cross join _company as co where i.night = $night""",
    "class": f"""
        select k.id, k.name, k.fullname as fully_qualified_name, k.parent as parent_class_id,
            k.isinactive <> 'true' as active, k.lastmodifieddate as created_at,
            k.lastmodifieddate as updated_at, k.{_FLAGS}, co.source_relation
        from _ns_classification as k cross join _company as co where k.night = $night""",
    "department": f"""
        select d.id, d.name, d.fullname as fully_qualified_name, d.parent as parent_department_id,
            d.isinactive <> 'true' as active, d.lastmodifieddate as created_at,
            d.lastmodifieddate as updated_at, d.{_FLAGS}, co.source_relation
        from _ns_department as d cross join _company as co where d.night = $night""",
    "invoice": f"""
        select t.id, t.tranid as doc_number, t.billed_to as customer_id, t.trandate as transaction_date,
            t.duedate as due_date, t.currency_code as currency_id, t.rate as exchange_rate,
            t.foreigntotal as total_amount, t.taxtotal as total_tax, u.unpaid as balance,
            round(t.foreigntotal * t.rate, 2) as home_total_amount, null::varchar as class_id,
            t.department_id, t.terms as sales_term_id, t.memo as private_note, t.createddate as created_at,
            t.lastmodifieddate as updated_at, t.{_FLAGS}, t.source_relation
        from _tx as t
        left join _unpaid as u on u.transaction = t.id and u.night = t.night
        where t.type = 'CustInvc' and t.night = $night""",
    "invoice_line": f"""
        select l.transaction as invoice_id, l.line_id - 1 as index, 'SalesItemLineDetail' as detail_type,
            l.memo as description, l.foreignamount as amount, l.item as sales_item_item_id,
            l.quantity as sales_item_quantity, l.rate as sales_item_unit_price,
            l.account as sales_item_account_id,
            l.class as sales_item_class_id, l.custcol_period_start as sales_item_service_date,
            null::varchar as discount_account_id, null::varchar as item_id, null::varchar as account_id,
            l.{_SYNC}, l.source_relation
        from _lines as l where l.type = 'CustInvc' and l.night = $night""",
    "estimate": f"""
        select t.id, t.tranid as doc_number, t.billed_to as customer_id, t.trandate as transaction_date,
            t.enddate as expiration_date, t.trandate as accepted_date, null::varchar as accepted_by,
            case t.status when 'C' then 'Closed' when 'V' then 'Rejected' else 'Accepted' end
                as transaction_status,
            t.currency_code as currency_id, t.rate as exchange_rate, t.foreigntotal as total_amount,
            t.taxtotal as total_tax, round(t.foreigntotal * t.rate, 2) as home_total_amount,
            null::varchar as class_id, t.department_id, t.memo as private_note,
            t.custbody_sf_opportunity_id as custom_crm_opportunity_id,
            t.custbody_contract_type as custom_contract_type, t.custbody_nte_amount as custom_not_to_exceed,
            t.createddate as created_at, t.lastmodifieddate as updated_at, t.{_FLAGS}, t.source_relation
        from _tx as t where t.type = 'SalesOrd' and t.night = $night""",
    "estimate_line": f"""
        select l.transaction as estimate_id, l.line_id - 1 as index, l.foreignamount as amount,
            l.memo as description, l.item as sales_item_item_id, l.quantity as sales_item_quantity,
            l.rate as sales_item_unit_price, l.account as sales_item_account_id,
            l.class as sales_item_class_id,
            coalesce(l.custcol_period_start, s.startdate) as sales_item_service_date,
            null::varchar as discount_account_id, null::varchar as bundle_id, null::varchar as item_id,
            null::varchar as account_id, l.{_SYNC}, l.source_relation
        from _lines as l
        left join (
            select * from _tx qualify row_number() over (partition by id order by night desc) = 1
        ) as s on s.id = l.transaction
        where l.type = 'SalesOrd' and l.night = $night""",
    "invoice_linked_txn": f"""
        select l.transaction as invoice_id, 0 as index, min(l.createdfrom) as estimate_id,
            null::varchar as payment_id, null::varchar as charge_credit_id,
            null::varchar as reimburse_charge_id, null::varchar as statement_charge_id,
            null::varchar as time_activity_id, max(l.{_SYNC}) as {_SYNC},
            t.source_relation
        from _ns_transactionline as l
        inner join (select distinct id, source_relation from _tx where type = 'CustInvc') as t
            on t.id = l.transaction
        where l.night = $night and l.createdfrom in (select id from _tx where type = 'SalesOrd')
        group by l.transaction, t.source_relation""",
    "credit_memo": f"""
        select t.id, t.tranid as doc_number, t.billed_to as customer_id, t.trandate as transaction_date,
            t.currency_code as currency_id, t.rate as exchange_rate, t.foreigntotal as total_amount,
            u.unpaid as remaining_credit, null::varchar as class_id, t.department_id,
            t.createddate as created_at, t.lastmodifieddate as updated_at, t.{_FLAGS}, t.source_relation
        from _tx as t
        left join _unpaid as u on u.transaction = t.id and u.night = t.night
        where t.type = 'CustCred' and t.night = $night""",
    "credit_memo_line": f"""
        select l.transaction as credit_memo_id, l.line_id - 1 as index, l.foreignamount as amount,
            l.memo as description, l.item as sales_item_item_id, l.account as sales_item_account_id,
            l.quantity as sales_item_quantity, l.rate as sales_item_unit_price, l.{_SYNC}, l.source_relation
        from _lines as l where l.type = 'CustCred' and l.night = $night""",
    "payment": f"""
        select t.id, t.entity as customer_id, t.trandate as transaction_date, t.currency_code as currency_id,
            t.rate as exchange_rate, t.foreigntotal as total_amount,
            t.foreigntotal - coalesce(a.applied, 0) as unapplied_amount, g.deposit as deposit_to_account_id,
            g.receivable as receivable_account_id, coalesce(t.tranid, t.otherrefnum) as reference_number,
            t.createddate as created_at, t.lastmodifieddate as updated_at, t.{_FLAGS}, t.source_relation
        from _tx as t
        left join _payment_accounts as g on g.transaction = t.id
        left join (
            select payment_id, sum(amount) as applied from _applications group by payment_id
        ) as a on a.payment_id = t.id
        where t.type = 'CustPymt' and t.night = $night
        union all
        select payment_id, customer_id, link_date, currency_code, rate, 0, 0, null, null, null,
            lastmodifieddate, lastmodifieddate, false, {_SYNC}, source_relation
        from _credit_applications where night = $night and line_index = 0""",
    "payment_line": f"""
        select payment_id, line_index as index, amount, invoice_id, null::varchar as credit_memo_id,
            null::varchar as journal_entry_id, {_SYNC}, source_relation
        from _applications where night = $night
        union all
        select payment_id, line_index, amount, invoice_id, credit_memo_id, null, {_SYNC}, source_relation
        from _credit_applications where night = $night""",
    "journal_entry": f"""
        select t.id, t.tranid as doc_number, t.trandate as transaction_date,
            t.journal_currency as currency_id, t.journal_rate as exchange_rate, j.debits as total_amount,
            false as adjustment,
            t.memo as private_note, t.createddate as created_at, t.lastmodifieddate as updated_at, t.{_FLAGS},
            t.source_relation
        from _tx as t
        left join (
            select transaction, night, sum(amount) filter (posting_type = 'Debit') as debits
            from _journal_lines group by all
        ) as j on j.transaction = t.id and j.night = t.night
        where t.type in ('Journal', 'FxReval', 'VendBill') and t.night = $night""",
    "journal_entry_line": f"""
        select transaction as journal_entry_id, line_id - first_line as index, account as account_id, amount,
            posting_type, customer_id, class as class_id, department as department_id, memo as description,
            {_SYNC}, source_relation
        from _journal_lines where night = $night""",
}


def _read_netsuite(ctx: Any, landing: Path, drop: dict[str, set[int]]) -> None:
    """Every night's NetSuite files into ``_ns_<file>`` (column ``night``), without the malformed lines."""
    for name in NS_FILES:
        paths = []
        for d in ctx.extract_dates:
            path = landing / "netsuite" / d.isoformat() / f"{name}.csv"
            bad = drop.get(f"netsuite/{d.isoformat()}/{name}.csv", set())
            if bad:
                lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
                path = path.with_suffix(".clean")
                path.write_text("".join(x for i, x in enumerate(lines, 1) if i not in bad), encoding="utf-8")
            paths.append(sql_str(str(path)))
        ctx.con.execute(
            f"create or replace temp table _ns_{name} as select *, {_NIGHT} as night"
            f" from read_csv([{', '.join(paths)}], header = true, all_varchar = true, union_by_name = true,"
            " filename = true, delim = ',', quote = '\"', escape = '\"')"
        )


def _latest(table: str, key: str) -> str:
    return f"(select * from {table} qualify row_number() over (partition by {key} order by night desc) = 1)"


def _prepare_masters(ctx: Any) -> None:
    """Companies (one per subsidiary, named by its legal entity code), currency codes, ledger lines."""
    con = ctx.con
    con.execute(
        f"create or replace temp table _cur as select id, name as code from {_latest('_ns_currency', 'id')}"
    )
    con.execute(
        f"""create or replace temp table _company as
        select s.id, s.externalid as source_relation, c.code as currency_code
        from {_latest("_ns_subsidiary", "id")} as s left join _cur as c on c.id = s.currency"""
    )
    con.execute(
        """create or replace temp table _tal as
        select transaction, transactionline, night, account, amount::decimal(18, 2) as amount,
            amountunpaid::decimal(18, 2) as amountunpaid, _fivetran_synced
        from _ns_transactionaccountingline where accountingbook = '1'"""
    )
    tal, lines = (
        _latest("_tal", "transaction, transactionline"),
        _latest("_ns_transactionline", "transaction, id"),
    )
    con.execute(f"create or replace temp table _tal_latest as select * from {tal}")
    con.execute(f"create or replace temp table _tl_latest as select * from {lines}")


def _prepare_documents(ctx: Any) -> None:
    """``_tx``: every carried document version with its company, currency code and typed amounts; billed_to
    is the job (the project as a QuickBooks sub-customer) of a document on a PSA project of its customer."""
    has_projects = ctx.con.execute(
        "select count(*) from information_schema.tables where table_name = 'psa__projects'"
    ).fetchone()[0]
    by_code = (
        "(select id::varchar as id, code from psa__projects)" if has_projects else "(select '' id, '' code)"
    )
    ctx.con.execute(  # a job missing its PSA id is still the project whose code names it (the PSA's own link)
        f"""create or replace temp table _jobs as
        select j.id, j.customer, coalesce(j.custentity_psa_project_id, p.id) as psa_project_id
        from {_latest("_ns_job", "id")} as j left join {by_code} as p on p.code = j.entityid"""
    )
    ctx.con.execute(
        """create or replace temp table _tx as
        with company_of as (
            select transaction, min(subsidiary) as subsidiary,
                min(department) filter (mainline = 'true') as department_id
            from _tl_latest group by transaction
        )
        select t.id, t.night, t.type, t.tranid, t.entity, t.trandate, t.duedate, t.createddate,
            t.lastmodifieddate, t.terms, t.memo, t.otherrefnum, t._fivetran_deleted, t._fivetran_synced,
            t.status, t.startdate, t.enddate, t.custbody_contract_type, t.custbody_nte_amount,
            t.custbody_sf_opportunity_id,
            cu.code as currency_code,
            t.exchangerate::double as rate, t.foreigntotal::decimal(18, 2) as foreigntotal,
            t.taxtotal::decimal(18, 2) as taxtotal, co.source_relation, co.currency_code as home_currency,
            x.department_id,
            case when t.type = 'FxReval' then co.currency_code else cu.code end as journal_currency,
            case when t.type = 'FxReval' then 1.0 else t.exchangerate::double end as journal_rate,
            coalesce(j.id, t.entity) as billed_to
        from _ns_transaction as t
        left join _jobs as j on j.psa_project_id = t.custbody_psa_project_id and j.customer = t.entity
        left join _cur as cu on cu.id = t.currency
        left join company_of as x on x.transaction = t.id
        left join _company as co on co.id = x.subsidiary
        where t.type in ('CustInvc', 'CustCred', 'CustPymt', 'Journal', 'FxReval', 'VendBill', 'SalesOrd')"""
    )
    ctx.con.execute(
        """create or replace temp table _unpaid as
        select t.id as transaction, t.night, u.amountunpaid as unpaid
        from _tx as t
        asof left join (select * from _tal where transactionline = '0') as u
            on u.transaction = t.id and t.night::date >= u.night::date"""
    )
    ctx.con.execute(
        """create or replace temp table _payment_accounts as
        select transaction, min(account) filter (transactionline = '0') as deposit,
            min(account) filter (transactionline = '1') as receivable
        from _tal_latest group by transaction"""
    )


def _prepare_customer_companies(ctx: Any) -> None:
    """``_customer_companies``: every company a customer is in. A QuickBooks customer belongs to one company,
    so a client the firm bills from several subsidiaries is a customer in each (same id and name): its
    primary subsidiary, the subsidiaries NetSuite relates it to, and those of its projects and documents."""
    ctx.con.execute(
        """create or replace temp table _customer_companies as
        select id as customer, subsidiary from _ns_customer
        union
        select entity, subsidiary from _ns_customersubsidiaryrelationship where _fivetran_deleted <> 'true'
        union
        select customer, subsidiary from _ns_job
        union
        select t.entity, c.id from _tx as t inner join _company as c on c.source_relation = t.source_relation
        where t.entity in (select id from _ns_customer)"""
    )


def _prepare_lines(ctx: Any) -> None:
    """Item lines of invoices and credit memos, and the ledger lines of journals, revaluations and bills."""
    ctx.con.execute(
        """create or replace temp table _lines as
        select l.transaction, l.night, t.type, l.id::bigint as line_id, l.memo,
            l.foreignamount::decimal(18, 2) as foreignamount, l.item, l.quantity::double as quantity, l.rate,
            a.account, l.class, l.custcol_period_start, l._fivetran_synced, t.source_relation
        from _ns_transactionline as l
        inner join (select distinct id, type, source_relation from _tx) as t on t.id = l.transaction
        left join _tal_latest as a on a.transaction = l.transaction and a.transactionline = l.id
        where l.mainline <> 'true' and l.taxline <> 'true'
            and t.type in ('CustInvc', 'CustCred', 'SalesOrd')"""
    )
    ctx.con.execute(
        """create or replace temp table _journal_lines as
        select a.transaction, a.night, a.transactionline::bigint as line_id, a.account,
            case when t.journal_currency = t.home_currency then abs(a.amount)
                else coalesce(abs(l.foreignamount::decimal(18, 2)), round(abs(a.amount) / t.journal_rate, 2))
            end as amount,
            case when a.amount >= 0 then 'Debit' else 'Credit' end as posting_type,
            coalesce(j.id, case when c.id is not null then l.entity end) as customer_id, l.class,
            l.department, l.memo,
            a._fivetran_synced, t.source_relation,
            least(min(a.transactionline::bigint) over (partition by a.transaction), 1) as first_line
        from _tal as a
        inner join (
            select distinct id, type, source_relation, journal_currency, home_currency, journal_rate from _tx
        ) as t on t.id = a.transaction and t.type in ('Journal', 'FxReval', 'VendBill')
        left join _tl_latest as l on l.transaction = a.transaction and l.id = a.transactionline
        left join (select distinct id from _ns_customer) as c on c.id = l.entity
        left join _jobs as j on j.psa_project_id = l.custcol_psa_project_id"""
    )


def _prepare_applications(ctx: Any) -> None:
    """Payment lines (what each payment settles) and credit memo applications as zero payments."""
    ctx.con.execute(
        f"""create or replace temp table _applications as
        with links as (
            select *,
                dense_rank() over (partition by nextdoc order by previousdoc, previousline) - 1 as line_index
            from _ns_previoustransactionlinelink where nexttype = 'CustPymt'
        )
        select k.nextdoc as payment_id, k.previousdoc as invoice_id, k.line_index,
            k.foreignamount::decimal(18, 2) as amount, k.night, k._fivetran_synced, t.source_relation
        from links as k
        left join {_latest("_tx", "id")} as t on t.id = k.nextdoc"""
    )
    ctx.con.execute(
        f"""create or replace temp table _credit_applications as
        with links as (
            select *, {CREDIT_APPLICATION_ID_OFFSET}
                + dense_rank() over (order by nextdoc::bigint, previousdoc::bigint, previousline)
                as payment_id
            from _ns_previoustransactionlinelink where nexttype = 'CustCred'
        )
        select k.payment_id::varchar as payment_id, n.line_index, k.foreignamount::decimal(18, 2) as amount,
            case when n.line_index = 0 then k.previousdoc end as invoice_id,
            case when n.line_index = 1 then k.nextdoc end as credit_memo_id, k.night, k.linkdate as link_date,
            i.entity as customer_id, i.currency_code, i.rate, k.lastmodifieddate, k._fivetran_synced,
            i.source_relation
        from links as k
        cross join (select unnest([0, 1]) as line_index) as n
        left join {_latest("_tx", "id")} as i on i.id = k.previousdoc"""
    )


def _write_night(ctx: Any, out: Path, night: str) -> None:
    """Every QuickBooks table of one night as CSV (a header-only file where the night has no record)."""
    options = "FORMAT CSV, HEADER, DELIMITER ',', QUOTE '\"', NEW_LINE '\\n'"
    for name, query in STREAMS.items():
        sql = query.replace("$night", f"'{night}'")
        ctx.con.execute(
            f"COPY (select * from ({sql}) order by all) TO {sql_str(str(out / f'{name}.csv'))} ({options})"
        )


def _write_not_carried(truth: Path, drop: dict[str, set[int]]) -> None:
    """``_truth/quickbooks_not_carried.csv``: the malformed NetSuite lines QuickBooks' landing cannot hold."""
    truth.mkdir(parents=True, exist_ok=True)
    with (truth / "quickbooks_not_carried.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["what", "extract_date", "object", "record_id", "line"])
        for file, lines in sorted(drop.items()):
            _, night, name = file.split("/")
            w.writerows(("malformed_line", night, name.removesuffix(".csv"), "", n) for n in sorted(lines))


def reshape_erp(ctx: Any, landing: Path) -> int:
    """Rewrite ``landing/netsuite/<night>/`` as ``landing/quickbooks/<night>/``; returns data rows written."""
    ns_root, qb_root = landing / "netsuite", landing / "quickbooks"
    if qb_root.exists():
        shutil.rmtree(qb_root)
    drop = extracts.malformed_lines(ctx, "netsuite")
    _read_netsuite(ctx, landing, drop)
    _prepare_masters(ctx)
    _prepare_documents(ctx)
    _prepare_customer_companies(ctx)
    _prepare_lines(ctx)
    _prepare_applications(ctx)
    for d in ctx.extract_dates:
        out = qb_root / d.isoformat()
        out.mkdir(parents=True, exist_ok=True)
        _write_night(ctx, out, d.isoformat())
    _write_not_carried(landing.parent / "_truth", drop)
    shutil.rmtree(ns_root)
    if extracts.has_defect_log(ctx):
        ctx.con.execute("delete from _gen_defects where system = 'netsuite' and file is not null")
    return extracts.write_markers(ctx, landing, ("quickbooks",))
