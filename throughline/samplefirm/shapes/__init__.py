"""Other shapes the sample firm can land in (``generate --crm hubspot --erp xero --psa harvest``).

Same firm, same truth.

Each shape rewrites one system's part of the landing zone after the generator wrote it in the default
shape (Salesforce, NetSuite, PSA), so the firm itself and its defects are generated once, one way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import fx_rates, harvest, hubspot, quickbooks, xero

#: CRM shapes: name -> function rewriting landing/salesforce into that CRM's folder.
CRM_SHAPES = {"salesforce": None, "hubspot": hubspot.reshape_crm}
#: PSA shapes: name -> function rewriting landing/psa into that PSA's folder.
PSA_SHAPES = {"psa": None, "harvest": harvest.reshape_psa}
#: ERP shapes: name -> function rewriting landing/netsuite into that ERP's folder.
ERP_SHAPES: dict[str, Any] = {
    "netsuite": None,
    "quickbooks": quickbooks.reshape_erp,
    "xero": xero.reshape_erp,
}


def check(crm: str = "salesforce", psa: str = "psa", erp: str = "netsuite") -> None:
    """Refuse an unknown shape before any work (ValueError naming the choices)."""
    for side, name, known in (("CRM", crm, CRM_SHAPES), ("ERP", erp, ERP_SHAPES), ("PSA", psa, PSA_SHAPES)):
        if name not in known:
            raise ValueError(f"unknown {side} {name!r}; choose one of {', '.join(known)}")


def apply(ctx: Any, landing: Path, crm: str = "salesforce", psa: str = "psa", erp: str = "netsuite") -> None:
    """Rewrite the landed CRM, ERP and PSA into the chosen shapes (nothing to do for defaults).

    The PSA goes first (the Harvest shape reads the NetSuite folders), then the exchange rates an ERP without
    a rate table needs (``fx_rates``, from NetSuite's rate table), the ERP last but one: it replaces the
    NetSuite folders the others read; the CRM reads neither.
    """
    check(crm, psa, erp)
    rates = fx_rates.write_rates if erp in fx_rates.ERPS else None
    for reshape in (PSA_SHAPES[psa], rates, ERP_SHAPES[erp], CRM_SHAPES[crm]):
        if reshape is not None:
            reshape(ctx, landing)
