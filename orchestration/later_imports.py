"""Import the libraries of a night's later steps while its first steps run.

great-expectations, which the source suites need right after the raw loads, takes ~3.5 s to import in the
nightly process, whatever the firm's size: the same at xs as at xl. Imported on a thread from the moment the
run's resources start (the build's copy of the published warehouse and the raw loads are DuckDB's work, which
releases the GIL), it is ready when the first suite runs (docs/performance.md item 65). Started any earlier,
before Dagster creates the run, it would compete with that Python work instead and the night gains nothing
(measured).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Sequence

#: Modules a night imports only in a later step.
LATER_IMPORTS = ("expectations.validate",)


def import_in_background(modules: Sequence[str] = LATER_IMPORTS) -> threading.Thread:
    """Import ``modules`` on a daemon thread; return it.

    Python's import lock makes a step that imports one of them meanwhile wait for this import rather than run
    it twice. A module that fails to import is left to the step that needs it, which imports it again and
    reports the error in its own log.
    """

    def work() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - the step that needs the module reports its error
                continue

    thread = threading.Thread(target=work, name="throughline-later-imports", daemon=True)
    thread.start()
    return thread
