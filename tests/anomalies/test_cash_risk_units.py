"""The cash-risk model's pieces on hand-made data: features as of the invoice date, the time split, and a
model that must beat the client's late share when lateness follows the client's overdue invoices."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
import pytest
from dagster_shared.serdes import serialize_value

from orchestration.assets import anomalies
from orchestration.assets.anomalies import (
    FEATURE_SETS,
    FEATURES,
    FIRM_PRIOR_SHARE,
    CashRiskRun,
    _evaluation_metadata,
    choose_feature_set,
    evaluate,
    evaluation_due,
    last_evaluation,
    load_features,
    one_blas_thread,
    reliability,
    score_open,
    split_by_time,
)


def _tiny_warehouse() -> duckdb.DuckDBPyConnection:
    """Client 1: invoice 1 (due Jan 31) settled Mar 20 (late), invoice 2 (due Feb 28) still open, invoice 3
    issued Apr 1. As of Apr 1: two prior invoices, both known late (invoice 1 settled 48 days past due;
    invoice 2 still open 32 days past due, more than 30); one credit applied before Apr 1 (to invoice 1)."""
    con = duckdb.connect()
    con.execute("create schema anomalies; create schema intermediate")
    con.execute(
        """create table anomalies.anomaly_invoice_outcomes as select * from (values
        ('1', 'INV-1', '1', 'c1', 'p1', 'e1', 'USD', date '2026-01-01', date '2026-01-31', 1000.0, 0.0,
         date '2026-03-20', false, true, true, 150, date '2026-06-30'),
        ('2', 'INV-2', '1', 'c1', 'p1', 'e1', 'USD', date '2026-01-29', date '2026-02-28', 500.0, 500.0,
         null, true, true, true, 122, date '2026-06-30'),
        ('3', 'INV-3', '1', 'c1', 'p1', 'e1', 'USD', date '2026-04-01', date '2026-05-01', 200.0, 200.0,
         null, true, true, true, 60, date '2026-06-30'))
        t(invoice_transaction_id, invoice_number, erp_customer_id, client_key, project_key,
          legal_entity_key, transaction_currency_code, invoice_date, due_date, original_amount, open_amount,
          settled_on, is_open, is_outcome_known, is_late, days_past_due_tonight, as_of_date)"""
    )
    con.execute(
        """create table intermediate.int_ar_applications as select * from (values
        ('1', 'credit_memo', date '2026-02-10', 100.0)) t(invoice_transaction_id, application_type,
        application_date, applied_amount)"""
    )
    return con


def test_features_are_taken_as_of_the_invoice_date() -> None:
    f = load_features(_tiny_warehouse()).set_index("invoice_transaction_id")
    third = f.loc["3"]
    assert third["prior_invoices"] == 2
    assert (third["known_late"], third["known_n"]) == (2, 2)
    assert third["open_overdue_share"] == 1.0  # invoice 2: open on Apr 1, 32 days past due (> 15)
    assert third["max_days_overdue"] == 32
    assert third["prior_credits"] == 1
    assert third["mean_days_late"] == 48  # invoice 1 settled 48 days after its due date
    assert third["terms_days"] == 30
    # v3: the firm's late share as known on Apr 1 (both earlier invoices known late), the collector's view
    assert (third["firm_known_late"], third["firm_known_n"]) == (2, 2)
    assert third["days_late_trend"] == 0  # one settled invoice: its recent and overall mean are the same
    # 200 against a usual of median(1000, 500) = 750: smaller than usual, 0 (v4 keeps only "larger than")
    assert third["log_amount_vs_usual"] == 0
    assert math.isclose(third["log_open_balance"], math.log(1 + 500 / 750))  # invoice 2 open on Apr 1
    assert math.isclose(third["log_prior_credits"], math.log(2))
    assert f.loc["1", "hist_late_share"] == FIRM_PRIOR_SHARE  # nothing known yet, not even the firm's
    second = f.loc["2"]  # as of Jan 29: invoice 1 open, not yet due, outcome unknown
    assert (second["prior_invoices"], second["known_n"], second["max_days_overdue"]) == (1, 0, 0)
    first = f.loc["1"]
    assert first["prior_invoices"] == 0 and first["known_n"] == 0 and first["max_days_overdue"] == 0
    # v4: no earlier invoice, no usual size: 0, not ln(1000) (v3's greatest() skipped the null usual)
    assert first["log_amount_vs_usual"] == 0 and first["log_open_balance"] == 0
    assert second["log_amount_vs_usual"] == 0  # 500 against a usual of 1000 (invoice 1)


def test_the_firms_known_outcomes_are_counted_strictly_before_the_invoice_date() -> None:
    """The firm's late share as of t counts every earlier invoice whose outcome is known before t: from its
    settlement when paid on time, from due date + 30 days when late or unpaid, never without a due date, and
    never before its own invoice date (D was paid before it was issued). Hand-computed for each invoice."""
    rows = [  # id, client, invoice date, due date, settled on
        ("A", "1", "2026-01-01", "2026-01-31", "2026-01-20"),  # on time: known from Jan 20
        ("B", "2", "2026-01-05", "2026-02-04", None),  # unpaid: known late from Mar 6
        ("C", "2", "2026-01-10", None, None),  # no due date: never known
        ("E", "1", "2026-01-20", "2026-02-19", "2026-02-01"),  # on time: known from Feb 1
        ("D", "3", "2026-03-01", "2026-03-31", "2026-02-25"),  # paid before issue: known from Mar 1
        ("F", "3", "2026-03-02", "2026-04-01", None),  # known late from May 1: after every invoice here
        ("H", "2", "2026-03-06", "2026-04-06", None),
        ("G", "1", "2026-03-07", "2026-04-06", None),
    ]
    con = _tiny_warehouse()
    con.execute("delete from anomalies.anomaly_invoice_outcomes")
    con.executemany(
        "insert into anomalies.anomaly_invoice_outcomes select ?, ?, ?, 'c' || ?, 'p', 'e1', 'USD', "
        "?::date, ?::date, 100.0, 0.0, ?::date, false, true, false, 0, date '2026-06-30'",
        [(i, i, client, client, issued, due, settled) for i, client, issued, due, settled in rows],
    )
    f = load_features(con).set_index("invoice_transaction_id")
    counts = {i: (int(f.loc[i, "firm_known_late"]), int(f.loc[i, "firm_known_n"])) for i, *_ in rows}
    assert counts == {
        "A": (0, 0),
        "B": (0, 0),
        "C": (0, 0),
        "E": (0, 0),  # A is known from Jan 20, not before it
        "D": (0, 2),  # A, E
        "F": (0, 3),  # A, E and D (from its issue on Mar 1)
        "H": (0, 3),  # B becomes known late on Mar 6 itself: not yet
        "G": (1, 4),  # A, E, D and B (late)
    }


def test_size_against_usual_counts_only_larger_invoices() -> None:
    """Invoice 3 raised to 1500 against a usual of median(1000, 500) = 750: log 2."""
    con = _tiny_warehouse()
    con.execute(
        "update anomalies.anomaly_invoice_outcomes set original_amount = 1500 "
        "where invoice_transaction_id = '3'"
    )
    f = load_features(con).set_index("invoice_transaction_id")
    assert math.isclose(f.loc["3", "log_amount_vs_usual"], math.log(2))


def test_split_by_time_holds_out_the_latest_invoices() -> None:
    known = pd.DataFrame(
        {
            "invoice_transaction_id": [str(i) for i in range(10)],
            "invoice_date": [date(2026, 1, 1) + timedelta(days=10 * i) for i in range(10)],
        }
    )
    train, hold = split_by_time(known, share=0.3)
    assert list(train["invoice_transaction_id"]) == [str(i) for i in range(7)]
    assert list(hold["invoice_transaction_id"]) == ["7", "8", "9"]


def _synthetic(n: int = 300, seed: int = 3) -> pd.DataFrame:
    """Lateness follows the client's overdue invoices today, not its long-run late share."""
    rng = np.random.default_rng(seed)
    overdue = rng.uniform(0, 1, n)
    late = (overdue > 0.5) ^ (rng.uniform(0, 1, n) < 0.1)  # 10 % of outcomes flipped
    frame = pd.DataFrame({c: rng.normal(size=n) for c in FEATURES})
    frame["open_overdue_share"] = overdue
    frame["hist_late_share"] = rng.uniform(0.1, 0.5, n)
    frame["invoice_transaction_id"] = [str(i) for i in range(n)]
    frame["invoice_date"] = pd.date_range("2025-01-01", periods=n, freq="D")
    frame["is_outcome_known"] = True
    frame["is_late"] = late
    frame["is_open"] = False
    return frame


def test_model_beats_the_baseline_and_is_reproducible() -> None:
    data = _synthetic()
    model, ev = evaluate(data, seed=7)
    assert ev.n_train == 210 and ev.n_holdout == 90
    assert ev.auc_model is not None and ev.auc_baseline is not None
    assert ev.auc_model > 0.8 > 0.65 > ev.auc_baseline
    assert ev.brier_model is not None and ev.brier_model < ev.brier_baseline  # type: ignore[operator]
    assert ev.beats_baseline
    assert ev.feature_set and ev.ece_model is not None and ev.ece_baseline is not None
    bins = json.loads(ev.calibration_model)
    assert sum(b["invoices"] for b in bins) == ev.n_holdout
    assert sum(b["invoices"] for b in json.loads(ev.calibration_baseline)) == ev.n_holdout
    # the asset's metadata must serialise in Dagster's event log (a numpy float does not)
    for made in (None, datetime(2026, 12, 1, 2, 30)):
        meta = _evaluation_metadata(CashRiskRun(ev, made, 5, 1))
        assert serialize_value(dg.AssetMaterialization("cash_risk", metadata=meta))
        assert meta["evaluated"] == ("tonight" if made is None else "reused, made 2026-12-01 02:30")
    _, again = evaluate(data, seed=7)
    assert again == ev
    data.loc[data.index[-5:], "is_open"] = True
    scored = score_open(data, model)
    assert len(scored) == 5 and scored["probability_late"].between(0, 1).all()


def test_a_single_class_history_has_no_model() -> None:
    data = _synthetic(40)
    data["is_late"] = False
    model, ev = evaluate(data)
    assert model is None and ev.auc_model is None and not ev.beats_baseline
    with pytest.raises(AssertionError):
        assert ev.beats_baseline


def test_reliability_table_and_calibration_error() -> None:
    """Bins of width 0.2: 0.1 and 0.15 (one late) -> predicted 0.125, observed 0.5; 0.7 (on time) and 0.9
    (late) alone. ECE = (2 x 0.375 + 0.7 + 0.1) / 4 = 0.3875."""
    rows, ece = reliability(np.array([0, 1, 1, 0]), np.array([0.1, 0.15, 0.9, 0.7]))
    assert [(r["bin"], r["invoices"], r["mean_predicted"], r["observed_late"]) for r in rows] == [
        ("0.0-0.2", 2, 0.125, 0.5),
        ("0.6-0.8", 1, 0.7, 0.0),
        ("0.8-1.0", 1, 0.9, 1.0),
    ]
    assert ece is not None and math.isclose(ece, 0.3875)
    assert reliability(np.array([]), np.array([])) == ([], None)


def test_feature_set_is_chosen_on_the_training_period() -> None:
    """Lateness follows the open overdue share (in the client-state and collector sets, not in the late
    share alone): the inner split picks a set that has it. With one class in the inner split: the simplest."""
    data = _synthetic(300)
    name, _ = choose_feature_set(data, seed=7)
    assert "open_overdue_share" in FEATURE_SETS[name]
    data["is_late"] = False
    assert choose_feature_set(data, seed=7) == (next(iter(FEATURE_SETS)), False)


def test_the_evaluation_is_due_weekly_or_when_the_outcomes_moved() -> None:
    """Hand-worked: an evaluation made on 300 known outcomes (210 + 90) at 02:00 on 1 December."""
    _, ev = evaluate(_synthetic(), seed=7)
    last = (datetime(2026, 12, 1, 2, 0), ev)
    made_on = ev.n_train + ev.n_holdout
    night = datetime(2026, 12, 4, 2, 0)
    assert evaluation_due(None, made_on, night)  # never evaluated
    assert not evaluation_due(last, made_on, night)  # three days on, same outcomes: reused
    assert not evaluation_due(last, made_on + int(0.05 * made_on), night)  # grew by exactly 5 %: reused
    assert evaluation_due(last, made_on + int(0.05 * made_on) + 1, night)  # more than 5 %
    assert evaluation_due(last, made_on - int(0.05 * made_on) - 1, night)  # shrank (a reload): due
    assert not evaluation_due(last, made_on, datetime(2026, 12, 8, 1, 59))  # 6 days 23:59 on
    assert evaluation_due(last, made_on, datetime(2026, 12, 8, 2, 0))  # 7 days on
    assert evaluation_due(last, made_on, night, every_days=0)  # 0: every night


def test_a_reused_evaluation_refits_its_final_model_without_choosing_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The evaluation records its final model (feature set and calibration); a night that reuses it refits
    that model on tonight's outcomes without the choice's eight candidate fits, and on the same outcomes
    scores as the evaluation's own final model did. A choice no longer defined, or none, chooses again."""
    data = _synthetic(300)
    final, ev = evaluate(data, seed=7)
    assert final is not None and ev.final_model == final.feature_set
    chosen = anomalies.fit_final

    def no_choice(*_: object) -> tuple[str, bool]:
        raise AssertionError("chose again")

    monkeypatch.setattr(anomalies, "choose_feature_set", no_choice)
    refit = chosen(anomalies.known_outcomes(data), 7, ev.final_model)
    assert refit is not None and refit.feature_set == ev.final_model
    assert np.array_equal(refit.predict(data), final.predict(data))
    with pytest.raises(AssertionError, match="chose again"):
        chosen(anomalies.known_outcomes(data), 7, "a feature set of an older version")
    with pytest.raises(AssertionError, match="chose again"):
        chosen(anomalies.known_outcomes(data), 7)


def test_the_last_evaluation_is_read_back_for_this_model_and_seed(tmp_path) -> None:
    from orchestration.assets.anomalies import _append_evaluation

    _, ev = evaluate(_synthetic(), seed=7)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert last_evaluation(con, seed=7) is None  # no table yet
        con.execute("create schema anomalies")
        _append_evaluation(con, ev)
        made, again = last_evaluation(con, seed=7)
        assert again == ev and isinstance(made, datetime)
        _append_evaluation(con, ev)  # the connection is free for the night's writes (a register) after it
        assert con.execute("select count(*) from anomalies.cash_risk_evaluations").fetchall() == [(2,)]
        assert last_evaluation(con, seed=8) is None  # another seed's evaluation is not this one


def test_the_evaluation_is_the_same_on_one_thread_or_several(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hold-out's months are fitted on threads (``predict_rolling``); each month's fit is the same
    computation whichever thread runs it, and the months come back in their order."""
    data = _synthetic(400)
    results = []
    for jobs in (1, 3):
        monkeypatch.setattr(anomalies, "EVALUATION_JOBS", jobs)
        with one_blas_thread():
            results.append(evaluate(data, seed=7)[1])
    one, three = results
    assert one == three and one.feature_set


def test_the_model_is_fitted_on_one_blas_and_openmp_thread() -> None:
    """In a new interpreter (scikit-learn not yet imported): every BLAS and OpenMP library scikit-learn loads
    is held to one thread inside ``one_blas_thread`` (threadpoolctl limits only the libraries already loaded,
    so the context loads them first), and back to its own count after."""
    code = (
        "import threadpoolctl; from orchestration.assets.anomalies import one_blas_thread\n"
        "with one_blas_thread():\n"
        "    import sklearn.linear_model\n"
        "    inside = [(i['prefix'], i['num_threads']) for i in threadpoolctl.threadpool_info()]\n"
        "print(sorted({p for p, _ in inside}), [n for _, n in inside])\n"
    )
    env = {**os.environ, "OMP_NUM_THREADS": "", "OPENBLAS_NUM_THREADS": "", "MKL_NUM_THREADS": ""}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    prefixes, counts = out.stdout.strip().split("] [")
    assert "libgomp" in prefixes and "openblas" in prefixes
    assert set(counts.rstrip("]").split(", ")) == {"1"}
