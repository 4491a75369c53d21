"""The exchange rates the sample firm supplies when its ERP exports no rate table (``generate --erp xero`` or
``--erp quickbooks``): ``landing/fx_rates/<night>/daily_rates.csv`` (ingestion/contracts/fx_rates.yml).

A firm on Xero or QuickBooks keeps its daily rates outside the ERP (treasury, its bank, the ECB) and lands
them beside the ERP export. The sample firm's are the same truth as NetSuite's rate table, written night by
night from the NetSuite folders before the ERP shape replaces them: every quote NetSuite landed, both ways
round, in the order NetSuite numbered them, with its modification time. So the planted rate defects carry over
as a real treasury file would carry them: the week of quotes FX_MISSING_RATE deleted is missing here too, and
the inverse quote FX_INVERSE_INCONSISTENT planted 8 % off stands last in its night's file (entered later).
Direction: NetSuite's ``transactioncurrency`` is the file's ``base_currency`` and its ``basecurrency`` the
file's ``quote_currency`` (1 base_currency = rate quote_currency). Malformed lines the defects appended to the
NetSuite files are not records and are not written (as in the other shapes).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from ingestion.contract import load_contract

from .. import extracts

SYSTEM = "fx_rates"
#: ERP shapes that export no rate table, so the firm supplies its rates.
ERPS = frozenset({"quickbooks", "xero"})
#: Where the rates come from, as the file says (rate_source).
RATE_SOURCE = "treasury"


def _records(path: Path, bad: set[int]) -> list[dict[str, str]]:
    """The CSV records of a NetSuite file without the malformed lines (1-based physical line numbers)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = "".join(line for i, line in enumerate(lines, 1) if i not in bad)
    return list(csv.DictReader(io.StringIO(kept)))


def _currency_codes(landing: Path, nights: list[str], drop: dict[str, set[int]]) -> dict[str, str]:
    """NetSuite currency id -> ISO code (its name), the latest night's record winning."""
    codes: dict[str, str] = {}
    for night in nights:
        path = landing / "netsuite" / night / "currency.csv"
        if path.exists():
            for r in _records(path, drop.get(f"netsuite/{night}/currency.csv", set())):
                codes[r["id"]] = (r.get("name") or r.get("symbol") or "").strip().upper()
    return codes


def write_rates(ctx: Any, landing: Path) -> int:
    """Write ``landing/fx_rates/<night>/daily_rates.csv`` for every night from NetSuite's ``currencyrate.csv``
    of that night, and the completion markers; returns the data rows written. Must run before the ERP shape
    removes ``landing/netsuite``."""
    nights = [d.isoformat() for d in ctx.extract_dates]
    drop = extracts.malformed_lines(ctx, "netsuite")
    codes = _currency_codes(landing, nights, drop)
    columns = load_contract(SYSTEM).object("daily_rates").column_names
    for night in nights:
        source = landing / "netsuite" / night / "currencyrate.csv"
        bad = drop.get(f"netsuite/{night}/currencyrate.csv", set())
        records = _records(source, bad) if source.exists() else []
        out = landing / SYSTEM / night
        out.mkdir(parents=True, exist_ok=True)
        with (out / "daily_rates.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            for r in records:
                if (r.get("_fivetran_deleted") or "").strip().lower() == "true":
                    continue
                writer.writerow(
                    {
                        "rate_date": r["effectivedate"],
                        "base_currency": codes.get(r["transactioncurrency"], r["transactioncurrency"]),
                        "quote_currency": codes.get(r["basecurrency"], r["basecurrency"]),
                        "rate": r["exchangerate"],
                        "updated_at": r.get("lastmodifieddate", ""),
                        "rate_source": RATE_SOURCE,
                    }
                )
    return extracts.write_markers(ctx, landing, (SYSTEM,), present_only=True)
