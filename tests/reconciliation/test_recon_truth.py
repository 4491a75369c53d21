"""Recall and precision of the reconciliation checks against the sample firms' ground truth.

Every defect the generator injected must be found under its check id and record key (recall 100%), and no
break may flag a record the generator left clean (precision 100%), on two seeds; the clean firm has no
breaks at all. Parametrized per check family, so `pytest -k B1` runs one family.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

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
