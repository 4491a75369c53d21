"""The sample firm: a deterministic, realistic consultancy in Salesforce, NetSuite and the PSA.

``generate(scale, seed, out, clean)`` builds the firm in a DuckDB working store, lets the defects hooks
break it (unless ``clean``), writes ``out/landing`` (a full extract then nightly deltas, with completion
markers) and ``out/_truth`` (the ground-truth defect manifest and the revenue plan, ``schedule.csv``).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import duckdb

from ingestion.parse import sql_str

from . import anomalies, billing, commercial, decisions, delivery, extracts, masters, schedule, shapes
from . import defects as _defects
from .context import SCALES, GenContext, ScaleSpec, make_context
from .defects.catalogue import DefectRates
from .profile import firm_kpis
from .store import create_tables

__all__ = ["SCALES", "GenContext", "ScaleSpec", "generate"]


def _log(t0: float):  # noqa: ANN202
    def log(msg: str) -> None:
        print(f"[generate {time.perf_counter() - t0:7.1f}s] {msg}", file=sys.stderr, flush=True)

    return log


def generate(
    scale: str = "s",
    seed: int = 42,
    out: Path | str = "demo",
    clean: bool = False,
    defect_rates: Mapping[str, float] | None = None,
    crm: str = "salesforce",
    psa: str = "psa",
    erp: str = "netsuite",
) -> GenContext:
    """Generate the sample firm into ``out`` (replacing ``out/landing`` and ``out/_truth``).

    ``defect_rates`` overrides the catalogue's default rate of some defect kinds (0 turns a kind off);
    ``crm`` lands the CRM in that system's shape (``shapes.CRM_SHAPES``), ``erp`` the ERP
    (``shapes.ERP_SHAPES``), ``psa`` the PSA (``shapes.PSA_SHAPES``), same firm and truth.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    shapes.check(crm, psa, erp)
    rates = DefectRates(dict(defect_rates or {}))  # unknown kinds fail here, before any work
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("landing", "_truth"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    log = _log(time.perf_counter())
    spec = SCALES[scale]
    # Large firms keep the store in memory but bounded: DuckDB spills to a temp folder beyond the limit
    # (THROUGHLINE_GEN_STORE=file puts the whole store in a temporary DuckDB file instead).
    tmpdir = tempfile.mkdtemp(prefix=".gen-store-", dir=out) if spec.use_file_store else None
    as_file = tmpdir is not None and os.environ.get("THROUGHLINE_GEN_STORE", "memory") == "file"
    db = str(Path(tmpdir) / "store.duckdb") if as_file and tmpdir else ":memory:"
    try:
        with duckdb.connect(db) as con:
            if tmpdir:
                con.execute(f"SET temp_directory = {sql_str(tmpdir)}")  # SET takes no parameter
                con.execute(f"SET memory_limit = {sql_str(os.environ.get('THROUGHLINE_GEN_MEMORY', '8GB'))}")
                con.execute("SET preserve_insertion_order = false")
            ctx = make_context(scale, seed, out, clean, con)
            ctx.defect_rates = rates
            log(
                f"scale={scale} seed={seed} clean={clean}: {spec.people} people, "
                f"{ctx.start_date} .. {ctx.end_date}, "
                f"extracts {ctx.extract_dates[0]} + {spec.n_deltas} deltas"
            )
            create_tables(ctx)
            for name, stage in (
                ("masters", masters.build),
                ("commercial", commercial.build),
                ("delivery", delivery.build),
            ):
                stage(ctx)
                log(f"{name} done")
            log(f"time entries: {ctx.count('psa__time_entries'):,}")
            if not clean:
                _defects.inject_before_billing(ctx)
                log("defects before billing injected")
                anomalies.plant_before_billing(ctx)
            billing.build(ctx)
            log(f"billing done: {ctx.count('netsuite__transaction'):,} transactions; {firm_kpis(ctx)}")
            if not clean:
                _defects.inject_after_billing(ctx)
                log("defects after billing injected")
            landing = out / "landing"
            extracts.write_all(ctx, landing, log)
            if not clean:
                _defects.corrupt_landing(ctx, landing)
            rows = extracts.write_markers(ctx, landing)
            shapes.apply(ctx, landing, crm, psa, erp)
            decisions.write_decisions(ctx, landing)
            log(f"completion markers written ({rows:,} data rows landed)")
            _defects.write_truth(ctx, out / "_truth")
            schedule.write_schedule(ctx, out / "_truth")
            anomalies.write_truth(ctx, out / "_truth")
            log("done")
    finally:
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
    return ctx
