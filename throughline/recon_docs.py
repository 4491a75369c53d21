"""Generate ``docs/reconciliation.md`` from the checks' declaration, so the catalogue and the models agree.

The declaration is the ``meta.recon`` block of each check family model in
``dbt_project/models/reconciliation/checks/_checks__models.yml`` (the same block ``marts.recon_checks``, the
Dagster asset checks and the break list read); the tolerances' defaults are the vars in
``dbt_project/dbt_project.yml``. The hand-written intro is ``docs/reconciliation/intro.md`` and the Xero
findings ``docs/reconciliation/xero.md``. ``python -m throughline.recon_docs`` rewrites the doc;
``--check`` exits 1 when the committed file differs (tests/reconciliation/test_recon_docs.py does too).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_DIR = REPO_ROOT / "dbt_project"
DECLARATION = DBT_DIR / "models" / "reconciliation" / "checks" / "_checks__models.yml"
DOC_PATH = REPO_ROOT / "docs" / "reconciliation.md"
PARTS_DIR = REPO_ROOT / "docs" / "reconciliation"

OWNERS = {
    "sales_operations": "Sales operations",
    "pmo": "PMO",
    "billing": "Billing",
    "accounts_receivable": "Accounts receivable",
    "controllership": "Controllership",
    "payroll_resourcing": "Payroll / resourcing",
}


@dataclass(frozen=True)
class Check:
    """One declared check, with its family's model and section."""

    id: str
    family: str
    section: str
    model: str
    title: str
    severity: str
    owner: str
    source_system: str
    source_object: str
    logic: str
    parameters: tuple[str, ...]
    window: str
    causes: str
    fix: str
    #: Why a record can be a break of this check because of another break (one fault, several checks).
    consequence: str = ""


@dataclass(frozen=True)
class Family:
    """One check family: one dbt model, one Dagster asset check."""

    family: str
    section: str
    model: str
    checks: tuple[Check, ...]

    @property
    def severity(self) -> str:
        """``error`` when any of its checks is an error (the family's Dagster check can then fail)."""
        return "error" if any(c.severity == "error" for c in self.checks) else "warn"


def _check(raw: dict[str, Any], family: str, section: str, model: str) -> Check:
    return Check(
        id=str(raw["id"]),
        family=family,
        section=section,
        model=model,
        title=str(raw["title"]),
        severity=str(raw["severity"]),
        owner=str(raw["owner"]),
        source_system=str(raw.get("source_system") or ""),
        source_object=str(raw.get("source_object") or ""),
        logic=str(raw.get("logic") or "").strip(),
        parameters=tuple(str(p) for p in raw.get("parameters") or ()),
        window=str(raw.get("window") or "").strip(),
        causes=str(raw.get("causes") or "").strip(),
        fix=str(raw.get("fix") or "").strip(),
        consequence=str(raw.get("consequence") or "").strip(),
    )


def load_families(path: Path = DECLARATION) -> list[Family]:
    """Every family of the declaration, in file order."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    families = []
    for model in doc.get("models", []):
        recon = ((model.get("config") or {}).get("meta") or {}).get("recon")
        if not recon:
            continue
        fam, section = str(recon["family"]), str(recon.get("section") or "Other")
        checks = tuple(_check(c, fam, section, model["name"]) for c in recon.get("checks", []))
        families.append(Family(fam, section, model["name"], checks))
    return families


@cache
def declared_families() -> tuple[Family, ...]:
    """The repository's declaration, read once per process."""
    return tuple(load_families())


def load_vars(path: Path = DBT_DIR / "dbt_project.yml") -> dict[str, Any]:
    """The dbt vars with their defaults."""
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")).get("vars") or {})


def _var_comments(path: Path = DBT_DIR / "dbt_project.yml") -> dict[str, str]:
    """Trailing comment of each var line (its meaning and unit), e.g. ``recon_b1_window_days: 7  # days``."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, rest = line.strip().partition(":")
        if sep and "#" in rest and name.isidentifier():
            out[name] = rest.split("#", 1)[1].strip()
    return out


def _value(value: Any) -> str:
    return (
        "null"
        if value is None
        else yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()
    )


def _parameters(check: Check, values: dict[str, Any], comments: dict[str, str]) -> list[str]:
    if not check.parameters:
        return ["- **Parameters**: none"]
    lines = ["- **Parameters**:"]
    for name in check.parameters:
        default = _value(values[name]) if name in values else "(not declared in dbt_project.yml)"
        meaning = f": {comments[name]}" if comments.get(name) else ""
        lines.append(f"  - `{name}` = `{default}`{meaning}")
    return lines


def _entry(check: Check, values: dict[str, Any], comments: dict[str, str]) -> list[str]:
    return [
        f"#### `{check.id}` — {check.title}",
        "",
        f"- **Family**: {check.family} (model `{check.model}`) · **Severity**: {check.severity} · "
        f"**Owner**: {OWNERS.get(check.owner, check.owner)}",
        f"- **Record at fault**: {check.source_system} `{check.source_object}`",
        f"- **Logic**: {check.logic or '—'}",
        *_parameters(check, values, comments),
        f"- **Window**: {check.window or '—'}",
        f"- **Likely causes**: {check.causes or '—'}",
        f"- **Fix**: {check.fix or '—'}",
        *([f"- **One fault, several breaks**: {check.consequence}"] if check.consequence else []),
        "",
    ]


def _index(families: Iterable[Family]) -> list[str]:
    lines = ["| check | family | severity | owner | title |", "| --- | --- | --- | --- | --- |"]
    for fam in families:
        for c in fam.checks:
            lines.append(
                f"| `{c.id}` | {c.family} | {c.severity} | {OWNERS.get(c.owner, c.owner)} | {c.title} |"
            )
    return lines


def _part(name: str) -> str:
    path = PARTS_DIR / name
    return path.read_text(encoding="utf-8").strip() + "\n" if path.exists() else ""


def render(families: list[Family] | None = None, values: dict[str, Any] | None = None) -> str:
    """The whole document: generated header, intro, index, one entry per check by section, Xero findings."""
    families = list(declared_families()) if families is None else families
    values = load_vars() if values is None else values
    comments = _var_comments()
    n = sum(len(f.checks) for f in families)
    out = [
        "<!-- GENERATED by `python -m throughline.recon_docs` from "
        "dbt_project/models/reconciliation/checks/_checks__models.yml, dbt_project/dbt_project.yml and "
        "docs/reconciliation/*.md. Do not edit: change those and regenerate. -->",
        "",
        "# Reconciliation checks",
        "",
        f"{n} checks in {len(families)} families. Each finds breaks between CRM, PSA and ERP (or inside one "
        "of them) and writes them to `marts.recon_breaks` with the owner who must act and the money at risk.",
        "",
        _part("intro.md"),
        "## Index",
        "",
        *_index(families),
        "",
    ]
    sections: dict[str, list[Family]] = {}
    for fam in families:
        sections.setdefault(fam.section, []).append(fam)
    for section, fams in sections.items():
        out += [f"## {section}", ""]
        for fam in fams:
            out += [f"### Family {fam.family}", ""]
            for check in fam.checks:
                out += _entry(check, values, comments)
    xero = _part("xero.md")
    if xero:
        out += [xero]
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/reconciliation.md is stale")
    args = parser.parse_args(argv)
    text = render()
    current = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else None
    if current == text:
        return 0
    if args.check:
        print(f"stale: {DOC_PATH.relative_to(REPO_ROOT)} (run `python -m throughline.recon_docs`)")
        return 1
    DOC_PATH.write_text(text, encoding="utf-8")
    print(f"wrote: {DOC_PATH.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
