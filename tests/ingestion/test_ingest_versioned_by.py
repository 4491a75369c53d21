"""A contract's ``versioned_by`` fallbacks: a file uses the first version column it carries, the choice is
logged, the current state orders versions across files that used different columns, and a file with none
of them is refused naming them."""

from __future__ import annotations

from pathlib import Path

import pytest
from landing_files import write_extract

from ingestion.contract import _parse

SF = "salesforce"
DAY1_HEADER = "Id,Name,SystemModstamp"
DAY1_ROWS = ["001,Old name,2026-11-01 10:00:00", "002,Two,2026-11-01 10:00:00"]


def test_sync_without_system_modstamp_loads_on_the_next_version_column(landing: Path, load_only) -> None:
    write_extract(
        landing,
        SF,
        "2026-11-17",
        {"account.csv": "\n".join([DAY1_HEADER, *DAY1_ROWS]) + "\n"},
    )
    write_extract(
        landing,
        SF,
        "2026-11-18",
        {
            "account.csv": "Id,Name,LastModifiedDate,_fivetran_synced\n"
            "001,New name,2026-11-05 09:00:00,2026-11-18 03:00:00\n"
            "002,Older edit,2026-10-01 09:00:00,2026-11-18 03:00:00\n"
            "003,Synced only,,2026-11-18 03:00:00\n"
            "004,No version,,\n"
        },
    )
    loaded = load_only("salesforce.account")
    day1, day2 = sorted((r for r in loaded.results if r.object == "account"), key=lambda r: r.file)
    assert (day1.version_column, day1.status) == ("system_modstamp", "loaded")
    assert (day2.version_column, day2.rows_loaded, day2.rows_rejected) == ("last_modified_date", 3, 1)
    assert "versioned by last_modified_date (system_modstamp absent)" in day2.message
    assert loaded.sql(
        "select file, version_column from raw.load_log where object = 'account' order by file"
    ) == [
        ("salesforce/2026-11-17/account.csv", "system_modstamp"),
        ("salesforce/2026-11-18/account.csv", "last_modified_date"),
    ]
    # an empty version value falls back per row; a row with none is rejected, naming the file's column
    assert loaded.sql('select "row", "column", rule, message from raw.rejects') == [
        (
            5,
            "last_modified_date",
            "required_missing",
            "salesforce/2026-11-18/account.csv line 5, column last_modified_date: "
            "version value missing (last_modified_date, _fivetran_synced all empty)",
        )
    ]
    # 001 edited 11-05 beats its 11-01 version; 002's 10-01 edit is older than the 11-01 version it had
    assert loaded.sql("select id, name from raw_salesforce.account order by id") == [
        ("001", "New name"),
        ("002", "Two"),
        ("003", "Synced only"),
    ]


def test_file_without_any_version_column_is_refused_naming_them(landing: Path, load_only) -> None:
    write_extract(landing, SF, "2026-11-18", {"account.csv": "Id,Name\n001,Acme\n"})
    r = load_only("salesforce.account").by_file("account.csv")
    assert (r.status, r.rows_rejected) == ("rejected", 1)
    assert "none of the version columns system_modstamp, last_modified_date, _fivetran_synced" in r.message, (
        r.message
    )


def _contract(obj: dict, defaults: dict | None = None) -> dict:
    base = {"name": "thing", "file": "thing.csv", "primary_key": ["id"]}
    return {"format": "csv", "schema": "raw_x", "defaults": defaults or {}, "objects": [base | obj]}


def _cols(*extra: dict) -> list[dict]:
    return [{"name": "id", "type": "VARCHAR"}, *extra]


A = {"name": "a", "type": "TIMESTAMP"}
B = {"name": "b", "type": "TIMESTAMP"}


def test_contract_forms_and_their_checks() -> None:
    legacy = _parse("x", _contract({"modified_at": "a", "columns": _cols(A)})).objects[0]
    assert (legacy.versioned_by, legacy.modified_at, legacy.has_version_fallbacks) == (("a",), "a", False)
    fallback = _parse("x", _contract({"columns": _cols(A, B)}, {"versioned_by": ["a", "b"]})).objects[0]
    assert (fallback.versioned_by, fallback.version_column_for({"id", "b"})) == (("a", "b"), "b")
    assert fallback.version_column_for({"id"}) is None
    own_wins = _parse("x", _contract({"modified_at": "b", "columns": _cols(A, B)}, {"versioned_by": ["a"]}))
    assert own_wins.objects[0].versioned_by == ("b",)
    bad = {
        "not both": {"modified_at": "a", "versioned_by": ["a"], "columns": _cols(A)},
        "not a declared column": {"versioned_by": ["a", "zz"], "columns": _cols(A)},
        "different types": {"versioned_by": ["a", "d"], "columns": _cols(A, {"name": "d", "type": "DATE"})},
        "must not be required": {"versioned_by": ["a", "b"], "columns": _cols(A, B | {"required": True})},
        "no versioned_by": {"columns": _cols(A)},
    }
    for expected, obj in bad.items():
        with pytest.raises(ValueError, match=expected):
            _parse("x", _contract(obj))
