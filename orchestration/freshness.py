"""Source freshness: the thresholds the dbt sources declare, evaluated against what actually arrived.

Each dbt source table declares ``freshness`` (``warn_after`` / ``error_after``, generated from
``throughline.dbt_sources.FRESHNESS``) on ``loaded_at_field: _loaded_at``. A current-state table's
``max(_loaded_at)`` stops moving when a delta extract brings no change to an object, so the age is taken
from ``raw.load_log`` instead: the last time a file of the object *arrived* (loaded, loaded with rejects,
empty or an identical re-delivery), and the newest extract date it came in. The same numbers feed

- the ``source_freshness`` asset check on every raw asset (after the night's loads; WARN past
  ``warn_after``, ERROR past ``error_after`` or when nothing ever arrived; never blocks publishing), and
- the freshness section of ``throughline status`` (one line per source system).
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
from dagster import AssetCheckExecutionContext

from orchestration.resources import WarehouseResource

#: load_log statuses that mean a file of the object arrived and was read (rejected/refused/missing did not).
ARRIVED = ("loaded", "loaded_with_rejects", "empty", "skipped_duplicate")
CHECK_NAME = "source_freshness"
_PERIOD_HOURS = {"minute": 1 / 60, "hour": 1, "day": 24}


@dataclass(frozen=True)
class SourceThresholds:
    """One dbt source table: where it lives in Dagster and its declared freshness."""

    system: str
    table: str
    asset_key: dg.AssetKey
    warn_after: timedelta | None
    error_after: timedelta | None


@dataclass(frozen=True)
class Freshness:
    """What arrived for one source table and how that compares to its thresholds."""

    source: SourceThresholds
    last_arrived_at: datetime | None  # UTC
    last_extract_date: date | None
    age: timedelta | None
    state: str  # fresh | warn | error | never

    @property
    def age_hours(self) -> float | None:
        return None if self.age is None else round(self.age.total_seconds() / 3600, 1)


def _window(rule: dict | None) -> timedelta | None:
    if not rule or rule.get("count") is None or rule.get("period") not in _PERIOD_HOURS:
        return None
    return timedelta(hours=rule["count"] * _PERIOD_HOURS[rule["period"]])


def source_thresholds(manifest: dict) -> list[SourceThresholds]:
    """Every dbt source table that declares freshness, with its asset key (``meta.dagster.asset_key``)."""
    out = []
    for node in manifest.get("sources", {}).values():
        fresh = node.get("freshness") or (node.get("config") or {}).get("freshness") or {}
        warn, error = _window(fresh.get("warn_after")), _window(fresh.get("error_after"))
        if warn is None and error is None:
            continue  # declares no freshness (e.g. the loader's own raw.load_log): nothing to evaluate
        meta_key = ((node.get("meta") or {}).get("dagster") or {}).get("asset_key")
        key = dg.AssetKey(meta_key or [node["schema"], node["name"]])
        out.append(SourceThresholds(node["source_name"], node["name"], key, warn, error))
    return sorted(out, key=lambda s: (s.system, s.table))


def load_thresholds() -> list[SourceThresholds]:
    """:func:`source_thresholds` of the project's manifest (parsed on demand)."""
    from orchestration.dbt_project import ensure_manifest

    return source_thresholds(json.loads(Path(ensure_manifest()).read_text(encoding="utf-8")))


def classify(source: SourceThresholds, age: timedelta | None) -> str:
    """``fresh``, ``warn``, ``error``, or ``never`` when nothing of the table ever arrived."""
    if age is None:
        return "never"
    if source.error_after is not None and age >= source.error_after:
        return "error"
    if source.warn_after is not None and age >= source.warn_after:
        return "warn"
    return "fresh"


def has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """Whether ``schema.table`` exists (a new warehouse has no load log yet, a branch may lack a mart)."""
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(row and row[0])


def evaluate(
    con: duckdb.DuckDBPyConnection, sources: list[SourceThresholds], now: datetime | None = None
) -> list[Freshness]:
    """Freshness of every source table from ``raw.load_log`` (one grouped query; naive times are UTC)."""
    now = now or datetime.now(UTC)
    arrived: dict[tuple[str, str], tuple[datetime, date]] = {}
    if has_table(con, "raw", "load_log"):
        rows = con.execute(
            "select system, object, max(finished_at), max(extract_date) from raw.load_log "
            f"where object is not null and status in ({', '.join('?' for _ in ARRIVED)}) group by 1, 2",
            list(ARRIVED),
        ).fetchall()
        arrived = {(s, o): (t, d) for s, o, t, d in rows}
    out = []
    for src in sources:
        at, extract_date = arrived.get((src.system, src.table), (None, None))
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        age = None if at is None else max(now - at, timedelta(0))
        out.append(Freshness(src, at, extract_date, age, classify(src, age)))
    return out


def _hours(delta: timedelta | None) -> str:
    return "none" if delta is None else f"{delta.total_seconds() / 3600:g} h"


def check_result(f: Freshness) -> dg.AssetCheckResult:
    """The ``source_freshness`` check result of one source table, with its numbers as metadata."""
    src = f.source
    if f.state == "never":
        description = "nothing of this table has arrived yet"
    else:
        description = (
            f"{f.state}: last file arrived {f.age_hours} h ago (extract {f.last_extract_date}); "
            f"warn after {_hours(src.warn_after)}, error after {_hours(src.error_after)}"
        )
    return dg.AssetCheckResult(
        asset_key=src.asset_key,
        check_name=CHECK_NAME,
        passed=f.state == "fresh",
        severity=dg.AssetCheckSeverity.WARN if f.state == "warn" else dg.AssetCheckSeverity.ERROR,
        description=description,
        metadata={
            "state": f.state,
            "last_arrived_at": f.last_arrived_at.isoformat() if f.last_arrived_at else "",
            "last_extract_date": str(f.last_extract_date or ""),
            "age_hours": dg.MetadataValue.float(f.age_hours) if f.age_hours is not None else "",
            "warn_after_hours": _hours(src.warn_after),
            "error_after_hours": _hours(src.error_after),
        },
    )


def build_freshness_checks(sources: list[SourceThresholds] | None = None) -> dg.AssetChecksDefinition:
    """One step evaluating every source table's freshness, as a ``source_freshness`` check on its asset."""
    todo = sources if sources is not None else load_thresholds()
    specs = [
        dg.AssetCheckSpec(
            name=CHECK_NAME,
            asset=s.asset_key,
            blocking=False,
            description=f"dbt source freshness of {s.system}.{s.table} (warn after {_hours(s.warn_after)}, "
            f"error after {_hours(s.error_after)}), measured on the files that arrived (raw.load_log).",
        )
        for s in todo
    ]

    @dg.multi_asset_check(specs=specs, name="source_freshness", can_subset=True)
    def _freshness(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        selected = {k.asset_key for k in context.selected_asset_check_keys}
        with warehouse.connect(read_only=True) as con:
            results = evaluate(con, [s for s in todo if s.asset_key in selected])
        for f in results:
            if f.state != "fresh":
                context.log.warning(f"{f.source.system}.{f.source.table}: {check_result(f).description}")
            yield check_result(f)

    return _freshness


@dataclass(frozen=True)
class SystemFreshness:
    """One source system's line in ``throughline status``: its newest arrival and its worst table."""

    system: str
    last_extract_date: date | None
    last_arrived_at: datetime | None
    age: timedelta | None
    state: str
    stale_tables: list[tuple[str, str]]  # (table, state) of every table not fresh


_RANK = {"fresh": 0, "warn": 1, "error": 2, "never": 3}


def by_system(results: list[Freshness]) -> list[SystemFreshness]:
    """Roll the table results up per system: the newest arrival, the worst state, the tables not fresh."""
    systems: dict[str, list[Freshness]] = {}
    for f in results:
        systems.setdefault(f.source.system, []).append(f)
    out = []
    for system, items in sorted(systems.items()):
        arrived = [f for f in items if f.last_arrived_at is not None]
        newest = max(arrived, key=lambda f: f.last_arrived_at) if arrived else None  # type: ignore[arg-type,return-value]
        out.append(
            SystemFreshness(
                system=system,
                last_extract_date=max(
                    (f.last_extract_date for f in arrived if f.last_extract_date), default=None
                ),
                last_arrived_at=newest.last_arrived_at if newest else None,
                age=newest.age if newest else None,
                state=max((f.state for f in items), key=_RANK.__getitem__),
                stale_tables=[(f.source.table, f.state) for f in items if f.state != "fresh"],
            )
        )
    return out
