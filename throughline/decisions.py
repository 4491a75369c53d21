"""``throughline decisions FILE --landing DIR``: land the controller's reviewed decisions file.

The decisions file (ingestion/contracts/controller.yml: check_id, record_key, decision, reason, decided_by,
decided_on, expires_on) is loaded like any extract: from ``<landing>/controller/<YYYY-MM-DD>/
break_decisions.csv`` once that folder's ``_SUCCESS.json`` exists. This command writes both, so the
controller never edits a marker by hand: it copies the file into the folder of the given day (default
today) and writes the marker last, with the file's bytes and sha256 (a file changed afterwards is refused
by the loader). The next nightly run loads it; malformed rows go to ``raw.rejects`` with file, line and
column. A day's folder is written once: a second file for the same day is refused (use the next day).
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from ingestion.contract import COMPLETION_MARKER, load_contract, normalize_header
from ingestion.landing import sha256_of
from ingestion.parse import csv_header  # the loader's own header reader

SYSTEM = "controller"


class DecisionsError(Exception):
    """The file cannot be landed as it is; the message says what to do."""


def _check_header(path: Path) -> None:
    """Refuse a file that is not a decisions CSV at all (the loader would reject every row of it)."""
    obj = load_contract(SYSTEM).object("break_decisions")
    try:
        first = path.read_text(encoding="utf-8").splitlines()[:1]
    except UnicodeDecodeError as exc:
        raise DecisionsError(f"{path} is not UTF-8 ({exc.reason}); save it as UTF-8 CSV") from exc
    header = {normalize_header(h) for h in csv_header(first[0])} if first else set()
    missing = [c for c in obj.required_columns if normalize_header(c) not in header]
    if missing:
        raise DecisionsError(
            f"{path} lacks column(s) {', '.join(missing)}; the header must be {','.join(obj.column_names)}"
        )


def land_decisions(path: Path, landing: Path, on: date) -> Path:
    """Copy ``path`` into ``<landing>/controller/<on>/`` with its completion marker; return the folder."""
    if not path.is_file():
        raise DecisionsError(f"no decisions file at {path}")
    _check_header(path)
    obj = load_contract(SYSTEM).object("break_decisions")
    folder = landing / SYSTEM / on.isoformat()
    if (folder / COMPLETION_MARKER).exists():
        raise DecisionsError(
            f"{folder} already holds a decisions file; land this one with --date for another day"
        )
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / obj.file
    shutil.copyfile(path, target)
    marker = {
        "system": SYSTEM,
        "extract_date": on.isoformat(),
        "extract_type": "delta",
        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "files": {obj.file: {"bytes": target.stat().st_size, "sha256": sha256_of(target)}},
    }
    (folder / COMPLETION_MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
    return folder


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    d = sub.add_parser(
        "decisions",
        help="land the controller's reviewed break decisions CSV (acknowledge or waive) for the nightly",
    )
    d.add_argument("file", help="CSV: check_id,record_key,decision,reason,decided_by,decided_on,expires_on")
    d.add_argument("--landing", required=True, help="the landing folder the nightly run reads")
    d.add_argument("--date", type=date.fromisoformat, help="day folder to land it in (default: today)")
    return d


def main(args: argparse.Namespace) -> int:
    """Exit 0 when landed, 2 when the file or the folder is not usable (message on stderr)."""
    try:
        folder = land_decisions(Path(args.file), Path(args.landing), args.date or date.today())
    except DecisionsError as exc:
        print(f"throughline decisions: {exc}", file=sys.stderr)
        return 2
    print(f"landed {folder}; the next `throughline run --landing {shlex.quote(args.landing)}` loads it")
    return 0
