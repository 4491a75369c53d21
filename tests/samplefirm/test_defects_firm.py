"""The xs firm's truth manifest against its landed extracts: every kind present, each defect really there."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingestion.contract import load_contract, normalize_header
from throughline.samplefirm.defects import DEFECT_KINDS


def _truth(firm: Path) -> list[dict[str, str]]:
    with (firm / "_truth" / "defects.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _of(rows: list[dict[str, str]], kind: str) -> list[dict[str, str]]:
    found = [r for r in rows if r["kind"] == kind]
    assert found, f"no {kind} in the truth manifest"
    return found


def _latest(con: duckdb.DuckDBPyConnection, firm: Path, system: str, obj: str) -> str:
    """Create view ``<obj>`` with the latest landed version of every record (all values as text)."""
    so = load_contract(system).object(obj)
    files = sorted((firm / "landing" / system).glob(f"*/{so.file}"))
    assert files, f"no landed {system} {so.file}"
    paths = "[" + ", ".join(f"'{p.as_posix()}'" for p in files) + "]"
    if so.format == "csv":
        src = f"read_csv({paths}, all_varchar=true, union_by_name=true, filename=true, ignore_errors=true)"
    else:
        src = (
            f"read_json({paths}, format = 'newline_delimited', union_by_name = true, filename = true, "
            "ignore_errors = true, columns = {"
            + ", ".join(f"'{c.name}': 'VARCHAR'" for c in so.columns)
            + "})"
        )
    cols = [r[0] for r in con.execute(f"describe select * from {src}").fetchall()]
    by_key = {k: c.name for c in so.columns for k in c.header_keys}
    select = ", ".join(
        f'"{c}" as "{by_key[normalize_header(c)]}"' for c in cols if normalize_header(c) in by_key
    )
    pk = ", ".join(f'"{k}"' for k in so.primary_key)
    name = f"{system}_{obj}"
    con.execute(f"""create or replace view {name} as select * exclude (_rn) from (
                      select {select}, filename, row_number() over (partition by {pk} order by filename
                      desc) as _rn
                      from {src}) where _rn = 1""")
    return name


@pytest.fixture(scope="module")
def truth(xs_firm: Path) -> list[dict[str, str]]:
    return _truth(xs_firm)


@pytest.fixture()
def con() -> Any:
    with duckdb.connect() as c:
        yield c


def test_every_kind_is_in_the_manifest(xs_firm: Path, truth: list[dict[str, str]]) -> None:
    assert {r["kind"] for r in truth} == set(DEFECT_KINDS)
    assert len({r["defect_id"] for r in truth}) == len(truth)
    summary = json.loads((xs_firm / "_truth" / "summary.json").read_text(encoding="utf-8"))
    assert summary["total"] == len(truth) and summary["scale"] == "xs"
    assert all(summary["counts"][k] >= 1 for k in DEFECT_KINDS)
    for r in truth:
        assert r["check_family"] == DEFECT_KINDS[r["kind"]]["check_family"]
        json.loads(r["record_key"])
        assert (xs_firm / "landing" / r["system"] / r["extract_date"]).is_dir(), r


def test_clean_firm_has_an_empty_manifest(xs_clean_firm: Path) -> None:
    assert _truth(xs_clean_firm) == []
    summary = json.loads((xs_clean_firm / "_truth" / "summary.json").read_text(encoding="utf-8"))
    assert summary["total"] == 0 and summary["clean"] is True


def test_r1_won_opportunity_has_no_project_nor_contract(
    xs_firm: Path, truth: list[dict[str, str]], con: Any
) -> None:
    opp = _latest(con, xs_firm, "salesforce", "opportunity")
    prj = _latest(con, xs_firm, "psa", "projects")
    tx = _latest(con, xs_firm, "netsuite", "transaction")
    for r in _of(truth, "R1"):
        oid = json.loads(r["record_key"])["id"]
        assert con.execute(f"select stage_name from {opp} where id = ?", [oid]).fetchall() == [
            ("Closed Won",)
        ]
        assert (
            con.execute(f"select count(*) from {prj} where crm_opportunity_id = ?", [oid]).fetchall()[0][0]
            == 0
        )
        assert (
            con.execute(f"select count(*) from {tx} where custbody_sf_opportunity_id = ?", [oid]).fetchall()[
                0
            ][0]
            == 0
        )


def test_r6_contract_term_ends_before_the_last_time_entry(
    xs_firm: Path, truth: list[dict[str, str]], con: Any
) -> None:
    """The term is the latest end of the original order and its amendments: all of them end early."""
    tx = _latest(con, xs_firm, "netsuite", "transaction")
    for r in _of(truth, "R6_CONTRACT_END"):
        so_id = str(json.loads(r["record_key"])["id"])
        related = json.loads(r["related_keys"])
        (term_end,) = con.execute(
            f"select max(enddate::date)::varchar from {tx} where id = ? or custbody_parent_contract = ?",
            [so_id, so_id],
        ).fetchone()
        assert term_end == related["enddate"] < related["last_time_entry"], r


def test_b1_time_is_approved_billable_and_uninvoiced(
    xs_firm: Path, truth: list[dict[str, str]], con: Any
) -> None:
    te = _latest(con, xs_firm, "psa", "time_entries")
    ids = [json.loads(r["record_key"])["id"] for r in _of(truth, "B1")]
    rows = con.execute(
        f"""select status, lower(is_billable), coalesce(erp_invoice_id, '') from {te}
            where id::bigint in (select unnest(?::bigint[]))""",
        [ids],
    ).fetchall()
    assert len(rows) == len(ids)
    assert set(rows) == {("approved", "true", "")}


def test_e6_journal_does_not_balance(xs_firm: Path, truth: list[dict[str, str]], con: Any) -> None:
    tal = _latest(con, xs_firm, "netsuite", "transactionaccountingline")
    for r in _of(truth, "E6"):
        tid = json.loads(r["record_key"])["id"]
        total = con.execute(
            f"select sum(amount::decimal(18,2)) from {tal} where transaction::bigint = ?", [tid]
        )
        assert float(total.fetchall()[0][0]) == pytest.approx(float(r["amount"]))


def test_i1_counterpart_bill_is_missing(xs_firm: Path, truth: list[dict[str, str]], con: Any) -> None:
    tx = _latest(con, xs_firm, "netsuite", "transaction")
    for r in _of(truth, "I1"):
        inv = json.loads(r["record_key"])["id"]
        bill = json.loads(r["related_keys"])["bill"]
        assert con.execute(f"select type from {tx} where id::bigint = ?", [inv]).fetchall() == [("CustInvc",)]
        assert con.execute(f"select count(*) from {tx} where id::bigint = ?", [bill]).fetchall()[0][0] == 0


def test_fx_missing_rate_window_is_empty(xs_firm: Path, truth: list[dict[str, str]], con: Any) -> None:
    rates = _latest(con, xs_firm, "netsuite", "currencyrate")
    for r in _of(truth, "FX_MISSING_RATE"):
        k = json.loads(r["record_key"])
        n = con.execute(
            f"""select count(*) from {rates} where basecurrency::bigint = ? and
                transactioncurrency::bigint = ?
                and effectivedate::date between ?::date and ?::date""",
            [k["basecurrency"], k["transactioncurrency"], k["from"][:10], k["to"][:10]],
        ).fetchall()[0][0]
        assert n == 0


def test_psa_duplicate_time_matches_its_original(
    xs_firm: Path, truth: list[dict[str, str]], con: Any
) -> None:
    te = _latest(con, xs_firm, "psa", "time_entries")
    for r in _of(truth, "PSA_DUPLICATE_TIME"):
        dup, orig = json.loads(r["record_key"])["id"], json.loads(r["related_keys"])["duplicate_of"]
        rows = con.execute(
            f"""select count(distinct (resource_id, project_id, spent_date, hours::double)), count(*)
                from {te}
                where id::bigint in (?, ?)""",
            [dup, orig],
        ).fetchall()
        assert rows == [(1, 2)]


def test_malformed_line_is_malformed(xs_firm: Path, truth: list[dict[str, str]]) -> None:
    for r in (r for r in truth if r["kind"].startswith("MALFORMED_")):
        path = xs_firm / "landing" / r["file"]
        assert r["file"].split("/")[1] == r["extract_date"]
        bad = path.read_text(encoding="utf-8").splitlines()[int(r["line"]) - 1]
        header = path.read_text(encoding="utf-8").splitlines()[0]
        if r["kind"] == "MALFORMED_INVALID_JSON":
            with pytest.raises(json.JSONDecodeError):
                json.loads(bad)
        elif r["kind"] == "MALFORMED_UNBALANCED_QUOTE":
            assert bad.count('"') % 2 == 1
        elif r["kind"] == "MALFORMED_FIELD_COUNT":
            assert len(next(csv.reader([bad]))) == len(next(csv.reader([header]))) + 1
        elif path.suffix == ".jsonl":
            rec = json.loads(bad)
            assert rec[next(iter(json.loads(r["record_key"])))] == next(
                iter(json.loads(r["record_key"]).values())
            )
        else:
            fields = next(csv.reader([bad]))
            assert len(fields) == len(next(csv.reader([header])))


def test_b6_milestones_billed_against_acceptance(
    xs_firm: Path, truth: list[dict[str, str]], con: Any
) -> None:
    ms = _latest(con, xs_firm, "psa", "milestones")
    sql = f"select status, erp_invoice_id is not null from {ms} where id::bigint = ?"
    for r in _of(truth, "B6_ACCEPTED_NOT_BILLED"):
        assert con.execute(sql, [json.loads(r["record_key"])["id"]]).fetchall() == [("accepted", False)]
    for r in _of(truth, "B6_BILLED_NOT_ACCEPTED"):
        ((status, billed),) = con.execute(sql, [json.loads(r["record_key"])["id"]]).fetchall()
        assert status != "accepted" and billed


def test_e1_header_exceeds_lines_and_e3_overapplied(
    xs_firm: Path, truth: list[dict[str, str]], con: Any
) -> None:
    tx = _latest(con, xs_firm, "netsuite", "transaction")
    tl = _latest(con, xs_firm, "netsuite", "transactionline")
    link = _latest(con, xs_firm, "netsuite", "previoustransactionlinelink")
    for r in _of(truth, "E1"):
        (gap,) = con.execute(
            f"""select h.foreigntotal::decimal(18,2) - sum(l.foreignamount::decimal(18,2)) from {tx} h
                join {tl} l on l.transaction = h.id and l.mainline = 'false' where h.id::bigint = ?
                group by h.foreigntotal""",
            [json.loads(r["record_key"])["id"]],
        ).fetchall()[0]
        assert float(gap) == pytest.approx(float(r["amount"]))
    for r in _of(truth, "E3"):
        invoice = json.loads(r["related_keys"])["invoice"]
        applied, total = con.execute(
            f"""select sum(l.foreignamount::decimal(18,2)), any_value(i.foreigntotal::decimal(18,2))
                from {link} l join {tx} i on i.id = l.previousdoc where l.previousdoc::bigint = ?""",
            [invoice],
        ).fetchall()[0]
        assert applied > total


def _count(con: Any, view: str, where: str, params: list[Any]) -> int:
    return con.execute(f"select count(*) from {view} where {where}", params).fetchone()[0]


def test_every_kind_is_in_the_extracts(xs_firm: Path, truth: list[dict[str, str]], con: Any) -> None:
    """Each truth row points at landed data: its record is in the extracts, or (absence kinds) is not."""
    checked: set[str] = set()
    for r in truth:
        kind, key = r["kind"], json.loads(r["record_key"])
        if kind.startswith("MALFORMED_"):
            continue  # located by file and line: test_malformed_line_is_malformed
        view = _latest(con, xs_firm, r["system"], r["object"])
        if kind == "FX_MISSING_RATE":
            found = _count(
                con,
                view,
                "basecurrency = ? and transactioncurrency = ? and effectivedate::date >= ?::date "
                "and effectivedate::date < ?::date",
                [str(key["basecurrency"]), str(key["transactioncurrency"]), key["from"], key["to"]],
            )
            assert found == 0, f"{kind}: rates landed inside the missing window {key}"
        elif kind == "FX_MISSING_CONSOLIDATED_RATE":
            found = _count(
                con,
                view,
                "postingperiod = ? and fromsubsidiary = ? and tosubsidiary = ?",
                [str(key["postingperiod"]), str(key["fromsubsidiary"]), str(key["tosubsidiary"])],
            )
            assert found == 0, f"{kind}: consolidated rate landed for {key}"
        elif kind == "PSA_MISSING_TIMESHEET":
            found = _count(
                con,
                view,
                "resource_id = ? and spent_date::date >= ?::date "
                "and spent_date::date < ?::date + 7 and deleted_at is null",
                [str(key["resource_id"]), key["week_start"], key["week_start"]],
            )
            assert found == 0, f"{kind}: time landed in the missing week {key}"
        elif kind in ("B2", "B3"):
            # the billed group (project x role x service month) holds the approved entry of related_keys
            found = _count(
                con,
                view,
                "project_id = ? and role_id = ? and date_trunc('month', spent_date::date) = ?::date "
                "and id = ? and status = 'approved'",
                [
                    str(key["project_id"]),
                    str(key["role_id"]),
                    key["period_start"],
                    str(json.loads(r["related_keys"])["time_entry_id"]),
                ],
            )
            assert found == 1, f"{kind}: no approved entry of the group {key} in the extracts"
        elif kind == "PSA_RATE_CARD_GAP":
            per_pair = con.execute(f"select role_id, currency, count(*) from {view} group by all").fetchall()
            mine = [n for role, cur, n in per_pair if role == str(key["role_id"]) and cur == key["currency"]]
            assert (mine[0] if mine else 0) < max(n for *_, n in per_pair), f"{kind}: no gap for {key}"
        else:
            so = load_contract(r["system"]).object(r["object"])
            assert set(key) == set(so.primary_key), f"{kind}: record_key {key} is not the {so.name} key"
            where = " and ".join(f'"{k}" = ?' for k in so.primary_key)
            assert _count(con, view, where, [str(key[k]) for k in so.primary_key]) == 1, (
                f"{kind}: {r['system']}.{r['object']} {key} is not in the extracts"
            )
        checked.add(kind)
    expected = {k for k in DEFECT_KINDS if not k.startswith("MALFORMED_")}
    assert checked == expected, f"kinds not checked against the extracts: {sorted(expected - checked)}"
