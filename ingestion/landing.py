"""What is in the landing folder: extract folders, their completion markers, and which files are safe to read.

Layout: ``<landing>/<system>/<YYYY-MM-DD>/<file>``. A folder is complete only when its marker
(``_SUCCESS.json``) exists; it is written last. Nothing here reads data rows.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ingestion.contract import COMPLETION_MARKER, SYSTEMS, SourceObject, load_contract


@dataclass(frozen=True)
class ExtractFolder:
    """One ``<system>/<extract_date>`` folder; ``problem`` says why it is not loadable (yet)."""

    system: str
    name: str
    path: Path
    extract_date: date | None
    marker: dict | None
    problem: str | None = None  # None | "waiting" | "invalid_folder" | "bad_marker" | "unknown_system"

    @property
    def complete(self) -> bool:
        return self.problem is None

    @property
    def marker_files(self) -> dict[str, dict]:
        files = (self.marker or {}).get("files") or {}
        return files if isinstance(files, dict) else {}


@dataclass(frozen=True)
class LandedFile:
    """A file of a complete extract folder (on disk and/or named in the marker)."""

    folder: ExtractFolder
    name: str
    rel_path: str  # relative to the landing root, '/'-separated
    path: Path
    obj: SourceObject | None
    marker_entry: dict | None
    on_disk: bool
    refused: str | None = None  # why the file must not be read (escapes the landing folder)
    extra: dict = field(default_factory=dict)


def _parse_date(name: str) -> date | None:
    try:
        return date.fromisoformat(name) if len(name) == 10 else None
    except ValueError:
        return None


def scan_landing(landing: Path) -> list[ExtractFolder]:
    """Every extract folder under ``landing``, sorted by system then extract date."""
    folders: list[ExtractFolder] = []
    if not landing.is_dir():
        return folders
    for sys_dir in sorted(p for p in landing.iterdir() if p.is_dir()):
        for d in sorted(p for p in sys_dir.iterdir() if p.is_dir()):
            folders.append(_read_folder(sys_dir.name, d))
    return folders


def _read_folder(system: str, d: Path) -> ExtractFolder:
    extract_date = _parse_date(d.name)
    if system not in SYSTEMS:
        return ExtractFolder(system, d.name, d, extract_date, None, "unknown_system")
    if extract_date is None:
        return ExtractFolder(system, d.name, d, None, None, "invalid_folder")
    marker_path = d / COMPLETION_MARKER
    if not marker_path.exists():
        return ExtractFolder(system, d.name, d, extract_date, None, "waiting")
    try:
        marker = json.loads(marker_path.read_text(encoding="utf-8"))
        if not isinstance(marker, dict):
            raise ValueError("marker is not a JSON object")
    except (ValueError, UnicodeDecodeError) as exc:
        return ExtractFolder(system, d.name, d, extract_date, None, f"bad_marker: {exc}")
    return ExtractFolder(system, d.name, d, extract_date, marker)


def _escape_reason(landing: Path, name: str, path: Path) -> str | None:
    """Why ``name`` must not be read, or None. Refuses separators, '..', and symlinks leaving the landing."""
    if name in ("", ".", "..") or "/" in name or "\\" in name or ".." in Path(name).parts:
        return f"file name {name!r} tries to leave its extract folder"
    if path.is_symlink() or path.exists():
        try:
            path.resolve(strict=False).relative_to(landing.resolve())
        except ValueError:
            return f"{name!r} resolves to {path.resolve()} outside the landing folder"
        if path.is_symlink():
            return f"{name!r} is a symbolic link; extracts must be regular files"
    return None


def folder_files(landing: Path, folder: ExtractFolder) -> list[LandedFile]:
    """Files of a complete folder: the union of the marker's list and what is on disk (marker excluded)."""
    contract = load_contract(folder.system)
    on_disk = {p.name for p in folder.path.iterdir() if p.name != COMPLETION_MARKER and not p.is_dir()}
    names = sorted(on_disk | set(folder.marker_files))
    out = []
    for name in names:
        path = folder.path / name
        refused = _escape_reason(landing, name, path)
        obj = contract.object_for_file(name) if refused is None or "/" not in name else None
        entry = folder.marker_files.get(name)
        out.append(
            LandedFile(
                folder=folder,
                name=name,
                rel_path=f"{folder.system}/{folder.name}/{name}",
                path=path,
                obj=obj,
                marker_entry=entry if isinstance(entry, dict) else None,
                on_disk=name in on_disk,
                refused=refused,
            )
        )
    return out


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def utf8_problem(path: Path) -> str | None:
    """None when the file is valid UTF-8; else a message naming the line and byte of the first bad byte."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return (
            f"file is not UTF-8: byte 0x{data[exc.start]:02x} at line {line}, character {col} "
            f"({exc.reason}); re-export the file as UTF-8"
        )
    return None
