"""Harvest as the PSA on Harvest's own "[SAMPLE]" account (../shared/external/harvest, Airbyte's records).

One build (module fixture, ~1-2 min): the records are converted to the contract's landing layout, loaded by
the ordinary loader and built with ``source_systems.psa = harvest`` up to utilization, margin and the PSA
break family. Every expected figure is computed here from the raw JSON records, not from the warehouse.
The account runs no approvals on its sample entries, so the build counts all time (harvest_uses_approval
false) and reports on May 2021, the month of its detailed entries. Skips when ../shared is absent.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from throughline import harvest

RECORDS = harvest.HARVEST_FOLDER / harvest.RECORDS_FILE
AS_OF = date(2021, 5, 31)
TIME_OFF_TASKS = {"vacation", "sick", "holiday", "time off", "pto", "paid time off"}

pytestmark = [
    pytest.mark.shared,
    pytest.mark.slow,
    pytest.mark.skipif(
        not RECORDS.is_file(),
        reason=f"Harvest's sample records are not on this machine ({RECORDS}); set THROUGHLINE_HARVEST_DIR",
    ),
]


def _streams() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for line in RECORDS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            out[record["stream"]].append(record["data"])
    return out


@pytest.fixture(scope="module")
def streams() -> dict[str, list[dict]]:
    return _streams()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("harvest")
    landing, warehouse = tmp / "landing", tmp / "harvest.duckdb"
    harvest.convert(RECORDS, landing, date(2022, 12, 16))
    statuses = harvest.load(landing, warehouse)
    assert statuses and all(s == "loaded" and rejected == 0 for s, _, rejected in statuses.values()), statuses
    dbt_vars = {"kpi_as_of_date": AS_OF.isoformat(), "harvest_uses_approval": False}
    done = harvest.build(warehouse, tmp / "target", dbt_vars)
    assert done.returncode == 0, done.stdout[-4000:]
    return warehouse


def _query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_declared_stream_lands_whole(built: Path, streams: dict[str, list[dict]]) -> None:
    for table in ("clients", "users", "projects", "time_entries", "expenses", "invoices", "time_projects"):
        (n,) = _query(built, f"select count(*) from raw_harvest.{table}")[0]
        assert n == len(streams[table]), table


def _weekdays(first: date, last: date) -> int:
    return sum((first + timedelta(days=i)).weekday() < 5 for i in range((last - first).days + 1))


def test_utilization_from_weekly_capacity(built: Path, streams: dict[str, list[dict]]) -> None:
    """Capacity = weekly_capacity seconds / 3600 / 5 per weekday from the user's creation to the as-of date;
    billable and total hours are the user's detailed entries of May 2021."""
    expected = {}
    for u in streams["users"]:
        hired = datetime.fromisoformat(u["created_at"].replace("Z", "+00:00")).date()
        capacity = u["weekly_capacity"] / 3600 / 5 * _weekdays(max(hired, date(2021, 5, 1)), AS_OF)
        work = [
            t for t in streams["time_entries"]
            if t["user"]["id"] == u["id"] and t["task"]["name"].lower() not in TIME_OFF_TASKS
        ]  # fmt: skip
        billable = sum(t["hours"] for t in work if t["billable"])
        total = sum(t["hours"] for t in work)
        expected[str(u["id"])] = (round(capacity, 2), round(billable, 2), round(total, 2))
    rows = _query(
        built,
        "select psa_resource_id, capacity_hours, billable_hours, total_hours, billable_utilization "
        "from marts.kpi_utilization_monthly where month_start_date = date '2021-05-01'",
    )
    got = {r[0]: (round(float(r[1]), 2), round(float(r[2]), 2), round(float(r[3]), 2)) for r in rows}
    assert got == expected
    assert expected["3758383"] == (152.0, 3.28, 6.47)  # Tamara: 2.38 + 0.90 billable of 6.47 h
    for r in rows:
        assert r[4] == pytest.approx(float(r[2]) / float(r[1]))


def test_margin_from_cost_and_bill_rates(built: Path, streams: dict[str, list[dict]]) -> None:
    """Per project in May 2021: labor cost = hours x cost rate (entry's, else the user's), standard value =
    billable hours x the user's billable rate; billable hours of users without a rate are reported as such.
    No ERP: revenue is 0, so margin = -cost."""
    users = {u["id"]: u for u in streams["users"]}
    rates = {r["parent_id"]: r["amount"] for r in streams["billable_rates"]}
    expected: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for t in streams["time_entries"]:
        if t["task"]["name"].lower() in TIME_OFF_TASKS:
            continue
        e = expected[str(t["project"]["id"])]
        cost_rate = t["cost_rate"] if t["cost_rate"] is not None else users[t["user"]["id"]]["cost_rate"]
        e[0] += t["hours"]
        e[1] += t["hours"] * (cost_rate or 0)
        if t["billable"] and t["user"]["id"] in rates:
            e[2] += t["hours"] * rates[t["user"]["id"]]
        elif t["billable"]:
            e[3] += t["hours"]
    rows = _query(
        built,
        "select project_key, hours_total, labor_cost_reporting, standard_value_reporting, "
        "billable_hours_without_rate_card, revenue_reporting, margin_reporting "
        "from marts.kpi_project_margin_monthly where month_start_date = date '2021-05-01'",
    )
    got = {r[0]: [round(float(x), 2) for x in r[1:5]] for r in rows}
    assert got == {k: [round(x, 2) for x in v] for k, v in expected.items()}
    assert got["28671447"][1] == 557.80  # T&M project: 8.19 h x 60 + 1.66 h x 40
    for r in rows:
        assert float(r[5]) == 0 and float(r[6]) == -float(r[2])


def test_report_vs_detail_hours_is_a_break_not_an_error(built: Path, streams: dict[str, list[dict]]) -> None:
    """Harvest's time report totals ~640 h where the 10 detailed entries hold 20 h: one
    PSA_REPORT_HOURS_MISMATCH per project-period whose totals differ; the project whose report matches its
    entries (First project, 8.01 h) has none."""
    expected = {}
    for r in streams["time_projects"]:
        start, end = (datetime.strptime(r[k], "%Y%m%d").date() for k in ("from", "to"))
        detail = sum(
            t["hours"] for t in streams["time_entries"]
            if t["project"]["id"] == r["project_id"] and start <= date.fromisoformat(t["spent_date"]) <= end
        )  # fmt: skip
        if abs(r["total_hours"] - detail) > 0.01:
            expected[r["project_id"]] = (round(r["total_hours"], 2), round(detail, 2))
    rows = _query(
        built,
        "select record_key, expected_amount, actual_amount, difference_amount, detected_on "
        "from reconciliation.recon_psa_hygiene where check_id = 'PSA_REPORT_HOURS_MISMATCH'",
    )
    got = {json.loads(r[0])["project_id"]: (round(float(r[1]), 2), round(float(r[2]), 2)) for r in rows}
    assert got == expected and len(got) == 4 and 28674500 not in got
    assert all(float(r[3]) == pytest.approx(float(r[1]) - float(r[2])) for r in rows)
    assert {r[4] for r in rows} == {date(2022, 12, 16)}  # detected on the Harvest extract night


def test_staffing_and_rate_gaps_of_the_account(built: Path, streams: dict[str, list[dict]]) -> None:
    """The PSA checks read Harvest through the same inputs: time by a user on a billable project without a
    user assignment there is PSA_TIME_WITHOUT_ASSIGNMENT; billable time of a user with no billable rate (a
    Harvest user is its own rate role) is PSA_RATE_CARD_GAP, one per user."""
    billable_projects = {p["id"] for p in streams["projects"] if p["is_billable"]}
    assigned = {(a["user"]["id"], a["project"]["id"]) for a in streams["user_assignments"]}
    work = [t for t in streams["time_entries"] if t["task"]["name"].lower() not in TIME_OFF_TASKS]
    unassigned = {
        t["id"] for t in work
        if t["project"]["id"] in billable_projects and (t["user"]["id"], t["project"]["id"]) not in assigned
    }  # fmt: skip
    rated = {r["parent_id"] for r in streams["billable_rates"]}
    unrated = {t["user"]["id"] for t in work if t["billable"] and t["user"]["id"] not in rated}
    rows = _query(
        built,
        "select check_id, record_key from reconciliation.recon_psa_hygiene "
        "where check_id in ('PSA_TIME_WITHOUT_ASSIGNMENT', 'PSA_RATE_CARD_GAP')",
    )
    got_unassigned = {json.loads(k)["id"] for c, k in rows if c == "PSA_TIME_WITHOUT_ASSIGNMENT"}
    got_unrated = {json.loads(k)["role_id"] for c, k in rows if c == "PSA_RATE_CARD_GAP"}
    assert got_unassigned == unassigned and len(unassigned) == 6
    assert got_unrated == unrated == {3758380}  # Airbyte Developer: billable time, no billable rate
