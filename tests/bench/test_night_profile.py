"""bench.night_profile: a night's step and dbt node timings read from its run log, against hand sums."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.night_profile import compared, main, nodes, seconds_of, summary

DAGSTER = "2026-12-05 21:19:51 +0000 - dagster - DEBUG - nightly - e416c8d3 - 2405 - {0} - STEP_SUCCESS - "
LOG = "\n".join(
    [
        DAGSTER.format("raw_psa") + 'Finished execution of step "raw_psa" in 3.42s.',
        DAGSTER.format("raw_fx_rates") + 'Finished execution of step "raw_fx_rates" in 196ms.',
        DAGSTER.format("throughline_dbt") + 'Finished execution of step "throughline_dbt" in 2m19s.',
        "1 of 9 START sql table model marts.anomaly_detectors ......................... [RUN]",
        "1 of 9 OK created sql table model marts.anomaly_detectors .................... [OK in 0.37s]",
        "2 of 9 OK created sql incremental model marts.fct_time_entries ............... [OK in 8.57s]",
        "3 of 9 OK created sql view model staging.stg_psa__projects ................... [OK in 0.13s]",
        "4 of 9 PASS not_null_fct_time_entries_time_entry_id .......................... [PASS in 0.03s]",
        "5 of 9 WARN 3 not_null_kpi_x_y ............................................... [WARN 3 in 0.05s]",
        "6 of 9 FAIL 1 unique_fct_x_id ................................................ [FAIL 1 in 0.06s]",
        "7 of 9 ERROR creating sql table model marts.broken ........................... [ERROR in 0.50s]",
        "8 of 9 OK snapshotted snapshots.snap_psa__rate_cards ......................... [OK in 0.10s]",
        "23:16:42  9 of 9 PASS recon_psa_hygiene::recon_psa_hygiene_daily_max  [PASS in 1.15s]",
        "Finished running 2 table models, 3 data tests in 0 hours 0 minutes and 10.96 seconds (10.96s).",
    ]
)


@pytest.mark.parametrize(
    ("duration", "seconds"),
    [("8.3ms", 0.0083), ("533ms", 0.533), ("1.72s", 1.72), ("2m19s", 139), ("1h4m", 3840), ("3h", 10800)],
)
def test_dagster_durations(duration: str, seconds: float) -> None:
    assert seconds_of(duration) == pytest.approx(seconds)


def test_a_night_summed_by_step_and_kind(tmp_path: Path) -> None:
    log = tmp_path / "night.log"
    log.write_text(LOG)
    prof = summary(log, top=2)
    assert prof["steps"] == {"raw_psa": 3.42, "raw_fx_rates": 0.196, "throughline_dbt": 139.0}
    assert prof["dbt_nodes"] == 9
    assert prof["dbt_node_seconds"] == pytest.approx(10.96)
    assert prof["dbt_by_kind"] == {
        "incremental model": {"nodes": 1, "seconds": 8.57},
        "unit test": {"nodes": 1, "seconds": 1.15},
        "table model": {"nodes": 2, "seconds": 0.87},  # anomaly_detectors and the one that errored
        "test": {"nodes": 3, "seconds": 0.14},  # pass, warn and fail
        "view model": {"nodes": 1, "seconds": 0.13},
        "snapshot": {"nodes": 1, "seconds": 0.10},
    }
    assert prof["dbt_slowest"] == [
        ["marts.fct_time_entries", "incremental model", 8.57],
        ["recon_psa_hygiene::recon_psa_hygiene_daily_max", "unit test", 1.15],
    ]


def test_two_nights_compared_node_by_node() -> None:
    first = nodes(LOG.splitlines())
    second = nodes(
        LOG.replace("[OK in 8.57s]", "[OK in 6.07s]")
        .replace(
            "created sql view model staging.stg_psa__projects",
            "created sql table model staging.stg_psa__projects",
        )
        .replace("[OK in 0.13s]", "[OK in 0.43s]")
        .replace("marts.broken", "marts.mended")
        .splitlines()
    )
    rows = compared(first, second)
    assert rows[:4] == [
        ("marts.fct_time_entries", 8.57, 6.07),
        ("marts.broken", 0.50, None),  # ties on the size of the change: by name
        ("marts.mended", None, 0.50),
        ("staging.stg_psa__projects", 0.13, 0.43),  # a view made a table is the same node
    ]
    assert {name for name, a, b in rows[4:]} == {n.name for n in first} - {
        "marts.fct_time_entries",
        "marts.broken",
        "staging.stg_psa__projects",
    }
    assert all(a == b for _, a, b in rows[4:])


def test_the_command_prints_one_night_or_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "night.log"
    log.write_text(LOG)
    assert main([str(log), "--top", "1"]) == 0
    out = capsys.readouterr().out
    assert "9 dbt nodes, 11.0 s of node time" in out and "8.57  marts.fct_time_entries" in out
    assert main([str(log), str(log)]) == 0
    assert "0.00  marts.fct_time_entries" in capsys.readouterr().out
    assert main([str(tmp_path / "missing.log")]) == 2
