"""The benchmark harness (docs/performance.md): what a nightly costs at each scale, against a floor.

``python -m bench --scales s m`` generates each firm, builds it from empty with the last night held back,
lands that night and builds again (the incremental night), re-runs the same night (nothing new), and times
``bench/floor.sql`` on the same extracts. Every step runs in a subprocess whose whole process tree is sampled
for peak resident memory (``bench.measure``).
"""
