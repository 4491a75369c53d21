"""Score a warehouse's anomaly signals against the planted cases (``_truth/anomalies.csv``).

A planted case is *found* when a signal of its detector has its record key. Per detector: planted (k),
signals raised, found among all signals (recall), and precision within the top k signals by score, the
measure the issue asks for (a reviewer works down the list). The pipeline never reads the manifest.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..scoring import compact_key
from .truth import DETECTORS


@dataclass(frozen=True)
class DetectorScore:
    detector: str
    planted: int
    signals: int
    found: int
    found_in_top_k: int

    @property
    def recall(self) -> float:
        return 1.0 if self.planted == 0 else self.found / self.planted

    @property
    def precision_at_k(self) -> float:
        k = min(self.planted, self.signals)
        return 1.0 if k == 0 else self.found_in_top_k / k


def planted(truth_csv: Path) -> dict[str, set[str]]:
    """Record keys (compact JSON) of the planted cases, per detector."""
    out: dict[str, set[str]] = {d: set() for d in DETECTORS}
    with truth_csv.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["detector"], set()).add(compact_key(row["record_key"]))
    return out


def signals(warehouse: Path) -> dict[str, list[str]]:
    """Record keys of tonight's signals per detector, best score first."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select detector_id, record_key from marts.anomaly_signals order by detector_id, score_rank"
        ).fetchall()
    out: dict[str, list[str]] = {}
    for detector, key in rows:
        out.setdefault(detector, []).append(compact_key(key))
    return out


def score(warehouse: Path, truth_csv: Path) -> list[DetectorScore]:
    """Per detector of the manifest: planted, signals, found, found within the top k."""
    truth, raised = planted(truth_csv), signals(warehouse)
    result = []
    for detector in DETECTORS:
        keys, flagged = truth.get(detector, set()), raised.get(detector, [])
        top = flagged[: len(keys)]
        result.append(
            DetectorScore(detector, len(keys), len(flagged), len(keys & set(flagged)), len(keys & set(top)))
        )
    return result
