"""Crosswalks (crosswalk v1) and the conformed dims on the xs sample firm built by the nightly pipeline.

The clean firm must match every client 1:1:1 (CRM-only prospects aside) with nothing to review; on the firm
with defects, the injected client duplicates and orphans (``_truth/defects.csv``) must surface in
``int_client_match_review`` or as unmatched clients, never silently merged.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

# defect object -> crosswalk system code
SYSTEM_OF_OBJECT = {
    ("psa", "clients"): "psa",
    ("netsuite", "customer"): "erp",
    ("salesforce", "account"): "crm",
}
ID_COLUMN = {"crm": "crm_account_id", "erp": "erp_customer_id", "psa": "psa_client_id"}


def _rows(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _defects(firm: Path, kinds: set[str]) -> list[dict[str, str]]:
    with (firm / "_truth" / "defects.csv").open(newline="") as f:
        return [row for row in csv.DictReader(f) if row["kind"] in kinds]


def _client_of(warehouse: Path, system: str, record_id: str) -> tuple:
    rows = _rows(
        warehouse,
        "select client_key, systems_matched, is_duplicate_suspect, crm_account_id, erp_customer_id, "
        f"psa_client_id from marts.dim_client where {ID_COLUMN[system]} = ?",
        [record_id],
    )
    assert len(rows) == 1, f"{system} record {record_id}: expected exactly one dim_client row, got {rows}"
    return rows[0]


def test_clean_firm_matches_every_client_one_to_one(xs_clean_warehouse: Path) -> None:
    by_kind = dict(
        _rows(
            xs_clean_warehouse,
            """
            select case when is_prospect then 'prospect' else 'client' end || ':' || systems_matched, count(*)
            from intermediate.int_clients_matched group by 1
            """,
        )
    )
    (n_customers,) = _rows(
        xs_clean_warehouse,
        "select count(*) from staging.stg_netsuite__customers where not coalesce(is_intercompany, false)",
    )[0]
    (n_prospects,) = _rows(
        xs_clean_warehouse,
        "select count(*) from staging.stg_salesforce__accounts where lower(account_type) = 'prospect'",
    )[0]
    assert n_customers > 0 and n_prospects > 0
    # every non-prospect client is in all three systems; prospects are CRM-only
    assert by_kind == {"client:3": n_customers, "prospect:1": n_prospects}
    assert _rows(xs_clean_warehouse, "select count(*) from intermediate.int_client_match_review") == [(0,)]
    # every method recorded on a link is one of the three, with a score in (threshold, 1]
    links = _rows(
        xs_clean_warehouse,
        """
        select m, min(s), max(s) from (
            select crm_erp_match_method as m, crm_erp_match_score as s from marts.dim_client
            union all select crm_psa_match_method, crm_psa_match_score from marts.dim_client
            union all select erp_psa_match_method, erp_psa_match_score from marts.dim_client
        ) where m is not null group by m
        """,
    )
    for method, low, high in links:
        assert method in {"cross_system_id", "registration_id", "fuzzy_name", "transitive"}, method
        assert 0.92 <= low <= high <= 1.0 + 1e-9, (method, low, high)


def test_clean_firm_deals_and_people_need_no_review(xs_clean_warehouse: Path) -> None:
    assert _rows(
        xs_clean_warehouse,
        "select count(*) from intermediate.int_deal_candidates_scored where review_reason is not null",
    ) == [(0,)]
    # every original sales order is matched to its opportunity (ids recorded on both sides in the clean firm)
    unmatched_orders = _rows(
        xs_clean_warehouse,
        """
        select erp_sales_order_id from intermediate.int_deals_matched
        where erp_sales_order_id is not null and crm_opportunity_id is null
        """,
    )
    assert unmatched_orders == []
    people = dict(
        _rows(
            xs_clean_warehouse,
            """
            select case when r.employment_type = 'contractor' then 'contractor' else 'employee' end
                   || ':' || m.match_method, count(*)
            from intermediate.int_resources_matched as m
            join staging.stg_psa__resources as r on r.resource_id = m.psa_resource_id
            group by 1
            """,
        )
    )
    assert set(people) == {"employee:cross_system_id", "contractor:unmatched"}


def test_defect_firm_client_duplicates_go_to_review_not_merged(xs_firm: Path, xs_warehouse: Path) -> None:
    duplicates = _defects(xs_firm, {"CLIENT_DUPLICATE", "R4_DUPLICATE"})
    assert duplicates, "the xs firm is expected to carry client duplicate defects"
    reviewed = {
        (s, i)
        for s, i in _rows(
            xs_warehouse,
            """
            select left_system, left_id from intermediate.int_client_match_review
            union select right_system, right_id from intermediate.int_client_match_review
            where right_id is not null
            """,
        )
    }
    for defect in duplicates:
        system = SYSTEM_OF_OBJECT[(defect["system"], defect["object"])]
        record_id = str(json.loads(defect["record_key"])["id"])
        original_id = str(json.loads(defect["related_keys"])["duplicate_of"])
        assert (system, record_id) in reviewed, f"{defect['defect_id']}: {system}:{record_id} not in review"
        dup, orig = _client_of(xs_warehouse, system, record_id), _client_of(xs_warehouse, system, original_id)
        assert dup[0] != orig[0], f"{defect['defect_id']}: duplicate silently merged into {orig[0]}"
        assert dup[2] and orig[2], f"{defect['defect_id']}: both records must be flagged is_duplicate_suspect"


def test_defect_firm_client_orphans_are_unmatched(xs_firm: Path, xs_warehouse: Path) -> None:
    orphans = _defects(xs_firm, {"CLIENT_ORPHAN", "R4_ORPHAN"})
    assert orphans, "the xs firm is expected to carry client orphan defects"
    for defect in orphans:
        system = SYSTEM_OF_OBJECT[(defect["system"], defect["object"])]
        record_id = str(json.loads(defect["record_key"])["id"])
        client = _client_of(xs_warehouse, system, record_id)
        assert client[1] == 1, f"{defect['defect_id']}: orphan {system}:{record_id} was matched: {client}"


@pytest.mark.parametrize(
    ("kind", "column"),
    [("R1", "crm_opportunity_id"), ("R2", "psa_project_id")],
)
def test_defect_firm_orphan_deals_stand_alone(
    xs_firm: Path, xs_warehouse: Path, kind: str, column: str
) -> None:
    defects = _defects(xs_firm, {kind})
    assert defects
    for defect in defects:
        record_id = str(json.loads(defect["record_key"])["id"])
        rows = _rows(
            xs_warehouse,
            f"select systems_matched, is_inferred from intermediate.int_deals_matched where {column} = ?",
            [record_id],
        )
        # neither a recorded id nor the inferred fallback may attach it to another deal's contract
        assert rows == [(1, False)], f"{defect['defect_id']}: {rows}"


def test_dims_keep_every_record_and_one_unknown_member(xs_warehouse: Path) -> None:
    counts = _rows(
        xs_warehouse,
        """
        select 'client', (select count(*) from marts.dim_client where not is_unknown),
               (select count(*) from intermediate.int_clients_matched)
        union all
        select 'contract', (select count(*) from marts.dim_contract where not is_unknown),
               (select count(*) from staging.stg_netsuite__transactions
                where transaction_type = 'sales_order')
        union all
        select 'project', (select count(*) from marts.dim_project where not is_unknown),
               (select count(*) from staging.stg_psa__projects)
        union all
        select 'resource', (select count(*) from marts.dim_resource where psa_resource_id is not null),
               (select count(*) from staging.stg_psa__resources)
        union all
        select 'unknown', (select count(*) from marts.dim_client where client_key = '-1' and is_unknown)
            + (select count(*) from marts.dim_contract where contract_key = '-1' and is_unknown)
            + (select count(*) from marts.dim_project where project_key = '-1' and is_unknown)
            + (select count(*) from marts.dim_resource where resource_key = '-1' and is_unknown), 4
        """,
    )
    for name, dim_rows, expected in counts:
        assert expected > 0, name
        assert dim_rows == expected, f"{name}: {dim_rows} dim rows for {expected} source records"


def test_every_client_record_lands_in_exactly_one_client(xs_warehouse: Path) -> None:
    per_record = _rows(
        xs_warehouse,
        """
        select r.client_record_key, count(m.client_key)
        from intermediate.int_client_records as r
        left join intermediate.int_clients_matched as m
            on (r.source_system = 'crm' and m.crm_account_id = r.record_id)
            or (r.source_system = 'erp' and m.erp_customer_id = r.record_id)
            or (r.source_system = 'psa' and m.psa_client_id = r.record_id)
        group by 1 having count(m.client_key) <> 1
        """,
    )
    assert per_record == []
    intercompany_as_clients = _rows(
        xs_warehouse,
        """
        select c.customer_id from staging.stg_netsuite__customers as c
        join intermediate.int_client_records as r on r.source_system = 'erp' and r.record_id = c.customer_id
        where c.is_intercompany
        """,
    )
    assert intercompany_as_clients == [], "intercompany customers are not clients"
