"""Generation context shared by the generator stages and the defects hooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

#: Simulated history ends here (the night of the last extract).
HISTORY_END = date(2026, 11, 20)


@dataclass(frozen=True)
class ScaleSpec:
    """Size of a sample firm. ``people`` counts resources (employees + contractors)."""

    name: str
    people: int
    months: int
    n_deltas: int
    clients: int

    @property
    def extract_dates(self) -> list[date]:
        first = HISTORY_END - timedelta(days=self.n_deltas)
        return [first + timedelta(days=i) for i in range(self.n_deltas + 1)]

    @property
    def start_date(self) -> date:
        """First day of the simulated history: the first of the month ``months`` before the end."""
        y, m = HISTORY_END.year, HISTORY_END.month - self.months
        while m <= 0:
            m += 12
            y -= 1
        return date(y, m, 1)

    @property
    def use_file_store(self) -> bool:
        return self.people >= 2000


SCALES: dict[str, ScaleSpec] = {
    "xs": ScaleSpec("xs", people=40, months=4, n_deltas=2, clients=16),
    "s": ScaleSpec("s", people=150, months=24, n_deltas=3, clients=60),
    "m": ScaleSpec("m", people=600, months=36, n_deltas=3, clients=200),
    "l": ScaleSpec("l", people=2000, months=36, n_deltas=3, clients=500),
    "xl": ScaleSpec("xl", people=8000, months=48, n_deltas=3, clients=1500),
}


def estimate_counts(spec: ScaleSpec) -> dict[str, int]:
    """Approximate row counts of a scale without generating it (sanity checks and planning).

    Working days = weekdays x 0.82 (public holidays, time off, joiners and leavers); about 3.3 time
    entries per working day (three client entries plus admin when staffed, two internal when not).
    """
    days = (HISTORY_END - spec.start_date).days + 1
    person_days = spec.people * days * 5 / 7 * 0.82
    return {"resources": spec.people, "person_days": int(person_days), "time_entries": int(person_days * 3.3)}


@dataclass
class GenContext:
    """Everything a stage needs: the working DuckDB store, the scale, the seeded RNG and the calendar."""

    con: Any  # duckdb.DuckDBPyConnection
    scale: ScaleSpec
    seed: int
    rng: np.random.Generator
    start_date: date
    end_date: date
    extract_dates: list[date]
    clean: bool
    out: Path
    reporting_currency: str = "USD"
    stats: dict[str, Any] = field(default_factory=dict)
    #: Per-kind defect rates overriding the catalogue defaults (a DefectRates or a plain dict).
    defect_rates: Any = None

    def sql(self, query: str, params: list[Any] | None = None) -> Any:
        return self.con.execute(query, params or [])

    def scalar(self, query: str, params: list[Any] | None = None) -> Any:
        rows = self.con.execute(query, params or []).fetchall()
        return rows[0][0] if rows else None

    def count(self, table: str) -> int:
        return int(self.scalar(f"select count(*) from {table}"))


def make_context(scale: str, seed: int, out: Path, clean: bool, con: Any) -> GenContext:
    spec = SCALES[scale]
    return GenContext(
        con=con,
        scale=spec,
        seed=seed,
        rng=np.random.default_rng(seed),
        start_date=spec.start_date,
        end_date=HISTORY_END,
        extract_dates=spec.extract_dates,
        clean=clean,
        out=out,
    )
