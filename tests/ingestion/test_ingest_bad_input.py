"""Every bad-input case ends in a message naming file, row, column and rule, with every row accounted for."""

from __future__ import annotations

from pathlib import Path

from landing_files import write_extract

SF = "salesforce"
D1 = "2026-11-18"
HEADER = "Id,Name,Type,SystemModstamp,IsDeleted"
OK1 = "001,Acme,Customer,2026-11-01 10:00:00,false"
OK2 = "002,Beta,Prospect,2026-11-01 11:00:00,false"


def _rejects(loaded, file_suffix: str) -> list[tuple]:
    return loaded.sql(
        'select "row", "column", rule, message, raw_text from raw.rejects where file like ? order by "row"',
        ["%" + file_suffix],
    )


def test_malformed_csv_lines_wrong_type_required_and_duplicate_key(landing: Path, load) -> None:
    lines = [
        HEADER,
        OK1,  # line 2
        '003,"Gamma, unbalanced,Customer,2026-11-01 10:00:00,false',  # 3 unbalanced quote
        "004,Delta,Customer,2026-11-01 10:00:00",  # 4 wrong field count
        "005,Eps,Customer,yesterday,false",  # 5 wrong type
        "006,,Customer,2026-11-01 10:00:00,false",  # 6 required value missing
        OK2,  # 7
        "001,Acme again,Customer,2026-11-02 10:00:00,false",  # 8 duplicate key of line 2
        '007,"Quoted ""name"", with comma",Partner,2026-11-01 10:00:00,',  # 9 fine
    ]
    write_extract(landing, SF, D1, {"account.csv": "\n".join(lines) + "\n"})
    loaded = load()
    r = loaded.by_file("account.csv")
    assert (r.status, r.rows_read, r.rows_loaded, r.rows_rejected) == ("loaded_with_rejects", 8, 3, 5)
    rej = _rejects(loaded, "account.csv")
    assert [(row, col, rule) for row, col, rule, _, _ in rej] == [
        (3, "name", "unbalanced_quote"),
        (4, None, "wrong_field_count"),
        (5, "system_modstamp", "wrong_type"),
        (6, "name", "required_missing"),
        (8, None, "duplicate_key"),
    ]
    assert rej[2][3] == (
        "salesforce/2026-11-18/account.csv line 5, column system_modstamp: "
        "value 'yesterday' is not a valid TIMESTAMP"
    )
    assert "already on line 2" in rej[4][3] and rej[4][4] == lines[7]
    assert rej[0][4] == lines[2]  # raw text kept
    assert loaded.sql("select id, name, _source_row from raw_salesforce.account order by id") == [
        ("001", "Acme", 2),
        ("002", "Beta", 7),
        ("007", 'Quoted "name", with comma', 9),
    ]


def test_invalid_json_line_and_non_object(landing: Path, load) -> None:
    good = '{"id": 1, "code": "DATA", "name": "Data", "updated_at": "2026-11-01 00:00:00", "tags": ["x"]}'
    content = (
        "\n".join(
            [
                good,
                '{"id": 2, "code": "X"',
                "[1, 2]",
                '{"id": 3, "code": "C", "name": null, "updated_at": "2026-11-01 00:00:00"}',
            ]
        )
        + "\n"
    )
    write_extract(landing, "psa", D1, {"practices.jsonl": content})
    loaded = load()
    r = loaded.by_file("practices.jsonl")
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (4, 1, 3)
    assert r.drift_columns == ["tags"]
    assert loaded.sql("select id, code, _overflow->'tags' from raw_psa.practices") == [(1, "DATA", '["x"]')]
    assert [(row, col, rule) for row, col, rule, *_ in _rejects(loaded, "practices.jsonl")] == [
        (2, None, "invalid_json"),
        (3, None, "not_an_object"),
        (4, "name", "required_missing"),
    ]


def test_required_column_missing_rejects_file_but_night_continues(landing: Path, load) -> None:
    write_extract(
        landing,
        SF,
        D1,
        {
            "account.csv": "Id,Type,SystemModstamp\n001,Customer,2026-11-01 10:00:00\n"
            "002,x,2026-11-01 10:00:00\n",
            "user.csv": "Id,Name,SystemModstamp\nu1,Bob,2026-11-01 10:00:00\n",
        },
    )
    loaded = load()
    acc = loaded.by_file("account.csv")
    assert (acc.status, acc.rows_read, acc.rows_loaded, acc.rows_rejected) == ("rejected", 2, 0, 2)
    assert "required column(s) name missing" in acc.message
    assert [(row, col, rule) for row, col, rule, *_ in _rejects(loaded, "account.csv")] == [
        (2, "name", "required_column_missing"),
        (3, "name", "required_column_missing"),
    ]
    assert loaded.by_file("user.csv").status == "loaded"
    assert loaded.sql("select count(*) from raw_salesforce.user") == [(1,)]
    assert loaded.sql("select count(*) from raw_salesforce.account__history") == [(0,)]


def test_unknown_extra_column_kept_in_overflow_and_reported_as_drift(landing: Path, load) -> None:
    write_extract(landing, SF, D1, {"account.csv": f"{HEADER},Tier__c\n{OK1},Gold\n"})
    loaded = load()
    r = loaded.by_file("account.csv")
    assert r.drift_columns == ["Tier__c"] and "schema drift" in r.message
    assert loaded.sql("select _overflow->>'Tier__c' from raw_salesforce.account") == [("Gold",)]
    assert loaded.sql("select drift_columns from raw.load_log where object = 'account'") == [(["Tier__c"],)]


def test_vendor_api_names_and_snake_case_headers_both_load(landing: Path, load) -> None:
    write_extract(landing, SF, D1, {"account.csv": f"{HEADER}\n{OK1}\n"})
    write_extract(
        landing, SF, "2026-11-19", {"account.csv": "id,name,type,system_modstamp,is_deleted\n" + OK2 + "\n"}
    )
    loaded = load()
    assert loaded.sql("select id, type from raw_salesforce.account order by id") == [
        ("001", "Customer"),
        ("002", "Prospect"),
    ]


def test_empty_header_only_bom_and_crlf_files(landing: Path, load) -> None:
    write_extract(
        landing,
        SF,
        D1,
        {
            "account.csv": b"\xef\xbb\xbf" + f"{HEADER}\r\n{OK1}\r\n{OK2}\r\n".encode(),
            "user.csv": b"",
            "product_2.csv": "Id,Name,SystemModstamp,IsDeleted\n",
        },
    )
    loaded = load()
    acc = loaded.by_file("account.csv")
    assert (acc.status, acc.rows_loaded, acc.rows_rejected) == ("loaded", 2, 0)
    assert loaded.sql("select id, type, is_deleted from raw_salesforce.account order by id") == [
        ("001", "Customer", False),
        ("002", "Prospect", False),
    ]
    product = loaded.by_file("product_2.csv")  # header only: a quiet delta
    assert (product.status, product.rows_read) == ("loaded", 0), product
    user = loaded.by_file("user.csv")  # not even a header: a warning, not a plain success
    assert (user.status, user.rows_read) == ("empty", 0), user
    assert "empty file" in user.message


def test_truncated_file_rejected_and_cut_last_line_rejected(landing: Path, load) -> None:
    files = {
        # the marker promises 5 rows but only 2 arrived: the whole file is rejected
        "account.csv": f"{HEADER}\n{OK1}\n{OK2}\n",
        # last line cut mid-record, no trailing newline: that row is rejected, the rest loads
        "user.csv": "Id,Name,SystemModstamp\nu1,Bob,2026-11-01 10:00:00\nu2,Al",
    }
    write_extract(landing, SF, D1, files, rows={"account.csv": 5})
    loaded = load()
    acc = loaded.by_file("account.csv")
    assert (acc.status, acc.rows_read, acc.rows_rejected) == ("rejected", 2, 2)
    assert "(truncated)" in acc.message and "data rows: marker says 5, file has 2" in acc.message
    user = loaded.by_file("user.csv")
    assert (user.status, user.rows_loaded, user.rows_rejected) == ("loaded_with_rejects", 1, 1)
    ((row, _, rule, message, raw),) = _rejects(loaded, "user.csv")
    assert (row, rule, raw) == (3, "truncated_line", "u2,Al")
    assert "last line is cut off" in message


def test_non_utf8_file_rejected_with_line(landing: Path, load) -> None:
    write_extract(
        landing,
        SF,
        D1,
        {"account.csv": f"{HEADER}\n{OK1}\n".encode() + b"003,Caf\xe9,Customer,2026-11-01 10:00:00,false\n"},
    )
    loaded = load()
    r = loaded.by_file("account.csv")
    assert r.status == "rejected" and r.rows_loaded == 0
    assert "not UTF-8: byte 0xe9 at line 3" in r.message
    assert (r.rows_read, r.rows_rejected) == (2, 2)
    rejected = _rejects(loaded, "account.csv")
    assert [(row, rule) for row, _, rule, *_ in rejected] == [(2, "not_utf8"), (3, "not_utf8")]
    assert rejected[1][4] == "003,Caf\ufffd,Customer,2026-11-01 10:00:00,false"


def test_empty_and_all_invalid_jsonl_files(landing: Path, load) -> None:
    write_extract(landing, "psa", D1, {"roles.jsonl": "", "practices.jsonl": "not json\n{also not\n"})
    loaded = load()
    assert (loaded.by_file("roles.jsonl").status, loaded.by_file("roles.jsonl").rows_read) == ("loaded", 0)
    r = loaded.by_file("practices.jsonl")
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (2, 0, 2)
    rules = [rule for _, _, rule, *_ in _rejects(loaded, "practices.jsonl")]
    assert rules == ["invalid_json", "invalid_json"]


def test_file_changed_after_marker_and_file_missing_are_failures(landing: Path, load) -> None:
    import json

    folder = write_extract(landing, SF, D1, {"account.csv": f"{HEADER}\n{OK1}\n"})
    (folder / "account.csv").write_text(f"{HEADER}\n{OK1}\n{OK2}\n")  # rewritten after the marker
    marker = json.loads((folder / "_SUCCESS.json").read_text())
    marker["files"]["user.csv"] = {"rows": 3}  # promised, never delivered
    (folder / "_SUCCESS.json").write_text(json.dumps(marker))
    loaded = load()
    acc = loaded.by_file("account.csv")
    assert (acc.status, acc.rows_read, acc.rows_rejected) == ("rejected", 2, 2)
    assert "checksum_mismatch" in acc.message
    user = loaded.by_file("user.csv")
    assert user.status == "missing" and user.failed
    assert loaded.sql("select count(*) from raw_salesforce.account") == [(0,)]
