"""The suite's report of its shared builds: who built what, who waited how long (session_builds.py)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from session_builds import LOG_NAME, build_group, module_group, shared_build, summary


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
    # and so in this session's collection, with pytest's own fixture closures: a group of xs_warehouse users
    # is at most one module's (module_group), never the suite's
    modules_of_group: dict[str, set[str]] = {}
    for item in request.session.items:
        names = set(getattr(item, "fixturenames", ()))
        marker = item.get_closest_marker("xdist_group")
        if "xs_warehouse" in names and build_group(names) is None and marker is not None:
            modules_of_group.setdefault(marker.args[0], set()).add(item.nodeid.split("::")[0])
    assert all(len(modules) == 1 for modules in modules_of_group.values()), modules_of_group


def test_a_module_fixture_keeps_its_module_on_one_worker(request) -> None:
    """A module-scoped fixture is built once per worker running the module: its tests share one group."""
    assert module_group("tests/x/test_y.py", ["function", "module", "session"]) == "tests/x/test_y.py"
    assert module_group("tests/x/test_y.py", ["function", "session"]) is None
    # in this session's collection: the Harvest sample's tests share their module's small warehouse
    harvest = [item for item in request.session.items if "harvest/test_harvest_sample.py" in item.nodeid]
    groups = {item.get_closest_marker("xdist_group").args[0] for item in harvest}  # type: ignore[union-attr]
    assert groups == {"tests/sources/harvest/test_harvest_sample.py"} or not harvest
    # ... and pytest-xdist saw the group: under --dist loadgroup it schedules by a suffix of the node id,
    # which it adds in its own collection hook (a marker added after that hook is ignored)
    if getattr(request.config.option, "loadgroup", False) and os.environ.get("PYTEST_XDIST_WORKER"):
        assert all(item.nodeid.endswith("@tests/sources/harvest/test_harvest_sample.py") for item in harvest)
