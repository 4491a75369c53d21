"""Names of the expectation suites (``<schema>.<model>`` of the mart each validates), without importing GX.

Kept apart from ``expectations.suites`` so Dagster can declare the checks at definition load time without
paying the GX import (several seconds); ``tests/quality`` asserts both lists agree.
"""

SUITE_NAMES: tuple[str, ...] = (
    "marts.fct_time_entries",
    "marts.fct_invoice_lines",
    "marts.fct_ar_open_items",
    "marts.dim_client",
)
