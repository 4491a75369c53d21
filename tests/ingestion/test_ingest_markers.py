"""Completion markers are checked in full (rows, bytes, sha256); control characters in values are rejected."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from landing_files import write_extract

from ingestion.contract import COMPLETION_MARKER
from ingestion.rules import REJECT_RULES

SF = "salesforce"
D1 = "2026-11-18"
HEADER = "Id,Name,Type,SystemModstamp,IsDeleted"
OK1 = "001,Acme,Customer,2026-11-01 10:00:00,false"
OK2 = "002,Beta,Prospect,2026-11-01 11:00:00,false"
ACCOUNT = f"{HEADER}\n{OK1}\n{OK2}\n"


def _set_marker(folder: Path, name: str, **fields: object) -> None:
    marker = json.loads((folder / COMPLETION_MARKER).read_text())
    marker["files"][name].update(fields)
    (folder / COMPLETION_MARKER).write_text(json.dumps(marker))


def _rules(loaded, suffix: str) -> list[str]:
    return [
        r
        for (r,) in loaded.sql("select rule from raw.rejects where file like ? order by row", ["%" + suffix])
    ]


def test_more_rows_than_the_marker_says_refuses_the_file(landing: Path, load) -> None:
    write_extract(landing, SF, D1, {"account.csv": ACCOUNT}, rows={"account.csv": 1})
    loaded = load()
    acc = loaded.by_file("account.csv")
    assert (acc.status, acc.rows_read, acc.rows_loaded, acc.rows_rejected) == ("rejected", 2, 0, 2)
    assert "data rows: marker says 1, file has 2" in acc.message
    assert "row_count_mismatch" in acc.message
    assert _rules(loaded, "account.csv") == ["row_count_mismatch", "row_count_mismatch"]
    log = loaded.sql("select status, message from raw.load_log where file like '%account.csv'")
    assert log == [("rejected", acc.message)]
    assert loaded.sql("select count(*) from raw_salesforce.account") == [(0,)]


def test_wrong_byte_count_refuses_the_file(landing: Path, load) -> None:
    folder = write_extract(landing, SF, D1, {"account.csv": ACCOUNT})
    _set_marker(folder, "account.csv", bytes=len(ACCOUNT) + 7)
    acc = load().by_file("account.csv")
    assert acc.status == "rejected" and "(size_mismatch)" in acc.message
    assert f"bytes: marker says {len(ACCOUNT) + 7}, file has {len(ACCOUNT)}" in acc.message


def test_wrong_sha256_names_both_hashes(landing: Path, load) -> None:
    folder = write_extract(landing, SF, D1, {"account.csv": ACCOUNT})
    _set_marker(folder, "account.csv", sha256="0" * 64)
    acc = load().by_file("account.csv")
    real = hashlib.sha256(ACCOUNT.encode()).hexdigest()
    assert acc.status == "rejected" and "(checksum_mismatch)" in acc.message
    assert f"sha256: marker says {'0' * 64}, file has {real}" in acc.message


def test_fewer_rows_is_truncated_and_every_disagreement_is_named(landing: Path, load) -> None:
    folder = write_extract(landing, SF, D1, {"account.csv": ACCOUNT})
    _set_marker(folder, "account.csv", rows=5, bytes=1, sha256="f" * 64)
    acc = load().by_file("account.csv")
    assert acc.status == "rejected" and "(truncated)" in acc.message
    for part in ("data rows: marker says 5, file has 2", "bytes: marker says 1", "sha256: marker says fff"):
        assert part in acc.message


def test_marker_checked_on_empty_and_jsonl_files(landing: Path, load) -> None:
    folder = write_extract(landing, "psa", D1, {"roles.jsonl": "", "practices.jsonl": '{"id": "p1"}\n'})
    _set_marker(folder, "roles.jsonl", rows=3)
    _set_marker(folder, "practices.jsonl", bytes=2)
    loaded = load()
    assert loaded.by_file("roles.jsonl").status == "rejected"
    assert "data rows: marker says 3, file has 0" in loaded.by_file("roles.jsonl").message
    assert "(size_mismatch)" in loaded.by_file("practices.jsonl").message


def test_matching_marker_loads(landing: Path, load) -> None:
    write_extract(landing, SF, D1, {"account.csv": ACCOUNT})
    acc = load().by_file("account.csv")
    assert (acc.status, acc.rows_loaded) == ("loaded", 2)


def test_control_character_in_a_value_rejects_the_row(landing: Path, load) -> None:
    nul = "003,Gam\x00ma,Customer,2026-11-01 10:00:00,false"
    tab = "004,Tab\there,Customer,2026-11-01 10:00:00,false"
    write_extract(landing, SF, D1, {"account.csv": f"{HEADER}\n{OK1}\n{nul}\n{tab}\n"})
    loaded = load()
    acc = loaded.by_file("account.csv")
    assert (acc.status, acc.rows_loaded, acc.rows_rejected) == ("loaded_with_rejects", 2, 1)
    ((row, column, rule, message),) = loaded.sql(
        'select "row", "column", rule, message from raw.rejects where file like \'%account.csv\''
    )
    assert (row, column, rule) == (3, "name", "control_character")
    assert "control character U+0000 at character 4" in message
    assert loaded.sql("select id from raw_salesforce.account order by id") == [("001",), ("004",)]


def test_control_character_in_json_value_rejected_newline_kept(landing: Path, load) -> None:
    rec = '{{"id": {id}, "code": "C{id}", "name": "{name}", "updated_at": "2026-11-01 10:00:00"}}'
    lines = [rec.format(id=1, name="a\\u001bb"), rec.format(id=2, name="two\\nlines")]
    write_extract(landing, "psa", D1, {"practices.jsonl": "\n".join(lines) + "\n"})
    loaded = load()
    assert _rules(loaded, "practices.jsonl") == ["control_character"]
    assert loaded.sql("select id from raw_psa.practices") == [(2,)]


def test_every_rule_the_loader_can_emit_is_documented() -> None:
    """A rule the loader emits but the catalogue lacks would reach analysts undocumented."""
    root = Path(__file__).resolve().parents[2] / "ingestion"
    source = "\n".join(p.read_text(encoding="utf-8") for p in root.glob("*.py") if p.name != "rules.py")
    emitted = set(re.findall(r"'rule': '([a-z_]+)'", source))
    emitted |= set(re.findall(r"_FileRejected\(\s*\"([a-z_]+)\"", source))
    emitted |= set(re.findall(r"_file_reject\(con, r, \"([a-z_]+)\"", source))
    emitted |= set(re.findall(r"then '([a-z_]+)'", source))
    emitted |= set(re.findall(r"\(\"([a-z_]+)\", f?\"(?:data rows|bytes|sha256)", source))
    emitted |= set(re.findall(r'rule = "([a-z_]+)" if .* else "[a-z_]+"', source))
    emitted |= set(re.findall(r'rule = "[a-z_]+" if .* else "([a-z_]+)"', source))
    new = {"control_character", "row_count_mismatch", "size_mismatch", "checksum_mismatch", "truncated"}
    assert new <= emitted
    assert emitted - set(REJECT_RULES) == set()
