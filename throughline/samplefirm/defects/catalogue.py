"""The catalogue of injectable defects: one entry per kind, with its check family and default rate.

A rate is the share of the eligible population (opportunities, time entries, invoices, entity-months, …)
that receives the defect; every kind gets at least one instance when anything is eligible, so the xs
firm shows every kind and larger firms show a realistic handful.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DefectKind:
    id: str
    check_family: str
    system: str
    description: str
    default_rate: float
    population: str


_K = DefectKind

DEFECT_KIND_LIST: tuple[DefectKind, ...] = (
    # §8.1 commercial chain
    _K(
        "R1",
        "R1",
        "salesforce",
        "Closed Won opportunity with no PSA project and no ERP sales order.",
        0.03,
        "won opportunities",
    ),
    _K(
        "R2",
        "R2",
        "psa",
        "Active billable PSA project with no Closed Won opportunity (and no ERP contract).",
        0.03,
        "client projects",
    ),
    _K(
        "R3",
        "R3",
        "salesforce",
        "Opportunity amount differs from ERP contract and PSA budget beyond max(1%, 100).",
        0.04,
        "won opportunities with a project",
    ),
    _K(
        "R4_DUPLICATE",
        "R4",
        "netsuite",
        "Second ERP customer for the same company, with naming noise.",
        0.04,
        "ERP customers",
    ),
    _K(
        "R4_ORPHAN",
        "R4",
        "netsuite",
        "ERP customer with no CRM account and no PSA client.",
        0.03,
        "ERP customers",
    ),
    _K(
        "R5_CURRENCY",
        "R5",
        "salesforce",
        "Opportunity currency differs from its contract currency.",
        0.03,
        "won opportunities with a project",
    ),
    _K(
        "R5_ENTITY",
        "R5",
        "salesforce",
        "Opportunity contracting entity differs from the delivering entity, with no intercompany agreement.",
        0.03,
        "won opportunities with a project",
    ),
    _K(
        "R6_START_BEFORE_CLOSE",
        "R6",
        "psa",
        "PSA project starts before its opportunity was closed.",
        0.03,
        "client projects with an opportunity",
    ),
    _K(
        "R6_CONTRACT_END",
        "R6",
        "netsuite",
        "ERP contract (sales order) ends before the last time entry.",
        0.03,
        "sales orders with time",
    ),
    # §8.2 billing chain
    _K(
        "B1",
        "B1",
        "psa",
        "Approved billable time never invoiced (aged past the billing period).",
        0.0002,
        "approved billable T&M time entries",
    ),
    _K(
        "B2",
        "B2",
        "psa",
        "Invoiced hours differ from approved hours.",
        0.0002,
        "approved billable T&M time entries",
    ),
    _K(
        "B3",
        "B3",
        "psa",
        "Invoiced rate below the contract / rate-card rate.",
        0.0002,
        "approved billable T&M time entries",
    ),
    _K("B4", "B4", "psa", "Approved billable expense never invoiced.", 0.01, "approved billable expenses"),
    _K(
        "B5",
        "B5",
        "psa",
        "Fixed-fee billing above contract value plus approved change orders.",
        0.05,
        "fixed-fee projects",
    ),
    _K(
        "B6_ACCEPTED_NOT_BILLED",
        "B6",
        "psa",
        "Accepted milestone never invoiced.",
        0.02,
        "accepted milestones",
    ),
    _K(
        "B6_BILLED_NOT_ACCEPTED",
        "B6",
        "psa",
        "Milestone invoiced although not accepted.",
        0.03,
        "milestones not accepted",
    ),
    _K(
        "B7",
        "B7",
        "netsuite",
        "Manual revenue journal: GL revenue differs from PSA revenue.",
        0.02,
        "entity-months",
    ),
    _K(
        "B8",
        "B8",
        "netsuite",
        "Manual journal to unbilled receivable: contract-balance identity broken.",
        0.02,
        "entity-months",
    ),
    # §8.3 ERP integrity
    _K("E1", "E1", "netsuite", "Invoice header total differs from lines + tax.", 0.003, "invoices"),
    _K("E2_UNLINKED", "E2", "netsuite", "Credit memo not linked to any invoice.", 0.05, "credit memos"),
    _K(
        "E2_EXCEEDS_INVOICE",
        "E2",
        "netsuite",
        "Credit applied to an invoice exceeds the invoice total.",
        0.05,
        "applied credit memos",
    ),
    _K(
        "E2_CURRENCY",
        "E2",
        "netsuite",
        "Credit memo in a different currency than the invoice it credits.",
        0.05,
        "applied credit memos",
    ),
    _K(
        "E3",
        "E3",
        "netsuite",
        "Payment applied above the invoice total (over-application).",
        0.003,
        "payment applications",
    ),
    _K(
        "E4",
        "E4",
        "netsuite",
        "Manual journal to the AR control account: AR subledger differs from GL.",
        0.02,
        "entity-months",
    ),
    _K(
        "E5",
        "E5",
        "netsuite",
        "Manual journal to deferred revenue: roll-forward broken.",
        0.02,
        "entity-months",
    ),
    _K("E6", "E6", "netsuite", "Unbalanced journal (debits differ from credits).", 0.01, "entity-months"),
    # §8.4 intercompany
    _K(
        "I1",
        "I1",
        "netsuite",
        "Intercompany invoice whose counterpart bill is missing.",
        0.05,
        "IC invoice pairs",
    ),
    _K(
        "I2",
        "I2",
        "netsuite",
        "Intercompany bill amount differs from the invoice beyond tolerance.",
        0.05,
        "IC invoice pairs",
    ),
    _K(
        "I3",
        "I3",
        "netsuite",
        "Intercompany bill booked in a later period than the invoice.",
        0.05,
        "IC invoice pairs",
    ),
    _K(
        "I4",
        "I4",
        "netsuite",
        "Intercompany bill booked against the wrong counterparty.",
        0.05,
        "IC invoice pairs",
    ),
    _K(
        "I5",
        "I5",
        "netsuite",
        "Intercompany bill at a different exchange rate (same transaction amount).",
        0.05,
        "IC invoice pairs",
    ),
    # §8.5 FX
    _K(
        "FX_MISSING_RATE",
        "FX",
        "netsuite",
        "Daily rates missing for a week of a currency that transactions use.",
        0.01,
        "currency-weeks",
    ),
    _K(
        "FX_INVERSE_INCONSISTENT",
        "FX",
        "netsuite",
        "Inverse rate inconsistent with the direct rate (product != 1).",
        0.001,
        "daily rates",
    ),
    _K(
        "FX_MISSING_CONSOLIDATED_RATE",
        "FX",
        "netsuite",
        "Consolidated exchange rate missing for a period.",
        0.02,
        "consolidated rates",
    ),
    # §8.6 PSA hygiene
    _K(
        "PSA_TIME_ON_CLOSED_PROJECT",
        "PSA",
        "psa",
        "Time recorded on a closed project after its end date.",
        0.05,
        "closed projects",
    ),
    _K(
        "PSA_TIME_TERMINATED_RESOURCE",
        "PSA",
        "psa",
        "Time recorded after the resource's termination date.",
        0.03,
        "resources",
    ),
    _K(
        "PSA_OVER_DAILY_MAX",
        "PSA",
        "psa",
        "Resource-day total above the 12-hour daily maximum.",
        0.0001,
        "time entries",
    ),
    _K(
        "PSA_TIME_WITHOUT_ASSIGNMENT",
        "PSA",
        "psa",
        "Time on a project the resource is not assigned to.",
        0.0001,
        "time entries",
    ),
    _K(
        "PSA_DUPLICATE_TIME",
        "PSA",
        "psa",
        "Duplicate time entry (same resource, project, day, hours).",
        0.0001,
        "time entries",
    ),
    _K("PSA_NEGATIVE_HOURS", "PSA", "psa", "Time entry with negative hours.", 0.0001, "time entries"),
    _K(
        "PSA_BILLABLE_ON_NONBILLABLE",
        "PSA",
        "psa",
        "Billable time on a non-billable (internal) project.",
        0.0002,
        "internal time entries",
    ),
    _K(
        "PSA_NONBILLABLE_ON_BILLABLE",
        "PSA",
        "psa",
        "Non-billable client time on a billable project.",
        0.0001,
        "client time entries",
    ),
    _K(
        "PSA_MISSING_TIMESHEET",
        "PSA",
        "psa",
        "Person-week with no time and no time off.",
        0.0005,
        "person-weeks",
    ),
    _K("PSA_CAPACITY_GAP", "PSA", "psa", "Resource with zero or missing weekly capacity.", 0.03, "resources"),
    _K(
        "PSA_RATE_CARD_GAP",
        "PSA",
        "psa",
        "Role and currency used by time entries with no rate-card rate.",
        0.05,
        "role-currency pairs",
    ),
    # client master across the three systems
    _K(
        "CLIENT_DUPLICATE",
        "CLIENT",
        "psa",
        "Second PSA client for the same company, with naming noise.",
        0.04,
        "PSA clients",
    ),
    _K(
        "CLIENT_ORPHAN",
        "CLIENT",
        "psa",
        "PSA client with no CRM account and no ERP customer.",
        0.03,
        "PSA clients",
    ),
    # malformed rows in landed files
    _K(
        "MALFORMED_UNBALANCED_QUOTE",
        "MALFORMED",
        "salesforce",
        "CSV line with an unbalanced quote.",
        1.0,
        "files",
    ),
    _K(
        "MALFORMED_FIELD_COUNT",
        "MALFORMED",
        "netsuite",
        "CSV line with the wrong number of fields.",
        1.0,
        "files",
    ),
    _K(
        "MALFORMED_WRONG_TYPE",
        "MALFORMED",
        "netsuite",
        "Value that does not parse as the column type.",
        1.0,
        "files",
    ),
    _K("MALFORMED_MISSING_REQUIRED", "MALFORMED", "psa", "Required value missing.", 1.0, "files"),
    _K(
        "MALFORMED_DUPLICATE_KEY",
        "MALFORMED",
        "netsuite",
        "Primary key repeated within one file.",
        1.0,
        "files",
    ),
    _K("MALFORMED_INVALID_JSON", "MALFORMED", "psa", "JSON Lines line that is not valid JSON.", 1.0, "files"),
)

#: id -> {id, check_family, system, description, default_rate, population}
DEFECT_KINDS: dict[str, dict[str, object]] = {
    k.id: {
        "id": k.id,
        "check_family": k.check_family,
        "system": k.system,
        "description": k.description,
        "default_rate": k.default_rate,
        "population": k.population,
    }
    for k in DEFECT_KIND_LIST
}


@dataclass
class DefectRates:
    """Rates per kind (share of the eligible population); defaults from the catalogue.

    Malformed kinds are counts of files to corrupt (1.0 = one file) rather than shares.
    """

    overrides: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.overrides) - set(DEFECT_KINDS)
        if unknown:
            raise ValueError(f"unknown defect kinds in rates: {sorted(unknown)}")

    def rate(self, kind: str) -> float:
        return float(self.overrides.get(kind, DEFECT_KINDS[kind]["default_rate"]))  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, float]:
        return {k: self.rate(k) for k in DEFECT_KINDS}

    def count(self, kind: str, population: int) -> int:
        """Instances to inject: rate × population, at least one when anything is eligible."""
        r = self.rate(kind)
        if population <= 0 or r <= 0:
            return 0
        return int(max(1, min(population, round(r * population))))
