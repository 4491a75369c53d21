"""Master data: entities, currencies and rates, calendar, chart of accounts, practices, roles and rate
cards, holidays, people (PSA resources + NetSuite employees) and the client master in all three systems."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from . import names as N
from .context import GenContext
from .store import insert_df

CODE_BY_SUB = {s[0]: s[1] for s in N.SUBSIDIARIES}
CCY_BY_ID = {c[0]: c[1] for c in N.CURRENCIES}


def sf_id(prefix: str, n: np.ndarray | int) -> np.ndarray | str:
    """18-character Salesforce-style ids: 3-char key prefix, zero-padded number, 3-char suffix."""
    if isinstance(n, int | np.integer):
        return f"{prefix}{int(n):012d}AAA"
    return np.char.add(np.char.add(prefix, np.char.zfill(np.asarray(n).astype(str), 12)), "AAA")


def master_ts(ctx: GenContext) -> datetime:
    """Creation time of records that predate the simulated history."""
    return datetime.combine(ctx.start_date - timedelta(days=45), datetime.min.time()) + timedelta(hours=9)


def build(ctx: GenContext) -> None:
    _entities_and_currencies(ctx)
    _fx_rates(ctx)
    _accounting_periods(ctx)
    _chart_and_dimensions(ctx)
    _roles_and_rate_cards(ctx)
    _holidays(ctx)
    _people(ctx)
    _supervisors(ctx)
    _sales_users(ctx)
    _clients(ctx)


def _entities_and_currencies(ctx: GenContext) -> None:
    ts = master_ts(ctx)
    insert_df(
        ctx,
        "netsuite__currency",
        pd.DataFrame(
            [
                {
                    "id": cid,
                    "name": code,
                    "symbol": code,
                    "displaysymbol": sym,
                    "isbasecurrency": cid == 1,
                    "exchangerate": N.USD_PER_UNIT[cid],
                    "currencyprecision": 2,
                    "isinactive": False,
                    "lastmodifieddate": ts,
                    "_fivetran_deleted": False,
                    "_gen_created": ts,
                }
                for cid, code, sym in N.CURRENCIES
            ]
        ),
    )
    insert_df(
        ctx,
        "netsuite__subsidiary",
        pd.DataFrame(
            [
                {
                    "id": sid,
                    "name": name,
                    "fullname": name if sid == 1 else f"Throughline US : {name}",
                    "legalname": legal,
                    "externalid": code,
                    "country": country,
                    "currency": ccy,
                    "parent": None if sid == 1 else 1,
                    "iselimination": False,
                    "isinactive": False,
                    "federalidnumber": f"{country}{100000000 + sid * 7919}",
                    "lastmodifieddate": ts,
                    "_fivetran_deleted": False,
                    "_gen_created": ts,
                }
                for sid, code, name, ccy, country, legal, _tax in N.SUBSIDIARIES
            ]
        ),
    )


def _fx_rates(ctx: GenContext) -> None:
    """Daily USD value of each currency (random walk), published on business days; plus month rates."""
    first = ctx.start_date - timedelta(days=60)
    days = pd.date_range(first, ctx.end_date + timedelta(days=120), freq="D")
    frames = []
    for cid in (2, 3):
        steps = ctx.rng.normal(0.0, 0.0035, len(days))
        walk = N.USD_PER_UNIT[cid] * np.exp(np.cumsum(steps) - 0.5 * np.cumsum(steps).mean() * 0)
        frames.append(pd.DataFrame({"d": days.date, "currency": cid, "usd": np.round(walk, 6)}))
    frames.append(pd.DataFrame({"d": days.date, "currency": 1, "usd": 1.0}))
    daily = pd.concat(frames, ignore_index=True)
    ctx.con.register("_fx_df", daily)
    # Rates only move on business days; weekend days carry Friday's rate.
    ctx.sql("""
        CREATE OR REPLACE TABLE _gen_fx_daily AS
        SELECT d::DATE AS fx_day, currency::BIGINT AS currency,
               last_value(CASE WHEN isodow(d::DATE) <= 5 THEN usd END IGNORE NULLS)
                   OVER (PARTITION BY currency ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING
                       AND CURRENT ROW) AS usd
        FROM _fx_df
    """)
    ctx.con.unregister("_fx_df")
    ctx.sql("UPDATE _gen_fx_daily SET usd = 1.0 WHERE usd IS NULL")
    ctx.sql(
        "UPDATE netsuite__currency c SET exchangerate = round(f.usd, 6) FROM _gen_fx_daily f "
        "WHERE f.currency = c.id AND f.fx_day = ?",
        [ctx.end_date],
    )
    ctx.sql(
        """
        INSERT INTO netsuite__currencyrate BY NAME
        SELECT row_number() OVER (ORDER BY a.fx_day, b.currency, a.currency) AS id,
            b.currency AS basecurrency,
               a.currency AS transactioncurrency, round(a.usd / b.usd, 6) AS exchangerate,
                   a.fx_day AS effectivedate,
               a.fx_day + INTERVAL 18 HOUR AS lastmodifieddate, false AS _fivetran_deleted,
               a.fx_day + INTERVAL 18 HOUR AS _gen_created
        FROM _gen_fx_daily a JOIN _gen_fx_daily b ON a.fx_day = b.fx_day AND a.currency <> b.currency
        WHERE isodow(a.fx_day) <= 5 AND a.fx_day <= ?
    """,
        [ctx.end_date],
    )


def _accounting_periods(ctx: GenContext) -> None:
    ts = master_ts(ctx)
    first_year = ctx.start_date.year - (1 if ctx.start_date.month == 1 else 0)
    rows: list[dict] = []
    pid = 1
    last_open = date(ctx.end_date.year + (ctx.end_date.month == 12), ctx.end_date.month % 12 + 1, 1)
    # Periods before the last two months are closed.
    open_from = (pd.Timestamp(ctx.end_date.replace(day=1)) - pd.DateOffset(months=1)).date()
    for year in range(first_year, ctx.end_date.year + 2):
        y_id = pid
        pid += 1
        rows.append(
            {
                "id": y_id,
                "periodname": f"FY {year}",
                "startdate": date(year, 1, 1),
                "enddate": date(year, 12, 31),
                "isyear": True,
                "isquarter": False,
                "isposting": False,
                "parent": None,
                "closed": date(year, 12, 31) < open_from,
            }
        )
        for q in range(4):
            q_id = pid
            pid += 1
            q_start = date(year, 3 * q + 1, 1)
            q_end = (pd.Timestamp(q_start) + pd.DateOffset(months=3) - pd.DateOffset(days=1)).date()
            rows.append(
                {
                    "id": q_id,
                    "periodname": f"Q{q + 1} {year}",
                    "startdate": q_start,
                    "enddate": q_end,
                    "isyear": False,
                    "isquarter": True,
                    "isposting": False,
                    "parent": y_id,
                    "closed": q_end < open_from,
                }
            )
            for m in range(3):
                m_start = date(year, 3 * q + m + 1, 1)
                m_end = (pd.Timestamp(m_start) + pd.DateOffset(months=1) - pd.DateOffset(days=1)).date()
                rows.append(
                    {
                        "id": pid,
                        "periodname": m_start.strftime("%b %Y"),
                        "startdate": m_start,
                        "enddate": m_end,
                        "isyear": False,
                        "isquarter": False,
                        "isposting": True,
                        "parent": q_id,
                        "closed": m_end < open_from,
                    }
                )
                pid += 1
    df = pd.DataFrame(rows)
    df = df[df["startdate"] < last_open + timedelta(days=400)]
    df["isadjust"] = False
    df["closedondate"] = [
        (pd.Timestamp(e) + pd.DateOffset(days=10)).date() if c else None
        for e, c in zip(df["enddate"], df["closed"], strict=True)
    ]
    df["lastmodifieddate"] = [
        datetime.combine(c, datetime.min.time()) + timedelta(hours=12) if c is not None else ts
        for c in df["closedondate"]
    ]
    df["_gen_created"] = ts
    df["_fivetran_deleted"] = False
    insert_df(ctx, "netsuite__accountingperiod", df)
    # Closing rates per posting month for consolidation (child subsidiary -> US parent).
    ctx.sql(
        """
        INSERT INTO netsuite__consolidatedexchangerate BY NAME
        WITH m AS (SELECT id, startdate, enddate FROM netsuite__accountingperiod WHERE isposting
            AND startdate <= ?),
        r AS (
            SELECT m.id AS postingperiod, s.id AS fromsubsidiary, s.currency AS fromcurrency,
                   avg(f.usd) AS avg_rate, arg_max(f.usd, f.fx_day) AS close_rate, arg_min(f.usd,
                       f.fx_day) AS open_rate
            FROM m JOIN _gen_fx_daily f ON f.fx_day BETWEEN m.startdate AND m.enddate
            JOIN netsuite__subsidiary s ON s.currency = f.currency AND s.id <> 1
            GROUP BY ALL
        )
        SELECT row_number() OVER (ORDER BY postingperiod, fromsubsidiary) AS id, postingperiod,
            fromsubsidiary,
               1 AS tosubsidiary, fromcurrency, 1 AS tocurrency, round(avg_rate, 6) AS averagerate,
               round(close_rate, 6) AS currentrate, round(open_rate, 6) AS historicalrate,
                   1 AS accountingbook,
               false AS _fivetran_deleted,
               least(p.enddate + INTERVAL 1 DAY + INTERVAL 6 HOUR, ?::TIMESTAMP) AS _fivetran_synced,
               least(p.enddate + INTERVAL 1 DAY + INTERVAL 6 HOUR, ?::TIMESTAMP) AS _gen_created
        FROM r JOIN netsuite__accountingperiod p ON p.id = r.postingperiod
    """,
        [ctx.end_date, datetime.combine(ctx.end_date, datetime.min.time()) + timedelta(hours=6)] * 1
        + [datetime.combine(ctx.end_date, datetime.min.time()) + timedelta(hours=6)],
    )


def _chart_and_dimensions(ctx: GenContext) -> None:
    ts = master_ts(ctx)
    base = {"lastmodifieddate": ts, "_fivetran_deleted": False, "_gen_created": ts, "isinactive": False}
    insert_df(
        ctx,
        "netsuite__account",
        pd.DataFrame(
            [
                {
                    "id": 100 + i,
                    "acctnumber": num,
                    "fullname": name,
                    "accttype": typ,
                    "sspecacct": sspec,
                    "generalrate": rate,
                    "eliminate": elim,
                    "issummary": False,
                    "parent": None,
                    **base,
                }
                for i, (num, name, typ, sspec, rate, elim) in enumerate(N.ACCOUNTS)
            ]
        ),
    )
    insert_df(
        ctx,
        "netsuite__classification",
        pd.DataFrame(
            [
                {"id": sid, "name": name, "fullname": name, "parent": None, **base}
                for sid, _c, name in N.SERVICE_LINES
            ]
        ),
    )
    sl_name = {s[0]: s[2] for s in N.SERVICE_LINES}
    insert_df(
        ctx,
        "netsuite__department",
        pd.DataFrame(
            [
                {"id": pid, "name": name, "fullname": f"Delivery : {name}", "parent": 100, **base}
                for pid, _c, name, _s in N.PRACTICES
            ]
            + [
                {"id": 100, "name": "Delivery", "fullname": "Delivery", "parent": None, **base},
                {"id": 101, "name": "Corporate", "fullname": "Corporate", "parent": None, **base},
            ]
        ),
    )
    psa_base = {"updated_at": ts, "_gen_created": ts}
    insert_df(
        ctx,
        "psa__practices",
        pd.DataFrame(
            [
                {"id": pid, "code": code, "name": name, "service_line": sl_name[sl], **psa_base}
                for pid, code, name, sl in N.PRACTICES
            ]
        ),
    )
    acct_id = {num: 100 + i for i, (num, *_r) in enumerate(N.ACCOUNTS)}
    items, products = [], []
    iid = 1
    for sl, code, name in N.SERVICE_LINES:
        for model, label, _bt in N.DELIVERY_MODELS:
            itemid = f"{code}-{model}"
            items.append(
                {
                    "id": iid,
                    "itemid": itemid,
                    "fullname": f"{name} : {label}",
                    "itemtype": "Service",
                    "description": f"{name} services ({label})",
                    "class": sl,
                    "incomeaccount": acct_id["4000"],
                    **base,
                }
            )
            products.append(
                {
                    "id": sf_id("01t", iid),
                    "name": f"{name} - {label}",
                    "product_code": itemid,
                    "family": name,
                    "description": f"{name} services billed as {label}",
                    "is_active": True,
                    "created_date": ts,
                    "system_modstamp": ts,
                    "is_deleted": False,
                    "_gen_created": ts,
                }
            )
            iid += 1
    items.append(
        {
            "id": 90,
            "itemid": "EXP-RECHARGE",
            "fullname": "Expense recharge",
            "itemtype": "OthCharge",
            "description": "Re-invoiced project expenses",
            "class": None,
            "incomeaccount": acct_id["4100"],
            **base,
        }
    )
    items.append(
        {
            "id": 91,
            "itemid": "IC-SERVICES",
            "fullname": "Intercompany services",
            "itemtype": "Service",
            "description": "Intercompany staff recharge",
            "class": None,
            "incomeaccount": acct_id["4900"],
            **base,
        }
    )
    insert_df(ctx, "netsuite__item", pd.DataFrame(items))
    insert_df(ctx, "salesforce__product_2", pd.DataFrame(products))


def _roles_and_rate_cards(ctx: GenContext) -> None:
    ts = master_ts(ctx)
    insert_df(
        ctx,
        "psa__roles",
        pd.DataFrame(
            [
                {
                    "id": rid,
                    "code": code,
                    "name": name,
                    "level": lvl,
                    "is_billable": bill,
                    "updated_at": ts,
                    "_gen_created": ts,
                }
                for rid, code, name, lvl, bill, *_r in N.ROLES
            ]
        ),
    )
    years = list(range(ctx.start_date.year, ctx.end_date.year + 1))
    growth = {y: 1.0 for y in years}
    g = ctx.rng.uniform(0.03, 0.05, len(years))
    for i in range(len(years) - 2, -1, -1):  # the latest year's card is the reference; earlier ones lower
        growth[years[i]] = growth[years[i + 1]] / (1 + g[i + 1])
    fx = {1: 1.0, 2: 0.80, 3: 0.93}
    rows = []
    rid_seq = 1
    for y in years:
        for role in N.ROLES:
            for cid, code, _s in N.CURRENCIES:
                rate = round(role[5] * fx[cid] * growth[y] / 5) * 5
                eff_from = date(y, 1, 1) if y > years[0] else date(y - 3, 1, 1)
                created = datetime(y - 1, 12, 15, 10) if y > years[0] else ts
                rows.append(
                    {
                        "id": rid_seq,
                        "rate_card": f"Standard {y}",
                        "role_id": role[0],
                        "currency": code,
                        "bill_rate": float(rate),
                        "effective_from": eff_from,
                        "effective_to": date(y, 12, 31) if y < years[-1] else None,
                        "updated_at": created,
                        "_gen_created": created,
                    }
                )
                rid_seq += 1
    insert_df(ctx, "psa__rate_cards", pd.DataFrame(rows))


def _holidays(ctx: GenContext) -> None:
    ts = master_ts(ctx)
    rows = []
    for country in ("US", "GB", "DE"):
        for year in range(ctx.start_date.year - 1, ctx.end_date.year + 2):
            for d, name in N.public_holidays(country, year):
                rows.append({"country_code": country, "holiday_date": d, "name": name})
    df = pd.DataFrame(rows).sort_values(["holiday_date", "country_code"]).reset_index(drop=True)
    df["id"] = np.arange(1, len(df) + 1)
    df["updated_at"] = ts
    df["_gen_created"] = ts
    insert_df(ctx, "psa__holidays", df)


def _people(ctx: GenContext) -> None:
    """PSA resources; employees also in NetSuite (ids cross-linked); ~10 % contractors (PSA only)."""
    rng, n = ctx.rng, ctx.scale.people
    sub = rng.choice([1, 2, 3], size=n, p=[0.5, 0.3, 0.2])
    country = np.array(["US", "GB", "DE"])[sub - 1]
    share = np.array([r[7] for r in N.ROLES])
    role = rng.choice([r[0] for r in N.ROLES], size=n, p=share / share.sum())
    contractor = rng.random(n) < 0.10
    role = np.where(contractor, rng.choice([2, 3, 4], size=n), role)
    practice = rng.integers(1, len(N.PRACTICES) + 1, size=n)
    span = (ctx.end_date - ctx.start_date).days
    start_ord = ctx.start_date.toordinal()
    # 85 % already employed when history starts; the rest join during it.
    early = rng.random(n) < 0.85
    hire = np.where(
        early, start_ord - rng.integers(30, 6 * 365, n), start_ord + rng.integers(0, max(span - 20, 1), n)
    )
    # Annual attrition ~8 %: leavers get a last day inside the history.
    leave = rng.random(n) < min(0.9, 0.08 * span / 365 + 0.03)
    lo = np.maximum(hire, start_ord) + 30
    term = np.where(
        leave & (lo < start_ord + span),
        lo + (rng.random(n) * np.maximum(start_ord + span - lo, 1)).astype(int),
        0,
    )
    weekly = rng.choice([40.0, 32.0, 20.0], size=n, p=[0.89, 0.08, 0.03])
    fx = {1: 1.0, 2: 0.80, 3: 0.93}
    cost_usd = np.array([r[6] for r in N.ROLES])[role - 1] * rng.uniform(0.9, 1.1, n)
    cost_usd = np.where(contractor, cost_usd * 1.25, cost_usd)
    cost = np.round(cost_usd * np.vectorize(fx.get)(sub), 2)
    util_target = np.array([0.80, 0.80, 0.78, 0.72, 0.65, 0.55, 0.40])[role - 1]
    first = np.array(
        [
            N.FIRST_NAMES[c][i % len(N.FIRST_NAMES[c])]
            for c, i in zip(country, rng.integers(0, 1000, n), strict=True)
        ],
        dtype=object,
    )
    last = np.array(
        [
            N.LAST_NAMES[c][i % len(N.LAST_NAMES[c])]
            for c, i in zip(country, rng.integers(0, 1000, n), strict=True)
        ],
        dtype=object,
    )
    ids = np.arange(1, n + 1)
    emp_no = np.array([f"E{i:05d}" for i in ids], dtype=object)
    email = np.array(
        [
            f"{f.lower()}.{ln.lower()}{i}@throughline.example"
            for f, ln, i in zip(first, last, ids, strict=True)
        ],
        dtype=object,
    )
    emp_id = np.where(contractor, 0, 5000 + ids)
    hire_d = np.array([date.fromordinal(int(h)) for h in hire])
    term_d = np.array([date.fromordinal(int(t)) if t else None for t in term], dtype=object)
    created = np.array(
        [
            datetime.combine(min(h, ctx.start_date), datetime.min.time())
            - timedelta(days=14)
            + timedelta(hours=9)
            for h in hire_d
        ]
    )
    # Leavers were last updated on their last day.
    updated = np.array(
        [
            datetime.combine(t, datetime.min.time()) + timedelta(hours=18) if t else c
            for t, c in zip(term_d, created, strict=True)
        ]
    )
    res = pd.DataFrame(
        {
            "id": ids,
            "employee_number": np.where(contractor, None, emp_no),
            "erp_employee_id": np.where(contractor, None, emp_id.astype(str)),
            "first_name": first,
            "last_name": last,
            "email": email,
            "legal_entity": np.vectorize(CODE_BY_SUB.get)(sub),
            "country_code": country,
            "role_id": role,
            "practice_id": practice,
            "employment_type": np.where(contractor, "contractor", "employee"),
            "hire_date": hire_d,
            "termination_date": term_d,
            "weekly_capacity_hours": weekly,
            "cost_rate": cost,
            "cost_currency": np.vectorize(lambda s: CCY_BY_ID[s])(sub),
            "utilization_target": util_target,
            "is_active": np.array([t is None or t >= ctx.end_date for t in term_d]),
            "created_at": created,
            "updated_at": updated,
            "_gen_created": created,
        }
    )
    insert_df(ctx, "psa__resources", res)
    titles = {r[0]: r[2] for r in N.ROLES}
    emp = res[~contractor].copy()
    insert_df(
        ctx,
        "netsuite__employee",
        pd.DataFrame(
            {
                "id": emp_id[~contractor],
                "entityid": emp["employee_number"],
                "firstname": emp["first_name"],
                "lastname": emp["last_name"],
                "email": emp["email"],
                "subsidiary": sub[~contractor],
                "department": emp["practice_id"],
                "title": emp["role_id"].map(titles),
                "hiredate": emp["hire_date"],
                "releasedate": emp["termination_date"],
                "laborcost": emp["cost_rate"],
                "supervisor": None,
                "custentity_psa_resource_id": emp["id"].astype(str),
                "isinactive": ~emp["is_active"],
                "lastmodifieddate": emp["updated_at"],
                "_fivetran_deleted": False,
                "_gen_created": emp["created_at"],
            }
        ),
    )


def _supervisors(ctx: GenContext) -> None:
    """Each employee reports to a senior manager, director or partner of the same entity."""
    ctx.sql("""
        UPDATE netsuite__employee e SET supervisor = m.boss
        FROM (
            SELECT e.id, arg_min(b.id, hash(e.id, b.id, e.department = b.department)) AS boss
            FROM netsuite__employee e
            JOIN psa__resources re ON re.id = e.custentity_psa_resource_id::BIGINT
            JOIN netsuite__employee b ON b.subsidiary = e.subsidiary AND b.id <> e.id
            JOIN psa__resources rb ON rb.id = b.custentity_psa_resource_id::BIGINT
            WHERE rb.role_id > greatest(re.role_id, 4)
            GROUP BY e.id
        ) m
        WHERE m.id = e.id
    """)


def _sales_users(ctx: GenContext) -> None:
    ts = master_ts(ctx)
    rows = []
    for i in range(1, 13):
        c = ["US", "GB", "DE"][i % 3]
        f, ln = (
            N.FIRST_NAMES[c][(i * 7) % len(N.FIRST_NAMES[c])],
            N.LAST_NAMES[c][(i * 5) % len(N.LAST_NAMES[c])],
        )
        rows.append(
            {
                "id": sf_id("005", i),
                "name": f"{f} {ln}",
                "first_name": f,
                "last_name": ln,
                "email": f"{f.lower()}.{ln.lower()}@throughline.example",
                "title": "Account Executive" if i > 3 else "Sales Director",
                "department": {"US": "Sales NA", "GB": "Sales UK", "DE": "Sales DACH"}[c],
                "is_active": True,
                "created_date": ts,
                "system_modstamp": ts,
                "_fivetran_deleted": False,
                "_gen_created": ts,
            }
        )
    rows.append(
        {
            "id": sf_id("005", 99),
            "name": "Integration User",
            "first_name": "Integration",
            "last_name": "User",
            "email": "integration@throughline.example",
            "title": "System",
            "department": "IT",
            "is_active": True,
            "created_date": ts,
            "system_modstamp": ts,
            "_fivetran_deleted": False,
            "_gen_created": ts,
        }
    )
    insert_df(ctx, "salesforce__user", pd.DataFrame(rows))


def _clients(ctx: GenContext) -> None:
    """The client master in CRM, ERP and PSA with naming noise, partial cross ids and groups."""
    rng, n = ctx.rng, ctx.scale.clients
    ts = master_ts(ctx)
    words = np.array(N.COMPANY_WORDS, dtype=object)
    w_idx = (
        rng.permutation(len(words) * len(N.COMPANY_KINDS))[:n]
        if n <= len(words) * len(N.COMPANY_KINDS)
        else rng.integers(0, len(words) * len(N.COMPANY_KINDS), n)
    )
    word = words[w_idx % len(words)]
    kind_idx = (w_idx // len(words)) % len(N.COMPANY_KINDS)
    kind_full = np.array([N.COMPANY_KINDS[k][0] for k in kind_idx], dtype=object)
    kind_abbr = np.array([N.COMPANY_KINDS[k][1] for k in kind_idx], dtype=object)
    country = rng.choice(["US", "GB", "DE", "FR", "NL"], size=n, p=[0.5, 0.25, 0.17, 0.04, 0.04])
    suffix = np.array(
        [
            N.LEGAL_SUFFIX[c][i % len(N.LEGAL_SUFFIX[c])]
            for c, i in zip(country, rng.integers(0, 10, n), strict=True)
        ],
        dtype=object,
    )
    dup = np.bincount(w_idx, minlength=w_idx.max() + 1)[w_idx] > 1
    tag = np.where(dup, np.char.add(" ", np.arange(1, n + 1).astype(str)).astype(object), "")
    base = word + " " + kind_full + tag
    legal = base + " " + suffix
    noise = rng.integers(0, 4, n)
    sf_name = np.select(
        [noise == 0, noise == 1, noise == 2],
        [
            np.char.upper((word + " " + kind_abbr + tag).astype(str)).astype(object),
            word + " " + kind_abbr + tag,
            base,
        ],
        legal,
    )
    noise2 = rng.integers(0, 3, n)
    psa_name = np.select([noise2 == 0, noise2 == 1], [word + tag, legal], base)
    ids = np.arange(1, n + 1)
    sub = np.select([country == "GB", country == "DE"], [2, 3], 1)
    sub = np.where(rng.random(n) < 0.1, rng.integers(1, 4, n), sub)
    ccy = np.vectorize(lambda s: CCY_BY_ID[s])(sub)
    reg = np.array([f"{c}{rng.integers(10**7, 10**8)}" for c in country], dtype=object)
    reg_sf = np.where(rng.random(n) < 0.9, reg, None)
    reg_ns = np.where(rng.random(n) < 0.9, reg, None)
    reg_psa = np.where(rng.random(n) < 0.85, reg, None)
    sfid = sf_id("001", ids)
    nsid = 2000 + ids
    parent = np.where((rng.random(n) < 0.1) & (ids > 3), rng.integers(1, 4, n), 0)
    created = np.array(
        [
            datetime.combine(ctx.start_date, datetime.min.time()) - timedelta(days=int(d), hours=-10)
            for d in rng.integers(60, 900, n)
        ]
    )
    # A few clients are edited during the extract nights (delta versions).
    upd_last = rng.random(n) < 0.05
    night = [
        datetime.combine(ctx.extract_dates[0], datetime.min.time()) + timedelta(days=int(k), hours=11)
        for k in rng.integers(1, len(ctx.extract_dates), n)
    ]
    updated = np.where(upd_last, night, created)
    city = np.array(
        [N.CITIES[c][i % len(N.CITIES[c])] for c, i in zip(country, ids, strict=True)], dtype=object
    )
    owners = sf_id("005", rng.integers(1, 13, n))
    insert_df(
        ctx,
        "salesforce__account",
        pd.DataFrame(
            {
                "id": sfid,
                "name": sf_name,
                "account_number": np.array([f"A-{i:05d}" for i in ids]),
                "type": "Customer",
                "industry": rng.choice(N.INDUSTRIES, n),
                "billing_city": city,
                "billing_country": np.vectorize(N.COUNTRY_NAMES.get)(country),
                "billing_country_code": country,
                "website": np.array(
                    [f"www.{w.lower().replace(' ', '')}{i}.example" for w, i in zip(word, ids, strict=True)]
                ),
                "owner_id": owners,
                "parent_id": np.where(parent > 0, sf_id("001", np.maximum(parent, 1)), None),
                "number_of_employees": rng.integers(50, 50000, n),
                "annual_revenue": np.round(rng.lognormal(19, 1.2, n), -3),
                "currency_iso_code": ccy,
                "registration_number_c": reg_sf,
                "erp_customer_id_c": np.where(rng.random(n) < 0.8, nsid.astype(str), None),
                "psa_client_id_c": np.where(rng.random(n) < 0.7, ids.astype(str), None),
                "created_date": created,
                "last_modified_date": updated,
                "system_modstamp": updated,
                "is_deleted": False,
                "_gen_created": created,
            }
        ),
    )
    # CRM-only prospects.
    n_pros = max(4, n // 3)
    pids = np.arange(n + 1, n + n_pros + 1)
    pw = words[rng.integers(0, len(words), n_pros)]
    insert_df(
        ctx,
        "salesforce__account",
        pd.DataFrame(
            {
                "id": sf_id("001", pids),
                "name": pw + " Prospect " + pids.astype(str),
                "type": "Prospect",
                "industry": rng.choice(N.INDUSTRIES, n_pros),
                "billing_country_code": "US",
                "billing_country": "United States",
                "owner_id": sf_id("005", rng.integers(1, 13, n_pros)),
                "currency_iso_code": "USD",
                "created_date": ts,
                "last_modified_date": ts,
                "system_modstamp": ts,
                "is_deleted": False,
                "_gen_created": ts,
            }
        ),
    )
    insert_df(
        ctx,
        "netsuite__customer",
        pd.DataFrame(
            {
                "id": nsid,
                "entityid": np.array([f"C{i:05d} {nm}" for i, nm in zip(ids, legal, strict=True)]),
                "companyname": legal,
                "altname": base,
                "email": np.array(
                    [f"ap@{w.lower().replace(' ', '')}{i}.example" for w, i in zip(word, ids, strict=True)]
                ),
                "currency": sub,
                "subsidiary": sub,
                "parent": np.where(parent > 0, 2000 + parent, None),
                "terms": rng.choice([30, 30, 30, 30, 45, 60], n),
                "vatregnumber": reg_ns,
                "custentity_country_code": country,
                "custentity_sf_account_id": np.where(rng.random(n) < 0.85, sfid, None),
                "custentity_psa_client_id": np.where(rng.random(n) < 0.75, ids.astype(str), None),
                "externalid": np.array([f"CUST-{i:05d}" for i in ids]),
                "representingsubsidiary": None,
                "isperson": False,
                "isinactive": False,
                "datecreated": created,
                "lastmodifieddate": updated,
                "_fivetran_deleted": False,
                "_gen_created": created,
            }
        ),
    )
    insert_df(
        ctx,
        "psa__clients",
        pd.DataFrame(
            {
                "id": ids,
                "name": psa_name,
                "currency": ccy,
                "country_code": country,
                "registration_number": reg_psa,
                "crm_account_id": np.where(rng.random(n) < 0.85, sfid, None),
                "erp_customer_id": np.where(rng.random(n) < 0.8, nsid.astype(str), None),
                "is_active": True,
                "created_at": created,
                "updated_at": updated,
                "_gen_created": created,
            }
        ),
    )
    # Intercompany customers (in the selling subsidiary) and vendors (in the buying one): one per pair.
    ic_c, ic_v = [], []
    k = 0
    for seller, scode, sname, sccy, *_r in N.SUBSIDIARIES:
        for buyer, bcode, bname, *_r2 in N.SUBSIDIARIES:
            if seller == buyer:
                continue
            k += 1
            ic_c.append(
                {
                    "id": 1900 + k,
                    "entityid": f"IC {bcode}",
                    "companyname": f"{bname} (intercompany)",
                    "currency": sccy,
                    "subsidiary": seller,
                    "representingsubsidiary": buyer,
                    "terms": 30,
                    "isperson": False,
                    "isinactive": False,
                    "datecreated": ts,
                    "lastmodifieddate": ts,
                    "_fivetran_deleted": False,
                    "_gen_created": ts,
                }
            )
            ic_v.append(
                {
                    "id": 1900 + k,
                    "entityid": f"IC {scode}",
                    "companyname": f"{sname} (intercompany)",
                    "subsidiary": buyer,
                    "currency": sccy,
                    "representingsubsidiary": seller,
                    "isinactive": False,
                    "lastmodifieddate": ts,
                    "_fivetran_deleted": False,
                    "_gen_created": ts,
                }
            )
    insert_df(ctx, "netsuite__customer", pd.DataFrame(ic_c))
    insert_df(ctx, "netsuite__vendor", pd.DataFrame(ic_v))
    ctx.sql("""
        INSERT INTO netsuite__customersubsidiaryrelationship BY NAME
        WITH pairs AS (
            SELECT id AS entity, subsidiary, true AS isprimarysub, datecreated FROM netsuite__customer
            UNION ALL
            SELECT c.id, s.id, false, c.datecreated FROM netsuite__customer c, netsuite__subsidiary s
            WHERE c.representingsubsidiary IS NULL AND s.id <> c.subsidiary AND u(c.id, s.id) < 0.15
        )
        SELECT row_number() OVER (ORDER BY entity, subsidiary) AS id, entity, subsidiary, isprimarysub,
               datecreated AS lastmodifieddate, false AS _fivetran_deleted, datecreated AS _gen_created
        FROM pairs
    """)
