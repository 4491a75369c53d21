"""Controller decisions: landed like any extract, loaded under the contract, malformed rows quarantined."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingestion.load import load_landing
from throughline.decisions import DecisionsError, land_decisions, main

GOOD = (
    "check_id,record_key,decision,reason,decided_by,decided_on,expires_on\n"
    'E2_EXCEEDS_INVOICE,"{""id"":105641}",waive,Agreed with the client,A. Controller,2026-11-20,2026-12-31\n'
    'B1,"{""id"":7}", Acknowledge ,Billing run on Friday,A. Controller,2026-11-20,2026-11-30\n'
)
BAD_ROWS = (
    'B2,"{""id"":8}",wave,typo in decision,A. Controller,2026-11-20,2026-12-31\n'
    'B3,"{""id"":9}",waive,,A. Controller,2026-11-20,2026-12-31\n'
    'B4,"{""id"":10}",waive,bad date,A. Controller,2026-11-20,31/12/2026\n'
)


def _land(tmp_path: Path, text: str, on: date = date(2026, 11, 20)) -> Path:
    src = tmp_path / "decisions.csv"
    src.write_text(text, encoding="utf-8")
    landing = tmp_path / "landing"
    land_decisions(src, landing, on)
    return landing


def test_good_and_malformed_rows_are_split_like_any_source(tmp_path: Path) -> None:
    landing = _land(tmp_path, GOOD + BAD_ROWS)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        results = [r for r in load_landing(con, landing) if r.object == "break_decisions"]
        assert [(r.status, r.rows_read, r.rows_loaded, r.rows_rejected) for r in results] == [
            ("loaded_with_rejects", 5, 2, 3)
        ]
        loaded = con.execute(
            "select check_id, decision, expires_on from raw_controller.break_decisions order by 1"
        ).fetchall()
        rejects = con.execute('select "row", "column", rule, file from raw.rejects order by "row"').fetchall()
    assert loaded == [
        ("B1", " Acknowledge ", date(2026, 11, 30)),
        ("E2_EXCEEDS_INVOICE", "waive", date(2026, 12, 31)),
    ]
    assert [(row, col, rule) for row, col, rule, _ in rejects] == [
        (4, "decision", "not_accepted"),
        (5, "reason", "required_missing"),
        (6, "expires_on", "wrong_type"),
    ]
    assert all(f == "controller/2026-11-20/break_decisions.csv" for *_, f in rejects)


def test_later_decision_replaces_the_earlier_one(tmp_path: Path) -> None:
    landing = _land(tmp_path, GOOD)
    lifted = tmp_path / "lift.csv"
    lifted.write_text(
        "check_id,record_key,decision,reason,decided_by,decided_on,expires_on\n"
        'E2_EXCEEDS_INVOICE,"{""id"":105641}",waive,Lifted: client disputes,B. Head,2026-11-21,2026-11-21\n',
        encoding="utf-8",
    )
    land_decisions(lifted, landing, date(2026, 11, 21))
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        load_landing(con, landing)
        rows = con.execute(
            "select decided_by, expires_on from raw_controller.break_decisions "
            "where check_id = 'E2_EXCEEDS_INVOICE'"
        ).fetchall()
    assert rows == [("B. Head", date(2026, 11, 21))]


def test_landing_refuses_a_second_file_for_the_day_and_a_wrong_header(tmp_path: Path) -> None:
    landing = _land(tmp_path, GOOD)
    with pytest.raises(DecisionsError, match="already holds"):
        land_decisions(tmp_path / "decisions.csv", landing, date(2026, 11, 20))
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("check,key\nB1,1\n", encoding="utf-8")
    with pytest.raises(DecisionsError, match="lacks column"):
        land_decisions(wrong, landing, date(2026, 11, 22))


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "d.csv"
    src.write_text(GOOD, encoding="utf-8")
    args = argparse.Namespace(file=str(src), landing=str(tmp_path / "landing"), date=date(2026, 11, 20))
    assert main(args) == 0
    assert (tmp_path / "landing/controller/2026-11-20/_SUCCESS.json").exists()
    assert main(args) == 2
    assert "already holds" in capsys.readouterr().err
