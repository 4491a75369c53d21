"""Recall and precision of the reconciliation checks against the sample firms' ground truth.

Every defect the generator injected must be found under its check id and record key (recall 100%), and no
break may flag a record the generator left clean (precision 100%), on two seeds; the clean firm has no
breaks at all. Parametrized per check family, so `pytest -k B1` runs one family.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
import yaml

from throughline.recon_docs import load_families
from throughline.samplefirm.defects.hygiene import _ENTRY_RULES
from throughline.samplefirm.scoring import CheckScore, render, score

CHECKS_YAML = (
    Path(__file__).resolve().parents[2] / "dbt_project/models/reconciliation/checks/_checks__models.yml"
)
FAMILIES = [m["config"]["meta"]["recon"]["family"] for m in yaml.safe_load(CHECKS_YAML.read_text())["models"]]


@pytest.fixture(scope="module")
def scores(xs_firm: Path, xs_warehouse: Path) -> list[CheckScore]:
    result = score(xs_warehouse, xs_firm / "_truth" / "defects.csv")
    print("\nseed 7\n" + render(result))
    return result


@pytest.fixture(scope="module")
def scores_seed2(xs_firm_seed2: Path, xs_warehouse_seed2: Path) -> list[CheckScore]:
    result = score(xs_warehouse_seed2, xs_firm_seed2 / "_truth" / "defects.csv")
    print("\nseed 11\n" + render(result))
    return result


def _assert_perfect(family: str, scores: list[CheckScore]) -> None:
    mine = [s for s in scores if s.check_family == family]
    assert mine, f"no check of family {family} in marts.recon_checks"
    assert sum(s.injected for s in mine) > 0, f"the sample firm injects no defect of family {family}"
    bad = [s for s in mine if s.missed or s.false_breaks]
    assert not bad, f"family {family}: missed or false breaks\n" + render(mine)


@pytest.mark.parametrize("family", FAMILIES)
def test_every_injected_defect_is_found_and_nothing_else(family: str, scores: list[CheckScore]) -> None:
    _assert_perfect(family, scores)


@pytest.mark.parametrize("family", FAMILIES)
def test_second_seed(family: str, scores_seed2: list[CheckScore]) -> None:
    _assert_perfect(family, scores_seed2)


@pytest.mark.parametrize("family", FAMILIES)
def test_clean_firm_has_no_breaks(family: str, xs_clean_warehouse: Path) -> None:
    con = duckdb.connect(str(xs_clean_warehouse), read_only=True)
    try:
        rows = con.execute(
            "select check_id, record_key from marts.recon_breaks where check_family = ? limit 5", [family]
        ).fetchall()
    finally:
        con.close()
    assert rows == [], f"family {family} flags records of the clean firm: {rows}"


#: Checks the generator may record a consequence row for (samplefirm/defects: E1 -> I2, E2 -> E3, a PSA entry
#: that breaks a second hygiene rule or takes its day past the maximum).
CONSEQUENCE_KINDS = {"I2", "E3", "PSA_OVER_DAILY_MAX", *_ENTRY_RULES}


def test_every_consequence_the_manifest_records_is_explained_in_the_docs(
    xs_firm: Path, xs_firm_seed2: Path
) -> None:
    """Where one injected defect legitimately trips a second check, the manifest has its own row for it and
    docs/reconciliation.md says why (the check's `consequence` in the declaration)."""
    found = set()
    for firm in (xs_firm, xs_firm_seed2):
        with (firm / "_truth" / "defects.csv").open(newline="", encoding="utf-8") as fh:
            found |= {r["kind"] for r in csv.DictReader(fh) if r["description"].startswith("Consequence of")}
    assert found, "neither xs firm records a consequence row: the scoring of consequences is untested"
    explained = {c.id for f in load_families() for c in f.checks if c.consequence}
    assert found <= CONSEQUENCE_KINDS, f"unexpected consequence kinds {sorted(found - CONSEQUENCE_KINDS)}"
    missing = sorted(CONSEQUENCE_KINDS - explained)
    assert not missing, f"no consequence text for {missing}"
