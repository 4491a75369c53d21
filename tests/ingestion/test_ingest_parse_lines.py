"""Reading a file in parts (files above DuckDB's read_text limit) gives the same lines and numbers."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingestion import parse

CONTENT = b'\xef\xbb\xbfid,name\r\n1,a\r\n\r\n2,b\n3,"c, d"\n\n4,e\n5,cut'


@pytest.mark.parametrize("max_bytes", [7, 13, 20, 1000])
def test_parts_equal_whole(tmp_path: Path, max_bytes: int) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(CONTENT)
    with duckdb.connect() as con:
        parse.read_lines(con, path, max_bytes=max_bytes)
        got = con.execute("select lineno, line, unterminated from _lines order by lineno").fetchall()
    assert got == [
        (1, "id,name", False),
        (2, "1,a", False),
        (4, "2,b", False),
        (5, '3,"c, d"', False),
        (7, "4,e", False),
        (8, "5,cut", True),
    ]
