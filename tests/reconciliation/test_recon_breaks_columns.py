"""marts.recon_breaks carries what a controller acts on: priced in both currencies, conformed keys that join
the dimensions, keys as JSON, and the extract night it was detected on (xs warehouse of the session)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_priced_break_has_its_currency_and_reporting_amount(xs_warehouse: Path) -> None:
    priced, unpriced_reporting, no_currency = _rows(
        xs_warehouse,
        "select count(amount_at_risk), "
        "count(*) filter (where amount_at_risk is not null and amount_at_risk_reporting is null), "
        "count(*) filter (where amount_at_risk is not null and currency_code is null) "
        "from marts.recon_breaks",
    )[0]
    assert priced > 0 and unpriced_reporting == 0 and no_currency == 0


def test_conformed_keys_join_the_dimensions(xs_warehouse: Path) -> None:
    for column, dim in (
        ("client_key", "dim_client"),
        ("project_key", "dim_project"),
        ("legal_entity_key", "dim_legal_entity"),
    ):
        orphans = _rows(
            xs_warehouse,
            f"select check_id, {column} from marts.recon_breaks where {column} is not null "
            f"and {column} not in (select {column} from marts.{dim})",
        )
        assert orphans == [], f"{column} not in marts.{dim}: {orphans[:5]}"
    # every break of a deal, billing, ERP or intercompany check names its client
    unowned = _rows(
        xs_warehouse,
        "select check_id, record_key from marts.recon_breaks where client_key is null "
        "and regexp_matches(check_family, '^[RBEI][0-9]$')",
    )
    assert unowned == []


def test_keys_are_json_objects_and_detected_on_is_the_source_night(xs_warehouse: Path) -> None:
    rows = _rows(xs_warehouse, "select record_key, related_keys from marts.recon_breaks")
    assert rows and all(isinstance(json.loads(k), dict) and isinstance(json.loads(r), dict) for k, r in rows)
    wrong = _rows(
        xs_warehouse,
        "select b.check_id, b.source_system, b.detected_on, n.night from marts.recon_breaks b "
        "join (select system, max(extract_date) as night from raw.load_log group by system) n "
        "on n.system = b.source_system where b.detected_on <> n.night",
    )
    assert wrong == []
    unmatched = _rows(
        xs_warehouse,
        "select distinct source_system from marts.recon_breaks "
        "where source_system not in (select system from raw.load_log)",
    )
    assert unmatched == []  # every break names a loaded source system
