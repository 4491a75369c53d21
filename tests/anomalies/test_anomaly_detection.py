"""Anomaly detection on the xs sample firm: each detector finds its planted cases (precision within the
top k >= 0.8, recall >= 0.9), the clean firm raises few signals, the cash model beats the naive baseline,
and the exception queue carries breaks and signals with their decisions."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from throughline.samplefirm.anomalies.scoring import score
from throughline.samplefirm.anomalies.truth import DETECTORS

#: Signals tolerated per detector on the clean xs firm (documented in docs/anomalies.md).
CLEAN_MAX_SIGNALS = 1
#: The cash model's hold-out AUC must beat the baseline's by this much on the fixture (measured: +0.020).
AUC_MARGIN = 0.015


@pytest.fixture(scope="module")
def scores(xs_warehouse: Path, xs_firm: Path) -> dict:
    return {s.detector: s for s in score(xs_warehouse, xs_firm / "_truth" / "anomalies.csv")}


@pytest.mark.parametrize("detector", DETECTORS)
def test_detector_finds_planted_cases(scores: dict, detector: str) -> None:
    s = scores[detector]
    assert s.planted >= 2, f"{detector}: nothing planted in the xs firm"
    assert s.recall >= 0.9, f"{detector}: recall {s.recall:.2f} ({s.found}/{s.planted}, {s.signals} signals)"
    assert s.precision_at_k >= 0.8, f"{detector}: precision@k {s.precision_at_k:.2f} ({s.signals} signals)"


def test_clean_firm_raises_few_signals(xs_clean_warehouse: Path, xs_clean_firm: Path) -> None:
    with (xs_clean_firm / "_truth" / "anomalies.csv").open(encoding="utf-8") as fh:
        assert len(list(csv.reader(fh))) == 1, "a clean firm plants no anomalies"
    with duckdb.connect(str(xs_clean_warehouse), read_only=True) as con:
        counts = dict(
            con.execute("select detector_id, count(*) from marts.anomaly_signals group by 1").fetchall()
        )
    noisy = {d: n for d, n in counts.items() if n > CLEAN_MAX_SIGNALS}
    assert not noisy, f"clean firm: too many signals {noisy}"


def test_cash_model_records_its_evaluation_and_calibration(xs_warehouse: Path) -> None:
    """Every run records its hold-out evaluation (versions, seed, the feature sets chosen, AUC, Brier and a
    reliability table with its calibration error for the model and the baseline) and scores the open
    invoices; on the fixture firm the model's hold-out AUC beats the baseline's by at least
    ``AUC_MARGIN``.

    The sample firm's behaviour clients (throughline/samplefirm/anomalies/payments.py) pay late for
    reasons the model's features see (an invoice larger than their usual, one issued while another is well
    overdue) and the client's late share cannot rank. On the xs fixture the hold-out is 23 invoices (4
    late), so the margin is small (0.908 against 0.888, docs/anomalies.md), as on the s firms (+0.02).
    """
    with duckdb.connect(str(xs_warehouse), read_only=True) as con:
        row = con.execute(
            "select auc_model, auc_baseline, brier_model, n_holdout, model_version, feature_version, seed, "
            "feature_set, calibration_model, calibration_baseline, ece_model, ece_baseline "
            "from anomalies.cash_risk_evaluations order by evaluated_at desc limit 1"
        ).fetchone()
        scored = con.execute("select count(*) from anomalies.cash_risk_scores").fetchone()[0]
    auc_model, auc_baseline, brier, n_holdout, model_version, feature_version, seed = row[:7]
    feature_set, cal_model, cal_baseline, ece_model, ece_baseline = row[7:]
    assert n_holdout >= 10 and "v4" in model_version and "v4" in feature_version and seed is not None
    assert auc_model is not None and auc_baseline is not None
    assert auc_model >= auc_baseline + AUC_MARGIN, f"model AUC {auc_model:.3f}, baseline {auc_baseline:.3f}"
    assert 0 <= brier < 0.25
    assert feature_set and ece_model is not None and ece_baseline is not None
    for table in (cal_model, cal_baseline):
        bins = json.loads(table)
        assert sum(b["invoices"] for b in bins) == n_holdout
        assert all(0 <= b["mean_predicted"] <= 1 and 0 <= b["observed_late"] <= 1 for b in bins)
    assert scored > 0


def test_a_night_reusing_the_evaluation_refits_its_final_model(
    xs_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The night after an evaluation (same outcomes, within a week) reuses it and refits the final model it
    recorded, without choosing a feature set again; the open invoices score as the evaluation night scored
    them."""
    from orchestration.assets import anomalies

    wh = tmp_path / "warehouse.duckdb"
    shutil.copy(xs_warehouse, wh)
    scores = "select invoice_transaction_id, probability_late from anomalies.cash_risk_scores order by 1"
    with duckdb.connect(str(wh), read_only=True) as con:
        before = con.execute(scores).fetchall()
        [(final_model,)] = con.execute(
            "select final_model from anomalies.cash_risk_evaluations order by evaluated_at desc limit 1"
        ).fetchall()
    assert final_model

    def no_choice(*_: object) -> tuple[str, bool]:
        raise AssertionError("chose again")

    monkeypatch.setattr(anomalies, "choose_feature_set", no_choice)
    run = anomalies.run_cash_risk(str(wh))
    assert run.evaluated_at is not None and run.evaluation.final_model == final_model
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute(scores).fetchall() == before


def test_exception_queue_has_breaks_and_signals(xs_warehouse: Path) -> None:
    with duckdb.connect(str(xs_warehouse), read_only=True) as con:
        kinds = dict(con.execute("select source_kind, count(*) from marts.exceptions group by 1").fetchall())
        breaks = con.execute("select count(*) from marts.recon_breaks").fetchone()[0]
        signals = con.execute("select count(*) from marts.anomaly_signals").fetchone()[0]
        cash = con.execute(
            "select count(*) from marts.exceptions where source_id = 'CASH_LATE_RISK'"
        ).fetchone()[0]
        blank = con.execute(
            "select count(*) from marts.exceptions "
            "where owner is null or reason is null or record_key is null"
        ).fetchone()[0]
    assert kinds["check"] == breaks
    assert kinds["detector"] == signals + cash
    assert blank == 0


def test_breaks_cli_lists_signals(xs_warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from throughline.cli import main

    assert main(["breaks", "--warehouse", str(xs_warehouse), "--signals"]) == 0
    out = capsys.readouterr().out
    assert "EXPENSE_OUTLIER" in out and "signal(s)" in out
