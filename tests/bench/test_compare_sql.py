"""bench.compare_sql: two versions of a model's SQL are told apart by their rows and column types."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from bench.compare_sql import main


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table t as select range as id, range % 3 as k from range(1000)")
    return path


def _sql(tmp_path: Path, name: str, sql: str) -> Path:
    path = tmp_path / f"{name}.sql"
    path.write_text(sql)
    return path


def test_a_rewrite_with_the_same_rows_passes(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _sql(tmp_path, "old", "select k, count(*) as n from t group by k")
    new = _sql(tmp_path, "new", "select k, sum(1) as n from (select k from t) as s group by k")
    new_cast = _sql(tmp_path, "new_cast", "select k, cast(sum(1) as bigint) as n from t group by k")
    assert main([str(warehouse), str(old), str(new_cast)]) == 0
    out = capsys.readouterr().out
    assert "rows only in old: 0, only in new: 0, same column names and types: True" in out
    assert "peak" in out and "CPU" in out
    # sum(1) is a HUGEINT in DuckDB, count(*) a BIGINT: same values, another type, which fails
    assert main([str(warehouse), str(old), str(new)]) == 1


def test_a_rewrite_that_loses_or_doubles_a_row_fails(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _sql(tmp_path, "old", "select id from t")
    lost = _sql(tmp_path, "lost", "select id from t where id <> 7")
    doubled = _sql(tmp_path, "doubled", "select id from t union all select 7")
    assert main([str(warehouse), str(old), str(lost)]) == 1
    assert "rows only in old: 1, only in new: 0" in capsys.readouterr().out
    assert main([str(warehouse), str(old), str(doubled)]) == 1
    assert "rows only in old: 0, only in new: 1" in capsys.readouterr().out


def test_operators_name_where_the_time_went(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--operators N``: each version's N longest operators, with what they read, join or group."""
    old = _sql(tmp_path, "old", "select k, count(*) as n from t group by k")
    new = _sql(tmp_path, "new", "select t.k, count(*) as n from t join t as u on u.id = t.id group by t.k")
    assert main([str(warehouse), str(old), str(new), "--operators", "3"]) == 0
    out = capsys.readouterr().out
    old_part, new_part = out.split("new: ", 1)
    assert len([line for line in old_part.splitlines() if line.startswith("  ")]) == 3
    assert "HASH_GROUP_BY" in old_part and "Groups: " in old_part and "HASH_JOIN" not in old_part
    assert "Join Type: INNER" in new_part and "Conditions: " in new_part
    assert main([str(warehouse), str(old), str(new)]) == 0
    assert "HASH_GROUP_BY" not in capsys.readouterr().out  # none unless asked
