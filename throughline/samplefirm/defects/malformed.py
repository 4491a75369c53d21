"""Malformed rows in the written extract files: plain-text lines appended to a handful of files.

Each kind goes to its own file (chosen by a hash of seed, kind and path), so a file holds at most one bad
line and the truth manifest can name file (relative to ``landing/``), physical line number and column.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ingestion.contract import SourceObject, load_contract, normalize_header

from .store import rates, record_file

NUMERIC = ("BIGINT", "DOUBLE", "DECIMAL", "INTEGER")
TEMPORAL = ("DATE", "TIMESTAMP")
#: kind -> formats it applies to
FORMATS: dict[str, tuple[str, ...]] = {
    "MALFORMED_UNBALANCED_QUOTE": ("csv",),
    "MALFORMED_FIELD_COUNT": ("csv",),
    "MALFORMED_WRONG_TYPE": ("csv", "jsonl"),
    "MALFORMED_MISSING_REQUIRED": ("csv", "jsonl"),
    "MALFORMED_DUPLICATE_KEY": ("csv", "jsonl"),
    "MALFORMED_INVALID_JSON": ("jsonl",),
}
NEW_KEY_BASE = 9_000_000_000
#: Files up to this size are preferred (appending needs a line count of the file).
SMALL_FILE = 32 << 20


def _object(path: Path, landing: Path) -> SourceObject | None:
    rel = path.relative_to(landing)
    if len(rel.parts) != 3:
        return None
    try:
        return load_contract(rel.parts[0]).object_for_file(rel.parts[2])
    except FileNotFoundError:
        return None


def _candidates(landing: Path) -> list[tuple[Path, SourceObject]]:
    out = []
    for path in sorted(landing.glob("*/*/*")):
        obj = _object(path, landing) if path.is_file() else None
        if obj is None or len(obj.primary_key) != 1:
            continue
        with path.open("rb") as fh:
            lines = sum(1 for _ in zip(range(3), fh, strict=False))
        if lines >= (3 if obj.format == "csv" else 2):
            out.append((path, obj))
    small = [(p, o) for p, o in out if p.stat().st_size <= SMALL_FILE]
    return small or out


def _first_record(path: Path, obj: SourceObject) -> tuple[list[str], dict[str, Any]]:
    """Header names (as written) and the first data record, keyed by contract column name."""
    with path.open(encoding="utf-8", newline="") as fh:
        if obj.format == "csv":
            reader = csv.reader(fh)
            header = next(reader)
            values = next(reader)
            by_key = {k: c.name for c in obj.columns for k in c.header_keys}
            return header, {
                by_key.get(normalize_header(h), h): v for h, v in zip(header, values, strict=False)
            }
        first = json.loads(fh.readline())
        return list(first), dict(first)


def _render(path: Path, obj: SourceObject, header: list[str], row: dict[str, Any]) -> str:
    if obj.format == "csv":
        by_key = {k: c.name for c in obj.columns for k in c.header_keys}
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(
            [
                ""
                if row.get(by_key.get(normalize_header(h), h)) is None
                else row.get(by_key.get(normalize_header(h), h))
                for h in header
            ]
        )
        return buf.getvalue()
    return json.dumps(row, ensure_ascii=False)


def _new_key(obj: SourceObject, row: dict[str, Any], n: int) -> Any:
    pk = obj.primary_key[0]
    if obj.column(pk).type.upper().startswith(NUMERIC):
        return NEW_KEY_BASE + n if obj.format == "jsonl" else str(NEW_KEY_BASE + n)
    return f"{str(row[pk])[:12]}BADROW{n % 10}"[:18]


def _column(obj: SourceObject, row: dict[str, Any], want: Callable[[Any], bool]) -> str | None:
    for c in obj.columns:
        if c.name not in obj.primary_key and c.name in row and want(c):
            return c.name
    return None


def _bad_line(
    kind: str, path: Path, obj: SourceObject, n: int
) -> tuple[str, dict[str, Any], str | None] | None:
    """The text of the bad line, its intended record key, and the column at fault (if any)."""
    header, row = _first_record(path, obj)
    pk = obj.primary_key[0]
    key = {pk: row[pk]}
    if kind != "MALFORMED_DUPLICATE_KEY":
        row = {**row, pk: _new_key(obj, row, n)}
        key = {pk: row[pk]}
    col: str | None = None
    if kind == "MALFORMED_UNBALANCED_QUOTE":
        col = _column(obj, row, lambda c: c.type.upper() == "VARCHAR")
        if col is None:
            return None
        row[col] = "QQQUNBALANCEDQQQ"
        return _render(path, obj, header, row).replace("QQQUNBALANCEDQQQ", '"Unclosed quote, Ltd'), key, col
    if kind == "MALFORMED_FIELD_COUNT":
        return _render(path, obj, header, row) + ",unexpected extra field", key, None
    if kind == "MALFORMED_WRONG_TYPE":
        col = _column(obj, row, lambda c: c.type.upper().startswith(NUMERIC + TEMPORAL))
        if col is None:
            return None
        row[col] = "twelve" if obj.column(col).type.upper().startswith(NUMERIC) else "31/02/2025 25:61"
    elif kind == "MALFORMED_MISSING_REQUIRED":
        col = _column(obj, row, lambda c: c.required)
        if col is None:
            return None
        row[col] = None
    elif kind == "MALFORMED_DUPLICATE_KEY":
        col = _column(obj, row, lambda c: c.type.upper() == "VARCHAR" and c.name != obj.modified_at)
        if col is not None:
            row[col] = f"{row[col] or ''} (conflicting copy)"
    elif kind == "MALFORMED_INVALID_JSON":
        text = json.dumps(row, ensure_ascii=False)
        return text[: max(10, len(text) // 2)], key, None
    return _render(path, obj, header, row), key, col


def _append(path: Path, line: str) -> int:
    """Append one line (streaming: files can be large); returns its 1-based physical line number."""
    count, last, head = 0, b"", b""
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            head = head or chunk[:4096]
            count += chunk.count(b"\n")
            last = chunk[-1:]
    newline = b"\r\n" if b"\r\n" in head else b"\n"
    prefix = newline if last not in (b"", b"\n") else b""
    with path.open("ab") as fh:
        fh.write(prefix + line.encode("utf-8") + newline)
    return count + (1 if prefix else 0) + 1


def _typed(obj: SourceObject, column: str, value: Any) -> Any:
    """Key values as the contract types them (CSV cells are text)."""
    if isinstance(value, str) and obj.column(column).type.upper().startswith("BIGINT") and value.isdigit():
        return int(value)
    return value


def _order(seed: int, kind: str, rel: Path) -> str:
    return hashlib.sha256(f"{seed}|{kind}|{rel.as_posix()}".encode()).hexdigest()


def corrupt_files(ctx: Any, landing: Path) -> None:
    candidates = _candidates(landing)
    used: set[Path] = set()
    n = 0
    for kind, formats in FORMATS.items():
        per_format = int(round(rates(ctx).rate(kind)))
        for fmt in formats:
            pool = [(p, o) for p, o in candidates if o.format == fmt and p not in used]
            pool.sort(key=lambda po, k=kind: _order(ctx.seed, k, po[0].relative_to(landing)))
            done = 0
            for path, obj in pool:
                if done >= per_format:
                    break
                n += 1
                bad = _bad_line(kind, path, obj, n)
                if bad is None:
                    continue
                text, key, col = bad
                key = {k: _typed(obj, k, v) for k, v in key.items()}
                line = _append(path, text)
                used.add(path)
                done += 1
                rel = path.relative_to(landing)
                record_file(
                    ctx,
                    kind,
                    obj.system,
                    obj.name,
                    rel.as_posix(),
                    line,
                    json.dumps(key, default=str),
                    col,
                    f"{kind.removeprefix('MALFORMED_').replace('_', ' ').lower()} "
                    f"at line {line}" + (f", column {col}" if col else ""),
                    rel.parts[1],
                )
