"""Score a warehouse's reconciliation breaks against the sample firm's ground truth (``_truth/defects.csv``).

The manifest lists every injected defect with its ``kind`` (= the check id that must find it) and the
``record_key`` of the record at fault, in the same compact JSON form ``marts.recon_breaks.record_key`` uses.
A defect is *found* when a break with that check id and record key exists; a break that matches no defect
of its check is a *false break*. Malformed-row kinds are not breaks (they stay in ``raw.rejects``) and are
left out here. The pipeline never reads the manifest: this is for tests and the demo's scorecard.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

NOT_BREAKS = ("MALFORMED",)


def compact_key(text: str) -> str:
    """The manifest's compact JSON form of a key (no spaces), so hand-written keys compare equal."""
    return json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class CheckScore:
    check_id: str
    check_family: str
    injected: int
    found: int
    missed: int
    false_breaks: int

    @property
    def recall(self) -> float:
        return 1.0 if self.injected == 0 else self.found / self.injected

    @property
    def precision(self) -> float:
        flagged = self.found + self.false_breaks
        return 1.0 if flagged == 0 else self.found / flagged


def _load(con: duckdb.DuckDBPyConnection, truth_csv: Path) -> None:
    con.execute(
        "create or replace temp table truth as select kind as check_id, check_family, record_key "
        "from read_csv(?, header = true, all_varchar = true) where check_family not in ?",
        [str(truth_csv), list(NOT_BREAKS)],
    )
    keys = con.execute("select distinct record_key from truth").fetchall()
    con.execute("create or replace temp table compact (record_key varchar, compact_key varchar)")
    con.executemany("insert into compact values (?, ?)", [(k, compact_key(k)) for (k,) in keys])


def score(warehouse: Path, truth_csv: Path) -> list[CheckScore]:
    """Per check: injected, found, missed and false breaks (every declared check, plus any in the truth)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        _load(con, truth_csv)
        rows = con.execute(
            """
            with t as (
                select distinct truth.check_id, truth.check_family, compact.compact_key as record_key
                from truth join compact using (record_key)
            ),
            b as (select distinct check_id, check_family, record_key from marts.recon_breaks),
            checks as (
                select check_id, check_family from marts.recon_checks
                union select check_id, check_family from t
            )
            select c.check_id, c.check_family,
                (select count(*) from t where t.check_id = c.check_id) as injected,
                (select count(*) from t join b using (check_id, record_key) where t.check_id = c.check_id),
                (select count(*) from b where b.check_id = c.check_id
                    and not exists (
                        select 1 from t where t.check_id = b.check_id and t.record_key = b.record_key))
            from checks c order by c.check_family, c.check_id
            """
        ).fetchall()
    finally:
        con.close()
    return [CheckScore(cid, fam, inj, fnd, inj - fnd, fb) for cid, fam, inj, fnd, fb in rows]


def render(scores: list[CheckScore]) -> str:
    """The per-check table: injected, found, missed, false breaks, recall and precision."""
    head = f"{'check':<30} {'family':<7} {'injected':>8} {'found':>6} {'missed':>6} {'false':>6}"
    lines = [head, "-" * len(head)]
    for s in scores:
        counts = f"{s.injected:>8} {s.found:>6} {s.missed:>6} {s.false_breaks:>6}"
        lines.append(f"{s.check_id:<30} {s.check_family:<7} {counts}")
    tot = [sum(getattr(s, f) for s in scores) for f in ("injected", "found", "missed", "false_breaks")]
    lines.append(f"{'total':<30} {'':<7} {tot[0]:>8} {tot[1]:>6} {tot[2]:>6} {tot[3]:>6}")
    return "\n".join(lines)
