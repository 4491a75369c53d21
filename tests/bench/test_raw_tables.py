"""``python -m bench.raw_tables`` measures what it says: the file loads, then a second load finds nothing."""

from __future__ import annotations

from bench.raw_tables import measure


def test_measure_loads_the_file_then_finds_nothing_new() -> None:
    [(first, again)] = measure(repeats=1)  # measure() asserts the account file loaded on the first pass
    assert first > 0 and again > 0
