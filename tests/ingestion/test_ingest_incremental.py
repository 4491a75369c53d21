"""History, current state, deletes, late older extracts, idempotency by content hash, landing safety."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest
from landing_files import write_extract

from ingestion.contract import COMPLETION_MARKER

SF = "salesforce"
HEADER = "Id,Name,Type,SystemModstamp,IsDeleted"


def _acc(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def test_deltas_build_history_and_current_state_with_deletes(landing: Path, load) -> None:
    write_extract(
        landing,
        SF,
        "2026-11-18",
        {
            "account.csv": _acc(
                "001,Acme,Customer,2026-11-01 10:00:00,false",
                "002,Beta,Prospect,2026-11-01 10:00:00,false",
                "003,Gamma,Prospect,2026-11-01 10:00:00,false",
            )
        },
        extract_type="full",
    )
    write_extract(
        landing,
        SF,
        "2026-11-19",
        {
            "account.csv": _acc(
                "002,Beta Ltd,Customer,2026-11-19 01:00:00,false",
                "003,Gamma,Prospect,2026-11-19 02:00:00,true",
            )
        },
    )
    loaded = load()
    assert loaded.sql(
        "select id, name, type, _extract_date::varchar from raw_salesforce.account order by id"
    ) == [
        ("001", "Acme", "Customer", "2026-11-18"),
        ("002", "Beta Ltd", "Customer", "2026-11-19"),
    ]
    assert loaded.sql(
        "select id, _is_deleted, _source_file, _source_row from raw_salesforce.account__history "
        "where id = '003' order by _extract_date"
    ) == [
        ("003", False, "salesforce/2026-11-18/account.csv", 4),
        ("003", True, "salesforce/2026-11-19/account.csv", 3),
    ]


def test_older_extract_arriving_late_does_not_overwrite_newer(landing: Path, load) -> None:
    write_extract(
        landing, SF, "2026-11-19", {"account.csv": _acc("001,Acme New,Customer,2026-11-19 01:00:00,false")}
    )
    first = load()
    assert first.sql("select name from raw_salesforce.account") == [("Acme New",)]
    write_extract(
        landing,
        SF,
        "2026-11-18",
        {
            "account.csv": _acc(
                "001,Acme Old,Customer,2026-11-18 01:00:00,false",
                "004,Delta,Customer,2026-11-18 01:00:00,false",
            )
        },
    )
    late = load()
    assert late.by_file("2026-11-18/account.csv").rows_loaded == 2
    assert late.sql("select id, name from raw_salesforce.account order by id") == [
        ("001", "Acme New"),
        ("004", "Delta"),
    ]
    assert late.sql("select count(*) from raw_salesforce.account__history") == [(3,)]


def test_same_file_twice_and_rerun_are_no_ops(landing: Path, load) -> None:
    content = _acc("001,Acme,Customer,2026-11-18 01:00:00,false")
    write_extract(landing, SF, "2026-11-18", {"account.csv": content})
    write_extract(landing, SF, "2026-11-19", {"account.csv": content})  # re-delivered copy
    loaded = load()
    assert loaded.by_file("2026-11-18/account.csv").status == "loaded"
    dup = loaded.by_file("2026-11-19/account.csv")
    assert dup.status == "skipped_duplicate" and "2026-11-18/account.csv" in dup.message
    snapshot = loaded.sql("select count(*) from raw.load_log"), loaded.sql("select count(*) from raw.rejects")
    again = load()
    assert again.results == []
    assert (
        again.sql("select count(*) from raw.load_log"),
        again.sql("select count(*) from raw.rejects"),
    ) == snapshot
    assert again.sql("select count(*) from raw_salesforce.account__history") == [(1,)]


def _count_hashes(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files the loader hashes from now on: on their own, or while reading them (a new path)."""
    import ingestion.load
    import ingestion.parse

    hashed: list[Path] = []
    real_hash, real_read = ingestion.load.sha256_of, ingestion.parse.read_lines

    def spy(path: Path) -> str:
        hashed.append(path)
        return real_hash(path)

    def read_spy(con: object, path: Path, *args: object, **kwargs: object) -> None:
        if kwargs.get("digest") is not None:
            hashed.append(path)
        real_read(con, path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ingestion.load, "sha256_of", spy)
    monkeypatch.setattr(ingestion.parse, "read_lines", read_spy)
    return hashed


def test_a_file_read_before_is_not_hashed_again(landing: Path, load, monkeypatch: pytest.MonkeyPatch) -> None:
    write_extract(
        landing, SF, "2026-11-18", {"account.csv": _acc("001,Acme,Customer,2026-11-18 01:00:00,false")}
    )
    load()
    hashed = _count_hashes(monkeypatch)
    write_extract(
        landing, SF, "2026-11-19", {"account.csv": _acc("002,Beta,Customer,2026-11-19 01:00:00,false")}
    )
    night = load()
    assert [r.file for r in night.results] == ["salesforce/2026-11-19/account.csv"]
    assert [p.parent.name for p in hashed] == ["2026-11-19"]  # only the new night's file
    assert night.sql("select count(*) from raw.loaded_files where bytes is null or modified_ns is null") == [
        (0,)
    ]


def test_a_file_rewritten_in_place_is_hashed_and_loaded(
    landing: Path, load, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same path and size, new content and modification time (a re-delivery): read again, nothing lost."""
    folder = write_extract(
        landing, SF, "2026-11-18", {"account.csv": _acc("001,Acme,Customer,2026-11-18 01:00:00,false")}
    )
    load()
    path = folder / "account.csv"
    before = path.stat()
    write_extract(
        landing, SF, "2026-11-18", {"account.csv": _acc("001,Acne,Customer,2026-11-18 01:00:00,false")}
    )
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000))
    assert path.stat().st_size == before.st_size
    hashed = _count_hashes(monkeypatch)
    again = load()
    assert hashed == [path]
    assert again.sql("select name from raw_salesforce.account") == [("Acne",)]


def test_a_warehouse_without_file_times_hashes_once_then_trusts_them(
    landing: Path, load, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warehouse loaded before ``modified_ns`` existed: each file is hashed once more, then remembered."""
    write_extract(
        landing, SF, "2026-11-18", {"account.csv": _acc("001,Acme,Customer,2026-11-18 01:00:00,false")}
    )
    first = load()
    with duckdb.connect(str(first.warehouse)) as con:
        con.execute("update raw.loaded_files set bytes = null, modified_ns = null")
    hashed = _count_hashes(monkeypatch)
    assert load().results == [] and len(hashed) == 1
    assert load().results == [] and len(hashed) == 1


def test_folder_without_marker_waits_then_loads(landing: Path, load) -> None:
    write_extract(
        landing,
        SF,
        "2026-11-18",
        {"account.csv": _acc("001,Acme,Customer,2026-11-18 01:00:00,false")},
        marker=False,
    )
    waiting = load()
    assert [(r.file, r.status) for r in waiting.results] == [
        (str(landing), "no_extract"),  # nothing complete yet: the night says so
        ("salesforce/2026-11-18", "waiting"),
    ]
    assert waiting.sql("select count(*) from raw_salesforce.account") == [(0,)]
    write_extract(
        landing, SF, "2026-11-18", {"account.csv": _acc("001,Acme,Customer,2026-11-18 01:00:00,false")}
    )
    assert load().by_file("account.csv").status == "loaded"


def test_unknown_object_reported_not_loaded(landing: Path, load) -> None:
    write_extract(landing, SF, "2026-11-18", {"lead.csv": "Id,Name\n1,x\n"})
    loaded = load()
    r = loaded.by_file("lead.csv")
    assert r.status == "unknown_object" and "no contract for 'lead.csv'" in r.message
    assert loaded.sql("select count(*) from information_schema.tables where table_name = 'lead'") == [(0,)]


def test_file_names_escaping_the_landing_folder_are_refused(landing: Path, tmp_path: Path, load) -> None:
    secret = tmp_path / "outside.csv"
    secret.write_text(_acc("999,Secret,Customer,2026-11-18 01:00:00,false"))
    folder = write_extract(
        landing, SF, "2026-11-18", {"user.csv": "Id,Name,SystemModstamp\nu1,Bob,2026-11-18 01:00:00\n"}
    )
    os.symlink(secret, folder / "account.csv")
    marker = json.loads((folder / COMPLETION_MARKER).read_text())
    marker["files"]["account.csv"] = {"rows": 1}
    marker["files"]["../../outside.csv"] = {"rows": 1}
    (folder / COMPLETION_MARKER).write_text(json.dumps(marker))
    loaded = load()
    sym = loaded.by_file("/account.csv")
    assert sym.status == "refused" and "outside the landing folder" in sym.message
    dotdot = loaded.by_file("../../outside.csv")
    assert dotdot.status == "refused" and "tries to leave its extract folder" in dotdot.message
    assert loaded.sql("select count(*) from raw_salesforce.account__history") == [(0,)]
    assert loaded.by_file("user.csv").status == "loaded"
    again = load()  # reported once, not every night
    assert again.results == []
    assert again.sql("select count(*) from raw.rejects where rule = 'path_escape'") == [(2,)]
