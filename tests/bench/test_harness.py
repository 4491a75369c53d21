"""The harness's parts without a build: memory of a process tree, holding a night back, ratios, output."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

from bench.harness import ScaleResult, age_loads, hold_back, land, last_night, lookback_days
from bench.measure import Measurement, measure
from bench.report import table, write_json

MIB = 1024**2

#: A parent that starts a child holding 150 MiB for a second: only the tree's sum sees it.
CHILD = "b = bytearray(150 * 1024 * 1024); import time; time.sleep(1.5)"
PARENT = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {CHILD!r}])"


def test_measure_counts_the_children(tmp_path: Path) -> None:
    m = measure([sys.executable, "-c", PARENT], tmp_path / "log.txt")
    assert m.returncode == 0
    assert m.peak_rss > 150 * MIB
    assert 1.5 <= m.seconds < 30
    # the peak is split by process: the child holding 150 MiB is named apart from its parent
    assert len(m.peak_by_process) == 2
    assert sum(m.peak_by_process.values()) == m.peak_rss
    assert max(m.peak_by_process.values()) > 150 * MIB
    assert 0 < m.peak_at <= m.seconds


def test_hold_back_moves_the_last_night_of_every_system(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    for rel in ("psa/2026-11-19", "psa/2026-11-20", "netsuite/2026-11-20", "salesforce/2026-11-18"):
        (landing / rel).mkdir(parents=True)
        (landing / rel / "_SUCCESS.json").write_text("{}")
    assert last_night(landing) == "2026-11-20"
    assert hold_back(landing, tmp_path / "held") == ["netsuite/2026-11-20", "psa/2026-11-20"]
    assert sorted(p.relative_to(landing).as_posix() for p in landing.glob("*/*")) == [
        "psa/2026-11-19",
        "salesforce/2026-11-18",
    ]
    land(tmp_path / "held", landing)
    assert (landing / "psa" / "2026-11-20" / "_SUCCESS.json").exists()
    assert (landing / "netsuite" / "2026-11-20").is_dir()


def _result(tmp_path: Path) -> ScaleResult:
    res = ScaleResult("xs", 42, warehouse_bytes=300, floor_bytes=100)
    for step, seconds, rss in (("full", 40.0, 800), ("incremental", 10.0, 400), ("rerun", 2.0, 200)):
        res.record(step, Measurement(seconds, rss * MIB, 0, tmp_path / "x"))
    res.record("floor", Measurement(4.0, 100 * MIB, 0, tmp_path / "x"))
    return res


def test_ratios_to_the_floor_and_to_the_full_build(tmp_path: Path) -> None:
    r = _result(tmp_path).ratios()
    assert r["full"] == {"time_x_floor": 10.0, "rss_x_floor": 8.0, "share_of_full": 1.0}
    assert r["incremental"]["share_of_full"] == 0.25
    assert r["rerun"]["share_of_full"] == 0.05
    assert r["warehouse"] == {"size_x_floor": 3.0}


def test_table_and_json(tmp_path: Path) -> None:
    res = _result(tmp_path)
    text = table([res])
    assert "40.0s" in text and "(10.0x)" in text and "25%" in text and "5%" in text
    out = tmp_path / "r.json"
    write_json([res], out, "python -m bench --scales xs")
    doc = json.loads(out.read_text())
    assert doc["command"] == "python -m bench --scales xs"
    assert doc["machine"]["cpus"] >= 1
    assert doc["scales"][0]["ratios"]["full"]["time_x_floor"] == 10.0


def test_age_loads_moves_the_first_nights_loads_back_and_nothing_else(tmp_path: Path) -> None:
    """The loads of each history table's first extract date are aged wherever they are (raw or built); the
    later nights, other columns and views are not."""
    db = tmp_path / "w.duckdb"
    first, second = "timestamp '2026-12-05 01:00:00'", "timestamp '2026-12-05 01:00:07'"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema raw_psa; create schema marts")
        con.execute(
            f"create table raw_psa.t__history as select * from (values (1, date '2026-11-17', {first}), "
            f"(2, date '2026-11-18', {second})) v(id, _extract_date, _loaded_at)"
        )
        con.execute("create table raw_psa.t as select id, _loaded_at from raw_psa.t__history")
        con.execute("create table marts.f as select id, _loaded_at, _loaded_at as loaded_at from raw_psa.t")
        con.execute("create view marts.v as select * from marts.f")
    assert age_loads(db, 4) == 3
    with duckdb.connect(str(db), read_only=True) as con:
        for table in ("raw_psa.t__history", "raw_psa.t", "marts.v"):
            rows = con.execute(f"select id, _loaded_at::varchar from {table} order by id").fetchall()
            assert rows == [(1, "2026-12-01 01:00:00"), (2, "2026-12-05 01:00:07")], table
        untouched = con.execute("select loaded_at::varchar from marts.f order by id").fetchall()
        assert untouched == [("2026-12-05 01:00:00",), ("2026-12-05 01:00:07",)]
    assert lookback_days() >= 0  # read from dbt_project.yml


def test_replay_needs_a_kept_start(tmp_path: Path, capsys) -> None:
    """``python -m bench.replay`` on a scale folder the benchmark did not keep a start in says so (exit 2)."""
    from bench import replay

    (tmp_path / "xl" / "firm" / "landing").mkdir(parents=True)
    assert replay.main([str(tmp_path / "xl")]) == 2
    assert "--keep-start" in capsys.readouterr().err


def test_replay_puts_the_start_back_without_touching_the_published_warehouse(tmp_path: Path) -> None:
    from bench.harness import START
    from bench.replay import restore

    scale = tmp_path / "xl"
    published = scale / "warehouse.duckdb.builds" / "published" / "last.duckdb"
    published.parent.mkdir(parents=True)
    published.write_text("tonight's build")
    (scale / "warehouse.duckdb").hardlink_to(published)  # as the publish step leaves it
    (scale / "warehouse.duckdb.builds" / "dbt").mkdir()
    (scale / "warehouse.duckdb.builds" / "dbt" / "partial_parse.msgpack").write_text("tonight's")
    start = scale / START
    (start / "warehouse.duckdb.builds" / "dbt").mkdir(parents=True)
    (start / "warehouse.duckdb").write_text("last night's")
    (start / "warehouse.duckdb.builds" / "dbt" / "partial_parse.msgpack").write_text("last night's")
    (start / "dagster_home").mkdir()
    (start / "dagster_home" / "dagster.yaml").write_text("{}")
    assert restore(scale) == scale / "warehouse.duckdb"
    assert (scale / "warehouse.duckdb").read_text() == "last night's"
    assert published.read_text() == "tonight's build"
    assert (scale / "warehouse.duckdb.builds" / "dbt" / "partial_parse.msgpack").read_text() == "last night's"
    assert (scale / "dagster_home" / "dagster.yaml").is_file()
