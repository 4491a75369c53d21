"""``reload`` at the loader level: a refused or quarantined file is re-read once asked, and replaces its
earlier attempt (nothing counted twice); asking again changes nothing; a file still wrong stays refused."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
from landing_files import write_extract

from ingestion.contract import COMPLETION_MARKER
from ingestion.load import load_landing
from ingestion.reload import ReloadFilter, find_reloadable, request_reloads
from ingestion.status import LoadStatus
from ingestion.warehouse import ensure_bookkeeping

SF = "salesforce"
D1, D2 = "2026-11-18", "2026-11-19"
HEADER = "Id,Name,Type,SystemModstamp,IsDeleted"
ACCOUNT = (
    f"{HEADER}\n001,Acme,Customer,2026-11-01 10:00:00,false\n002,Beta,Prospect,2026-11-01 11:00:00,false\n"
)
FILE = f"{SF}/{D1}/account.csv"


def _night(warehouse: Path, landing: Path, flt: ReloadFilter | None = None) -> list:
    """One load; with ``flt``, first request a reload of what it matches (as ``throughline reload`` does)."""
    with duckdb.connect(str(warehouse)) as con:
        if flt is not None:
            ensure_bookkeeping(con)
            request_reloads(con, find_reloadable(con, flt))
        results = load_landing(con, landing)
    for r in results:
        assert r.rows_read == r.rows_loaded + r.rows_rejected, r
    return results


def _sql(warehouse: Path, query: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(query, params or []).fetchall()


def _fix_marker_rows(folder: Path, name: str, rows: int) -> None:
    marker = json.loads((folder / COMPLETION_MARKER).read_text())
    marker["files"][name]["rows"] = rows
    (folder / COMPLETION_MARKER).write_text(json.dumps(marker))


def test_marker_fixed_then_reload_loads_the_file_once(tmp_path: Path) -> None:
    landing, wh = tmp_path / "landing", tmp_path / "wh.duckdb"
    folder = write_extract(landing, SF, D1, {"account.csv": ACCOUNT}, rows={"account.csv": 5})
    first = [r for r in _night(wh, landing) if r.file == FILE]
    assert [(r.status, r.rows_rejected) for r in first] == [(LoadStatus.REJECTED, 2)]

    _fix_marker_rows(folder, "account.csv", 2)
    assert [r.file for r in _night(wh, landing)] == []  # a plain night never re-reads a refused file

    reloaded = [r for r in _night(wh, landing, ReloadFilter(file=FILE)) if r.file == FILE]
    assert [(r.status, r.rows_loaded, r.reload_of) for r in reloaded] == [
        (LoadStatus.LOADED, 2, first[0].load_id)
    ]
    log = _sql(
        wh,
        "select status, reload_of is not null, superseded_by is not null from raw.load_log "
        "where file = ? order by started_at",
        [FILE],
    )
    assert log == [("rejected", False, True), ("loaded", True, False)]
    assert _sql(wh, "select count(*) from raw.rejects where file = ?", [FILE]) == [(0,)]  # not counted twice
    assert _sql(wh, "select count(*) from raw_salesforce.account") == [(2,)]
    assert _sql(wh, "select count(*) from raw_salesforce.account__history") == [(2,)]

    with duckdb.connect(str(wh), read_only=True) as con:  # a second reload finds nothing to do
        assert find_reloadable(con, ReloadFilter(file=FILE)) == []
        assert find_reloadable(con, ReloadFilter(all_refused=True)) == []


def test_a_file_still_wrong_stays_refused_with_its_reason(tmp_path: Path) -> None:
    landing, wh = tmp_path / "landing", tmp_path / "wh.duckdb"
    write_extract(landing, SF, D1, {"account.csv": ACCOUNT}, rows={"account.csv": 5})
    _night(wh, landing)
    again = [r for r in _night(wh, landing, ReloadFilter(system=SF, all_refused=True)) if r.file == FILE]
    assert [r.status for r in again] == [LoadStatus.REJECTED]
    assert "data rows: marker says 5, file has 2" in again[0].message
    live = _sql(
        wh, "select status, message from raw.load_log where file = ? and superseded_by is null", [FILE]
    )
    assert len(live) == 1 and live[0][0] == "rejected" and "marker says 5" in live[0][1]
    # the quarantine holds the rows once (of the live attempt), not once per attempt
    assert _sql(wh, "select count(*), count(distinct load_id) from raw.rejects where file = ?", [FILE]) == [
        (2, 1)
    ]


def test_quarantined_rows_reload_after_the_file_is_fixed(tmp_path: Path) -> None:
    """A file loaded with rejects, re-delivered corrected at the same path: the reload replaces the earlier
    attempt's rows (history and current) and its quarantine, instead of adding to them."""
    landing, wh = tmp_path / "landing", tmp_path / "wh.duckdb"
    bad = ACCOUNT + "003,Gamma,Customer,not a date,false\n"
    write_extract(landing, SF, D1, {"account.csv": bad})
    first = [r for r in _night(wh, landing) if r.file == FILE][0]
    assert (first.status, first.rows_loaded, first.rows_rejected) == (LoadStatus.LOADED_WITH_REJECTS, 2, 1)

    fixed = ACCOUNT.replace("Acme", "Acme Ltd") + "003,Gamma,Customer,2026-11-02 09:00:00,false\n"
    write_extract(landing, SF, D1, {"account.csv": fixed})
    with duckdb.connect(str(wh), read_only=True) as con:
        assert find_reloadable(con, ReloadFilter(all_refused=True)) == []  # not a whole-file refusal
    reloaded = [r for r in _night(wh, landing, ReloadFilter(system=SF, file=FILE))]
    assert [(r.status, r.rows_loaded, r.rows_rejected) for r in reloaded] == [(LoadStatus.LOADED, 3, 0)]
    assert _sql(wh, "select count(*) from raw.rejects where file = ?", [FILE]) == [(0,)]
    assert _sql(wh, "select count(*) from raw_salesforce.account__history") == [(3,)]
    assert _sql(wh, "select name from raw_salesforce.account order by id") == [
        ("Acme Ltd",),
        ("Beta",),
        ("Gamma",),
    ]


def test_filters_pick_only_matching_files(tmp_path: Path) -> None:
    landing, wh = tmp_path / "landing", tmp_path / "wh.duckdb"
    write_extract(landing, SF, D1, {"account.csv": ACCOUNT}, rows={"account.csv": 9})
    write_extract(landing, SF, D2, {"account.csv": ACCOUNT.replace("Beta", "Beta2")}, rows={"account.csv": 9})
    _night(wh, landing)
    with duckdb.connect(str(wh), read_only=True) as con:
        by_date = find_reloadable(con, ReloadFilter(extract_date=date(2026, 11, 19)))
        assert [a.file for a in by_date] == [f"{SF}/{D2}/account.csv"]
        assert len(find_reloadable(con, ReloadFilter(object="account"))) == 2
        assert find_reloadable(con, ReloadFilter(system="psa")) == []


def test_a_refused_file_redelivered_with_new_content_replaces_its_refusal_on_a_plain_night(
    tmp_path: Path,
) -> None:
    landing, wh = tmp_path / "landing", tmp_path / "wh.duckdb"
    write_extract(landing, SF, D1, {"account.csv": ACCOUNT}, rows={"account.csv": 5})
    first = [r for r in _night(wh, landing) if r.file == FILE][0]
    write_extract(
        landing, SF, D1, {"account.csv": ACCOUNT + "003,Gamma,Customer,2026-11-02 09:00:00,false\n"}
    )
    again = [r for r in _night(wh, landing) if r.file == FILE]
    assert [(r.status, r.rows_loaded, r.reload_of) for r in again] == [(LoadStatus.LOADED, 3, first.load_id)]
    assert _sql(wh, "select count(*) from raw.rejects where file = ?", [FILE]) == [(0,)]
    assert _sql(wh, "select status from raw.load_log where file = ? and superseded_by is null", [FILE]) == [
        ("loaded",)
    ]
    assert [r.file for r in _night(wh, landing)] == []  # and the next night changes nothing
