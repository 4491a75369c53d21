"""CSV is read as RFC 4180: quoted fields hold commas, doubled quotes and line breaks; a record spanning
lines loads once with its first line number; genuinely malformed quoting is rejected per line, with the
column, without swallowing the rest of the file. Hand-made files, exact rows and line numbers."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from landing_files import write_extract

from ingestion import parse

SF, D1 = "salesforce", "2026-11-18"
HEADER = "Id,Name,BillingCity,SystemModstamp,IsDeleted"
TS = "2026-11-01 10:00:00"

MULTILINE = [
    HEADER,  # 1
    f'001,"Acme, Inc.","12 Main St\nSuite 4",{TS},false',  # 2-3: address over two lines, comma in name
    f'002,"The ""Best"" Co",Leeds,{TS},false',  # 4: doubled quotes
    f'003,"Multi\n\nblank, ""quoted""\nend",York,{TS},false',  # 5-8: blank line inside the field
    f"004,Plain,Bath,{TS},false",  # 9
]
EXPECTED = [
    ("001", "Acme, Inc.", "12 Main St{nl}Suite 4", 2),
    ("002", 'The "Best" Co', "Leeds", 4),
    ("003", 'Multi{nl}{nl}blank, "quoted"{nl}end', "York", 5),
    ("004", "Plain", "Bath", 9),
]


def _accounts(loaded) -> list[tuple]:
    return loaded.sql("select id, name, billing_city, _source_row from raw_salesforce.account order by id")


def _rejects(loaded) -> list[tuple]:
    return loaded.sql('select "row", "column", rule, raw_text from raw.rejects order by "row"')


@pytest.mark.parametrize(("eol", "bom"), [("\n", ""), ("\r\n", "\ufeff")], ids=["lf", "crlf-bom"])
def test_quoted_line_breaks_quotes_and_commas_load_as_one_record(
    landing: Path, load_only, eol: str, bom: str
) -> None:
    """Line breaks inside a field are kept byte for byte (CRLF stays CRLF); line ends and BOM are not data."""
    text = bom + eol.join(MULTILINE).replace("\n", eol) + eol
    write_extract(landing, SF, D1, {"account.csv": text.encode("utf-8")}, rows={"account.csv": 4})
    loaded = load_only("salesforce.account")
    r = loaded.by_file("account.csv")
    assert (r.status, r.rows_read, r.rows_loaded, r.rows_rejected) == ("loaded", 4, 4, 0)
    assert _accounts(loaded) == [(i, n.format(nl=eol), c.format(nl=eol), row) for i, n, c, row in EXPECTED]


def test_quote_never_closed_rejects_its_line_and_the_rest_still_loads(landing: Path, load_only) -> None:
    lines = [
        HEADER,
        f"001,Acme,Leeds,{TS},false",  # 2
        f'002,"Beta,York,{TS},false',  # 3: the quote is never closed (no later line closes it)
        f"003,Gamma,Bath,{TS},false",  # 4
        f"004,Delta,Hull,{TS},false",  # 5
        '005,"Eps',  # 6: opened on the last line, at the end of the file
    ]
    write_extract(landing, SF, D1, {"account.csv": "\n".join(lines) + "\n"}, rows={"account.csv": 5})
    loaded = load_only("salesforce.account")
    r = loaded.by_file("account.csv")
    assert (r.status, r.rows_read, r.rows_loaded, r.rows_rejected) == ("loaded_with_rejects", 5, 3, 2)
    assert _rejects(loaded) == [
        (3, "name", "unbalanced_quote", lines[2]),
        (6, "name", "unbalanced_quote", lines[5]),
    ]
    assert [(i, row) for i, _, _, row in _accounts(loaded)] == [("001", 2), ("003", 4), ("004", 5)]
    message = loaded.sql('select message from raw.rejects where "row" = 3')[0][0]
    assert message.startswith("salesforce/2026-11-18/account.csv line 3, column name: unbalanced quote")


def test_stray_quote_does_not_swallow_the_next_multiline_record(landing: Path, load_only) -> None:
    lines = [
        HEADER,
        f'001,Ac"me,Leeds,{TS},false',  # 2: a quote inside an unquoted field
        f'002,"Two\nlines",York,{TS},false',  # 3-4
        f'003,"x"y,Bath,{TS},false',  # 5: text after a closing quote
        f'004,Four,"Hull\n",{TS}',  # 6-7: one field short, the record still spans two lines
    ]
    write_extract(landing, SF, D1, {"account.csv": "\n".join(lines) + "\n"}, rows={"account.csv": 4})
    loaded = load_only("salesforce.account")
    r = loaded.by_file("account.csv")
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (4, 1, 3)
    assert _rejects(loaded) == [
        (2, "name", "unbalanced_quote", lines[1]),
        (5, "name", "malformed_quoting", lines[3]),
        (6, None, "wrong_field_count", lines[4]),
    ]
    assert _accounts(loaded) == [("002", "Two\nlines", "York", 3)]


def test_file_cut_inside_a_quoted_field_rejects_both_lines(landing: Path, load_only) -> None:
    content = f'{HEADER}\n001,Acme,Leeds,{TS},false\n002,"Beta\nstill inside'
    write_extract(landing, SF, D1, {"account.csv": content}, rows={"account.csv": 3})
    loaded = load_only("salesforce.account")
    assert [(row, col, rule) for row, col, rule, _ in _rejects(loaded)] == [
        (3, "name", "unbalanced_quote"),
        (4, None, "truncated_line"),  # read on its own once line 3 is split back; no line end
    ]
    r = loaded.by_file("account.csv")
    assert (r.rows_read, r.rows_loaded) == (3, 1)


CONTENT = b'\xef\xbb\xbfid,note\r\n1,"a\r\n\r\nb"\r\n2,plain\n3,"x,\n""y"""\n\n4,"cut'


@pytest.mark.parametrize("max_bytes", [9, 16, 30, 1000])
def test_records_across_read_parts_equal_whole(tmp_path: Path, max_bytes: int) -> None:
    """A file read in parts (DuckDB's read_text limit) gives the same records, even one cut by a part end."""
    path = tmp_path / "f.csv"
    path.write_bytes(CONTENT)
    with duckdb.connect() as con:
        parse.read_lines(con, path, max_bytes=max_bytes, csv_records=True)
        got = con.execute("select lineno, line, unterminated from _lines order by lineno").fetchall()
    assert got == [
        (1, "id,note", False),
        (2, '1,"a\r\n\r\nb"', False),
        (5, "2,plain", False),
        (6, '3,"x,\n""y"""', False),
        (9, '4,"cut', True),
    ]
