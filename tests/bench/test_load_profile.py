"""``python -m bench.load_profile``: one object's load, statement by statement, on the xs firm."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from bench.load_profile import find_object, main


def test_it_loads_the_first_nights_as_the_raw_asset_does_and_prints_the_slowest_statements(
    xs_firm: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "profile.duckdb"
    args = [str(xs_firm / "landing"), "psa__time_entries", str(database), "--nights", "2", "--top", "3"]
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert len([line for line in out if line.endswith(" rejected")]) == 2  # one line per file loaded
    statements = [line for line in out if " s  " in line]
    assert len(statements) == 3
    seconds = [float(line.split()[0]) for line in statements]
    assert seconds == sorted(seconds, reverse=True)
    with duckdb.connect(str(database), read_only=True) as con:
        files = con.execute("select count(distinct file) from raw.loaded_files").fetchone()[0]
        rows = con.execute("select count(*) from raw_psa.time_entries__history").fetchone()[0]
    assert files == 2 and rows > 0


def test_an_unknown_object_is_named_in_the_error() -> None:
    assert find_object("time_entries").name == "time_entries"
    with pytest.raises(SystemExit, match="no_such_object"):
        find_object("no_such_object")


def test_last_only_times_the_last_night_on_top_of_the_earlier_ones(
    xs_firm: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An incremental night's delta: the first two folders loaded untimed, the third timed and reported."""
    database = tmp_path / "profile.duckdb"
    args = [str(xs_firm / "landing"), "psa__time_entries", str(database), "--nights", "3", "--last-only"]
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    reported = [line for line in out if line.endswith(" rejected")]
    third = sorted(p.name for p in (xs_firm / "landing" / "psa").iterdir())[2]
    assert len(reported) == 1 and reported[0].startswith(f"psa/{third}/time_entries")
    with duckdb.connect(str(database), read_only=True) as con:
        loads = con.execute("select load_id, count(*) from raw.loaded_files group by 1 order by 1").fetchall()
    assert loads == [("night-1", 1), ("night-2", 1), ("profile", 1)]
