"""A hand-made firm small enough to compute every expected number by hand (see test_dbt_marts.py).

Rates: 1 GBP = 1.25 USD and 1 EUR = 1.5 USD quoted on 2025-01-01 only (carried forward up to
fx_max_gap_days = 5, so 2025-01-02..06 carry it and later days are missing). NetSuite's consolidated
rates for Jan 2025 (GBP -> USD): average 1.24, closing 1.26.
"""

from __future__ import annotations

import duckdb
from dbt_raw_fixtures import insert_rows

LOADED_AT = "2025-01-07 02:00:00"
TS = "2025-01-06 12:00:00"


def _line(tx: int, line: int, **kw: object) -> dict:
    return {
        "transaction": tx,
        "id": line,
        "subsidiary": 2,
        "linelastmodifieddate": TS,
        "mainline": line == 0,
        "taxline": False,
        **kw,
    }


MINI_FIRM: dict[str, list[dict]] = {
    "raw_netsuite.currency": [
        {"id": 1, "name": "USD", "isbasecurrency": True, "lastmodifieddate": TS},
        {"id": 2, "name": "GBP", "isbasecurrency": False, "lastmodifieddate": TS},
        {"id": 3, "name": "EUR", "isbasecurrency": False, "lastmodifieddate": TS},
    ],
    "raw_netsuite.currencyrate": [
        {
            "id": 1,
            "basecurrency": 1,
            "transactioncurrency": 2,
            "exchangerate": 1.25,
            "effectivedate": "2025-01-01",
            "lastmodifieddate": TS,
        },
        {
            "id": 2,
            "basecurrency": 1,
            "transactioncurrency": 3,
            "exchangerate": 1.5,
            "effectivedate": "2025-01-01",
            "lastmodifieddate": TS,
        },
    ],
    "raw_netsuite.subsidiary": [
        {"id": 1, "name": "Parent", "externalid": "US01", "currency": 1, "lastmodifieddate": TS},
        {"id": 2, "name": "UK", "externalid": "UK01", "currency": 2, "parent": 1, "lastmodifieddate": TS},
        {"id": 3, "name": "DE", "externalid": "DE01", "currency": 3, "parent": 1, "lastmodifieddate": TS},
    ],
    "raw_netsuite.accountingperiod": [
        {
            "id": 1,
            "periodname": "Jan 2025",
            "startdate": "2025-01-01",
            "enddate": "2025-01-31",
            "isposting": True,
            "isquarter": False,
            "isyear": False,
            "lastmodifieddate": TS,
        },
    ],
    "raw_netsuite.consolidatedexchangerate": [
        {
            "id": 1,
            "postingperiod": 1,
            "fromsubsidiary": 2,
            "tosubsidiary": 1,
            "fromcurrency": 2,
            "tocurrency": 1,
            "averagerate": 1.24,
            "currentrate": 1.26,
            "accountingbook": 1,
            "_fivetran_synced": TS,
        },
    ],
    "raw_netsuite.account": [
        {
            "id": 10,
            "acctnumber": "1100",
            "fullname": "Accounts receivable",
            "accttype": "AcctRec",
            "lastmodifieddate": TS,
        },
        {
            "id": 20,
            "acctnumber": "4000",
            "fullname": "Services revenue",
            "accttype": "Income",
            "lastmodifieddate": TS,
        },
    ],
    "raw_netsuite.classification": [{"id": 5, "name": "Data & AI", "lastmodifieddate": TS}],
    "raw_netsuite.transaction": [
        {
            "id": 100,
            "tranid": "INV-UK-1",
            "type": "CustInvc",
            "trandate": "2025-01-03",
            "currency": 2,
            "exchangerate": 1.0,
            "entity": 500,
            "foreigntotal": 1200,
            "taxtotal": 200,
            "status": "A",
            "lastmodifieddate": TS,
        },
        {
            "id": 101,
            "tranid": "CM-UK-1",
            "type": "CustCred",
            "trandate": "2025-01-04",
            "currency": 2,
            "exchangerate": 1.0,
            "entity": 500,
            "foreigntotal": 100,
            "lastmodifieddate": TS,
        },
        {
            "id": 102,
            "tranid": "PAY-UK-1",
            "type": "CustPymt",
            "trandate": "2025-01-05",
            "currency": 2,
            "exchangerate": 1.0,
            "entity": 500,
            "foreigntotal": 1000,
            "lastmodifieddate": TS,
        },
        {
            "id": 103,
            "tranid": "INV-UK-2",
            "type": "CustInvc",
            "trandate": "2025-01-02",
            "currency": 3,
            "exchangerate": 1.2,
            "entity": 501,
            "foreigntotal": 500,
            "lastmodifieddate": TS,
        },
        {
            "id": 104,
            "tranid": "INV-XX-1",
            "type": "CustInvc",
            "trandate": "2025-01-03",
            "currency": 1,
            "exchangerate": 1.0,
            "entity": 502,
            "foreigntotal": 50,
            "lastmodifieddate": TS,
        },
    ],
    "raw_netsuite.transactionline": [
        _line(100, 0, foreignamount=1200, netamount=1200),
        _line(100, 1, foreignamount=1000, netamount=1000, **{"class": 5}),
        _line(100, 2, foreignamount=200, netamount=200, taxline=True),
        _line(101, 0, foreignamount=-100, netamount=-100),
        _line(101, 1, foreignamount=-100, netamount=-100, **{"class": 5}),
        _line(102, 0, foreignamount=1000, netamount=1000),
        _line(103, 0, foreignamount=500, netamount=600),
        _line(103, 1, foreignamount=500, netamount=600, **{"class": 99}),
        _line(104, 0, foreignamount=50, subsidiary=9),
        _line(104, 1, foreignamount=50, subsidiary=9),
    ],
    "raw_netsuite.transactionaccountingline": [
        {
            "transaction": 100,
            "transactionline": 0,
            "accountingbook": 1,
            "account": 10,
            "amount": 1200,
            "debit": 1200,
            "exchangerate": 1.0,
            "posting": True,
            "lastmodifieddate": TS,
        },
        {
            "transaction": 100,
            "transactionline": 1,
            "accountingbook": 1,
            "account": 20,
            "amount": -1000,
            "credit": 1000,
            "exchangerate": 1.0,
            "posting": True,
            "lastmodifieddate": TS,
        },
    ],
    "raw_netsuite.previoustransactionlinelink": [
        {
            "previousdoc": 100,
            "previousline": 0,
            "nextdoc": 102,
            "nextline": 0,
            "linktype": "Payment",
            "linkdate": "2025-01-05",
            "foreignamount": 600,
            "amount": 600,
            "lastmodifieddate": TS,
        },
    ],
    "raw_psa.practices": [
        {"id": 1, "code": "DATA", "name": "Data", "service_line": "Data & AI", "updated_at": TS},
    ],
    "raw_psa.projects": [
        {
            "id": 1,
            "code": "P-1",
            "name": "Client work",
            "client_id": 7,
            "legal_entity": "UK01",
            "practice_id": 1,
            "billing_type": "time_and_materials",
            "currency": "GBP",
            "updated_at": TS,
        },
        {
            "id": 2,
            "code": "P-2",
            "name": "Internal",
            "legal_entity": "XX99",
            "billing_type": "non_billable",
            "updated_at": TS,
        },
    ],
    "raw_psa.time_entries": [
        {
            "id": 1,
            "resource_id": 1,
            "project_id": 1,
            "spent_date": "2025-01-02",
            "hours": 8,
            "is_billable": True,
            "status": "approved",
            "bill_rate": 100,
            "cost_rate": 50,
            "currency": "GBP",
            "cost_currency": "GBP",
            "updated_at": TS,
        },
        {
            "id": 2,
            "resource_id": 1,
            "project_id": 2,
            "spent_date": "2025-01-03",
            "hours": 4,
            "is_billable": False,
            "status": "approved",
            "cost_rate": 50,
            "cost_currency": "EUR",
            "updated_at": TS,
        },
        {
            "id": 3,
            "resource_id": 2,
            "project_id": 1,
            "spent_date": "2025-01-10",
            "hours": 2,
            "is_billable": True,
            "status": "submitted",
            "bill_rate": 100,
            "currency": "GBP",
            "updated_at": TS,
        },
        {
            "id": 4,
            "resource_id": 2,
            "project_id": 1,
            "spent_date": "2025-01-03",
            "hours": 99,
            "is_billable": True,
            "status": "approved",
            "bill_rate": 100,
            "currency": "GBP",
            "updated_at": TS,
            "deleted_at": TS,
            "_is_deleted": True,
        },
    ],
    "raw_psa.expenses": [
        {
            "id": 1,
            "resource_id": 1,
            "project_id": 1,
            "spent_date": "2025-01-02",
            "amount": 100,
            "currency": "EUR",
            "is_billable": True,
            "markup_pct": 10,
            "status": "approved",
            "updated_at": TS,
        },
    ],
    "raw_salesforce.opportunity": [
        {
            "id": "o1",
            "account_id": "a1",
            "name": "Won deal",
            "stage_name": "Closed Won",
            "amount": 5000,
            "currency_iso_code": "GBP",
            "close_date": "2025-01-03",
            "contracting_entity_c": "UK01",
            "contract_type_c": "Time & Materials",
            "system_modstamp": TS,
        },
        {
            "id": "o2",
            "account_id": "a1",
            "name": "Pipeline",
            "stage_name": "Prospecting",
            "amount": 100,
            "currency_iso_code": "EUR",
            "close_date": "2025-06-30",
            "contracting_entity_c": "DE01",
            "contract_type_c": "FF",
            "system_modstamp": TS,
        },
    ],
    "raw_salesforce.opportunity_history": [
        {
            "id": "h1",
            "opportunity_id": "o1",
            "stage_name": "Prospecting",
            "created_date": "2024-12-01 09:00:00",
            "system_modstamp": TS,
        },
        {
            "id": "h2",
            "opportunity_id": "o1",
            "stage_name": "Closed Won",
            "created_date": "2025-01-03 10:00:00",
            "system_modstamp": TS,
        },
    ],
}


def load_mini_firm(con: duckdb.DuckDBPyConnection) -> None:
    for table, rows in MINI_FIRM.items():
        insert_rows(con, table, rows, LOADED_AT)
