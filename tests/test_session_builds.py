"""The suite's report of its shared builds: who built what, who waited how long (session_builds.py)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from session_builds import LOG_NAME, build_group, shared_build, summary


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


def test_group_by_build_leaves_the_xs_warehouse_users_spread(request) -> None:
    """The users of the warehouse most of the suite reads stay spread over the workers; the users of a build
    a handful of tests read go to one worker. ``xs_warehouse`` is ``xs_cli_run``'s warehouse, so its users
    have ``xs_cli_run`` among their fixtures too: grouping by that put 141 tests on one worker."""
    assert build_group(["xs_warehouse", "xs_cli_run", "xs_firm", "tmp_path_factory"]) is None
    assert build_group(["xs_quickbooks_warehouse", "xs_firm"]) == "xs_quickbooks_warehouse"
    assert build_group(["spark_nightly", "xs_warehouse", "xs_cli_run", "xs_firm"]) == "spark_nightly"
    # and so in this session's collection, with pytest's own fixture closures
    for item in request.session.items:
        names = set(getattr(item, "fixturenames", ()))
        if "xs_warehouse" in names and build_group(names) is None:
            assert item.get_closest_marker("xdist_group") is None, item.nodeid
