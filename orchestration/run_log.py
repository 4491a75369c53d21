"""Terminal output of a nightly run: the full dbt event stream goes to a log file, the terminal gets progress.

dagster-dbt re-emits every dbt event on stdout (one line per model and test: hundreds a night). An operator
wants to see that the build moves and what went wrong, so the terminal shows a progress line every tenth of
the nodes, every WARN/ERROR/FAIL line and dbt's final tally; the log file keeps everything.
"""

from __future__ import annotations

import io
import re
from typing import TextIO

_NODE = re.compile(r"^(?:\d\d:\d\d:\d\d\s+)?(\d+) of (\d+) (START|OK|PASS|WARN|ERROR|FAIL|SKIP|NO-OP)\b")
_ALWAYS = re.compile(
    r"^(?:\d\d:\d\d:\d\d\s+)?(Done\. PASS=|Finished running|Completed with|Failure in|Error in)"
)


def progress_line(line: str, shown_tenths: set[int]) -> str | None:
    """What the terminal shows for one dbt output line (None = keep it in the log only)."""
    m = _NODE.match(line)
    if m:
        done, total, status = int(m.group(1)), int(m.group(2)), m.group(3)
        if status in ("WARN", "ERROR", "FAIL"):
            return "  dbt: " + line.strip()
        if status == "START":
            return None
        tenth = done * 10 // max(total, 1)
        if tenth and tenth not in shown_tenths:
            shown_tenths.add(tenth)
            return f"  dbt: {done}/{total} models, snapshots and tests done"
        return None
    if _ALWAYS.match(line):
        return "  dbt: " + line.strip()
    return None


class ProgressStream(io.TextIOBase):
    """A stdout replacement: every line to ``log``, a filtered view of it to ``terminal`` (if any)."""

    def __init__(self, log: TextIO, terminal: TextIO | None) -> None:
        self._log, self._terminal = log, terminal
        self._pending = ""
        self._shown: set[int] = set()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._log.write(text)
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            shown = progress_line(line, self._shown)
            if shown and self._terminal is not None:
                self._terminal.write(shown + "\n")
                self._terminal.flush()
        return len(text)

    def flush(self) -> None:
        self._log.flush()
