"""Dagster resources: where the DuckDB warehouse and the landing folder are.

Both default to the demo layout and can be moved with environment variables, so ``dagster dev`` and
``throughline run`` see the same files.

The warehouse resource is where write-audit-publish starts, for every run whoever launched it: when a
Dagster run starts it takes the warehouse's run lock (held until the run ends) and prepares the run's own
build file (``orchestration.prepare``); every asset and check of the run reads and writes that file
(``warehouse.database`` / ``warehouse.connect()``), never the published one, and the ``publish`` asset
switches it in (``orchestration.publish``). Outside a run (a script, a sensor) ``database`` is the
published file: open it read-only.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import Field, PrivateAttr

from orchestration.builds import keep_builds_default
from orchestration.duckdb_settings import duckdb_config

#: Slow imports later steps of a nightly make (great-expectations ~2.5 s for the suites, scikit-learn ~0.8 s
#: for the cash-risk model), made while the run waits for the build copy ``throughline run`` started
#: (``prepare.while_copying``; docs/performance.md, item 73). Here, in the run's own thread before any
#: step, never on a thread beside other imports.
IMPORTS_WHILE_COPYING = ("expectations.validate", "sklearn.linear_model", "sklearn.calibration")

DEFAULT_WAREHOUSE = "demo/warehouse.duckdb"
DEFAULT_LANDING = "demo/landing"


def _run_finished(context: dg.InitResourceContext, run_id: str) -> bool:
    """True once the run has ended (success, failure or cancel) in the instance that records it."""
    instance = context.instance
    run = instance.get_run_by_id(run_id) if instance is not None else None
    return bool(run and run.is_finished)


class WarehouseResource(dg.ConfigurableResource):
    """The published DuckDB warehouse (env ``THROUGHLINE_WAREHOUSE``) and, during a run, the run's build.

    Assets use ``database`` (a path) or ``connect()``, never ``path``: ``path`` is the published file that
    analysts read, which a run only replaces at its publish step.
    """

    path: str = Field(
        default_factory=lambda: os.environ.get("THROUGHLINE_WAREHOUSE", DEFAULT_WAREHOUSE),
        description="the published DuckDB warehouse file; runs build into <path>.builds/<run id>.duckdb",
    )
    keep_builds: int = Field(
        default_factory=keep_builds_default,
        description="published builds kept for `throughline rollback`, the current one included "
        "(env THROUGHLINE_KEEP_BUILDS, default 3)",
    )
    _build: str | None = PrivateAttr(default=None)

    @property
    def published(self) -> Path:
        return Path(self.path).resolve()

    @property
    def database(self) -> str:
        """The file this run reads and writes: its build; outside a run, the published file."""
        return self._build or str(self.published)

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[WarehouseResource]:
        """Hold the run lock for the whole run and prepare the run's build file (a run id is needed)."""
        run_id = context.run.run_id if context.run else None
        if not run_id or _run_finished(context, run_id):
            # outside a run; or after it: `dagster job execute` initialises the resources once more to
            # hand back its result, and a new build then would be a stale copy left under the run's name
            yield self
            return
        from orchestration.prepare import prepare_build, while_copying
        from orchestration.run_lock import run_lock

        log = context.log.info if context.log else print
        self.published.parent.mkdir(parents=True, exist_ok=True)
        with run_lock(self.published, say=log):
            imports = [lambda name=name: importlib.import_module(name) for name in IMPORTS_WHILE_COPYING]
            while_copying(self.published, run_id, imports)
            self._build = str(prepare_build(self.published, run_id, say=log))
            yield self

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to ``database``; refuses a build that is gone (published, or removed by a sweep)."""
        if self._build and not Path(self._build).exists():
            raise dg.Failure(
                f"the build {self._build} no longer exists (already published, or removed by a later "
                "run): every asset and check must run before the publish step",
                allow_retries=False,
            )
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        config = duckdb_config(self.database)  # memory limit and spill folder, as dbt's (profiles.yml)
        with duckdb.connect(self.database, read_only=read_only, config=config) as con:
            yield con


class LandingResource(dg.ConfigurableResource):
    """The landing folder ``<system>/<extract_date>/<file>`` (env ``THROUGHLINE_LANDING``)."""

    path: str = Field(
        default_factory=lambda: os.environ.get("THROUGHLINE_LANDING", DEFAULT_LANDING),
        description="landing folder with one sub-folder per source system",
    )

    @property
    def root(self) -> Path:
        return Path(self.path)
