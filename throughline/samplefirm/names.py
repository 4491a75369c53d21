"""Static reference data: people and company names, public-holiday rules, the firm's structure."""

from __future__ import annotations

from datetime import date, timedelta

FIRST_NAMES = {
    "US": [
        "James",
        "Mary",
        "Robert",
        "Patricia",
        "John",
        "Jennifer",
        "Michael",
        "Linda",
        "David",
        "Elizabeth",
        "William",
        "Barbara",
        "Richard",
        "Susan",
        "Joseph",
        "Jessica",
        "Thomas",
        "Sarah",
        "Chris",
        "Karen",
        "Daniel",
        "Nancy",
        "Matthew",
        "Lisa",
        "Anthony",
        "Betty",
        "Mark",
        "Sandra",
        "Priya",
        "Wei",
    ],
    "GB": [
        "Oliver",
        "Amelia",
        "George",
        "Isla",
        "Harry",
        "Ava",
        "Jack",
        "Emily",
        "Charlie",
        "Sophie",
        "Thomas",
        "Grace",
        "Oscar",
        "Lily",
        "William",
        "Freya",
        "James",
        "Chloe",
        "Alfie",
        "Ella",
    ],
    "DE": [
        "Lukas",
        "Anna",
        "Leon",
        "Lea",
        "Finn",
        "Hannah",
        "Jonas",
        "Mia",
        "Paul",
        "Lena",
        "Felix",
        "Laura",
        "Maximilian",
        "Julia",
        "Moritz",
        "Sophie",
        "Tobias",
        "Katharina",
        "Jan",
        "Sarah",
    ],
}
LAST_NAMES = {
    "US": [
        "Smith",
        "Johnson",
        "Williams",
        "Brown",
        "Jones",
        "Garcia",
        "Miller",
        "Davis",
        "Rodriguez",
        "Martinez",
        "Hernandez",
        "Lopez",
        "Wilson",
        "Anderson",
        "Thomas",
        "Taylor",
        "Moore",
        "Jackson",
        "Martin",
        "Lee",
        "Patel",
        "Nguyen",
        "Chen",
        "Walker",
        "Young",
    ],
    "GB": [
        "Smith",
        "Jones",
        "Taylor",
        "Brown",
        "Williams",
        "Wilson",
        "Johnson",
        "Davies",
        "Robinson",
        "Wright",
        "Thompson",
        "Evans",
        "Walker",
        "White",
        "Roberts",
        "Green",
        "Hall",
        "Wood",
        "Clarke",
    ],
    "DE": [
        "Müller",
        "Schmidt",
        "Schneider",
        "Fischer",
        "Weber",
        "Meyer",
        "Wagner",
        "Becker",
        "Schulz",
        "Hoffmann",
        "Schäfer",
        "Koch",
        "Bauer",
        "Richter",
        "Klein",
        "Wolf",
        "Schröder",
        "Neumann",
    ],
}
COMPANY_WORDS = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Wonka",
    "Cyberdyne",
    "Tyrell",
    "Soylent",
    "Hooli",
    "Vandelay",
    "Massive",
    "Oscorp",
    "Gringotts",
    "Nakatomi",
    "Pied Piper",
    "Aperture",
    "Blue Sun",
    "Monarch",
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Litware",
    "Adatum",
    "Proseware",
    "Fourth Coffee",
    "Woodgrove",
    "Lucerne",
    "Alpine",
    "Coho",
    "Wingtip",
    "Trey",
    "Humongous",
    "Margie",
    "Datum",
    "Bluewater",
    "Redwood",
    "Ironbridge",
    "Silverline",
    "Greenfield",
    "Harbor",
    "Summit",
    "Keystone",
    "Pinnacle",
    "Atlas",
    "Beacon",
    "Crescent",
    "Evergreen",
    "Falcon",
    "Granite",
    "Horizon",
    "Meridian",
    "Nimbus",
    "Orion",
    "Polaris",
    "Quantum",
    "Sterling",
    "Titan",
    "Vertex",
    "Zenith",
    "Apex",
    "Cobalt",
    "Delta",
    "Ember",
    "Fjord",
    "Helix",
]
COMPANY_KINDS = [
    ("Corporation", "Corp."),
    ("Industries", "Ind."),
    ("Holdings", "Hldgs"),
    ("Group", "Grp"),
    ("Technologies", "Tech"),
    ("Manufacturing", "Mfg"),
    ("Financial", "Fin."),
    ("Logistics", "Log."),
    ("Energy", "Energy"),
    ("Retail", "Retail"),
    ("Health", "Health"),
    ("Insurance", "Ins."),
]
LEGAL_SUFFIX = {
    "US": ["Inc.", "LLC", "Corp."],
    "GB": ["Ltd", "plc", "Limited"],
    "DE": ["GmbH", "AG", "SE"],
    "FR": ["SA", "SAS"],
    "NL": ["B.V.", "N.V."],
}
COUNTRY_NAMES = {
    "US": "United States",
    "GB": "United Kingdom",
    "DE": "Germany",
    "FR": "France",
    "NL": "Netherlands",
}
CITIES = {
    "US": ["New York", "Chicago", "Boston", "Austin", "Seattle", "Atlanta"],
    "GB": ["London", "Manchester", "Leeds", "Bristol", "Edinburgh"],
    "DE": ["Berlin", "München", "Hamburg", "Frankfurt am Main", "Köln"],
    "FR": ["Paris", "Lyon"],
    "NL": ["Amsterdam", "Rotterdam"],
}
INDUSTRIES = [
    "Banking",
    "Insurance",
    "Manufacturing",
    "Retail",
    "Healthcare",
    "Energy",
    "Technology",
    "Media",
    "Transportation",
    "Government",
]

#: (id, code, name, functional currency id, country, legal name, tax rate on sales)
SUBSIDIARIES = [
    (1, "US01", "Throughline US", 1, "US", "Throughline Partners Inc.", 0.0),
    (2, "UK01", "Throughline UK", 2, "GB", "Throughline Partners Ltd", 0.20),
    (3, "DE01", "Throughline DE", 3, "DE", "Throughline Partners GmbH", 0.19),
]
CURRENCIES = [(1, "USD", "$"), (2, "GBP", "£"), (3, "EUR", "€")]
#: Starting USD value of one unit, used by the FX random walk.
USD_PER_UNIT = {1: 1.0, 2: 1.27, 3: 1.08}

#: (acctnumber, name, accttype, sspecacct, generalrate, eliminate)
ACCOUNTS = [
    ("1000", "Cash at Bank", "Bank", None, "CURRENT", False),
    ("1100", "Accounts Receivable", "AcctRec", "AcctRec", "CURRENT", False),
    ("1150", "Unbilled Receivable", "UnbilledRec", "UnbilledRec", "CURRENT", False),
    ("1300", "Intercompany Receivable", "OthCurrAsset", None, "CURRENT", True),
    ("1500", "Prepaid Expenses", "OthCurrAsset", None, "CURRENT", False),
    ("2000", "Accounts Payable", "AcctPay", "AcctPay", "CURRENT", False),
    ("2200", "Sales Tax Payable", "OthCurrLiab", "SalesTaxPay", "CURRENT", False),
    ("2300", "Intercompany Payable", "OthCurrLiab", None, "CURRENT", True),
    ("2400", "Deferred Revenue", "DeferRevenue", "DeferRevenue", "CURRENT", False),
    ("2500", "Accrued Payroll", "OthCurrLiab", None, "CURRENT", False),
    ("3000", "Retained Earnings", "Equity", "RetEarnings", "HISTORICAL", False),
    ("3100", "Cumulative Translation Adjustment", "Equity", "CumulTransAdj", "HISTORICAL", False),
    ("4000", "Services Revenue", "Income", None, "AVERAGE", False),
    ("4100", "Expense Recharge Revenue", "Income", None, "AVERAGE", False),
    ("4900", "Intercompany Revenue", "Income", None, "AVERAGE", True),
    ("5000", "Direct Labour", "COGS", None, "AVERAGE", False),
    ("5100", "Reimbursable Expenses", "COGS", None, "AVERAGE", False),
    ("5900", "Intercompany Cost of Services", "COGS", None, "AVERAGE", True),
    ("6000", "Salaries and Benefits", "Expense", None, "AVERAGE", False),
    ("6500", "Bad Debt Expense", "Expense", None, "AVERAGE", False),
    ("7900", "Unrealized FX Gain/Loss", "OthExpense", "FXRevalUnrealized", "AVERAGE", False),
    ("7910", "Realized FX Gain/Loss", "OthExpense", "FXRevalRealized", "AVERAGE", False),
]

#: (id, code, name)
SERVICE_LINES = [
    (1, "STR", "Strategy & Advisory"),
    (2, "DAT", "Data & Analytics"),
    (3, "ENG", "Cloud & Engineering"),
    (4, "DXP", "Digital Experience"),
    (5, "MGD", "Managed Services"),
]
#: (id, code, name, service line id)
PRACTICES = [
    (1, "STRAT", "Strategy", 1),
    (2, "OPS", "Operations Advisory", 1),
    (3, "DATA", "Data Engineering", 2),
    (4, "AI", "Analytics & AI", 2),
    (5, "CLOUD", "Cloud Platforms", 3),
    (6, "SWE", "Software Engineering", 3),
    (7, "XD", "Experience Design", 4),
    (8, "AMS", "Application Management", 5),
]
#: (id, code, name, level, is_billable, USD bill rate (latest year), USD cost rate, share of headcount,
#:  billable share of an assigned day)
ROLES = [
    (1, "ANL", "Analyst", 1, True, 135.0, 80.0, 0.15, 0.92),
    (2, "CONS", "Consultant", 2, True, 170.0, 104.0, 0.25, 0.92),
    (3, "SNR-CONS", "Senior Consultant", 3, True, 210.0, 130.0, 0.25, 0.90),
    (4, "MGR", "Manager", 4, True, 255.0, 160.0, 0.15, 0.85),
    (5, "SNR-MGR", "Senior Manager", 5, True, 300.0, 188.0, 0.10, 0.78),
    (6, "DIR", "Director", 6, True, 350.0, 215.0, 0.06, 0.68),
    (7, "PTNR", "Partner", 7, True, 420.0, 255.0, 0.04, 0.55),
]
DELIVERY_MODELS = [
    ("TM", "Time & Materials", "time_and_materials"),
    ("FF", "Fixed Fee", "fixed_fee"),
    ("MS", "Milestone", "milestone"),
    ("RT", "Retainer", "retainer"),
]


def easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ll = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ll) // 451
    month = (h + ll - 7 * m + 114) // 31
    day = (h + ll - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    d = date(year, month, 1)
    d += timedelta(days=(weekday - d.weekday()) % 7)
    return d + timedelta(weeks=n - 1)


def _last_weekday(year: int, month: int, weekday: int) -> date:
    d = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return d - timedelta(days=(d.weekday() - weekday) % 7)


def public_holidays(country: str, year: int) -> list[tuple[date, str]]:
    """The main public holidays of a country and year (no weekend substitution)."""
    e = easter(year)
    if country == "US":
        thanksgiving = _nth_weekday(year, 11, 3, 4)
        return [
            (date(year, 1, 1), "New Year's Day"),
            (_nth_weekday(year, 1, 0, 3), "Martin Luther King Jr. Day"),
            (_nth_weekday(year, 2, 0, 3), "Presidents' Day"),
            (_last_weekday(year, 5, 0), "Memorial Day"),
            (date(year, 6, 19), "Juneteenth"),
            (date(year, 7, 4), "Independence Day"),
            (_nth_weekday(year, 9, 0, 1), "Labor Day"),
            (thanksgiving, "Thanksgiving Day"),
            (thanksgiving + timedelta(days=1), "Day after Thanksgiving"),
            (date(year, 12, 25), "Christmas Day"),
        ]
    if country == "GB":
        return [
            (date(year, 1, 1), "New Year's Day"),
            (e - timedelta(days=2), "Good Friday"),
            (e + timedelta(days=1), "Easter Monday"),
            (_nth_weekday(year, 5, 0, 1), "Early May Bank Holiday"),
            (_last_weekday(year, 5, 0), "Spring Bank Holiday"),
            (_last_weekday(year, 8, 0), "Summer Bank Holiday"),
            (date(year, 12, 25), "Christmas Day"),
            (date(year, 12, 26), "Boxing Day"),
        ]
    return [
        (date(year, 1, 1), "Neujahr"),
        (e - timedelta(days=2), "Karfreitag"),
        (e + timedelta(days=1), "Ostermontag"),
        (date(year, 5, 1), "Tag der Arbeit"),
        (e + timedelta(days=39), "Christi Himmelfahrt"),
        (e + timedelta(days=50), "Pfingstmontag"),
        (date(year, 10, 3), "Tag der Deutschen Einheit"),
        (date(year, 12, 25), "1. Weihnachtstag"),
        (date(year, 12, 26), "2. Weihnachtstag"),
    ]
