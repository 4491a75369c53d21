"""The public Fivetran column-set samples load through the same contracts without crashing.

What breaks the contract (missing required columns, foreign formats) lands in raw.rejects with a reason;
extra Fivetran columns are kept in _overflow as drift. Skips when ../shared is absent.
"""

from __future__ import annotations

from pathlib import Path

from landing_files import write_extract

SAMPLES: dict[str, dict[str, str]] = {
    "salesforce": {
        "sf_account_data.csv": "account.csv",
        "sf_opportunity_data.csv": "opportunity.csv",
        "sf_opportunity_history_data.csv": "opportunity_history.csv",
        "sf_opportunity_line_item_data.csv": "opportunity_line_item.csv",
        "sf_product_2_data.csv": "product_2.csv",
        "sf_user_data.csv": "user.csv",
        "sf_contact_data.csv": "contact.csv",  # no contract: reported, not loaded
    },
    "netsuite": {
        "netsuite2_account_data.csv": "account.csv",
        "netsuite2_accounting_period_data.csv": "accountingperiod.csv",
        "netsuite2_classification_data.csv": "classification.csv",
        "netsuite2_currency_data.csv": "currency.csv",
        "netsuite2_customer_data.csv": "customer.csv",
        "netsuite2_department_data.csv": "department.csv",
        "netsuite2_employee_data.csv": "employee.csv",
        "netsuite2_item_data.csv": "item.csv",
        "netsuite2_job_data.csv": "job.csv",
        "netsuite2_subsidiary_data.csv": "subsidiary.csv",
        "netsuite2_transaction_data.csv": "transaction.csv",
        "netsuite2_transaction_line_data.csv": "transactionline.csv",
        "netsuite2_tran_acct_line_data.csv": "transactionaccountingline.csv",
        "netsuite2_entities_data.csv": "entities.csv",  # no contract
    },
}


def test_fivetran_samples_load_or_reject_with_reasons(shared_dir: Path, landing: Path, load) -> None:
    src_root = shared_dir / "external" / "schemas"
    for system, mapping in SAMPLES.items():
        files = {dst: (src_root / system / src).read_bytes() for src, dst in mapping.items()}
        write_extract(landing, system, "2026-11-18", files, extract_type="full")
    loaded = load()
    by_file = {r.file.split("/", 2)[0] + "/" + r.file.rsplit("/", 1)[1]: r for r in loaded.results}
    assert by_file["salesforce/contact.csv"].status == "unknown_object"
    assert by_file["netsuite/entities.csv"].status == "unknown_object"
    for key, r in by_file.items():
        if r.status == "unknown_object":
            continue
        assert r.status in ("loaded", "loaded_with_rejects", "rejected"), (key, r.status, r.message)
        assert r.rows_read == r.rows_loaded + r.rows_rejected, key
        if r.rows_rejected:
            reasons = loaded.sql(
                "select count(*) from raw.rejects where file = ? and (rule is null or message is null)",
                [r.file],
            )
            assert reasons == [(0,)], key
    # samples lacking the contract's modified-at column are rejected whole, with the column named
    opp = by_file["salesforce/opportunity.csv"]
    assert opp.status == "rejected" and "required column(s) system_modstamp missing" in opp.message
    tal = by_file["netsuite/transactionaccountingline.csv"]
    assert (tal.status, tal.rows_read, tal.rows_rejected) == ("rejected", 5, 5)
    # samples that carry the required columns load, extra Fivetran columns reported as drift
    oli = by_file["salesforce/opportunity_line_item.csv"]
    assert (oli.status, oli.rows_loaded) == ("loaded", 10) and "sort_order" in oli.drift_columns
    tl = by_file["netsuite/transactionline.csv"]
    assert (tl.status, tl.rows_loaded) == ("loaded", 5)
    typed = loaded.sql("select count(*) from raw_netsuite.transactionline where mainline is not null")
    assert typed == [(5,)]  # NetSuite T/F booleans cast
