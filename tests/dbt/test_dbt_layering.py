"""The model's layering and keys, read from the dbt manifest (no warehouse needed) and checked on the xs firm.

Layering is one-way: sources -> staging -> intermediate -> marts -> KPI marts. A model may read its own layer
or an earlier one, never a later one. Every fact carries the conformed key of each entity its grain has, and
every value of such a key is a member of the key's dimension or the unknown member '-1'.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from orchestration.dbt_project import ensure_manifest

#: Conformed keys each fact must carry, and the dimension (and its key column) each one resolves to.
KEY_DIMENSIONS: dict[str, tuple[str, str]] = {
    "project_key": ("dim_project", "project_key"),
    "client_key": ("dim_client", "client_key"),
    "contract_key": ("dim_contract", "contract_key"),
    "legal_entity_key": ("dim_legal_entity", "legal_entity_key"),
    "service_line_key": ("dim_service_line", "service_line_key"),
    "resource_key": ("dim_resource", "resource_key"),
}

#: Per fact, the conformed keys its grain has (and so must carry). A fact's grain lacks a key only when the
#: source has no such link: an invoice line names a role, not a person; an opportunity is sold to a client
#: before any delivery practice or person is attached; a payment, an AR item or a GL line is booked to a
#: customer and entity, not a person or (for unapplied cash) a contract.
FACT_KEYS: dict[str, set[str]] = {
    "fct_time_entries": {
        "resource_key",
        "project_key",
        "client_key",
        "contract_key",
        "legal_entity_key",
        "service_line_key",
    },
    # the time summed per month keeps the person and the project: the other keys follow from the project
    "fct_time_entries_monthly": {"resource_key", "project_key"},
    "fct_expenses": {
        "resource_key",
        "project_key",
        "client_key",
        "contract_key",
        "legal_entity_key",
        "service_line_key",
    },
    "fct_invoice_lines": {
        "project_key",
        "client_key",
        "contract_key",
        "legal_entity_key",
        "service_line_key",
    },
    "fct_revenue": {"project_key", "client_key", "contract_key", "legal_entity_key", "service_line_key"},
    "fct_contract_balances": {
        "project_key",
        "client_key",
        "contract_key",
        "legal_entity_key",
        "service_line_key",
    },
    "fct_opportunities": {"project_key", "client_key", "contract_key", "legal_entity_key"},
    "fct_payments": {"project_key", "client_key", "contract_key", "legal_entity_key"},
    "fct_ar_open_items": {"project_key", "client_key", "contract_key", "legal_entity_key"},
    "fct_ar_unapplied_cash": {"project_key", "client_key", "legal_entity_key"},
    "fct_gl_lines": {"project_key", "client_key", "legal_entity_key", "service_line_key"},
}

LAYERS = ("staging", "intermediate", "marts", "kpis", "reconciliation", "anomalies", "semantic")


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(Path(ensure_manifest()).read_text())


def _models(manifest: dict) -> dict[str, dict]:
    return {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] == "model"}


def _layer(node: dict) -> str:
    """The layer of a model: the first folder under models/ (staging, intermediate, marts or kpis)."""
    top = Path(node["original_file_path"]).parts[1]
    assert top in LAYERS, f"{node['name']} is in models/{top}/, outside the known layers {LAYERS}"
    return top


def test_every_model_sits_in_a_known_layer(manifest: dict) -> None:
    layers = {_layer(n) for n in _models(manifest).values()}
    assert {"staging", "intermediate", "marts"} <= layers


def test_staging_depends_only_on_sources(manifest: dict) -> None:
    bad = {
        n["name"]: [d for d in n["depends_on"]["nodes"] if not d.startswith("source.")]
        for n in _models(manifest).values()
        if _layer(n) == "staging"
    }
    assert {k: v for k, v in bad.items() if v} == {}
    assert bad, "no staging models found"


def backwards_edges(models: dict[str, dict]) -> list[str]:
    """Every model -> parent edge where the parent sits in a later layer than the model."""
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    return sorted(
        f"{node['name']} ({_layer(node)}) reads {models[parent]['name']} ({_layer(models[parent])})"
        for node in models.values()
        for parent in node["depends_on"]["nodes"]
        if parent in models and rank[_layer(models[parent])] > rank[_layer(node)]
    )


def test_flow_is_one_way(manifest: dict) -> None:
    """Intermediate never reads marts or KPIs; marts never read KPIs; staging reads no model at all."""
    assert backwards_edges(_models(manifest)) == []


def test_intermediate_models_are_named_int(manifest: dict) -> None:
    names = [n["name"] for n in _models(manifest).values() if _layer(n) == "intermediate"]
    assert names
    assert [n for n in names if not n.startswith("int_")] == []


def test_the_one_way_check_reports_an_intermediate_reading_a_mart(manifest: dict) -> None:
    """The check is real: give int_ar_invoices its old dim_legal_entity dependency and it is reported."""
    models = {uid: dict(n) for uid, n in _models(manifest).items()}
    node = models["model.throughline.int_ar_invoices"]
    node["depends_on"] = {"nodes": [*node["depends_on"]["nodes"], "model.throughline.dim_legal_entity"]}
    assert backwards_edges(models) == [
        "int_ar_invoices (intermediate) reads dim_legal_entity (marts)",
    ]


def test_every_fact_declares_its_conformed_keys(manifest: dict) -> None:
    facts = {n["name"]: n for n in _models(manifest).values() if n["name"].startswith("fct_")}
    assert set(FACT_KEYS) == set(facts), "declare the keys of every fct_ model in FACT_KEYS"
    missing = {name: sorted(keys - set(facts[name]["columns"])) for name, keys in FACT_KEYS.items()}
    assert {k: v for k, v in missing.items() if v} == {}
    for name, keys in FACT_KEYS.items():
        for key in keys:
            column = facts[name]["columns"][key]
            assert column.get("data_type") == "varchar", f"{name}.{key} is not typed varchar"
            assert column.get("description"), f"{name}.{key} has no description"


def _column_tests(manifest: dict) -> list[tuple[str, str, str]]:
    """(node, column, test macro) of every data test on a model's column, a model-level
    ``not_null_columns`` test counted once per column it lists."""
    tested = []
    for n in manifest["nodes"].values():
        meta = n.get("test_metadata") or {}
        if n["resource_type"] != "test" or not n.get("attached_node") or not meta:
            continue
        node = n["attached_node"].split(".")[-1]
        if meta["name"] == "not_null_columns":
            tested.extend((node, c, "not_null_columns") for c in meta["kwargs"]["column_names"])
        elif n.get("column_name"):
            tested.append((node, n["column_name"], meta["name"]))
    return tested


def _not_null_tested(manifest: dict) -> list[tuple[str, str, str]]:
    """(node, column, test macro) of every not-null check: dbt's not_null, a column of not_null_columns, or a
    primary_key (unique and not null)."""
    macros = {"not_null", "not_null_columns", "primary_key"}
    return [t for t in _column_tests(manifest) if t[2] in macros]


def test_key_columns_are_not_null_tested(manifest: dict) -> None:
    """dbt itself checks every declared key for NULLs on every build."""
    tested = {(node, column) for node, column, _ in _not_null_tested(manifest)}
    missing = sorted((f, k) for f, keys in FACT_KEYS.items() for k in keys if (f, k) not in tested)
    assert missing == []


def test_a_model_checks_its_not_null_columns_in_one_test(manifest: dict) -> None:
    """Every data test is a dbt node with a fixed cost each night (docs/performance.md, item 36): a model
    with two or more not-null columns lists them in one ``throughline.not_null_columns`` test, and no
    column is checked twice."""
    checked = _not_null_tested(manifest)
    column_tests: dict[str, list[str]] = {}
    for node, column, macro in checked:
        if macro == "not_null":
            column_tests.setdefault(node, []).append(column)
    assert {node: cols for node, cols in column_tests.items() if len(cols) > 1} == {}
    pairs = [(node, column) for node, column, _ in checked]
    assert sorted(p for p in set(pairs) if pairs.count(p) > 1) == []


def test_a_key_is_checked_unique_and_not_null_in_one_test(manifest: dict) -> None:
    """A column tested ``unique`` and (alone) ``not_null`` is one ``primary_key`` test instead: one node and
    one scan, not two (docs/performance.md, item 38)."""
    tested = _column_tests(manifest)
    unique = {(node, column) for node, column, macro in tested if macro == "unique"}
    not_null = {(node, column) for node, column, macro in tested if macro == "not_null"}
    assert sorted(unique & not_null) == []
    assert any(macro == "primary_key" for _, _, macro in tested)


def test_a_models_foreign_keys_of_one_severity_are_one_test(manifest: dict) -> None:
    """Two or more ``relationships`` tests of one model and severity are one
    ``throughline.relationships_columns`` test (docs/performance.md, item 39)."""
    per_group: dict[tuple[str, str], int] = {}
    folded = 0
    for n in manifest["nodes"].values():
        name = (n.get("test_metadata") or {}).get("name")
        if n["resource_type"] == "test" and name == "relationships":
            group = (n["attached_node"], n["config"]["severity"])
            per_group[group] = per_group.get(group, 0) + 1
        folded += name == "relationships_columns"
    assert sorted(group for group, count in per_group.items() if count > 1) == []
    assert folded


def test_fact_keys_resolve_to_their_dimension_or_unknown(xs_warehouse: Path) -> None:
    """On the xs firm (with defects), every key value is a dimension member or '-1', never NULL."""
    checks = []
    for fact, keys in sorted(FACT_KEYS.items()):
        for key in sorted(keys):
            dim, dim_key = KEY_DIMENSIONS[key]
            checks.append(
                f"""select '{fact}.{key}' as key_column, count(*) as n_rows,
                    count(*) filter (where f.{key} is null) as n_null,
                    count(*) filter (where f.{key} <> '-1' and d.{dim_key} is null) as n_dangling,
                    count(*) filter (where f.{key} <> '-1') as n_resolved
                from marts.{fact} as f
                left join marts.{dim} as d on f.{key} = d.{dim_key}"""
            )
    with duckdb.connect(str(xs_warehouse), read_only=True) as con:
        rows = con.execute(" union all ".join(checks)).fetchall()
    problems = [r for r in rows if r[2] or r[3]]
    assert problems == []
    # every fact has rows, and each key resolves somewhere (a key that is always '-1' is a broken join)
    empty = [r[0] for r in rows if r[1] == 0]
    never_resolved = [r[0] for r in rows if r[1] and r[4] == 0]
    assert empty == []
    assert never_resolved == []
