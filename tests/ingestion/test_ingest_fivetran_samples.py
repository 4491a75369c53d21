"""Every public Fivetran sample in ../shared/external/schemas loads through the contracts, or is refused for
a reason a person would accept (the same list, with the reasons, is in docs/sources/<system>.md).

What breaks the contract lands in raw.rejects with a rule and message; extra Fivetran columns are kept in
_overflow as drift. Skips when ../shared is absent.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from landing_files import write_extract

from ingestion.contract import SYSTEMS

#: sample file -> (landed as, status, rows read, rows loaded, version column or refusal rule)
SAMPLES: dict[str, dict[str, tuple[str, str, int, int, str | None]]] = {
    "salesforce": {
        "sf_account_data.csv": ("account.csv", "loaded", 10, 10, "_fivetran_synced"),
        "sf_opportunity_data.csv": ("opportunity.csv", "loaded", 10, 10, "_fivetran_synced"),
        "sf_user_data.csv": ("user.csv", "loaded", 10, 10, "_fivetran_synced"),
        "sf_opportunity_line_item_data.csv": (
            "opportunity_line_item.csv",
            "loaded",
            10,
            10,
            "system_modstamp",
        ),
        "sf_product_2_data.csv": ("product_2.csv", "loaded", 2, 2, "system_modstamp"),
        # a history-mode copy of Opportunity (_fivetran_start/_end, stage_name...), not OpportunityHistory
        "sf_opportunity_history_data.csv": (
            "opportunity_history.csv",
            "rejected",
            10,
            0,
            "required_column_missing",
        ),
        "sf_contact_data.csv": ("contact.csv", "unknown_object", 0, 0, None),
        "sf_order_data.csv": ("order.csv", "unknown_object", 0, 0, None),
        "sf_user_role_data.csv": ("user_role.csv", "unknown_object", 0, 0, None),
    },
    "netsuite": {
        # history-mode tables repeat a key per version: the inactive version is a duplicate_key reject
        "netsuite2_account_data.csv": ("account.csv", "loaded_with_rejects", 7, 6, "lastmodifieddate"),
        "netsuite2_accounting_period_data.csv": (
            "accountingperiod.csv",
            "loaded_with_rejects",
            6,
            5,
            "lastmodifieddate",
        ),
        "netsuite2_classification_data.csv": ("classification.csv", "loaded", 5, 5, "lastmodifieddate"),
        "netsuite2_currency_data.csv": ("currency.csv", "loaded_with_rejects", 4, 3, "lastmodifieddate"),
        "netsuite2_customer_data.csv": ("customer.csv", "loaded_with_rejects", 6, 5, "lastmodifieddate"),
        "netsuite2_department_data.csv": ("department.csv", "loaded_with_rejects", 4, 3, "lastmodifieddate"),
        "netsuite2_employee_data.csv": ("employee.csv", "loaded_with_rejects", 4, 3, "_fivetran_synced"),
        "netsuite2_job_data.csv": ("job.csv", "loaded_with_rejects", 5, 4, "lastmodifieddate"),
        "netsuite2_subsidiary_data.csv": ("subsidiary.csv", "loaded_with_rejects", 3, 2, "lastmodifieddate"),
        "netsuite2_transaction_line_data.csv": (
            "transactionline.csv",
            "loaded",
            5,
            5,
            "linelastmodifieddate",
        ),
        # two GL lines without an account cannot post: required_missing on account
        "netsuite2_tran_acct_line_data.csv": (
            "transactionaccountingline.csv",
            "loaded_with_rejects",
            5,
            3,
            "_fivetran_synced",
        ),
        # the seeds leave out the document number (tranid) and the item name (itemid, only fullname)
        "netsuite2_transaction_data.csv": ("transaction.csv", "rejected", 4, 0, "required_column_missing"),
        "netsuite2_item_data.csv": ("item.csv", "rejected", 4, 0, "required_column_missing"),
        "netsuite2_entities_data.csv": ("entities.csv", "unknown_object", 0, 0, None),
        "netsuite2_account_type_data.csv": ("accounttype.csv", "unknown_object", 0, 0, None),
    },
}


def _land(src_root: Path, landing: Path) -> list[str]:
    """Land every sample; folders of systems without a contract here under their own names."""
    unknown = []
    for folder in sorted(p for p in src_root.iterdir() if p.is_dir()):
        mapping = SAMPLES.get(folder.name)
        if mapping is None and folder.name in SYSTEMS:
            continue  # a system added since: its own sample test covers it
        if mapping is None:
            files = {p.name: p.read_bytes() for p in folder.glob("*.csv")}
            unknown.append(folder.name)
        else:
            assert {p.name for p in folder.glob("*.csv")} == set(mapping), f"new samples in {folder}"
            files = {src: (folder / src).read_bytes() for src in mapping}
            files = {mapping[src][0]: data for src, data in files.items()}
        write_extract(landing, folder.name, "2026-11-18", files, extract_type="full")
    return unknown


def test_fivetran_samples_load_or_are_refused_with_reasons(shared_dir: Path, landing: Path, load) -> None:
    unknown = _land(shared_dir / "external" / "schemas", landing)
    loaded = load()
    by_file = {r.file: r for r in loaded.results}
    for system, mapping in SAMPLES.items():
        for src, (dst, status, read, ok, how) in mapping.items():
            r = by_file[f"{system}/2026-11-18/{dst}"]
            assert (r.status, r.rows_read, r.rows_loaded) == (status, read, ok), (src, r.message)
            if status.startswith("loaded"):
                assert r.version_column == how, src
            elif status == "rejected":
                assert loaded.sql("select distinct rule from raw.rejects where file = ?", [r.file]) == [
                    (how,)
                ]
    for system in unknown:  # e.g. hubspot, quickbooks before their adapters exist: reported, not loaded
        assert by_file[f"{system}/2026-11-18"].status == "unknown_system", system
    assert loaded.sql("select count(*) from raw.rejects where rule is null or message is null") == [(0,)]
    _check_history_mode_and_details(shared_dir, loaded)


def _check_history_mode_and_details(shared_dir: Path, loaded) -> None:
    """Fivetran history mode lists a key once per version: the rejected duplicates are the inactive ones."""
    dupes = loaded.sql("select file, raw_text from raw.rejects where rule = 'duplicate_key' order by file")
    assert len(dupes) == 8
    header_of = {}
    for file, raw in dupes:
        if file not in header_of:
            src = next(s for s, v in SAMPLES["netsuite"].items() if file.endswith("/" + v[0]))
            path = shared_dir / "external" / "schemas" / "netsuite" / src
            header_of[file] = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        row = dict(zip(header_of[file], next(csv.reader(io.StringIO(raw))), strict=True))
        assert row["_fivetran_active"].upper() == "FALSE", (file, raw)
    tal = loaded.sql(
        "select count(*) from raw.rejects where file like '%transactionaccountingline.csv' "
        "and rule = 'required_missing' and \"column\" = 'account'"
    )
    assert tal == [(2,)]
    typed = loaded.sql("select count(*) from raw_netsuite.transactionline where mainline is not null")
    assert typed == [(5,)]  # NetSuite T/F booleans cast
    oli = loaded.sql("select drift_columns from raw.load_log where file like '%opportunity_line_item.csv'")
    assert "sort_order" in oli[0][0]
