"""Fivetran's real HubSpot sample (``../shared/external/schemas/hubspot``) loads and reports what won't join.

Data nobody here shaped: hashed names, ``TRUE``/``false`` booleans, no ``hs_lastmodifieddate``, and keys that
mostly do not join. Every contract file must load (extra Fivetran columns kept as drift), the HubSpot staging
and the canonical CRM models must build on it, and ``int_crm__unjoined`` must list exactly the broken links
the test finds by reading the raw files itself. Skips when ``../shared`` is absent.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import duckdb
import pytest
from dbt_raw_fixtures import run_dbt

from ingestion.contract import COMPLETION_MARKER, load_contract
from ingestion.load import load_landing

pytestmark = [pytest.mark.shared, pytest.mark.slow]  # a dbt build of the CRM models

#: contract file -> Fivetran sample file
SAMPLE_FILES = {
    "company.csv": "company_data.csv",
    "deal.csv": "deal_data.csv",
    "deal_company.csv": "deal_company_data.csv",
    "deal_pipeline.csv": "deal_pipeline_data.csv",
    "deal_pipeline_stage.csv": "deal_pipeline_stage_data.csv",
    "deal_stage.csv": "deal_stage_data.csv",
    "owner.csv": "owner_data.csv",
}
CRM_MODELS = "path:models/staging/hubspot path:models/intermediate/crm"


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _stats(path: Path) -> dict[str, object]:
    data = path.read_bytes()
    rows = len([ln for ln in data.split(b"\n") if ln.strip()]) - 1
    return {"rows": rows, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


@pytest.fixture(scope="module")
def sample(shared_dir: Path) -> Path:
    folder = shared_dir / "external" / "schemas" / "hubspot"
    if not folder.exists():
        pytest.skip(f"{folder} is not present")
    return folder


@pytest.fixture(scope="module")
def built(sample: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list, str]:
    """Land the sample as one full extract, load it, build the HubSpot staging and CRM models on it."""
    tmp = tmp_path_factory.mktemp("hubspot_real")
    night = tmp / "landing" / "hubspot" / "2026-11-18"
    night.mkdir(parents=True)
    for dst, src in SAMPLE_FILES.items():
        (night / dst).write_bytes((sample / src).read_bytes())
    files = {p.name: _stats(p) for p in night.iterdir()}
    marker = {"system": "hubspot", "extract_date": "2026-11-18", "extract_type": "full"}
    marker |= {"created_at": "2026-11-19T02:00:00Z", "files": files}
    (night / COMPLETION_MARKER).write_text(json.dumps(marker))
    warehouse = tmp / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        results = [r for r in load_landing(con, tmp / "landing") if r.file.startswith("hubspot/")]
    out = run_dbt(
        ["build", "--select", *CRM_MODELS.split()], warehouse, tmp / "target", {"THROUGHLINE_CRM": "hubspot"}
    )
    return warehouse, results, out


def test_every_contract_file_of_the_sample_loads(built: tuple[Path, list, str], sample: Path) -> None:
    _, results, _ = built
    by_name = {r.file.rsplit("/", 1)[1]: r for r in results}
    assert set(by_name) == set(SAMPLE_FILES)
    for name, r in by_name.items():
        assert r.status == "loaded", (name, r.status, r.message)
        assert r.rows_loaded == len(_rows(sample, SAMPLE_FILES[name])), name
    # Fivetran columns the contract does not declare are kept as drift, not refused
    assert "property_hs_all-funky-a9384-syntax" in by_name["company.csv"].drift_columns
    assert set(load_contract("hubspot").object("deal").required_columns) == {"deal_id"}


def test_unjoined_links_match_the_raw_files(built: tuple[Path, list, str], sample: Path) -> None:
    warehouse, _, _ = built
    deals = {r["deal_id"] for r in _rows(sample, "deal_data.csv") if r["is_deleted"].lower() != "true"}
    companies = {r["id"] for r in _rows(sample, "company_data.csv") if r["is_deleted"].lower() != "true"}
    stages = {r["stage_id"] for r in _rows(sample, "deal_pipeline_stage_data.csv")}
    links = _rows(sample, "deal_company_data.csv")
    company_of: dict[str, str] = {}
    for r in links:  # no primary (type 5) association in the sample: the lowest company id is the deal's
        company_of[r["deal_id"]] = min(company_of.get(r["deal_id"], r["company_id"]), r["company_id"])
    history = _rows(sample, "deal_stage_data.csv")
    deal_stage = {r["deal_id"]: r["deal_pipeline_stage_id"] for r in _rows(sample, "deal_data.csv")}
    expected = set()
    for d in deals:
        company = company_of.get(d)
        if company not in companies:
            expected.add(("opportunity", d, "account_id", company))
        if deal_stage[d] not in stages:
            expected.add(("opportunity", d, "stage", None))
    for h in history:
        if h["deal_id"] not in deals:
            expected.add(("opportunity_history", h["deal_id"], "opportunity_id", h["deal_id"]))
        if h["value"] not in stages:
            expected.add(("opportunity_history", h["deal_id"], "stage", None))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        got = con.execute(
            "select entity, case when entity = 'opportunity' then record_id"
            " else split_part(record_id, ':', 1) end, link, missing_id from intermediate.int_crm__unjoined"
        ).fetchall()
        n_deals = con.execute("select count(*) from intermediate.int_crm__opportunities").fetchone()[0]
    assert set(got) == expected
    assert n_deals == len(deals)  # orphans are reported, never dropped
    # the sample's keys mostly do not join: every deal lacks a known company
    assert sum(1 for e in expected if e[2] == "account_id") == len(deals) > 40
