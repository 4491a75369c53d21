"""marts.recon_break_history across nights on the real xs warehouse, and tonight's decisions and summary.

The nightly builds on a copy of the last published warehouse, so the incremental history carries over; this
test does the same: it copies the published xs warehouse, stages the next nights by hand (a new extract night
in raw.load_log, one break fixed, then back), and rebuilds only the history model each time.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
from dbt_raw_fixtures import run_dbt

HISTORY = (
    "select break_id, status, first_seen_on, last_seen_on, resolved_on, times_reopened, age_days "
    "from marts.recon_break_history order by break_id"
)


def _rebuild_history(warehouse: Path, target: Path) -> None:
    run_dbt(["run", "--select", "recon_break_history"], warehouse, target)


def _next_night(con: duckdb.DuckDBPyConnection, night: date) -> None:
    """A psa extract night in the load log: stg_raw__extract_nights (a view) then reports it as tonight."""
    con.execute(
        "insert into raw.load_log (load_id, system, object, extract_date, file, status) "
        "values ('test', 'psa', 'projects', ?, 'x', 'loaded')",
        [night],
    )


def test_first_night_every_break_is_new(xs_warehouse: Path) -> None:
    with duckdb.connect(str(xs_warehouse), read_only=True) as con:
        breaks = con.execute("select break_id, detected_on from marts.recon_breaks order by 1").fetchall()
        history = con.execute(HISTORY).fetchall()
    assert breaks, "the xs firm has breaks by design"
    assert [(b, "new", d, d, None, 0) for b, d in breaks] == [h[:6] for h in history]


def test_history_across_nights_resolves_reopens_and_reruns_idempotently(
    xs_warehouse: Path, tmp_path: Path
) -> None:
    wh = tmp_path / "warehouse.duckdb"
    shutil.copyfile(xs_warehouse, wh)
    target = tmp_path / "target"
    with duckdb.connect(str(wh)) as con:
        before = con.execute(HISTORY).fetchall()
        tonight = con.execute("select max(detected_on) from marts.recon_breaks").fetchone()[0]
        fixed = con.execute("select break_id from marts.recon_breaks order by break_id limit 1").fetchone()[0]
    _rebuild_history(wh, target)  # the same night again
    with duckdb.connect(str(wh)) as con:
        assert con.execute(HISTORY).fetchall() == before
        # night 2: one break fixed upstream, the others still there
        night2 = tonight + timedelta(days=1)
        _next_night(con, night2)
        con.execute(
            "create table main.fixed_break as select * from marts.recon_breaks where break_id = ?", [fixed]
        )
        con.execute("delete from marts.recon_breaks where break_id = ?", [fixed])
        con.execute("update marts.recon_breaks set detected_on = ?", [night2])
    _rebuild_history(wh, target)
    with duckdb.connect(str(wh)) as con:
        rows = {r[0]: r for r in con.execute(HISTORY).fetchall()}
        assert len(rows) == len(before)  # nothing deleted
        assert rows[fixed][1:] == ("resolved", tonight, tonight, night2, 0, 0)
        others = [r for k, r in rows.items() if k != fixed]
        assert {r[1] for r in others} == {"open"} and {r[3] for r in others} == {night2}
        # night 3: the fixed break comes back
        night3 = night2 + timedelta(days=1)
        _next_night(con, night3)
        con.execute("insert into marts.recon_breaks select * from main.fixed_break")
        con.execute("update marts.recon_breaks set detected_on = ?", [night3])
    _rebuild_history(wh, target)
    with duckdb.connect(str(wh)) as con:
        rows = {r[0]: r for r in con.execute(HISTORY).fetchall()}
    assert rows[fixed][1:] == ("reopened", tonight, night3, None, 1, 2)


def test_controller_decisions_reach_the_breaks_and_the_summary(xs_warehouse: Path) -> None:
    """The sample firm's decisions file (samplefirm/decisions.py: a waiver, an acknowledgement and an expired
    waiver on the last night) flags exactly the breaks it names, by check and record key, while in force."""
    with duckdb.connect(str(xs_warehouse), read_only=True) as con:
        decided = con.execute(
            "select b.check_id, b.is_waived, b.is_acknowledged, d.decision, "
            "       b.detected_on between d.decided_on and d.expires_on as in_force "
            "from marts.recon_breaks b join raw_controller.break_decisions d using (check_id, record_key) "
            "order by 1"
        ).fetchall()
        undecided = con.execute(
            "select count(*) from marts.recon_breaks "
            "where decision is null and (is_waived or is_acknowledged)"
        ).fetchone()[0]
        summary = con.execute(
            "select sum(open_breaks), sum(waived_breaks), sum(total_breaks), sum(acknowledged_breaks) "
            "from marts.recon_summary"
        ).fetchone()
        flags = con.execute(
            "select count(*), count(*) filter (where is_waived), count(*) filter (where is_acknowledged) "
            "from marts.recon_breaks"
        ).fetchone()
        bands = {r[0] for r in con.execute("select distinct age_band from marts.recon_summary").fetchall()}
    assert decided, "no decision of the sample firm matches a break"
    for check_id, waived, acknowledged, decision, in_force in decided:
        assert waived == (decision == "waive" and in_force), check_id
        assert acknowledged == (decision == "acknowledge" and in_force), check_id
    assert ("PSA_CAPACITY_GAP", False, False, "waive", False) in decided  # the expired waiver counts again
    assert undecided == 0
    total, waived, acknowledged = flags
    assert summary == (total - waived, waived, total, acknowledged)
    assert bands <= {"0-30", "31-60", "61-90", "90+", "undated"}


def test_clean_firm_has_no_history_rows(xs_clean_warehouse: Path) -> None:
    with duckdb.connect(str(xs_clean_warehouse), read_only=True) as con:
        assert con.execute("select count(*) from marts.recon_break_history").fetchone()[0] == 0
        assert con.execute("select count(*) from marts.recon_summary").fetchone()[0] == 0
