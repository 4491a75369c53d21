"""Reading a file in parts (files above DuckDB's read_text limit) gives the same lines and numbers."""

from __future__ import annotations

import hashlib
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


@pytest.mark.parametrize("max_bytes", [7, 13, 1000])
def test_the_file_is_hashed_while_it_is_read(tmp_path: Path, max_bytes: int) -> None:
    """The loader hashes a new file in the same pass that reads it: the digest is the whole file's."""
    path = tmp_path / "f.csv"
    path.write_bytes(CONTENT)
    digest = hashlib.sha256()
    with duckdb.connect() as con:
        parse.read_lines(con, path, max_bytes=max_bytes, digest=digest)
        lines = con.execute("select count(*), max(lineno) from _lines").fetchone()
    assert digest.hexdigest() == hashlib.sha256(CONTENT).hexdigest()
    assert lines == (6, 8)


def test_parts_are_copied_without_sendfile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the kernel cannot copy between two files, the parts are copied through Python, unchanged."""
    path = tmp_path / "f.csv"
    path.write_bytes(CONTENT)

    def no_sendfile(*args: object) -> int:
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(parse.os, "sendfile", no_sendfile)
    digest = hashlib.sha256()
    with duckdb.connect() as con:
        parse.read_lines(con, path, max_bytes=7, digest=digest)
        got = con.execute("select lineno, line from _lines order by lineno").fetchall()
    assert [n for n, _ in got] == [1, 2, 4, 5, 7, 8] and got[-1] == (8, "5,cut")
    assert digest.hexdigest() == hashlib.sha256(CONTENT).hexdigest()
