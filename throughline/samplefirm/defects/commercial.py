"""Commercial-chain (R1-R6) and client-master breaks across CRM, ERP and PSA, after billing.

New records (R1 opportunities, R2 projects, duplicate and orphan customers/clients) are clones of real
ones with new keys, so they land in the same extract as their source and look like the rest of the data.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .store import pick, record, scalar, sf_id_sql, taken

OPP = "salesforce__opportunity"
_WON_WITH_PROJECT = f"""(select * from {OPP} where stage_name = 'Closed Won' and psa_project_id_c is not null
    and coalesce(amount, 0) > 5000 and id not in {taken("salesforce", "opportunity", cast="varchar")})"""

#: Invented companies for orphan customers and clients (no counterpart anywhere).
ORPHAN_NAMES = (
    "Halvorsen Maritime AS", "Brightwater Analytics Ltd", "Kestrel Logistics GmbH", "Orchard Lane Foods Inc.",
    "Tamsin & Roe LLP", "Vireo Biotech Corp.", "Quillfeather Publishing", "Marrow Street Capital",
)  # fmt: skip
_NAMES_SQL = "[" + ", ".join("'" + n.replace("'", "''") + "'" for n in ORPHAN_NAMES) + "]"


def _cutoff(ctx: Any, days: int) -> str:
    return (ctx.end_date - timedelta(days=days)).isoformat()


def inject_r1(ctx: Any) -> None:
    """Clone won deals as new Closed Won opportunities that never reached PSA or ERP."""
    src = f"""(select * from {OPP} where stage_name = 'Closed Won' and close_date < DATE
        '{_cutoff(ctx, 30)}')"""
    if not pick(ctx, "R1", src, "s.id"):
        return
    new_id = sf_id_sql("id", "R1")
    ctx.sql(f"""insert into {OPP} select * replace ({new_id} as id, name || ' - Extension' as name,
                null as psa_project_id_c, null as erp_sales_order_id_c) from _pick""")
    for child in ("opportunity_line_item", "opportunity_history"):
        ctx.sql(f"""insert into salesforce__{child}
                    select c.* replace ({sf_id_sql("c.id", "R1")} as id, {sf_id_sql("c.opportunity_id", "R1")}
                                        as opportunity_id)
                    from salesforce__{child} c where c.opportunity_id in (select id from _pick)""")
    record(
        ctx, "R1", "salesforce", "opportunity",
        f"""select json_object('id', {new_id}) as record_key, json_object('account_id', account_id) as
            related_keys,
                   amount, currency_iso_code as currency, system_modstamp as landed_at,
                   'Closed Won opportunity with no PSA project and no ERP sales order.' as description
            from _pick""",
    )  # fmt: skip


def inject_r2(ctx: Any) -> None:
    """Clone active billable projects as projects with no opportunity and no ERP contract.

    Only projects created 30 days or more before the last night are cloned (the clone keeps their
    created_at): a project younger than R2's window (var recon_r2_window_days, 14) may still await its deal
    and is not a break, so it must not be in the manifest either.
    """
    src = f"""(select * from psa__projects where coalesce(is_billable, false) and billing_type <>
        'non_billable'
              and crm_opportunity_id is not null and created_at < TIMESTAMP '{_cutoff(ctx, 30)}')"""
    if not pick(ctx, "R2", src, "s.id"):
        return
    base = int(scalar(ctx, "select coalesce(max(id), 0) from psa__projects"))
    ctx.sql(f"""create or replace temp table _pick as
                select *, {base} + row_number() over (order by id) as _new_id from _pick""")
    ctx.sql("""insert into psa__projects select * exclude (_new_id) replace (
                 _new_id as id, 'P-' || lpad(_new_id::varchar, 6, '0') as code, name || ' (add-on)' as name,
                 null as crm_opportunity_id, null as erp_sales_order_id, null as erp_job_id, 'active' as
                 status)
               from _pick""")
    record(
        ctx, "R2", "psa", "projects",
        """select json_object('id', _new_id) as record_key, json_object('client_id', client_id) as
            related_keys,
                  budget_amount as amount, currency, updated_at as landed_at,
                  'Active billable project with no Closed Won opportunity and no ERP contract.' as description
           from _pick""",
    )  # fmt: skip


def inject_r3(ctx: Any) -> None:
    if not pick(ctx, "R3", _WON_WITH_PROJECT, "s.id"):
        return
    ctx.sql(f"update {OPP} set amount = round(amount * 1.2, 2) where id in (select id from _pick)")
    ctx.sql("""update salesforce__opportunity_line_item set unit_price = round(unit_price * 1.2, 2),
               total_price = round(total_price * 1.2, 2) where opportunity_id in (select id from _pick)""")
    _opp_record(ctx, "R3", "0.2 * amount", "Opportunity amount 20% above the ERP contract and PSA budget.")


def inject_r5(ctx: Any) -> None:
    if pick(ctx, "R5_CURRENCY", _WON_WITH_PROJECT, "s.id"):
        ctx.sql(f"""update {OPP} set currency_iso_code = case when currency_iso_code = 'USD' then 'EUR'
            else 'USD' end
                    where id in (select id from _pick)""")
        _opp_record(ctx, "R5_CURRENCY", "amount", "Opportunity currency differs from the contract currency.")
    entities = "(select externalid from netsuite__subsidiary where not coalesce(iselimination, false))"
    if pick(ctx, "R5_ENTITY", _WON_WITH_PROJECT, "s.id"):
        ctx.sql(f"""update {OPP} o set contracting_entity_c = (
                      select min(e.externalid) from {entities} e where e.externalid <>
                      coalesce(o.contracting_entity_c, ''))
                    where o.id in (select id from _pick)""")
        _opp_record(
            ctx,
            "R5_ENTITY",
            "amount",
            "Opportunity contracting entity differs from the delivering entity; no intercompany agreement.",
        )


def _opp_record(ctx: Any, kind: str, amount_sql: str, description: str) -> None:
    record(
        ctx, kind, "salesforce", "opportunity",
        f"""select json_object('id', id) as record_key,
                   json_object('psa_project_id', psa_project_id_c, 'erp_sales_order_id', erp_sales_order_id_c)
                     as related_keys,
                   {amount_sql} as amount, currency_iso_code as currency, system_modstamp as landed_at,
                   ? as description
            from _pick""",
        [description],
    )  # fmt: skip


def inject_r6(ctx: Any) -> None:
    src = f"""(select p.*, o.close_date as _close from psa__projects p join {OPP} o on o.id =
        p.crm_opportunity_id
               where o.close_date is not null and p.id not in {taken("psa", "projects")})"""
    if pick(ctx, "R6_START_BEFORE_CLOSE", src, "s.id"):
        ctx.sql("""update psa__projects p set start_date = k._close - interval 21 day
                   from _pick k where p.id = k.id""")
        record(
            ctx, "R6_START_BEFORE_CLOSE", "psa", "projects",
            """select json_object('id', id) as record_key,
                      json_object('crm_opportunity_id', crm_opportunity_id, 'close_date', _close,
                                  'start_date', (_close - interval 21 day)::date) as related_keys,
                      null as amount, currency, updated_at as landed_at,
                      'Project starts 21 days before its opportunity was closed.' as description
               from _pick""",
        )  # fmt: skip
    so = f"""(select t.*, te._last from netsuite__transaction t
              join (select project_id::varchar as project_id, max(spent_date) as _last from psa__time_entries
                    group by 1) te on te.project_id = t.custbody_psa_project_id
              where t.type = 'SalesOrd' and t.custbody_parent_contract is null and t.startdate is not null
                and t.id not in {taken("netsuite", "transaction")} and te._last - interval 30 day >
                t.startdate)"""
    if pick(ctx, "R6_CONTRACT_END", so, "s.id"):
        # The contract's term is the latest end of the original and its amendments (which restate or
        # extend it), so every document of the contract gets the early end, not only the original.
        ctx.sql("""update netsuite__transaction t set enddate = k._last - interval 30 day
                   from _pick k where t.id = k.id or t.custbody_parent_contract = k.id""")
        record(
            ctx, "R6_CONTRACT_END", "netsuite", "transaction",
            """select json_object('id', id) as record_key,
                      json_object('psa_project_id', custbody_psa_project_id, 'last_time_entry', _last,
                                  'enddate', (_last - interval 30 day)::date) as related_keys,
                      foreigntotal as amount, null as currency, lastmodifieddate as landed_at,
                      'Contract ends 30 days before the last time entry on its project.' as description
               from _pick""",
        )  # fmt: skip


def inject_customers(ctx: Any) -> None:
    """R4: a duplicate ERP customer (name noise, same CRM account) and an orphan ERP customer."""
    src = """(select * from netsuite__customer where representingsubsidiary is null
              and custentity_sf_account_id is not null)"""
    base = int(scalar(ctx, "select coalesce(max(id), 0) from netsuite__customer"))
    if pick(ctx, "R4_DUPLICATE", src, "s.id"):
        ctx.sql(f"""create or replace temp table _pick as
                    select *, {base} + row_number() over (order by id) as _new_id from _pick""")
        ctx.sql("""insert into netsuite__customer select * exclude (_new_id) replace (
                     _new_id as id, upper(regexp_replace(companyname, '[.,]', '', 'g')) || ' LTD' as
                     companyname,
                     upper(regexp_replace(entityid, '[.,]', '', 'g')) || ' LTD' as entityid,
                     null as externalid, null as custentity_psa_client_id) from _pick""")
        record(
            ctx, "R4_DUPLICATE", "netsuite", "customer",
            """select json_object('id', _new_id) as record_key,
                      json_object('duplicate_of', id, 'sf_account_id', custentity_sf_account_id) as
                      related_keys,
                      null as amount, null as currency, lastmodifieddate as landed_at,
                      'Second ERP customer for the same company (name noise).' as description
               from _pick""",
        )  # fmt: skip
        base = int(scalar(ctx, "select coalesce(max(id), 0) from netsuite__customer"))
    if pick(ctx, "R4_ORPHAN", src, "s.id"):
        ctx.sql(f"""create or replace temp table _pick as
                    select *, {base} + row_number() over (order by id) as _new_id,
                           {_NAMES_SQL}[1 + (row_number() over (order by id) - 1) % {len(ORPHAN_NAMES)}]
                           as _name
                    from _pick""")
        ctx.sql("""insert into netsuite__customer select * exclude (_new_id, _name) replace (
                     _new_id as id, _name as companyname, _name as entityid, _name as altname,
                     null as externalid, null as custentity_psa_client_id, null as custentity_sf_account_id,
                     null as vatregnumber, null as email) from _pick""")
        record(
            ctx, "R4_ORPHAN", "netsuite", "customer",
            """select json_object('id', _new_id) as record_key, json_object('name', _name) as related_keys,
                      null as amount, null as currency, lastmodifieddate as landed_at,
                      'ERP customer with no CRM account and no PSA client.' as description
               from _pick""",
        )  # fmt: skip


def inject_clients(ctx: Any) -> None:
    """Client master in PSA: a duplicate client (name noise) and an orphan client."""
    src = "(select * from psa__clients where crm_account_id is not null)"
    base = int(scalar(ctx, "select coalesce(max(id), 0) from psa__clients"))
    if pick(ctx, "CLIENT_DUPLICATE", src, "s.id"):
        ctx.sql(f"""create or replace temp table _pick as
                    select *, {base} + row_number() over (order by id) as _new_id from _pick""")
        ctx.sql("""insert into psa__clients select * exclude (_new_id) replace (
                     _new_id as id, regexp_replace(name, '[.,]', '', 'g') || ' Group' as name,
                     null as erp_customer_id) from _pick""")
        record(
            ctx, "CLIENT_DUPLICATE", "psa", "clients",
            """select json_object('id', _new_id) as record_key,
                      json_object('duplicate_of', id, 'crm_account_id', crm_account_id) as related_keys,
                      null as amount, currency, updated_at as landed_at,
                      'Second PSA client for the same company (name noise).' as description
               from _pick""",
        )  # fmt: skip
        base = int(scalar(ctx, "select coalesce(max(id), 0) from psa__clients"))
    if pick(ctx, "CLIENT_ORPHAN", src, "s.id"):
        ctx.sql(f"""create or replace temp table _pick as
                    select *, {base} + row_number() over (order by id) as _new_id,
                           {_NAMES_SQL}[{len(ORPHAN_NAMES)} - (row_number() over (order by id) - 1) %
                           {len(ORPHAN_NAMES)}]
                             as _name
                    from _pick""")
        ctx.sql("""insert into psa__clients select * exclude (_new_id, _name) replace (
                     _new_id as id, _name as name, null as crm_account_id, null as erp_customer_id,
                     null as registration_number) from _pick""")
        record(
            ctx, "CLIENT_ORPHAN", "psa", "clients",
            """select json_object('id', _new_id) as record_key, json_object('name', _name) as related_keys,
                      null as amount, currency, updated_at as landed_at,
                      'PSA client with no CRM account and no ERP customer.' as description
               from _pick""",
        )  # fmt: skip


def inject_commercial(ctx: Any) -> None:
    inject_r1(ctx)
    inject_r3(ctx)
    inject_r5(ctx)
    inject_r6(ctx)
    inject_r2(ctx)
    inject_customers(ctx)
    inject_clients(ctx)
