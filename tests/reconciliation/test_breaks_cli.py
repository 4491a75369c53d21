"""``throughline breaks`` and the morning summary printed by demo/run, on the xs warehouse."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from throughline.breaks_summary import Filters, list_breaks, render
from throughline.cli import main


def _sql(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_csv_export_has_every_unresolved_break(xs_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "breaks.csv"
    assert main(["breaks", "--warehouse", str(xs_warehouse), "--csv", str(out)]) == 0
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    expected = _sql(xs_warehouse, "select count(*) from marts.recon_break_history where status <> 'resolved'")
    assert len(rows) == expected[0][0] > 0
    assert {"check_id", "record_key", "owner", "amount_at_risk_reporting", "is_waived", "status"} <= set(
        rows[0]
    )


def test_filters_narrow_the_list(xs_warehouse: Path) -> None:
    owner, family = _sql(
        xs_warehouse, "select owner, check_family from marts.recon_breaks group by all order by count(*) desc"
    )[0]
    columns, rows = list_breaks(xs_warehouse, Filters(owner=owner))
    assert rows and {r[columns.index("owner")] for r in rows} == {owner}
    columns, rows = list_breaks(xs_warehouse, Filters(check=family.lower()))
    assert rows and {r[columns.index("check_family")] for r in rows} == {family}
    _, rows = list_breaks(xs_warehouse, Filters(status="resolved"))
    assert rows == []  # the first night resolves nothing
    _, every = list_breaks(xs_warehouse, Filters(status="all"))
    _, old = list_breaks(xs_warehouse, Filters(status="all", min_age=10_000))
    assert len(old) < len(every)
    _, waived = list_breaks(xs_warehouse, Filters(status="waived"))
    assert len(waived) == _sql(xs_warehouse, "select count(*) from marts.recon_breaks where is_waived")[0][0]


def test_terminal_list_and_bad_warehouse(
    xs_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["breaks", "--warehouse", str(xs_warehouse), "--status", "new"]) == 0
    assert "break(s)" in capsys.readouterr().out
    assert main(["breaks", "--warehouse", str(tmp_path / "none.duckdb")]) == 2
    assert "no warehouse" in capsys.readouterr().err


def test_summary_by_owner_and_severity(xs_warehouse: Path) -> None:
    text = render(xs_warehouse)
    rows = _sql(
        xs_warehouse,
        "select owner, severity, sum(open_breaks) from marts.recon_summary group by all",
    )
    assert "Reconciliation breaks" in text and "marts.recon_breaks" in text and "throughline breaks" in text
    total_open = sum(r[2] for r in rows)
    assert f"{'total':<22} {'':<8} {total_open:>6}" in text


def test_summary_of_a_clean_firm(xs_clean_warehouse: Path) -> None:
    assert render(xs_clean_warehouse) == "Reconciliation breaks: none open tonight."


def test_client_filter_matches_a_key_or_part_of_the_name(xs_warehouse: Path) -> None:
    columns, every = list_breaks(xs_warehouse, Filters())
    key, name = columns.index("client_key"), columns.index("client_name")
    named = [r for r in every if r[name]]
    assert named, "the xs firm has breaks on named clients"
    client_key, client_name = named[0][key], named[0][name]
    _, by_key = list_breaks(xs_warehouse, Filters(client=client_key))
    assert by_key and sorted(by_key) == sorted(r for r in every if r[key] == client_key)
    part = client_name.split()[0].lower()  # "Nakatomi Group Ltd" -> "nakatomi": any case, any part
    _, by_name = list_breaks(xs_warehouse, Filters(client=part))
    assert sorted(by_name) == sorted(r for r in every if part in (r[name] or "").lower())
    _, none = list_breaks(xs_warehouse, Filters(client="no client is called this"))
    assert none == []


def test_age_filter_keeps_exactly_the_breaks_at_least_that_old(xs_warehouse: Path) -> None:
    columns, every = list_breaks(xs_warehouse, Filters())
    age = columns.index("age_days")
    ages = sorted({r[age] for r in every if r[age] is not None})
    assert len(ages) > 2
    cut = ages[len(ages) // 2]  # an age some breaks have: ">=" keeps them, ">" would not
    _, old = list_breaks(xs_warehouse, Filters(min_age=cut))
    assert sorted(old) == sorted(r for r in every if r[age] is not None and r[age] >= cut)
    assert any(r[age] == cut for r in old) and len(old) < len(every)


def test_cli_filters_combine_and_the_csv_has_exactly_the_filtered_breaks(
    xs_warehouse: Path, tmp_path: Path
) -> None:
    columns, every = list_breaks(xs_warehouse, Filters())
    owner, name = columns.index("owner"), columns.index("client_name")
    row = next(r for r in every if r[name])
    part = row[name].split()[0]
    out = tmp_path / "filtered.csv"
    argv = ["breaks", "--warehouse", str(xs_warehouse), "--owner", row[owner], "--client", part]
    assert main([*argv, "--min-age", "0", "--csv", str(out)]) == 0
    with out.open(encoding="utf-8") as fh:
        got = list(csv.DictReader(fh))
    want = list_breaks(xs_warehouse, Filters(owner=row[owner], client=part, min_age=0))[1]
    assert len(got) == len(want) >= 1
    assert {(r["owner"], r["client_name"]) for r in got} == {(w[owner], w[name]) for w in want}
    assert all(part.lower() in r["client_name"].lower() and r["owner"] == row[owner] for r in got)
