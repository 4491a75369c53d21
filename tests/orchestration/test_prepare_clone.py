"""The run's build starts as a clone (or, where the file system cannot clone, a copy) of the published."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from orchestration import prepare
from orchestration.builds import build_path, builds_dir
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


def test_a_started_build_copies_on_a_thread_and_the_run_waits_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``start_build`` returns at once while the copy runs (the caller goes on starting Dagster); the run's
    ``prepare_build`` waits for that copy and says what it said, instead of copying again."""
    published = tmp_path / "warehouse.duckdb"
    published.write_bytes(os.urandom(1 << 16))
    leftover = builds_dir(published) / "old-run.duckdb"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"left by a killed run")
    caller_went_on, copies = threading.Event(), []
    real_clone = prepare.clone_file

    def slow_clone(src: Path, dst: Path) -> str:
        copies.append(threading.current_thread().name)
        assert caller_went_on.wait(10), "start_build waited for the copy"
        return real_clone(src, dst)

    monkeypatch.setattr(prepare, "clone_file", slow_clone)
    assert prepare.start_build(published, "run-1")
    assert not prepare.start_build(published, "run-1")  # one copy per run
    caller_went_on.set()
    said: list[str] = []
    build = prepare.prepare_build(published, "run-1", said.append)
    assert build == build_path(published, "run-1") and build.read_bytes() == published.read_bytes()
    assert copies == [copies[0]] and copies[0].startswith("throughline-build")  # one copy, on the thread
    assert not leftover.exists()
    assert said == [
        "removed the build old-run.duckdb left by an earlier run that did not publish it",
        f"building into {build}",
    ]
    assert prepare.prepare_build(published, "run-1") == build  # idempotent afterwards


def test_a_failed_started_copy_fails_the_run_that_waits_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = tmp_path / "warehouse.duckdb"
    published.write_bytes(b"x")

    def no_space(src: Path, dst: Path) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(prepare, "clone_file", no_space)
    assert prepare.start_build(published, "run-2")
    with pytest.raises(OSError, match="No space left"):
        prepare.prepare_build(published, "run-2")


def test_a_first_night_creates_its_empty_build_at_once(tmp_path: Path) -> None:
    """No published warehouse yet: nothing to copy, so no thread; the run creates an empty database."""
    published = tmp_path / "warehouse.duckdb"
    assert not prepare.start_build(published, "run-3")
    assert prepare.prepare_build(published, "run-3").stat().st_size > 0


def test_work_runs_while_the_copy_runs_and_stops_when_it_is_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``while_copying`` runs the run's warm-up steps only while its copy is in progress: the first here
    lets the copy finish, so the second never runs; without a started copy none runs."""
    published = tmp_path / "warehouse.duckdb"
    published.write_bytes(b"x" * 1024)
    release = threading.Event()
    real_clone = prepare.clone_file

    def held_clone(src: Path, dst: Path) -> str:
        assert release.wait(10)
        return real_clone(src, dst)

    monkeypatch.setattr(prepare, "clone_file", held_clone)
    ran: list[str] = []
    assert prepare.while_copying(published, "run-4", [lambda: ran.append("no copy")]) == 0
    assert prepare.start_build(published, "run-4")

    def first() -> None:
        ran.append("first")
        release.set()
        prepare._STARTED[build_path(published, "run-4")].result(timeout=10)  # the copy has finished

    assert prepare.while_copying(published, "run-4", [first, lambda: ran.append("second")]) == 1
    assert ran == ["first"]
    assert prepare.prepare_build(published, "run-4").read_bytes() == published.read_bytes()
