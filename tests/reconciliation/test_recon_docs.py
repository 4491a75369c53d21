"""docs/reconciliation.md is generated from the checks' declaration: the committed file must be current."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from throughline import recon_docs
from throughline.recon_docs import load_families, render


def test_committed_doc_is_up_to_date() -> None:
    current = recon_docs.DOC_PATH.read_text(encoding="utf-8")
    assert current == render(), "docs/reconciliation.md is stale: run `python -m throughline.recon_docs`"


def test_check_flag_fails_on_a_stale_doc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stale = tmp_path / "reconciliation.md"
    stale.write_text("old text\n", encoding="utf-8")
    monkeypatch.setattr(recon_docs, "DOC_PATH", stale)
    monkeypatch.setattr(recon_docs, "REPO_ROOT", tmp_path)
    assert recon_docs.main(["--check"]) == 1
    assert stale.read_text(encoding="utf-8") == "old text\n"
    assert recon_docs.main([]) == 0 and recon_docs.main(["--check"]) == 0


DECLARATION = """
version: 2
models:
  - name: recon_x1_things
    config:
      meta:
        recon:
          family: X1
          section: "Test section"
          checks:
            - id: X1_FIRST
              title: "A thing is wrong"
              severity: warn
              owner: billing
              source_system: psa
              source_object: projects
              logic: "Compare a with b."
              parameters: [recon_x1_tolerance]
              window: "7 days"
              causes: "Typing."
              fix: "Retype it."
            - id: X1_SECOND
              title: "Another thing"
              severity: error
              owner: pmo
              logic: "Count them."
  - name: not_a_check_model
"""


def test_every_check_renders_with_its_fields_and_var_defaults(tmp_path: Path) -> None:
    path = tmp_path / "_checks__models.yml"
    path.write_text(DECLARATION, encoding="utf-8")
    families = load_families(path)
    assert [f.family for f in families] == ["X1"]
    assert families[0].severity == "error"  # one error check makes the family an error family
    text = render(families, {"recon_x1_tolerance": 0.5})
    assert "## Test section" in text and "### Family X1" in text
    assert "#### `X1_FIRST` — A thing is wrong" in text
    for field in ("Compare a with b.", "`recon_x1_tolerance` = `0.5`", "7 days", "Typing.", "Retype it."):
        assert field in text
    assert "**Owner**: Billing" in text and "**Owner**: PMO" in text
    assert "| `X1_SECOND` | X1 | error | PMO | Another thing |" in text


def test_the_repository_declaration_lists_every_family_and_check() -> None:
    families = load_families()
    ids = [c.id for f in families for c in f.checks]
    assert len(ids) == len(set(ids))
    text = recon_docs.DOC_PATH.read_text(encoding="utf-8")
    for check_id in ids:
        assert f"#### `{check_id}`" in text


def test_every_check_is_complete_and_every_tolerance_its_model_reads_is_declared() -> None:
    """The doc cannot drift from the SQL: a `recon_*` var a family model reads must be in its checks'
    parameters (so the doc shows it with its default), declared in dbt_project.yml, and every check says
    its logic, window, causes and fix."""
    values = recon_docs.load_vars()
    for fam in load_families():
        sql = (recon_docs.DECLARATION.parent / f"{fam.model}.sql").read_text(encoding="utf-8")
        used = set(re.findall(r"var\(\s*['\"](recon_[a-z0-9_]+)['\"]", sql))
        declared = {p for c in fam.checks for p in c.parameters}
        assert used <= declared, f"{fam.model} reads {sorted(used - declared)} but no check declares them"
        undeclared = sorted(declared - set(values))
        assert not undeclared, f"{fam.family}: {undeclared} not in dbt_project.yml"
        for check in fam.checks:
            fields = ("logic", "window", "causes", "fix", "source_system")
            empty = [f for f in fields if not getattr(check, f)]
            assert not empty, f"{check.id} has no {empty}"
            assert check.owner in recon_docs.OWNERS and check.severity in ("error", "warn"), check.id


def test_consequence_renders_only_where_declared(tmp_path: Path) -> None:
    path = tmp_path / "_checks__models.yml"
    path.write_text(
        DECLARATION.replace(
            'fix: "Retype it."', 'fix: "Retype it."\n              consequence: "Also X1_SECOND."'
        ),
        encoding="utf-8",
    )
    text = render(load_families(path), {"recon_x1_tolerance": 0.5})
    assert text.count("- **One fault, several breaks**: ") == 1
    assert "- **One fault, several breaks**: Also X1_SECOND." in text
