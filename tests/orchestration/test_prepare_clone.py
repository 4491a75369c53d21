"""The run's build starts as a clone (or, where the file system cannot clone, a copy) of the published."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.prepare import clone_file


def test_clone_or_copy_keeps_content_and_mtime(tmp_path: Path) -> None:
    src, dst = tmp_path / "published.duckdb", tmp_path / "build.duckdb"
    src.write_bytes(os.urandom(1 << 16))
    os.utime(src, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    how = clone_file(src, dst)
    assert how in ("clone", "copy")
    assert dst.read_bytes() == src.read_bytes()
    assert dst.stat().st_mtime_ns == src.stat().st_mtime_ns
    with dst.open("r+b") as f:  # writing the build never changes the published file
        f.write(b"x" * 16)
    assert src.read_bytes()[:16] != b"x" * 16
