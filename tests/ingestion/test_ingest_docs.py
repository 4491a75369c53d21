"""The committed source docs are exactly what the contracts generate (no second copy drifts)."""

from __future__ import annotations

import pytest

from ingestion.contract import SYSTEMS, load_contract
from ingestion.docs import DOCS_DIR, render


@pytest.mark.parametrize("system", SYSTEMS)
def test_committed_docs_match_contracts(system: str) -> None:
    committed = (DOCS_DIR / f"{system}.md").read_text(encoding="utf-8")
    assert committed == render(load_contract(system)), (
        "run `python -m ingestion.docs` and commit docs/sources"
    )


def test_docs_name_every_object_and_column() -> None:
    for system in SYSTEMS:
        text = render(load_contract(system))
        for obj in load_contract(system).objects:
            assert f"## {obj.name}\n" in text
            for col in obj.columns:
                assert f"| `{col.name}` |" in text
