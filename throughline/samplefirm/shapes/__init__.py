"""Other shapes the sample firm can land in (``generate --crm hubspot``): same firm, same truth.

Each shape rewrites one system's part of the landing zone after the generator wrote it in the default
shape (Salesforce, NetSuite, PSA), so the firm itself and its defects are generated once, one way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import hubspot

#: CRM shapes: name -> function rewriting landing/salesforce into that CRM's folder.
CRM_SHAPES = {"salesforce": None, "hubspot": hubspot.reshape_crm}


def apply(ctx: Any, landing: Path, crm: str = "salesforce") -> None:
    """Rewrite the landed CRM into ``crm``'s shape (nothing to do for the default, Salesforce)."""
    if crm not in CRM_SHAPES:
        raise ValueError(f"unknown CRM {crm!r}; choose one of {', '.join(CRM_SHAPES)}")
    reshape = CRM_SHAPES[crm]
    if reshape is not None:
        reshape(ctx, landing)
