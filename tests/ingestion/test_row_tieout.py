"""The row tie-out re-counts a load in the warehouse: it passes when every landed row is in history or in
raw.rejects, and names the file and the gap when the load log and the tables disagree."""

from __future__ import annotations

from pathlib import Path

import duckdb
from landing_files import write_extract

from ingestion.contract import load_contract
from ingestion.row_tieout import tie_out_rows

HEADER = "Id,Name,Type,SystemModstamp,IsDeleted"
LINES = [
    HEADER,
    "001,Acme,Customer,2026-11-01 10:00:00,false",
    "002,Beta,Customer,yesterday,false",  # wrong type: quarantined
    "003,Gamma,Prospect,2026-11-01 11:00:00,false",
]


def test_tie_out_passes_then_names_each_gap(landing: Path, load_only) -> None:
    write_extract(landing, "salesforce", "2026-11-18", {"account.csv": "\n".join(LINES) + "\n"})
    loaded = load_only("salesforce.account")
    account = load_contract("salesforce").object("account")
    with duckdb.connect(str(loaded.warehouse)) as con:
        ok = tie_out_rows(con, account)
        assert (ok.passed, ok.files_checked, ok.problems) == (True, 1, [])
        assert ok.description.endswith("every row loaded or rejected")
        # a history row lost after the load, and a reject the log does not count: both named
        con.execute("delete from raw_salesforce.account__history where id = '003'")
        con.execute('insert into raw.rejects select * replace (4 as "row") from raw.rejects')
        bad = tie_out_rows(con, account)
    assert not bad.passed
    assert [p.split(": ", 1)[1] for p in bad.problems] == [
        "load log says 2 rows loaded, history holds 1",
        "load log says 1 rows rejected, raw.rejects holds 2",
    ]
    assert bad.problems[0].startswith("salesforce/2026-11-18/account.csv")


def test_tie_out_of_an_object_never_loaded(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute(
            "create schema raw; create table raw.load_log (load_id varchar, system varchar,"
            " object varchar, finished_at timestamp)"
        )
        result = tie_out_rows(con, load_contract("salesforce").object("account"))
    assert result.passed and result.load_id is None
    assert result.description == "no file of this object has been loaded yet"
