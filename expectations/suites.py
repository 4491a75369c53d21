"""Declarative GX 1.x suites, one per mart that analysts query, keyed ``<schema>.<model>``.

Severity policy (docs/model/quality.md): CRITICAL = a structural property the dbt models guarantee (grain,
conformed keys always set, values the model derives itself); a failure means the pipeline is broken and the
Dagster check fails with ERROR. WARNING = a property real, defective source data can violate (negative hours,
over-applied payments, missing FX rates, duplicate clients); it is reported (WARN), never blocks the night.

Each expectation object is built here once and attached to one suite in the process-wide GX context
(``expectations.validate``); do not reuse these instances elsewhere.
"""

from __future__ import annotations

import os

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations.expectations as gxe  # noqa: E402  (analytics must be off before the import)
from great_expectations.expectations.metadata_types import FailureSeverity  # noqa: E402
from great_expectations.expectations.row_conditions import Column  # noqa: E402

CRITICAL = FailureSeverity.CRITICAL
WARNING = FailureSeverity.WARNING

#: Rows whose converted amounts must be present: no FX rate was missing for them.
RATES_PRESENT = Column("is_fx_rate_missing") == False  # noqa: E712  (GX condition builder, not a comparison)

AGING_BUCKETS = ["Current", "1-30", "31-60", "61-90", "90+"]

FCT_TIME_ENTRIES: list[gxe.Expectation] = [
    # Grain: one row per PSA time entry; a duplicate would double hours and billable value (B1-B3).
    gxe.ExpectColumnValuesToNotBeNull(column="time_entry_id", severity=CRITICAL),
    gxe.ExpectColumnValuesToBeUnique(column="time_entry_id", severity=CRITICAL),
    # Conformed keys are always set ('-1' = unknown) so joins to the dimensions never drop hours.
    gxe.ExpectColumnValuesToNotBeNull(column="resource_key", severity=CRITICAL),
    gxe.ExpectColumnValuesToNotBeNull(column="project_key", severity=CRITICAL),
    gxe.ExpectColumnValuesToNotBeNull(column="client_key", severity=CRITICAL),
    gxe.ExpectColumnValuesToNotBeNull(column="legal_entity_key", severity=CRITICAL),
    gxe.ExpectColumnValuesToNotBeNull(column="transaction_currency_code", severity=CRITICAL),
    # One group reporting currency and one rate type: sums across rows are only meaningful then.
    gxe.ExpectColumnUniqueValueCountToBeBetween(
        column="reporting_currency_code", max_value=1, severity=CRITICAL
    ),
    gxe.ExpectColumnValuesToBeInSet(column="fx_rate_type", value_set=["spot"], severity=CRITICAL),
    # A single entry is between 0 and 24 hours: negative hours (PSA_NEGATIVE_HOURS) or more than a day
    # are keying errors in the PSA that distort utilisation and billable value.
    gxe.ExpectColumnValuesToBeBetween(column="hours", min_value=0, max_value=24, severity=WARNING),
    # Almost every entry fits a normal working day; more than 1% above 12 hours suggests bulk entry.
    gxe.ExpectColumnValuesToBeBetween(
        column="hours", min_value=0, max_value=12, mostly=0.99, severity=WARNING
    ),
    # Billable hours never exceed hours worked: the approved-billable base of checks B1-B3.
    gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A="hours", column_B="billable_hours", or_equal=True, severity=WARNING
    ),
    # Rates are non-negative (a negative rate turns revenue into a credit).
    gxe.ExpectColumnValuesToBeBetween(column="bill_rate", min_value=0, severity=WARNING),
    gxe.ExpectColumnValuesToBeBetween(column="cost_rate", min_value=0, severity=WARNING),
    # Value in all three currencies whenever no rate is missing (FX breaks are flagged, not silent);
    # a billable entry on a non-billable project has no rate and shows up here.
    gxe.ExpectColumnValuesToNotBeNull(
        column="billable_amount_transaction", row_condition=RATES_PRESENT, severity=WARNING
    ),
    gxe.ExpectColumnValuesToNotBeNull(
        column="billable_amount_entity", row_condition=RATES_PRESENT, severity=WARNING
    ),
    gxe.ExpectColumnValuesToNotBeNull(
        column="billable_amount_reporting", row_condition=RATES_PRESENT, severity=WARNING
    ),
    gxe.ExpectColumnValuesToNotBeNull(
        column="cost_amount_reporting", row_condition=RATES_PRESENT, severity=WARNING
    ),
    # Decoded PSA picklists: a new source value needs the decode map extended.
    gxe.ExpectColumnValuesToBeInSet(
        column="time_entry_status", value_set=["draft", "submitted", "approved", "rejected"], severity=WARNING
    ),
    gxe.ExpectColumnValuesToBeInSet(
        column="work_type",
        value_set=["client", "presales", "internal", "training", "admin"],
        severity=WARNING,
    ),
    # Client work resolves to a conformed client (internal work legitimately has none): R4 orphans.
    gxe.ExpectColumnValuesToNotBeInSet(
        column="client_key", value_set=["-1"], row_condition=Column("work_type") == "client", severity=WARNING
    ),
]

FCT_INVOICE_LINES: list[gxe.Expectation] = [
    # Grain: one row per invoice or credit memo line; duplicates would double billings (B1-B8, I1).
    gxe.ExpectColumnValuesToNotBeNull(column="invoice_line_id", severity=CRITICAL),
    gxe.ExpectColumnValuesToBeUnique(column="invoice_line_id", severity=CRITICAL),
    gxe.ExpectCompoundColumnsToBeUnique(column_list=["transaction_id", "line_id"], severity=CRITICAL),
    # The model keeps invoices and credit memos only, with one of two entity-amount bases.
    gxe.ExpectColumnValuesToBeInSet(
        column="transaction_type", value_set=["invoice", "credit_memo"], severity=CRITICAL
    ),
    gxe.ExpectColumnValuesToBeInSet(
        column="entity_amount_basis", value_set=["erp_booked", "erp_header_rate"], severity=CRITICAL
    ),
    # Conformed keys and currencies always set ('-1' = unknown).
    gxe.ExpectColumnValuesToNotBeNull(column="client_key", severity=CRITICAL),
    gxe.ExpectColumnValuesToNotBeNull(column="legal_entity_key", severity=CRITICAL),
    gxe.ExpectColumnValuesToNotBeNull(column="transaction_currency_code", severity=CRITICAL),
    gxe.ExpectColumnValuesToNotBeNull(column="entity_currency_code", severity=CRITICAL),
    gxe.ExpectColumnUniqueValueCountToBeBetween(
        column="reporting_currency_code", max_value=1, severity=CRITICAL
    ),
    gxe.ExpectColumnValuesToBeInSet(column="fx_rate_type", value_set=["spot"], severity=CRITICAL),
    # Amounts in three currencies: document and functional always, reporting unless a rate is missing.
    gxe.ExpectColumnValuesToNotBeNull(column="amount_transaction", severity=WARNING),
    gxe.ExpectColumnValuesToNotBeNull(column="amount_entity", row_condition=RATES_PRESENT, severity=WARNING),
    gxe.ExpectColumnValuesToNotBeNull(
        column="amount_reporting", row_condition=RATES_PRESENT, severity=WARNING
    ),
    # Spot rates are positive; a zero or negative rate zeroes or flips reporting amounts (FX checks).
    gxe.ExpectColumnValuesToBeBetween(
        column="fx_rate_to_reporting", min_value=0, strict_min=True, severity=WARNING
    ),
    # Dates in order: due on or after the document date, service period end on or after its start.
    gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A="due_date",
        column_B="transaction_date",
        or_equal=True,
        ignore_row_if="either_value_is_missing",
        severity=WARNING,
    ),
    gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A="service_period_end",
        column_B="service_period_start",
        or_equal=True,
        ignore_row_if="either_value_is_missing",
        severity=WARNING,
    ),
    gxe.ExpectColumnValuesToBeInSet(
        column="transaction_status", value_set=["open", "paid_in_full", "closed", "voided"], severity=WARNING
    ),
    # At least 90% of billed lines resolve to a conformed client; the rest are R4 orphans to review.
    gxe.ExpectColumnValuesToNotBeInSet(column="client_key", value_set=["-1"], mostly=0.9, severity=WARNING),
]

FCT_AR_OPEN_ITEMS: list[gxe.Expectation] = [
    # Grain: one row per as-of month end and invoice (the dbt test checks the same pair).
    gxe.ExpectColumnValuesToNotBeNull(column="ar_open_item_id", severity=CRITICAL),
    gxe.ExpectColumnValuesToBeUnique(column="ar_open_item_id", severity=CRITICAL),
    gxe.ExpectCompoundColumnsToBeUnique(
        column_list=["as_of_date", "invoice_transaction_id"], severity=CRITICAL
    ),
    gxe.ExpectColumnValuesToNotBeNull(column="legal_entity_key", severity=CRITICAL),
    # Aging is derived by the model from var ar_aging_bucket_edges [30, 60, 90].
    gxe.ExpectColumnValuesToBeInSet(column="aging_bucket", value_set=AGING_BUCKETS, severity=CRITICAL),
    gxe.ExpectColumnValuesToBeBetween(
        column="aging_bucket_order", min_value=0, max_value=4, severity=CRITICAL
    ),
    # Only invoices dated on or before the as-of date are open at that date (ar v1).
    gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A="as_of_date", column_B="invoice_date", or_equal=True, severity=CRITICAL
    ),
    gxe.ExpectColumnValuesToBeInSet(column="fx_rate_type", value_set=["closing"], severity=CRITICAL),
    # An open item is a receivable: a negative open amount is an over-applied payment or credit (E2).
    gxe.ExpectColumnValuesToBeBetween(column="open_amount", min_value=0, severity=WARNING),
    # Nothing can be more open than the invoice total (negative applications).
    gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A="original_amount", column_B="open_amount", or_equal=True, severity=WARNING
    ),
    gxe.ExpectColumnValuesToBeBetween(column="applied_payments", min_value=0, severity=WARNING),
    gxe.ExpectColumnValuesToBeBetween(column="applied_credits", min_value=0, severity=WARNING),
    gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A="due_date", column_B="invoice_date", or_equal=True, severity=WARNING
    ),
    # Open amounts in entity and reporting currency need a closing rate (FX_MISSING_* defects).
    gxe.ExpectColumnValuesToNotBeNull(column="open_amount_entity", severity=WARNING),
    gxe.ExpectColumnValuesToNotBeNull(column="open_amount_reporting", severity=WARNING),
    # Collectability: at most 5% of open items are more than a year past due.
    gxe.ExpectColumnValuesToBeBetween(column="days_past_due", max_value=365, mostly=0.95, severity=WARNING),
]

DIM_CLIENT: list[gxe.Expectation] = [
    # One row per conformed client, and the unknown member '-1' exists for unresolved facts.
    gxe.ExpectColumnValuesToNotBeNull(column="client_key", severity=CRITICAL),
    gxe.ExpectColumnValuesToBeUnique(column="client_key", severity=CRITICAL),
    gxe.ExpectColumnDistinctValuesToContainSet(column="client_key", value_set=["-1"], severity=CRITICAL),
    # Matching attributes the crosswalk derives itself.
    gxe.ExpectColumnValuesToBeInSet(
        column="match_method",
        value_set=["cross_system_id", "registration_id", "fuzzy_name", "unmatched"],
        severity=CRITICAL,
    ),
    gxe.ExpectColumnValuesToBeBetween(column="systems_matched", min_value=0, max_value=3, severity=CRITICAL),
    gxe.ExpectColumnValuesToBeBetween(column="match_score", min_value=0, max_value=1, severity=CRITICAL),
    # Source hygiene: every client has a name and an ISO alpha-2 country.
    gxe.ExpectColumnValuesToNotBeNull(column="client_name", severity=WARNING),
    gxe.ExpectColumnValueLengthsToEqual(column="country_code", value=2, severity=WARNING),
    # A registration id identifies one company: two clients sharing one are duplicates (CLIENT_DUPLICATE).
    gxe.ExpectColumnValuesToBeUnique(column="registration_id", severity=WARNING),
    # At most 5% of clients are suspected duplicates or mis-links awaiting review.
    gxe.ExpectColumnValuesToBeInSet(
        column="is_duplicate_suspect", value_set=[False], mostly=0.95, severity=WARNING
    ),
    gxe.ExpectColumnValuesToBeInSet(column="is_cluster_conflict", value_set=[False], severity=WARNING),
]

#: Suite name (``<schema>.<model>`` of the mart) -> expectations.
SUITES: dict[str, list[gxe.Expectation]] = {
    "marts.fct_time_entries": FCT_TIME_ENTRIES,
    "marts.fct_invoice_lines": FCT_INVOICE_LINES,
    "marts.fct_ar_open_items": FCT_AR_OPEN_ITEMS,
    "marts.dim_client": DIM_CLIENT,
}
