"""Write tiny hand-made landing folders (files + completion marker) for the ingestion tests."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ingestion.contract import COMPLETION_MARKER

ACCOUNT_HEADER = "id,name,type,system_modstamp,is_deleted"


def write_extract(
    landing: Path,
    system: str,
    extract_date: str,
    files: dict[str, bytes | str],
    *,
    marker: bool = True,
    rows: dict[str, int] | None = None,
    extract_type: str = "delta",
) -> Path:
    """Write ``files`` into ``<landing>/<system>/<extract_date>/`` and (by default) a correct marker last."""
    folder = landing / system / extract_date
    folder.mkdir(parents=True, exist_ok=True)
    entries = {}
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
        n_lines = len([ln for ln in data.split(b"\n") if ln.strip()])
        header = 0 if name.endswith(".jsonl") or not data.strip() else 1
        entries[name] = {
            "rows": (rows or {}).get(name, max(n_lines - header, 0)),
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    if marker:
        (folder / COMPLETION_MARKER).write_text(
            json.dumps(
                {
                    "system": system,
                    "extract_date": extract_date,
                    "extract_type": extract_type,
                    "created_at": f"{extract_date}T03:00:00",
                    "files": entries,
                }
            )
        )
    return folder


def csv_text(header: str, *lines: str) -> str:
    return "\n".join([header, *lines]) + "\n"
