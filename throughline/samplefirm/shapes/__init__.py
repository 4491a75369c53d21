"""Other shapes the sample firm can land in (``generate --crm hubspot --psa harvest``): same firm, same truth.

Each shape rewrites one system's part of the landing zone after the generator wrote it in the default
shape (Salesforce, NetSuite, PSA), so the firm itself and its defects are generated once, one way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import harvest, hubspot

#: CRM shapes: name -> function rewriting landing/salesforce into that CRM's folder.
CRM_SHAPES = {"salesforce": None, "hubspot": hubspot.reshape_crm}
#: PSA shapes: name -> function rewriting landing/psa into that PSA's folder.
PSA_SHAPES = {"psa": None, "harvest": harvest.reshape_psa}


def check(crm: str = "salesforce", psa: str = "psa") -> None:
    """Refuse an unknown shape before any work (ValueError naming the choices)."""
    if crm not in CRM_SHAPES:
        raise ValueError(f"unknown CRM {crm!r}; choose one of {', '.join(CRM_SHAPES)}")
    if psa not in PSA_SHAPES:
        raise ValueError(f"unknown PSA {psa!r}; choose one of {', '.join(PSA_SHAPES)}")


def apply(ctx: Any, landing: Path, crm: str = "salesforce", psa: str = "psa") -> None:
    """Rewrite the landed CRM into ``crm``'s shape and the PSA into ``psa``'s (nothing to do for defaults).

    The PSA goes first: the Harvest shape reads the NetSuite folders only, never the CRM's.
    """
    check(crm, psa)
    for reshape in (PSA_SHAPES[psa], CRM_SHAPES[crm]):
        if reshape is not None:
            reshape(ctx, landing)
