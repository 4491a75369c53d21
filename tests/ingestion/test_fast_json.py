"""The fast path for JSON-lines files (``ingestion.fast_json``) loads exactly what the line path loads.

Each case loads the same landing twice, once with the fast path and once with ``THROUGHLINE_FAST_JSON=0``,
and compares every table the loader writes (history and current rows with their line numbers, rejects,
the load log), and checks which files took the fast path: a clean file must, and a file the line path has
anything to say about (a blank line, a broken or odd line, a rejected row) must not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from ingestion import fast_json, load
from ingestion.contract import load_contract
from ingestion.load import load_object, new_load_id
from ingestion.warehouse import current_table, history_table
from tests.ingestion.landing_files import write_extract

HEADER_KEYS = (
    '"id":{id},"resource_id":7,"project_id":3,"spent_date":"2026-10-{day:02d}","hours":{hours},'
    '"is_billable":true,"notes":{notes},"updated_at":"2026-10-20 09:00:00"'
)


def entry(id: int, day: int = 5, hours: str = "7.50", notes: str = '"Design"', extra: str = "") -> str:
    return "{" + HEADER_KEYS.format(id=id, day=day, hours=hours, notes=notes) + extra + "}"


def _load_tables(warehouse: Path, landing: Path, names: list[str]) -> dict[str, list[tuple]]:
    """Load ``names`` (``system.object``) and read back everything the loader wrote, sorted, without the load
    id and load time (they differ by design between two loads)."""
    objs = [load_contract(n.split(".")[0]).object(n.split(".")[1]) for n in names]
    with duckdb.connect(str(warehouse)) as con:
        load_id = new_load_id()
        for obj in objs:
            load_object(con, landing, obj, load_id)
        tables = {
            "load_log": "select system, object, file, sha256, status, rows_read, rows_loaded, rows_rejected,"
            " drift_columns, message, version_column from raw.load_log",
            "rejects": 'select file, "row", "column", rule, message, raw_text from raw.rejects',
        }
        for obj in objs:
            for table in (history_table(obj), current_table(obj)):
                tables[table] = f"select * exclude (_load_id, _loaded_at) from {table}"
        return {name: sorted(con.execute(sql).fetchall(), key=repr) for name, sql in tables.items()}


@pytest.fixture
def both_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[Path, list[str]], tuple[dict[str, list[tuple]], dict[str, bool]]]:
    """Load a landing with the fast path and without it; assert the two warehouses hold the same rows and
    return them with which files the fast path loaded."""

    def run(landing: Path, names: list[str]) -> tuple[dict[str, list[tuple]], dict[str, bool]]:
        took: dict[str, bool] = {}
        read_fast = load._read_fast

        def spy(con, lf, obj, r, hashed):  # type: ignore[no-untyped-def]
            fast = read_fast(con, lf, obj, r, hashed)
            if fast_json.enabled():  # the second load's files all say False
                took[lf.rel_path] = fast
            return fast

        monkeypatch.setattr(load, "_read_fast", spy)
        monkeypatch.setenv(fast_json.FAST_JSON_ENV, "1")
        fast = _load_tables(tmp_path / "fast.duckdb", landing, names)
        monkeypatch.setenv(fast_json.FAST_JSON_ENV, "0")
        lines = _load_tables(tmp_path / "lines.duckdb", landing, names)
        for table, rows in lines.items():
            assert fast[table] == rows, f"{table} differs between the fast path and the line path"
        return fast, took

    return run


def test_a_clean_file_takes_the_fast_path_with_the_same_rows_and_lines(tmp_path: Path, both_paths) -> None:  # type: ignore[no-untyped-def]
    landing = tmp_path / "landing"
    lines = [
        entry(1),
        entry(2, hours="195.00", notes='"caf\\u00e9, \\"quoted\\" \\n two lines"'),
        entry(3, notes="null", extra=',"ticket":{"ref":"T-9","tags":[1,2]}'),
    ]
    # every line carries the extra key (drift kept in _overflow), CRLF line ends, a BOM, no last line end
    text = "\ufeff" + "\r\n".join(
        line if "ticket" in line else line[:-1] + ',"ticket":"none"}' for line in lines
    )
    write_extract(landing, "psa", "2026-10-20", {"time_entries.jsonl": text})
    rows, took = both_paths(landing, ["psa.time_entries"])
    assert took == {"psa/2026-10-20/time_entries.jsonl": True}
    assert [r[4:8] for r in rows["load_log"]] == [("loaded", 3, 3, 0)]
    assert "schema drift: unknown column(s) ticket" in rows["load_log"][0][9]
    assert rows["rejects"] == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(entry(1) + "\n\n" + entry(2) + "\n", id="a blank line"),
        pytest.param(entry(1) + "\n" + entry(2, extra=',"ticket":"T-1"') + "\n", id="a line with other keys"),
        pytest.param(entry(1) + "\n" + entry(2, extra=',"hours":8') + "\n", id="a key twice in one object"),
        pytest.param(entry(1) + "\n" + entry(2)[:-1] + "\n", id="invalid JSON"),
        pytest.param(entry(1) + "\n[1, 2]\n", id="a JSON array"),
        pytest.param(entry(1) + "\n" + entry(2, hours='"seven"') + "\n", id="a value of the wrong type"),
        pytest.param(entry(1) + "\n" + entry(1, day=6) + "\n", id="a duplicate key"),
        pytest.param(entry(1) + "\n" + entry(2, notes='"tab\\u0001"') + "\n", id="a control character"),
        pytest.param(entry(1) + "\n" + entry(2, notes='"del\x7f"') + "\n", id="a DEL character"),
        pytest.param("", id="an empty file"),
    ],
)
def test_a_file_with_anything_to_reject_takes_the_line_path(
    tmp_path: Path,
    both_paths,  # type: ignore[no-untyped-def]
    text: str,
) -> None:
    landing = tmp_path / "landing"
    write_extract(landing, "psa", "2026-10-20", {"time_entries.jsonl": text})
    rows, took = both_paths(landing, ["psa.time_entries"])
    assert took == {"psa/2026-10-20/time_entries.jsonl": False}
    assert rows["load_log"]


def test_a_marker_that_disagrees_sends_the_file_to_the_line_path(tmp_path: Path, both_paths) -> None:  # type: ignore[no-untyped-def]
    landing = tmp_path / "landing"
    text = entry(1) + "\n" + entry(2) + "\n"
    write_extract(landing, "psa", "2026-10-20", {"time_entries.jsonl": text}, rows={"time_entries.jsonl": 3})
    rows, took = both_paths(landing, ["psa.time_entries"])
    assert took == {"psa/2026-10-20/time_entries.jsonl": False}
    assert rows["load_log"][0][4] == "rejected"


def test_the_xs_firm_loads_alike_on_both_paths(tmp_path: Path, xs_firm: Path, both_paths) -> None:  # type: ignore[no-untyped-def]
    """Every PSA object of the xs firm (JSON lines, with the firm's injected defects): the clean files take
    the fast path, the ones with a defect the line path, and the warehouse is the same either way."""
    names = [f"psa.{obj.name}" for obj in load_contract("psa").objects]
    _, took = both_paths(xs_firm / "landing", names)
    assert any(took.values()) and not all(took.values()), took


def test_a_file_read_in_parallel_keeps_its_line_numbers(tmp_path: Path) -> None:
    """33 MB: DuckDB reads it on several threads (with insertion order not preserved, its rows come back out
    of order), and every row still gets its own line number: entry ``i`` is on line ``i``. Checked against
    the file itself, not a second load on the line path (which would take four times as long)."""
    landing = tmp_path / "landing"
    notes = ['"Design"', '"' + "Build, test and a longer note about the sprint review. " * 4 + '"', "null"]
    text = "".join(
        entry(i, day=1 + i % 28, hours=f"{1 + i % 8}.25", notes=notes[i % 3]) + "\n"
        for i in range(1, 150_001)
    )
    write_extract(landing, "psa", "2026-10-20", {"time_entries.jsonl": text})
    obj = load_contract("psa").object("time_entries")
    with duckdb.connect(str(tmp_path / "fast.duckdb")) as con:
        (result,) = load_object(con, landing, obj, new_load_id())
        numbered = con.execute(
            f"select count(*), count(*) filter (where _source_row <> id), min(_source_row), max(_source_row)"
            f" from {history_table(obj)}"
        ).fetchone()
    assert (result.status, result.rows_read, result.rows_loaded) == ("loaded", 150_000, 150_000)
    assert numbered == (150_000, 0, 1, 150_000)


def test_a_connection_that_does_not_keep_insertion_order_takes_the_line_path(tmp_path: Path) -> None:
    path = tmp_path / "time_entries.jsonl"
    path.write_text(entry(1) + "\n" + entry(2) + "\n")
    with duckdb.connect() as con:
        con.execute("set preserve_insertion_order = false")
        assert fast_json.read(con, path, None)[:3] == ([], 2, False)
        con.execute("set preserve_insertion_order = true")
        assert fast_json.read(con, path, None)[1:3] == (2, True)


@pytest.mark.parametrize(
    ("content", "lines"),
    [(b"", 0), (b"{}\n", 1), (b"{}\n{}", 2), (b"{}\r\n\r\n{}\r\n", 3), (b"\n", 1)],
)
def test_the_byte_scan_counts_lines_as_the_line_path_numbers_them_and_hashes_the_file(
    tmp_path: Path, content: bytes, lines: int
) -> None:
    path = tmp_path / "f.jsonl"
    path.write_bytes(content)
    digest = hashlib.sha256()
    assert fast_json.count_lines(path, digest) == lines
    assert digest.hexdigest() == hashlib.sha256(content).hexdigest()


def test_only_a_file_with_a_backslash_or_a_del_is_searched_for_control_characters(tmp_path: Path) -> None:
    """JSON cannot hold a raw C0 character in a string: without an escape or a DEL, no value holds one."""
    cases = {
        "plain": (entry(1) + "\n", False),
        "escaped quote": (entry(1, notes='"a \\"b\\""') + "\n", True),
        "DEL": (entry(1, notes='"a\x7f"') + "\n", True),
    }
    with duckdb.connect() as con:
        for name, (text, escaped) in cases.items():
            path = tmp_path / f"{name}.jsonl"
            path.write_text(text)
            scan = fast_json.read(con, path, None)
            assert (scan.ok, scan.escaped) == (True, escaped), name


@pytest.mark.parametrize(
    ("extra", "fast", "status"),
    [
        pytest.param(',"odd \\"key\\"":1', True, "loaded", id="a drift key holding a quote"),
        pytest.param(',"Notes":"again"', False, "rejected", id="a key differing only by case"),
    ],
)
def test_odd_key_names_load_alike_on_both_paths(
    tmp_path: Path,
    both_paths,  # type: ignore[no-untyped-def]
    extra: str,
    fast: bool,
    status: str,
) -> None:
    """A key the SQL must quote reads on the fast path; two keys for one column reject the file (ambiguous
    header), which only the line path does."""
    landing = tmp_path / "landing"
    write_extract(landing, "psa", "2026-10-20", {"time_entries.jsonl": entry(1, extra=extra) + "\n"})
    rows, took = both_paths(landing, ["psa.time_entries"])
    assert took == {"psa/2026-10-20/time_entries.jsonl": fast}
    assert rows["load_log"][0][4] == status
