"""One benchmark scale, step by step, each step a measured subprocess (``bench.measure``).

    generate      throughline generate --scale S --seed N --out <dir>/firm
    full          throughline run on the landing with the last night held back, into an empty warehouse
    incremental   the full build's loads aged past the incremental lookback (age_loads), that night landed,
                  throughline run again (one new day on top of the full history)
    rerun         the same night again: nothing new landed
    floor         python -m bench.floor on the complete landing (bench/floor.sql)

Every figure is also given as a ratio to the floor's (time, peak memory; the warehouse size to the floor
database's size), and the incremental night and the re-run as a share of the full build.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import yaml

from bench import night_profile
from bench.measure import Measurement, measure
from ingestion.warehouse import q
from orchestration.dbt_parse_state import SHARED_STATE_ENV
from orchestration.duckdb_settings import duckdb_config

STEPS = ("generate", "full", "incremental", "rerun", "floor")
#: Exit codes of `throughline run` that mean it finished (1: FAILED objects or checks, which a firm with
#: injected defects has); anything else stops the benchmark.
FINISHED = (0, 1)


@dataclass
class ScaleResult:
    """What one scale measured; ``steps`` maps a step to its seconds, peak RSS and exit code."""

    scale: str
    seed: int
    extract_bytes: int = 0
    held_back: list[str] = field(default_factory=list)
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    warehouse_bytes: int = 0
    floor_bytes: int = 0
    #: Days every ``_loaded_at`` of the full build was moved back before the incremental night (age_loads).
    aged_days: int = 0

    #: Where each step's figures are written as soon as it ends (an interrupted scale keeps them).
    partial: Path | None = None

    def record(self, step: str, m: Measurement, profile: dict[str, Any] | None = None) -> None:
        self.steps[step] = {
            "seconds": round(m.seconds, 2),
            "peak_rss": m.peak_rss,
            "returncode": m.returncode,
            "peak_at_seconds": m.peak_at,
            "peak_by_process": dict(sorted(m.peak_by_process.items(), key=lambda kv: -kv[1])),
        }
        if profile is not None:  # a night's Dagster steps and dbt nodes (bench.night_profile)
            self.steps[step]["profile"] = profile
        if self.partial is not None:
            self.partial.write_text(json.dumps(self.as_json(), indent=2) + "\n")

    def ratios(self) -> dict[str, dict[str, float | None]]:
        """Each step's time and memory over the floor's; the incremental night and re-run over the full."""
        floor = self.steps.get("floor", {})
        full = self.steps.get("full", {})
        out: dict[str, dict[str, float | None]] = {}
        for step, fig in self.steps.items():
            out[step] = {
                "time_x_floor": _ratio(fig.get("seconds"), floor.get("seconds")),
                "rss_x_floor": _ratio(fig.get("peak_rss"), floor.get("peak_rss")),
                "share_of_full": _ratio(fig.get("seconds"), full.get("seconds")),
            }
        out["warehouse"] = {"size_x_floor": _ratio(self.warehouse_bytes, self.floor_bytes)}
        return out

    def as_json(self) -> dict:
        figures = {k: v for k, v in asdict(self).items() if k != "partial"}
        return {**figures, "ratios": self.ratios()}


def _ratio(a: float | int | None, b: float | int | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def tree_bytes(path: Path) -> int:
    """Bytes of a file, or of every file under a folder."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def last_night(landing: Path) -> str:
    """The latest extract folder name (``YYYY-MM-DD``) over every system of the landing."""
    names = [d.name for d in landing.glob("*/*") if d.is_dir()]
    if not names:
        raise ValueError(f"no extract folders under {landing}")
    return max(names)


def hold_back(landing: Path, held: Path) -> list[str]:
    """Move every ``<system>/<last night>`` folder out of the landing into ``held``; return them."""
    night = last_night(landing)
    moved = []
    for folder in sorted(landing.glob(f"*/{night}")):
        target = held / folder.parent.name / night
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(folder, target)
        moved.append(f"{folder.parent.name}/{night}")
    return moved


def land(held: Path, landing: Path) -> None:
    """Put the held-back folders back into the landing (the night arrives)."""
    for folder in sorted(held.glob("*/*")):
        target = landing / folder.parent.name / folder.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(folder, target)


def lookback_days() -> int:
    """``incremental_lookback_days`` from the dbt project's vars: the window the incremental facts re-read."""
    project = yaml.safe_load((REPO / "dbt_project" / "dbt_project.yml").read_text())
    return int(project["vars"]["incremental_lookback_days"])


def age_loads(warehouse: Path, days: int) -> int:
    """Move the first night's ``_loaded_at`` in ``warehouse`` ``days`` back; return the tables changed.

    A real firm loads its history once, at go-live, and a night later re-reads only what the incremental
    facts' lookback takes in: the rows loaded within ``incremental_lookback_days`` before the newest row they
    hold. The benchmark's firm has its history in its first extract folder and two or three nights after
    it, all loaded by the full build minutes before the incremental night, so that lookback took in the
    whole history (54 s of the xl incremental night in ``fct_time_entries``): a night that happens in a
    firm's first days only. Aging the first night's loads past the lookback puts the history where it is
    on any later night; the nights after it stay where they are and are re-read, as they would be.

    The first night's loads are the ``_loaded_at`` values of each raw history table's earliest extract date
    (each file's load has its own timestamp); every base table holding one of them, raw or built, is
    updated. Not timed; the bench's smoke test checks that the marts built this way equal a build from
    empty."""
    with duckdb.connect(str(warehouse), config=duckdb_config(warehouse)) as con:
        histories = con.execute(
            """
            select table_schema, table_name from information_schema.columns
            where column_name = '_extract_date' and ends_with(table_name, '__history')
            order by 1, 2
            """
        ).fetchall()
        first = "select _loaded_at from {0} where _extract_date = (select min(_extract_date) from {0})"
        firsts = " union ".join(first.format(f"{q(s)}.{q(t)}") for s, t in histories)
        con.execute(f"create temp table _first_night as {firsts}")
        tables = con.execute(
            """
            select c.table_schema, c.table_name from information_schema.columns c
            join information_schema.tables t using (table_catalog, table_schema, table_name)
            where c.column_name = '_loaded_at' and t.table_type = 'BASE TABLE' and c.table_catalog <> 'temp'
            order by 1, 2
            """
        ).fetchall()
        for schema, table in tables:
            con.execute(
                f"update {q(schema)}.{q(table)} set _loaded_at = _loaded_at - to_days(?) "
                "where _loaded_at in (select _loaded_at from _first_night)",
                [days],
            )
        con.execute("checkpoint")
    return len(tables)


#: The checkout this harness belongs to: the steps run there, so ``python -m`` imports its code (the current
#: folder comes first on ``sys.path``, before PYTHONPATH and the installed package).
REPO = Path(__file__).resolve().parents[1]


def _measure(cmd: list[str], log: Path, env: dict[str, str]) -> Measurement:
    return measure(cmd, log, env, cwd=REPO)


def step_env(work: Path) -> dict[str, str]:
    """The subprocesses' environment: their own Dagster home, no telemetry, this checkout importable, and
    dbt's parse state the warehouse's own (no ``THROUGHLINE_DBT_STATE_DIR``): the full build from empty is
    a new firm's first night, which parses the whole project, whatever else this host built before."""
    env = dict(os.environ)
    env.pop(SHARED_STATE_ENV, None)
    env["DAGSTER_HOME"] = str(work / "dagster_home")
    (work / "dagster_home").mkdir(parents=True, exist_ok=True)
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    env.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    env.setdefault("GX_ANALYTICS_ENABLED", "false")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def _throughline(*args: str) -> list[str]:
    return [sys.executable, "-m", "throughline.cli", *args]


def _checked(step: str, m: Measurement, ok: tuple[int, ...] = (0,)) -> Measurement:
    if m.returncode not in ok:
        raise RuntimeError(f"bench step {step} exited {m.returncode}; see {m.log}")
    return m


def prepare_firm(res: ScaleResult, work: Path, firm: Path | None, env: dict[str, str]) -> Path:
    """The landing to build from: a copy of ``firm``'s when given (not timed), else a generated firm."""
    target = work / "firm"
    shutil.rmtree(target, ignore_errors=True)
    if firm is not None:
        shutil.copytree(firm / "landing", target / "landing")
        return target / "landing"
    cmd = _throughline("generate", "--scale", res.scale, "--seed", str(res.seed), "--out", str(target))
    res.record("generate", _checked("generate", _measure(cmd, work / "logs" / "generate.log", env)))
    return target / "landing"


def _night(
    res: ScaleResult, step: str, warehouse: Path, landing: Path, logs: Path, env: dict[str, str]
) -> None:
    """One timed ``throughline run``, recorded with its profile. The run's full log (every Dagster step and
    dbt node, with timings) is kept as ``logs/<step>.nightly.log``: the next night would overwrite
    ``<warehouse>.nightly.log``, and a night with nothing new writes none (and has no profile)."""
    run_log = warehouse.with_name(warehouse.name + ".nightly.log")
    run_log.unlink(missing_ok=True)
    run = _throughline("run", "--landing", str(landing), "--warehouse", str(warehouse))
    result = _measure(run, logs / f"{step}.log", env)
    kept = logs / f"{step}.nightly.log"
    if run_log.exists():
        shutil.copy2(run_log, kept)
    res.record(step, _checked(step, result, FINISHED), night_profile.summary(kept) if kept.exists() else None)


#: Where ``run_scale(..., keep_start=True)`` keeps the warehouse as the incremental night found it.
START = "incremental-start"


def keep_incremental_start(work: Path) -> Path:
    """Copy what the incremental night starts from (the aged warehouse, dbt's parse state, the Dagster home)
    into ``<work>/incremental-start``, so ``python -m bench.replay`` can run that night again and again."""
    start = work / START
    shutil.rmtree(start, ignore_errors=True)
    start.mkdir()
    shutil.copy2(work / "warehouse.duckdb", start / "warehouse.duckdb")
    shutil.copytree(work / "warehouse.duckdb.builds" / "dbt", start / "warehouse.duckdb.builds" / "dbt")
    shutil.copytree(work / "dagster_home", start / "dagster_home")
    return start


def run_scale(
    scale: str, seed: int, work: Path, firm: Path | None = None, keep_start: bool = False
) -> ScaleResult:
    """Measure every step of one scale in ``work`` (emptied first); ``firm`` reuses a generated firm;
    ``keep_start`` keeps the incremental night's starting point (:func:`keep_incremental_start`)."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = step_env(work)
    res = ScaleResult(scale, seed, partial=work / "result.json")
    landing = prepare_firm(res, work, firm, env)
    res.extract_bytes = tree_bytes(landing)
    res.held_back = hold_back(landing, work / "held")
    warehouse = work / "warehouse.duckdb"
    logs = work / "logs"
    _night(res, "full", warehouse, landing, logs, env)
    res.aged_days = lookback_days() + 1
    age_loads(warehouse, res.aged_days)
    land(work / "held", landing)
    if keep_start:
        keep_incremental_start(work)
    _night(res, "incremental", warehouse, landing, logs, env)
    _night(res, "rerun", warehouse, landing, logs, env)
    res.warehouse_bytes = tree_bytes(warehouse)
    floor_db = work / "floor.duckdb"
    floor = [sys.executable, "-m", "bench.floor", str(landing), str(floor_db)]
    res.record("floor", _checked("floor", _measure(floor, logs / "floor.log", env)))
    res.floor_bytes = tree_bytes(floor_db)
    return res
