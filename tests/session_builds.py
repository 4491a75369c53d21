"""The session's shared builds (a firm, a warehouse, the Spark nightly), each made once under a file lock.

``shared_build`` is that lock, timed: every worker appends how long it waited for the lock and how long it
held it to ``session-builds.jsonl`` beside the lock, and ``summary`` turns those lines into the report the
session prints at its end (tests/conftest.py). A worker that waits minutes for another's build is suite time
lost; the report says which builds to start earlier or make cheaper.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock

LOG_NAME = "session-builds.jsonl"
#: Waits and holds shorter than this are not reported (a build found done costs milliseconds).
REPORT_SECONDS = 5.0


#: Session builds used by a handful of tests: each user of one is put in the build's ``xdist_group``
#: (tests/conftest.py), so under ``--dist loadgroup`` (``make test``) one worker builds it and then runs its
#: users, while the other worker goes on with the rest of the suite instead of waiting on the build's lock
#: (~200 s of waiting per session before). The builds most of the suite uses (``xs_warehouse`` ...) stay
#: ungrouped: one worker running all their users would take longer than the other waiting for the build.
#: ``xs_cli_run`` is therefore not one of them: ``xs_warehouse`` is its warehouse, so every user of
#: ``xs_warehouse`` (141 tests, the bench smoke test and the publish-kill test among them) has it among its
#: fixtures, and grouping by it put them all on one worker. The clean firm's warehouse and the mini
#: warehouse have users worth ~130 s of worker time each (17 and 5 modules): spread over both workers, one
#: worker waited for the other's build of each (32 s and 18 s in a `make test` of 7 December, tenth session).
GROUPED_BUILDS = (
    "spark_nightly",
    "xs_other_warehouse",
    "xs_xero_warehouse",
    "xs_quickbooks_warehouse",
    "xs_demo_seed2",
    "xs_clean_warehouse",
    "mini_warehouse",
)


def build_group(fixturenames: Iterable[str]) -> str | None:
    """The ``xdist_group`` of a test needing ``fixturenames`` (pytest's closure: the fixtures it asks for
    and every fixture those need), None when it needs none of :data:`GROUPED_BUILDS`."""
    used = set(fixturenames)
    return next((build for build in GROUPED_BUILDS if build in used), None)


def module_group(module: str, fixture_scopes: Iterable[str]) -> str | None:
    """The ``xdist_group`` of a test with no build group whose fixtures include a module-scoped one: its
    module. A module fixture is built once per worker that runs a test of the module, and nine of the suite's
    build a small warehouse with dbt or read a vendor sample (10-30 s of CPU each): with their tests spread
    over both workers, each was built twice (~110 s of CPU per session, on a machine with none to spare)."""
    return module if "module" in set(fixture_scopes) else None


@contextmanager
def shared_build(lock_file: Path | str, name: str) -> Iterator[None]:
    """``FileLock(lock_file)``, recording this worker's wait for it and its hold of it under ``name``."""
    lock_file = Path(lock_file)
    asked = time.monotonic()
    with FileLock(str(lock_file)):
        got = time.monotonic()
        try:
            yield
        finally:
            record = {
                "build": name,
                "worker": os.environ.get("PYTEST_XDIST_WORKER", "main"),
                "waited": round(got - asked, 1),
                "held": round(time.monotonic() - got, 1),
            }
            with (lock_file.parent / LOG_NAME).open("a", encoding="utf-8") as log:
                log.write(json.dumps(record) + "\n")


def summary(logs: Iterable[Path]) -> list[str]:
    """One line per wait or build of at least ``REPORT_SECONDS``, longest first."""
    records = [json.loads(line) for log in logs for line in log.read_text(encoding="utf-8").splitlines()]
    lines = []
    for r in records:
        if r["held"] >= REPORT_SECONDS:
            lines.append((r["held"], f"{r['build']}: built by {r['worker']} in {r['held']:.0f} s"))
        if r["waited"] >= REPORT_SECONDS:
            lines.append((r["waited"], f"{r['build']}: {r['worker']} waited {r['waited']:.0f} s for it"))
    return [text for _, text in sorted(lines, key=lambda pair: -pair[0])]
