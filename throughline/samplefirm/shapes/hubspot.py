"""Land the sample firm's CRM in HubSpot's shape (``generate --crm hubspot``): same firm, same truth.

The generator writes the CRM as Salesforce; this module rewrites each night's Salesforce folder into a
``hubspot/<night>/`` folder of Fivetran HubSpot tables (``ingestion/contracts/hubspot.yml``) and removes
the Salesforce folder. Ids, amounts, dates and cross-system ids are carried over unchanged, so every break
and KPI of the firm is the same whichever CRM it lands in:

- account -> company (type PROSPECT / PARTNER, lifecycle stage ``customer`` for customers; the account
  currency and the integration ids as custom properties),
- opportunity -> deal (stage id in the ``default`` pipeline, the opportunity's own probability as
  ``hs_forecast_probability``) and a primary ``deal_company`` association (type 5),
- opportunity_history -> deal_stage (one row per stage entered), user -> owner, product_2 -> product,
- a static ``deal_pipeline`` and ``deal_pipeline_stage`` in the full extract (header only in the deltas).

Malformed lines the defects appended to Salesforce files are not carried over (they are not records), and
their rows leave the truth manifest: the ingestion defects stay on the NetSuite and PSA files.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from ingestion.parse import sql_str

from .. import extracts

#: Stages of the ``default`` pipeline: (stage id, label, order, probability, closed won, closed).
STAGES: tuple[tuple[str, str, int, float, bool, bool], ...] = (
    ("prospecting", "Prospecting", 0, 0.1, False, False),
    ("qualification", "Qualification", 1, 0.2, False, False),
    ("proposal", "Proposal", 2, 0.5, False, False),
    ("negotiation", "Negotiation", 3, 0.75, False, False),
    ("closedwon", "Closed Won", 4, 1.0, True, True),
    ("closedlost", "Closed Lost", 5, 0.0, False, True),
)
PORTAL_ID = "20261117"
_STAGE_ID = "regexp_replace(lower(stage_name), '[^a-z]', '', 'g')"
_TS = "strftime(try_cast({} AS TIMESTAMP), '%Y-%m-%d %H:%M:%S')"

#: HubSpot file -> (Salesforce file it is made from, SELECT list over that file's columns).
MAPPINGS: dict[str, tuple[str, str]] = {
    "owner.csv": (
        "user.csv",
        f"id AS owner_id, '{PORTAL_ID}' AS portal_id, 'PERSON' AS type, email, first_name, last_name,"
        " CASE WHEN lower(is_active) = 'true' THEN id END AS active_user_id,"
        " created_date AS created_at, system_modstamp AS updated_at, _fivetran_deleted, _fivetran_synced",
    ),
    "company.csv": (
        "account.csv",
        "id, is_deleted, name AS property_name,"
        " CASE type WHEN 'Prospect' THEN 'PROSPECT' WHEN 'Partner' THEN 'PARTNER' END AS property_type,"
        " CASE type WHEN 'Customer' THEN 'customer' WHEN 'Prospect' THEN 'lead' END"
        " AS property_lifecyclestage,"
        " industry AS property_industry, website AS property_website, billing_city AS property_city,"
        " billing_country AS property_country, billing_country_code AS property_hs_country_code,"
        " annual_revenue AS property_annualrevenue, number_of_employees AS property_numberofemployees,"
        " owner_id AS property_hubspot_owner_id, parent_id AS property_hs_parent_company_id,"
        " currency_iso_code AS property_account_currency,"
        " registration_number_c AS property_registration_number,"
        " erp_customer_id_c AS property_erp_customer_id, psa_client_id_c AS property_psa_client_id,"
        " created_date AS property_createdate, system_modstamp AS property_hs_lastmodifieddate,"
        " _fivetran_synced",
    ),
    "product.csv": (
        "product_2.csv",
        "id, is_deleted, name AS property_name, product_code AS property_hs_sku,"
        " family AS property_service_line, description AS property_description,"
        " created_date AS property_createdate, system_modstamp AS property_hs_lastmodifieddate,"
        " _fivetran_synced",
    ),
    "deal.csv": (
        "opportunity.csv",
        f"id AS deal_id, is_deleted, '{PORTAL_ID}' AS portal_id, 'default' AS deal_pipeline_id,"
        f" {_STAGE_ID} AS deal_pipeline_stage_id, owner_id, name AS property_dealname,"
        " amount AS property_amount, currency_iso_code AS property_deal_currency_code,"
        f" {_TS.format('close_date')} AS property_closedate,"
        " CASE type WHEN 'New Business' THEN 'newbusiness' WHEN 'Existing Business' THEN 'existingbusiness'"
        " WHEN 'Renewal' THEN 'renewal' ELSE type END AS property_dealtype,"
        " CAST(try_cast(probability AS DOUBLE) / 100 AS VARCHAR) AS property_hs_forecast_probability,"
        " CASE forecast_category WHEN 'Omitted' THEN 'OMIT' WHEN 'Pipeline' THEN 'PIPELINE'"
        " WHEN 'BestCase' THEN 'BEST_CASE' WHEN 'Commit' THEN 'COMMIT' WHEN 'Closed' THEN 'CLOSED'"
        " ELSE forecast_category END AS property_hs_manual_forecast_category,"
        " lead_source AS property_lead_source, contract_type_c AS property_contract_type,"
        " nte_amount_c AS property_nte_amount, contracting_entity_c AS property_contracting_entity,"
        " delivery_start_date_c AS property_delivery_start_date,"
        " delivery_end_date_c AS property_delivery_end_date,"
        " erp_sales_order_id_c AS property_erp_sales_order_id, psa_project_id_c AS property_psa_project_id,"
        " created_date AS property_createdate, system_modstamp AS property_hs_lastmodifieddate,"
        " _fivetran_synced",
    ),
    "deal_company.csv": (
        "opportunity.csv",
        "id AS deal_id, account_id AS company_id, '5' AS type_id, 'HUBSPOT_DEFINED' AS category,"
        " system_modstamp AS _fivetran_synced",
    ),
    "deal_stage.csv": (
        "opportunity_history.csv",
        "opportunity_id AS deal_id, created_date AS _fivetran_start,"
        " lead(created_date) OVER (PARTITION BY opportunity_id ORDER BY created_date) AS _fivetran_end,"
        " lead(created_date) OVER (PARTITION BY opportunity_id ORDER BY created_date) IS NULL"
        " AS _fivetran_active,"
        f" {_STAGE_ID} AS value, created_date AS date_entered, 'CRM_UI' AS source,"
        " created_by_id AS source_id, system_modstamp AS _fivetran_synced",
    ),
}


def _malformed_lines(ctx: Any, night: Path, landing: Path) -> dict[str, set[int]]:
    """Physical line numbers of the malformed lines the defects appended, per Salesforce file name."""
    rel = night.relative_to(landing).as_posix()
    out: dict[str, set[int]] = {}
    if not extracts.has_defect_log(ctx):
        return out
    for file, line in ctx.con.execute(
        "select file, line from _gen_defects where file like ? and line is not null", [f"{rel}/%"]
    ).fetchall():
        out.setdefault(file.rsplit("/", 1)[1], set()).add(int(line))
    return out


def _read_records(ctx: Any, path: Path, drop: set[int], view: str) -> None:
    """Load one Salesforce file as text into a temp table, without the malformed lines."""
    if drop:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        clean = path.with_suffix(".clean")
        clean.write_text("".join(x for i, x in enumerate(lines, 1) if i not in drop), encoding="utf-8")
        path = clean
    ctx.con.execute(
        f"create or replace temp table {view} as select * from read_csv({sql_str(str(path))},"
        " header = true, all_varchar = true, delim = ',', quote = '\"')"
    )


def _write_static(ctx: Any, folder: Path, full: bool) -> None:
    """The pipeline and its stages: rows in the full extract, header only in the deltas."""
    ts = "2024-01-01 00:00:00"
    stages = " UNION ALL ".join(
        f"SELECT '{sid}' AS stage_id, 'default' AS pipeline_id, '{label}' AS label, {order} AS display_order,"
        f" {prob} AS probability, {str(won).lower()} AS closed_won, {str(closed).lower()} AS is_closed,"
        f" true AS active, '{ts}' AS created_at, '{ts}' AS updated_at, false AS _fivetran_deleted,"
        f" '{ts}' AS _fivetran_synced"
        for sid, label, order, prob, won, closed in STAGES
    )
    pipeline = (
        "SELECT 'default' AS pipeline_id, 'Sales Pipeline' AS label, true AS active, 0 AS display_order,"
        f" '{ts}' AS created_at, '{ts}' AS updated_at, false AS _fivetran_deleted, '{ts}' AS _fivetran_synced"
    )
    where = "" if full else " LIMIT 0"
    for name, query in (("deal_pipeline.csv", pipeline), ("deal_pipeline_stage.csv", stages)):
        _copy(ctx, f"SELECT * FROM ({query}){where}", folder / name)


def _copy(ctx: Any, query: str, path: Path) -> None:
    options = "FORMAT CSV, HEADER, DELIMITER ',', QUOTE '\"', NEW_LINE '\\n'"
    ctx.con.execute(f"COPY ({query}) TO {sql_str(str(path))} ({options})")


def reshape_crm(ctx: Any, landing: Path) -> int:
    """Rewrite ``landing/salesforce/<night>/`` as ``landing/hubspot/<night>/``; returns data rows written."""
    sf_root, hs_root = landing / "salesforce", landing / "hubspot"
    if hs_root.exists():
        shutil.rmtree(hs_root)
    for i, d in enumerate(ctx.extract_dates):
        night = sf_root / d.isoformat()
        out = hs_root / d.isoformat()
        out.mkdir(parents=True, exist_ok=True)
        drop = _malformed_lines(ctx, night, landing)
        for source in sorted({src for src, _ in MAPPINGS.values()}):
            _read_records(ctx, night / source, drop.get(source, set()), "_sf_" + source.removesuffix(".csv"))
        for name, (source, select) in MAPPINGS.items():
            table = "_sf_" + source.removesuffix(".csv")
            _copy(ctx, f"SELECT {select} FROM {table} ORDER BY 1", out / name)
        _write_static(ctx, out, full=i == 0)
    shutil.rmtree(sf_root)
    if extracts.has_defect_log(ctx):
        ctx.con.execute("delete from _gen_defects where system = 'salesforce' and file is not null")
    return extracts.write_markers(ctx, landing, ("hubspot",))
