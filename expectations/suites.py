"""Declarative GX 1.x suites: the marts analysts query, the KPI marts, raw objects and the source loads.

Keyed by suite name (``expectations.catalog``: ``<schema>.<table>`` for a table, ``sources.*`` for the
frames built from ``raw.load_log``). Thresholds that differ between firms are environment variables, read
once when this module is imported (docs/model/quality.md): ``THROUGHLINE_GX_MAX_SHRINK`` (0.4),
``THROUGHLINE_GX_FRESHNESS_LAG_DAYS`` (1) and ``THROUGHLINE_GX_FRESHNESS_MAX_AGE_DAYS`` (unset: off).

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


def _env_float(name: str, default: float | None) -> float | None:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


#: Largest share of rows an extract may lose against the previous extract of the same object overnight.
MAX_SHRINK = _env_float("THROUGHLINE_GX_MAX_SHRINK", 0.4)
#: How many days a source's latest extract may trail the newest extract of any source.
FRESHNESS_LAG_DAYS = _env_float("THROUGHLINE_GX_FRESHNESS_LAG_DAYS", 1)
#: How many days old (against the run's date) the latest extract of a source may be; None = not checked
#: (the sample firm's extracts carry fixed dates).
FRESHNESS_MAX_AGE_DAYS = _env_float("THROUGHLINE_GX_FRESHNESS_MAX_AGE_DAYS", None)

#: ISO 4217 codes a source may carry; a code outside it is a typo or a currency the FX feed does not know.
CURRENCIES = [
    "USD", "EUR", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON", "CAD", "AUD", "NZD", "JPY",
    "CNY", "HKD", "SGD", "INR", "KRW", "ZAR", "BRL", "MXN", "AED", "SAR", "ILS", "TRY",
]  # fmt: skip

UTILIZATION = ["billable_utilization", "productive_utilization", "total_utilization"]


def _utilization(severity: FailureSeverity = WARNING) -> list[gxe.Expectation]:
    """Utilization is hours over capacity: above 150% means capacity is missing or hours are doubled."""
    return [
        gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1.5, severity=severity)
        for c in UTILIZATION
    ]


KPI_UTILIZATION_MONTHLY: list[gxe.Expectation] = [
    *_utilization(),
    gxe.ExpectColumnValuesToBeBetween(column="capacity_hours", min_value=0, severity=WARNING),
    gxe.ExpectColumnValuesToNotBeNull(column="resource_key", severity=CRITICAL),
]

KPI_UTILIZATION_ENTITY_MONTHLY: list[gxe.Expectation] = [
    *_utilization(),
    gxe.ExpectColumnValuesToBeBetween(column="capacity_hours", min_value=0, severity=WARNING),
]

KPI_DSO_MONTHLY: list[gxe.Expectation] = [
    # DSO is AR over credit sales: never negative (negative AR = over-applied cash, E2).
    gxe.ExpectColumnValuesToBeBetween(column="dso_simple_days", min_value=0, severity=WARNING),
    gxe.ExpectColumnValuesToBeBetween(column="dso_countback_days", min_value=0, severity=WARNING),
    gxe.ExpectColumnValuesToBeBetween(column="bpdso_days", min_value=0, severity=WARNING),
    # More than a year of sales outstanding is a broken denominator, not a slow payer.
    gxe.ExpectColumnValuesToBeBetween(column="dso_simple_days", max_value=365, severity=WARNING),
    # The consolidated row exists (WARNING, not CRITICAL: a first night with no closed month has no rows at
    # all, and a failed CRITICAL expectation blocks publishing).
    gxe.ExpectColumnDistinctValuesToContainSet(
        column="legal_entity_key", value_set=["GROUP"], severity=WARNING
    ),
]

KPI_FIRM_MONTHLY: list[gxe.Expectation] = [
    *_utilization(),
    gxe.ExpectColumnValuesToBeBetween(column="dso_simple_days", min_value=0, severity=WARNING),
    gxe.ExpectColumnValuesToBeBetween(column="lockup_days", min_value=0, severity=WARNING),
    # Margin can never exceed revenue while costs are positive.
    gxe.ExpectColumnValuesToBeBetween(column="margin_pct", max_value=1, severity=WARNING),
    gxe.ExpectCompoundColumnsToBeUnique(
        column_list=["month_start_date", "legal_entity_key"], severity=CRITICAL
    ),
]

KPI_AR_AGING_MONTHLY: list[gxe.Expectation] = [
    gxe.ExpectColumnValuesToBeInSet(column="aging_bucket", value_set=AGING_BUCKETS, severity=CRITICAL),
    gxe.ExpectColumnValuesToBeBetween(column="open_invoice_count", min_value=0, severity=CRITICAL),
    # An aging bucket holding a net credit is over-applied cash or credit (E2), worth a look.
    gxe.ExpectColumnValuesToBeBetween(
        column="open_amount_reporting", min_value=0, mostly=0.99, severity=WARNING
    ),
]

KPI_BACKLOG_MONTHLY: list[gxe.Expectation] = [
    # Grain: one row per month end and contract (project_key-month_start_date).
    gxe.ExpectColumnValuesToNotBeNull(column="backlog_snapshot_id", severity=CRITICAL),
    gxe.ExpectColumnValuesToBeUnique(column="backlog_snapshot_id", severity=CRITICAL),
    # The model floors both backlogs and the overrun at 0 (backlog v1): a negative value is a broken model.
    *[
        gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, severity=CRITICAL)
        for c in ("backlog_transaction", "billing_backlog_transaction", "overrun_transaction")
    ],
    # A negative contract value is a sign error in the sales order or the PSA budget (R3 territory).
    gxe.ExpectColumnValuesToBeBetween(column="contract_value_transaction", min_value=0, severity=WARNING),
    gxe.ExpectColumnValuesToBeBetween(
        column="fx_rate_to_reporting", min_value=0, strict_min=True, severity=WARNING
    ),
    # Distribution: at most 10% of contract-months run beyond their value; more means change orders are not
    # being recorded (B5) or contract values are wrong.
    gxe.ExpectColumnValuesToBeInSet(column="is_overrun", value_set=[False], mostly=0.9, severity=WARNING),
]

LEAKAGE_REPORTING = [
    "unbilled_time_reporting", "unbilled_expenses_reporting", "below_rate_card_reporting",
    "write_offs_reporting", "credit_notes_reporting", "over_cap_reporting", "leakage_total_reporting",
]  # fmt: skip

KPI_LEAKAGE_MONTHLY: list[gxe.Expectation] = [
    gxe.ExpectCompoundColumnsToBeUnique(
        column_list=["month_start_date", "project_key", "legal_entity_key"], severity=CRITICAL
    ),
    # Every leakage component is a loss measured as a positive amount; a negative one is a credit memo or
    # rate booked with the wrong sign.
    *[gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, severity=WARNING) for c in LEAKAGE_REPORTING],
    # Distribution: the typical project-month leaks well under 10% of its revenue; a higher median is a
    # systemic pricing or billing failure, not a few bad invoices.
    gxe.ExpectColumnMedianToBeBetween(
        column="leakage_pct_of_revenue", min_value=0, max_value=0.1, severity=WARNING
    ),
]

KPI_PROJECT_MARGIN_MONTHLY: list[gxe.Expectation] = [
    gxe.ExpectCompoundColumnsToBeUnique(column_list=["project_key", "month_start_date"], severity=CRITICAL),
    # Direct cost and hours are never negative (negative hours: PSA_NEGATIVE_HOURS reached approval).
    gxe.ExpectColumnValuesToBeBetween(column="cost_reporting", min_value=0, severity=WARNING),
    gxe.ExpectColumnValuesToBeBetween(column="hours_total", min_value=0, severity=WARNING),
    # Margin can never exceed revenue while costs are positive.
    gxe.ExpectColumnValuesToBeBetween(column="margin_pct", max_value=1, severity=WARNING),
    # Distribution: the typical project earns a positive gross margin below 80% to date, and bills close to
    # the standard value of its time; medians outside these bands mean costs, revenue or rate cards are
    # mis-mapped for many projects at once.
    gxe.ExpectColumnMedianToBeBetween(column="margin_itd_pct", min_value=0, max_value=0.8, severity=WARNING),
    gxe.ExpectColumnMedianToBeBetween(
        column="billing_realization", min_value=0.5, max_value=1.5, severity=WARNING
    ),
]

KPI_LOCKUP_MONTHLY: list[gxe.Expectation] = [
    gxe.ExpectCompoundColumnsToBeUnique(
        column_list=["month_start_date", "legal_entity_key"], severity=CRITICAL
    ),
    gxe.ExpectColumnDistinctValuesToContainSet(
        column="legal_entity_key", value_set=["GROUP"], severity=WARNING
    ),
    # Negative WIP or debtor days are over-billing or over-applied cash (E2, E3); a year of lock-up is a
    # broken denominator.
    gxe.ExpectColumnValuesToBeBetween(column="wip_days", min_value=0, severity=WARNING),
    gxe.ExpectColumnValuesToBeBetween(column="debtor_days", min_value=0, severity=WARNING),
    gxe.ExpectColumnValuesToBeBetween(column="lockup_days", min_value=0, max_value=365, severity=WARNING),
    # Distribution: a professional-services firm's typical lock-up is weeks to a few months.
    gxe.ExpectColumnMedianToBeBetween(column="lockup_days", min_value=10, max_value=180, severity=WARNING),
]

KPI_CYCLE_TIMES_MONTHLY: list[gxe.Expectation] = [
    gxe.ExpectCompoundColumnsToBeUnique(
        column_list=["month_start_date", "legal_entity_key", "contract_type"], severity=CRITICAL
    ),
    # A P80 is never below the median of the same values: the model computes both.
    *[
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=f"{m}_days_p80",
            column_B=f"{m}_days_median",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            severity=CRITICAL,
        )
        for m in ("activation", "invoice_cycle", "expense_invoice_cycle")
    ],
    # Days from win to first time and from work to invoice are not negative, and a median invoice cycle
    # beyond four months means billing has stalled (B1, B4).
    gxe.ExpectColumnValuesToBeBetween(column="activation_days_median", min_value=0, severity=WARNING),
    gxe.ExpectColumnValuesToBeBetween(
        column="invoice_cycle_days_median", min_value=0, max_value=120, severity=WARNING
    ),
]

RAW_PSA_TIME_ENTRIES: list[gxe.Expectation] = [
    gxe.ExpectColumnValuesToNotBeNull(column="id", severity=WARNING),
    # One entry is at most a day either way: a correction can be negative (PSA_NEGATIVE_HOURS shows in the
    # mart suite); beyond a day is a keying or unit error in the export.
    gxe.ExpectColumnValuesToBeBetween(column="hours", min_value=-24, max_value=24, severity=WARNING),
    gxe.ExpectColumnValuesToNotBeNull(column="hours", severity=WARNING),
    gxe.ExpectColumnValuesToNotBeNull(column="spent_date", severity=WARNING),
    gxe.ExpectColumnValuesToBeInSet(column="currency", value_set=CURRENCIES, severity=WARNING),
    gxe.ExpectColumnValuesToBeBetween(column="bill_rate", min_value=0, severity=WARNING),
    # Distribution: the typical entry is a few hours; a median outside 15 minutes - 10 hours is a unit change
    # in the export (minutes, days) rather than a bad entry.
    gxe.ExpectColumnMedianToBeBetween(column="hours", min_value=0.25, max_value=10, severity=WARNING),
]

RAW_PSA_EXPENSES: list[gxe.Expectation] = [
    gxe.ExpectColumnValuesToNotBeNull(column="amount", severity=WARNING),
    gxe.ExpectColumnValuesToBeInSet(column="currency", value_set=CURRENCIES, severity=WARNING),
    # markup_pct is a percentage (10.0 = 10%).
    gxe.ExpectColumnValuesToBeBetween(column="markup_pct", min_value=0, max_value=100, severity=WARNING),
]

RAW_SALESFORCE_OPPORTUNITY: list[gxe.Expectation] = [
    gxe.ExpectColumnValuesToNotBeNull(column="amount", severity=WARNING),
    gxe.ExpectColumnValuesToBeInSet(column="currency_iso_code", value_set=CURRENCIES, severity=WARNING),
    gxe.ExpectColumnValuesToBeBetween(column="probability", min_value=0, max_value=100, severity=WARNING),
    # Distribution: the typical deal has a positive amount; a median of 0 or below means amounts stopped
    # coming through the export (R1 and R3 would then price nothing).
    gxe.ExpectColumnMedianToBeBetween(column="amount", min_value=0, strict_min=True, severity=WARNING),
]

RAW_NETSUITE_TRANSACTIONLINE: list[gxe.Expectation] = [
    gxe.ExpectColumnValuesToNotBeNull(column="foreignamount", severity=WARNING),
    gxe.ExpectColumnValuesToNotBeNull(column="transaction", severity=WARNING),
]

SOURCES_ROW_VOLUME: list[gxe.Expectation] = [
    # An extract that lost more than MAX_SHRINK of the previous extract's rows (same object, same full/delta
    # type, previous extract big enough to compare: expectations.sources) is a broken export until shown
    # otherwise. shrink_share is null where there is nothing to compare, and GX skips nulls.
    gxe.ExpectColumnValuesToBeBetween(column="shrink_share", max_value=MAX_SHRINK, severity=WARNING),
]

SOURCES_FRESHNESS: list[gxe.Expectation] = [
    # Every source system in the contracts has delivered at least one extract.
    gxe.ExpectColumnValuesToNotBeNull(column="latest_extract_date", severity=WARNING),
    # No source trails the newest extract of any source by more than FRESHNESS_LAG_DAYS: a stalled export
    # makes every cross-system check compare today's ERP with last week's PSA.
    gxe.ExpectColumnValuesToBeBetween(
        column="lag_days", min_value=0, max_value=FRESHNESS_LAG_DAYS, severity=WARNING
    ),
    *(
        [
            gxe.ExpectColumnValuesToBeBetween(
                column="age_days", max_value=FRESHNESS_MAX_AGE_DAYS, severity=WARNING
            )
        ]
        if FRESHNESS_MAX_AGE_DAYS is not None
        else []
    ),
]

#: Suite name -> expectations (the names and data sources are in ``expectations.catalog``).
SUITES: dict[str, list[gxe.Expectation]] = {
    "marts.fct_time_entries": FCT_TIME_ENTRIES,
    "marts.fct_invoice_lines": FCT_INVOICE_LINES,
    "marts.fct_ar_open_items": FCT_AR_OPEN_ITEMS,
    "marts.dim_client": DIM_CLIENT,
    "marts.kpi_utilization_monthly": KPI_UTILIZATION_MONTHLY,
    "marts.kpi_utilization_entity_monthly": KPI_UTILIZATION_ENTITY_MONTHLY,
    "marts.kpi_dso_monthly": KPI_DSO_MONTHLY,
    "marts.kpi_firm_monthly": KPI_FIRM_MONTHLY,
    "marts.kpi_ar_aging_monthly": KPI_AR_AGING_MONTHLY,
    "marts.kpi_backlog_monthly": KPI_BACKLOG_MONTHLY,
    "marts.kpi_leakage_monthly": KPI_LEAKAGE_MONTHLY,
    "marts.kpi_project_margin_monthly": KPI_PROJECT_MARGIN_MONTHLY,
    "marts.kpi_lockup_monthly": KPI_LOCKUP_MONTHLY,
    "marts.kpi_cycle_times_monthly": KPI_CYCLE_TIMES_MONTHLY,
    "raw_psa.time_entries": RAW_PSA_TIME_ENTRIES,
    "raw_psa.expenses": RAW_PSA_EXPENSES,
    "raw_salesforce.opportunity": RAW_SALESFORCE_OPPORTUNITY,
    "raw_netsuite.transactionline": RAW_NETSUITE_TRANSACTIONLINE,
    "sources.row_volume": SOURCES_ROW_VOLUME,
    "sources.freshness": SOURCES_FRESHNESS,
}
