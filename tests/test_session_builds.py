"""The suite's report of its shared builds: who built what, who waited how long (session_builds.py)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from session_builds import LOG_NAME, shared_build, summary


def test_a_build_and_a_wait_for_it_are_reported_longest_first(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("session_builds.REPORT_SECONDS", 0.2)
    lock = tmp_path / "firm.lock"
    started = threading.Event()

    def builder() -> None:
        with shared_build(lock, "firm"):
            started.set()
            time.sleep(0.6)

    thread = threading.Thread(target=builder)
    thread.start()
    started.wait()
    with shared_build(lock, "firm"):  # waits for the builder's lock, then finds the build done
        pass
    thread.join()
    lines = summary([tmp_path / LOG_NAME])
    assert len(lines) == 2
    assert lines[0].startswith("firm: built by ") and lines[1].startswith("firm: ")
    assert " waited " in lines[1]
