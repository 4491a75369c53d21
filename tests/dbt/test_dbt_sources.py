"""The dbt source YAML is derived from the contracts: committed files must equal the generator's output."""

from __future__ import annotations

from pathlib import Path

import yaml

from ingestion.contract import load_contracts
from throughline.dbt_sources import STAGING_DIR, generate, render


def test_committed_source_files_are_up_to_date() -> None:
    stale = generate(check=True)
    assert stale == [], f"run `python -m throughline.dbt_sources`; stale: {stale}"


def test_every_contract_object_is_a_source_with_lineage_and_asset_key() -> None:
    for system, contract in load_contracts().items():
        doc = yaml.safe_load(render(contract))
        (source,) = doc["sources"]
        assert source["schema"] == f"raw_{system}"
        assert source["config"]["loaded_at_field"] == "_loaded_at"
        tables = {t["name"]: t for t in source["tables"]}
        assert set(tables) == {o.name for o in contract.objects}
        for obj in contract.objects:
            table = tables[obj.name]
            cols = [c["name"] for c in table["columns"]]
            assert cols[: len(obj.columns)] == obj.column_names
            assert {"_loaded_at", "_is_deleted", "_source_file"} <= set(cols)
            assert table["config"]["meta"]["dagster"]["asset_key"] == [f"raw_{system}", obj.name]


def test_one_staging_model_per_source_table() -> None:
    """Every source table is selected by exactly one staging model (and nothing else reads raw)."""
    sql_files = list(Path(STAGING_DIR).glob("*/stg_*.sql"))
    used = {}
    for f in sql_files:
        text = f.read_text()
        for system, contract in load_contracts().items():
            for obj in contract.objects:
                if f"source('{system}', '{obj.name}')" in text:
                    used.setdefault((system, obj.name), []).append(f.stem)
    expected = {(s, o.name) for s, c in load_contracts().items() for o in c.objects}
    assert set(used) == expected
    assert all(len(models) == 1 for models in used.values()), used
