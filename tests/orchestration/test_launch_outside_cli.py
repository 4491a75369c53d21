"""A run launched as the UI, the schedule and the sensor launch it: the ``nightly`` job loaded from the code
location (``-m orchestration.definitions``), paths from ``THROUGHLINE_LANDING`` / ``THROUGHLINE_WAREHOUSE``,
recorded in ``DAGSTER_HOME``. It publishes through the same step as ``throughline run``: the build is
switched in, a rollback point recorded, and the publish check passes. Two assets of the job (a raw object
and the publish step) on a tiny landing: a code-location load and seconds of work, no dbt build.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.assets.publish import PUBLISH_KEY
from orchestration.builds import published_builds
from orchestration.publish import run_check_evaluations

sys.path.insert(0, str(Path(__file__).parents[1] / "ingestion"))
from landing_files import write_extract  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DAGSTER = Path(sys.executable).with_name("dagster")


@pytest.mark.slow
def test_the_nightly_job_launched_from_the_code_location_publishes_through_the_same_step(
    tmp_path: Path,
) -> None:
    landing, warehouse, home = tmp_path / "landing", tmp_path / "w.duckdb", tmp_path / "home"
    home.mkdir()
    users = "Id,Name,SystemModstamp\nu1,Bob,2026-11-18 01:00:00\nu2,Ann,2026-11-18 01:00:00\n"
    write_extract(landing, "salesforce", "2026-11-18", {"user.csv": users})
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "DAGSTER_HOME": str(home),
        "THROUGHLINE_LANDING": str(landing),
        "THROUGHLINE_WAREHOUSE": str(warehouse),
    }
    argv = [str(DAGSTER), "job", "execute", "-m", "orchestration.definitions", "-j", "nightly"]
    argv += ["-o", "raw_salesforce,warehouse__published"]  # salesforce's raw step (one per system)
    done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]

    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw_salesforce.user").fetchone() == (2,)
    [entry] = published_builds(warehouse)
    assert entry.current
    with dg.DagsterInstance.from_config(str(home)) as instance:
        [run] = instance.get_runs()
        assert run.job_name == "nightly" and run.status == dg.DagsterRunStatus.SUCCESS
        assert entry.name.endswith(run.run_id[:8])
        [check] = [e for e in run_check_evaluations(instance, run.run_id) if e.asset_key == PUBLISH_KEY]
    assert check.passed and check.check_name == "analysts_can_read"
    assert not list((tmp_path / "w.duckdb.builds").glob("*.duckdb")), "the build became the published file"
