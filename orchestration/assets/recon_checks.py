"""One Dagster asset check per reconciliation check family (``recon_breaks`` on each family model).

The families, their checks and severities come from the declaration (``meta.recon`` in
``_checks__models.yml``, read by :mod:`throughline.recon_docs`); the counts from ``marts.recon_breaks``
(declared as an extra dependency, so the check runs after the union and the controller's decisions are
built). Metadata: open (not waived) breaks, of which error-severity, waived and acknowledged breaks, money at
risk in the reporting currency, the threshold. A family with ``error`` checks fails with severity ERROR when
its open, unwaived error-severity breaks exceed its threshold (dbt vars ``recon_error_threshold_default``
and ``recon_error_thresholds``); a ``warn`` family fails only with WARN, which never fails the run.

The checks are not blocking: the sample firm has breaks by design, and a night with breaks must still
publish. A family is made blocking (its ERROR failure then stops publishing) by listing it in the dbt var
``recon_blocking_families`` or the environment variable ``THROUGHLINE_RECON_BLOCKING`` (comma-separated,
e.g. ``E6,I1``), read when the Definitions load.
"""

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import dagster as dg
from dagster import AssetCheckExecutionContext

from orchestration.duckdb_settings import duckdb_config
from orchestration.resources import WarehouseResource
from throughline.recon_docs import Family, declared_families, load_vars

CHECK_NAME = "recon_breaks"
BREAKS_KEY = dg.AssetKey(["marts", "recon_breaks"])
BLOCKING_ENV = "THROUGHLINE_RECON_BLOCKING"

COUNTS_SQL = """
    select check_family,
           count(*) filter (where not is_waived) as open_breaks,
           count(*) filter (where not is_waived and severity = 'error') as open_error_breaks,
           count(*) filter (where is_waived) as waived_breaks,
           count(*) filter (where is_acknowledged) as acknowledged_breaks,
           coalesce(sum(amount_at_risk_reporting) filter (where not is_waived), 0) as amount_at_risk_reporting
    from marts.recon_breaks
    group by check_family
"""


@dataclass(frozen=True)
class FamilyCounts:
    open_breaks: int = 0
    open_error_breaks: int = 0
    waived_breaks: int = 0
    acknowledged_breaks: int = 0
    amount_at_risk_reporting: float = 0.0


def family_asset_key(family: Family) -> dg.AssetKey:
    """The family model's dbt asset key (check models are built into the ``reconciliation`` schema)."""
    return dg.AssetKey(["reconciliation", family.model])


def thresholds(values: Mapping[str, Any] | None = None) -> tuple[int, dict[str, int]]:
    """(default, per-family) error thresholds from the dbt vars."""
    values = load_vars() if values is None else values
    per_family = {str(k): int(v) for k, v in (values.get("recon_error_thresholds") or {}).items()}
    return int(values.get("recon_error_threshold_default") or 0), per_family


def blocking_families(
    values: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
) -> set[str]:
    """Families whose failed check blocks publishing: the dbt var plus the environment variable."""
    values = load_vars() if values is None else values
    env = os.environ if env is None else env
    listed = {str(f) for f in values.get("recon_blocking_families") or []}
    return listed | {f.strip() for f in env.get(BLOCKING_ENV, "").split(",") if f.strip()}


def read_counts(warehouse_path: str) -> dict[str, FamilyCounts] | str:
    """Per-family counts from marts.recon_breaks (read-only, one short connection), or an error text."""
    import duckdb

    try:
        with duckdb.connect(warehouse_path, read_only=True, config=duckdb_config(warehouse_path)) as con:
            rows = con.execute(COUNTS_SQL).fetchall()
    except duckdb.Error as exc:
        return f"cannot read marts.recon_breaks from {warehouse_path}: {exc}"
    return {r[0]: FamilyCounts(int(r[1]), int(r[2]), int(r[3]), int(r[4]), float(r[5])) for r in rows}


def family_result(family: Family, counts: FamilyCounts | str, threshold: int) -> dg.AssetCheckResult:
    """The family's verdict: error families fail (ERROR) above the threshold, warn families only warn."""
    key = family_asset_key(family)
    if isinstance(counts, str):
        return dg.AssetCheckResult(
            asset_key=key,
            check_name=CHECK_NAME,
            passed=False,
            severity=dg.AssetCheckSeverity.ERROR,
            description=counts,
            metadata={"error": counts},
        )
    is_error = family.severity == "error"
    measured = counts.open_error_breaks if is_error else counts.open_breaks
    passed = measured <= threshold
    what = "open unwaived error-severity" if is_error else "open unwaived"
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=CHECK_NAME,
        passed=passed,
        severity=dg.AssetCheckSeverity.ERROR if is_error else dg.AssetCheckSeverity.WARN,
        description=f"{family.family}: {measured} {what} break(s) (threshold {threshold}); "
        f"{counts.open_breaks} open, {counts.waived_breaks} waived, "
        f"{counts.amount_at_risk_reporting:,.2f} at risk (reporting currency)",
        metadata={
            "family": family.family,
            "severity": family.severity,
            "checks": dg.MetadataValue.json([c.id for c in family.checks]),
            "open_breaks": counts.open_breaks,
            "open_error_breaks": counts.open_error_breaks,
            "waived_breaks": counts.waived_breaks,
            "acknowledged_breaks": counts.acknowledged_breaks,
            "amount_at_risk_reporting": round(counts.amount_at_risk_reporting, 2),
            "threshold": threshold,
        },
    )


def _spec(family: Family, blocking: set[str]) -> dg.AssetCheckSpec:
    checks = ", ".join(c.id for c in family.checks)
    return dg.AssetCheckSpec(
        name=CHECK_NAME,
        asset=family_asset_key(family),
        additional_deps=[BREAKS_KEY],
        blocking=family.family in blocking,
        description=f"Reconciliation family {family.family} ({checks}), severity {family.severity}: open, "
        "unwaived breaks in marts.recon_breaks against the family's threshold (docs/reconciliation.md).",
    )


def build_recon_checks(
    families: list[Family] | None = None, values: Mapping[str, Any] | None = None
) -> dg.AssetChecksDefinition:
    """One step evaluating every family's check (``can_subset``: a run skipping a family skips its check)."""
    families = list(declared_families()) if families is None else families
    values = load_vars() if values is None else values
    default, per_family = thresholds(values)
    blocking = blocking_families(values)
    by_key = {family_asset_key(f): f for f in families}

    @dg.multi_asset_check(
        specs=[_spec(f, blocking) for f in families], name="reconciliation_families", can_subset=True
    )
    def _recon_checks(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        # the run's own build when the resource has one (write-audit-publish), else the warehouse file
        counts = read_counts(str(getattr(warehouse, "database", None) or warehouse.path))
        for check_key in sorted(
            context.selected_asset_check_keys, key=lambda k: k.asset_key.to_user_string()
        ):
            family = by_key[check_key.asset_key]
            found = counts if isinstance(counts, str) else counts.get(family.family, FamilyCounts())
            result = family_result(family, found, per_family.get(family.family, default))
            (context.log.info if result.passed else context.log.warning)(result.description or "")
            yield result

    return _recon_checks


def is_advisory_failure(evaluation: dg.AssetCheckEvaluation) -> bool:
    """A failed reconciliation family check that does not block: reported as a warning, not a failed run."""
    return evaluation.check_name == CHECK_NAME and not evaluation.passed and not evaluation.blocking


recon_asset_checks: list[dg.AssetChecksDefinition] = [build_recon_checks()]
