"""orchestration.later_imports: the night's later libraries are imported on a thread from the run's start."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from orchestration.later_imports import import_in_background


def _module(folder: Path, name: str, body: str) -> str:
    (folder / f"{name}.py").write_text(body, encoding="utf-8")
    return name


def test_modules_are_imported_on_a_thread_and_a_broken_one_is_left_to_its_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    good = _module(
        tmp_path, "throughline_later_good", "import threading\nBY = threading.current_thread().name\n"
    )
    broken = _module(tmp_path, "throughline_later_broken", "raise RuntimeError('no such library')\n")
    for name in (good, broken):
        monkeypatch.delitem(sys.modules, name, raising=False)
    thread = import_in_background((broken, good))  # the broken one first: the good one is imported anyway
    thread.join(timeout=30)
    assert not thread.is_alive() and thread.daemon
    assert sys.modules[good].BY == "throughline-later-imports"
    with pytest.raises(RuntimeError, match="no such library"):  # the step importing it reports the error
        __import__(broken)
