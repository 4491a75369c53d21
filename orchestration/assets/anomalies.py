"""Anomaly detection in the nightly: the cash-risk model asset and one asset check per SQL detector.

The SQL detectors are dbt models (``models/anomalies/detectors/``, keyed ``anomalies/<model>``); each gets
an asset check ``anomaly_signals`` whose metadata are its signals tonight, how many are waived, the top
score and the money at risk. The cash-risk model needs a learner, so it is a Python asset after dbt:

- **training data**: every customer invoice whose outcome is known (``anomalies.anomaly_invoice_outcomes``:
  settled, or open more than ``anomaly_late_days`` past due); label = paid late (or still unpaid) that long;
- **features** (``FEATURE_VERSION``), all as of the invoice date, so nothing from the future leaks in: the
  baseline's own quantity (the client's late share among outcomes known by then, as log-odds), the same
  share weighted towards recent outcomes (a client drifting later shows there first), and the client's
  overdue invoices open on that day (share and oldest days past due). Amount, terms, credits and mean days
  late are still computed (``load_features``) but left out: on the small sample firms they only added
  noise a 30-invoice training set cannot pin down;
- **model** (``MODEL_VERSION``): standardised logistic regression (scikit-learn) with strong L2 shrinkage
  (``C``), seeded;
- **evaluation**: time-based hold-out (the latest ``HOLDOUT_SHARE`` of invoices by date), scored as the
  nightly would have scored it: each month of the hold-out by a model refitted on every outcome before
  that month (rolling origin). AUC and Brier score of the model and of the naive baseline (the client's
  historical late share), appended to ``anomalies.cash_risk_evaluations``. It refits the model once per
  month of the hold-out, so it runs when it is due (``evaluation_due``: the last one for this model, feature
  version and seed is ``EVALUATE_EVERY_DAYS`` old, or the known outcomes changed by more than
  ``EVALUATE_GROWTH`` since); other nights reuse it and only refit its final model (the same feature set and
  calibration) on tonight's outcomes;
- **scores**: every open invoice, in ``anomalies.cash_risk_scores``; those at or above
  ``CASH_RISK_MIN_PROBABILITY`` are appended to ``marts.exceptions`` (source ``CASH_LATE_RISK``) with the
  controller's decisions applied like any break's.
"""

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Any

import dagster as dg
import duckdb
import numpy as np
import pandas as pd

from orchestration.assets.cash_risk_features import FEATURES_SQL, HISTORY_TABLE, columns, refresh_history
from orchestration.duckdb_settings import duckdb_config
from orchestration.resources import WarehouseResource

MODEL_VERSION = (
    "cash-risk v4 (L2 logistic regression C=0.1; feature set, drivers included, and isotonic calibration "
    "chosen on the training period; monthly rolling-origin evaluation)"
)
#: v4: size against the usual is one-sided, log(amount / usual) when larger, else 0 (a collector worries
#: about an invoice larger than usual; a small expense re-bill is not "safe"), and 0 for a first invoice
#: (v3 gave it ln(amount): greatest() skips the missing usual).
FEATURE_VERSION = "cash features v4"
#: Candidate feature sets, simplest first. Each fit picks one on its own training period (an inner time
#: split, log-loss): a small firm's thirty outcomes support the client's late share and little else.
FEATURE_SETS: dict[str, tuple[str, ...]] = {
    "late share": ("logit_hist_late_share",),
    "client state": (
        "logit_hist_late_share",
        "logit_recent_late_share",
        "open_overdue_share",
        "max_days_overdue",
    ),
    # what a collector checks first: the client's record, its overdue invoices, this invoice's size
    "drivers": (
        "logit_hist_late_share",
        "open_overdue_share",
        "max_days_overdue",
        "log_amount_vs_usual",
    ),
    "collector": (
        "logit_hist_late_share",
        "logit_recent_late_share",
        "open_overdue_share",
        "max_days_overdue",
        "days_late_trend",
        "log_amount_vs_usual",
        "log_open_balance",
        "log_prior_credits",
    ),
}
FEATURES = FEATURE_SETS["collector"]
#: Inverse L2 strength: small training sets (30 invoices on the xs firm) need strong shrinkage.
C = 0.1
#: Isotonic calibration (cross-fitted, ``CalibratedClassifierCV``) is a candidate from this many training
#: outcomes; below it the logistic regression's own probabilities (isotonic over-fits small sets:
#: scikit-learn's guide). The inner split decides whether it helps.
ISOTONIC_MIN_OUTCOMES = 1000
#: How a model's label says it is isotonic-calibrated (``CashModel.feature_set``, ``Evaluation.final_model``).
ISOTONIC_SUFFIX = " (isotonic)"
#: Reliability bins of the calibration table (equal-width on the predicted probability).
CALIBRATION_BINS = 5
HOLDOUT_SHARE = 0.3
SEED = int(os.environ.get("THROUGHLINE_CASH_RISK_SEED", "42"))
#: Days an evaluation stays current. The rolling-origin evaluation refits the model once per month of the
#: hold-out, six candidate feature sets each: ~15 s of an xl night (36-39 s before ``one_blas_thread``),
#: against ~1.3 s for the final fit (0.1 s refitting the evaluation's choice). Model quality moves with
#: months of outcomes, not with one night's; 0 evaluates every night.
EVALUATE_EVERY_DAYS = int(os.environ.get("THROUGHLINE_CASH_RISK_EVALUATE_DAYS", "7"))
#: ... unless the known outcomes grew or shrank by more than this share since (a firm's first weeks, reloads).
EVALUATE_GROWTH = 0.05
#: Threads fitting the evaluation's months at once (``predict_rolling``): by default the cores this process
#: may run on.
EVALUATION_JOBS = int(os.environ.get("THROUGHLINE_CASH_RISK_JOBS", "0")) or (
    len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
)
CASH_RISK_MIN_PROBABILITY = float(os.environ.get("THROUGHLINE_CASH_RISK_MIN_PROBABILITY", "0.5"))
#: Smoothing of the client's historical late share towards the firm's (pseudo-invoices).
PRIOR_WEIGHT = 2.0
#: The firm's late share before any outcome is known (smoothed towards it as outcomes come in).
FIRM_PRIOR_SHARE = 0.2
#: Half-life (days since the outcome became known) of an outcome's weight in the recent late share.
RECENCY_HALF_LIFE_DAYS = 60.0

CASH_RISK_KEY = dg.AssetKey(["anomalies", "cash_risk"])
OUTCOMES_KEY = dg.AssetKey(["anomalies", "anomaly_invoice_outcomes"])
EXCEPTIONS_KEY = dg.AssetKey(["marts", "exceptions"])
DETECTOR_MODELS = (
    "anomaly_expense_outliers",
    "anomaly_time_round_padding",
    "anomaly_time_offday_novelty",
    "anomaly_engagement_burn",
    "anomaly_late_payment_drift",
    "anomaly_margin_erosion",
    "anomaly_eac_overrun",
)


@dataclass(frozen=True)
class Evaluation:
    """One run's hold-out evaluation (a row of anomalies.cash_risk_evaluations). The calibration tables are
    JSON lists of reliability bins: predicted range, invoices, mean predicted and observed late share."""

    model_version: str
    feature_version: str
    seed: int
    n_train: int
    n_holdout: int
    holdout_from: str
    late_share_train: float
    late_share_holdout: float
    auc_model: float | None
    auc_baseline: float | None
    brier_model: float | None
    brier_baseline: float | None
    feature_set: str = ""
    calibration_model: str = "[]"
    calibration_baseline: str = "[]"
    ece_model: float | None = None
    ece_baseline: float | None = None
    #: the model fitted on every known outcome that night: its feature set, " (isotonic)" when calibrated.
    #: The nights that reuse the evaluation refit this one instead of choosing again (``fit_final``).
    final_model: str = ""

    @property
    def beats_baseline(self) -> bool:
        return (
            self.auc_model is not None
            and self.auc_baseline is not None
            and self.auc_model > self.auc_baseline
        )


@dataclass(frozen=True)
class CashModel:
    """A fitted estimator, the name of its feature set (and calibration) and the columns it reads."""

    feature_set: str
    estimator: Any
    columns: tuple[str, ...]

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        return self.estimator.predict_proba(frame[list(self.columns)].to_numpy(float))[:, 1]


def load_features(con: duckdb.DuckDBPyConnection, late_days: int = 30) -> pd.DataFrame:
    """Every customer invoice with its features as of its invoice date (set-based, in DuckDB). First brings
    the stored sums over each client's earlier invoices up to tonight (``cash_risk_features``), recomputing
    only the invoices a changed input reaches: ``attrs["history_recomputed"]`` says how many."""
    recomputed = refresh_history(con, late_days, RECENCY_HALF_LIFE_DAYS, FEATURE_VERSION)
    df = con.execute(FEATURES_SQL.format(table=HISTORY_TABLE), [late_days]).df()
    df.attrs["history_recomputed"] = recomputed
    # the firm's share as known on the invoice date (not tonight's: that would leak the hold-out's outcomes)
    firm = (df["firm_known_late"] + PRIOR_WEIGHT * FIRM_PRIOR_SHARE) / (df["firm_known_n"] + PRIOR_WEIGHT)
    df["hist_late_share"] = (df["known_late"] + PRIOR_WEIGHT * firm) / (df["known_n"] + PRIOR_WEIGHT)
    df["recent_late_share"] = (df["w_late"] + PRIOR_WEIGHT * firm) / (df["w_known"] + PRIOR_WEIGHT)
    for share in ("hist_late_share", "recent_late_share"):
        q = df[share].clip(1e-3, 1 - 1e-3)
        df[f"logit_{share}"] = np.log(q / (1 - q))
    return df


def split_by_time(known: pd.DataFrame, share: float = HOLDOUT_SHARE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train on the earlier invoices, hold out the latest ``share`` of them by invoice date."""
    known = known.sort_values(["invoice_date", "invoice_transaction_id"], kind="stable")
    cut = known["invoice_date"].iloc[int(len(known) * (1 - share))]
    return known[known["invoice_date"] < cut], known[known["invoice_date"] >= cut]


def _estimator(train: pd.DataFrame, columns: tuple[str, ...], seed: int, calibrate: bool = True) -> Any:
    """Standardised L2 logistic regression, isotonic-calibrated on time-ordered folds if asked."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import TimeSeriesSplit
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y = train[list(columns)].to_numpy(float), train["is_late"].astype(int).to_numpy()
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, C=C, random_state=seed))
    if calibrate:
        model = CalibratedClassifierCV(model, method="isotonic", cv=TimeSeriesSplit(3))
    return model.fit(x, y)


def _log_loss(y: np.ndarray, p: np.ndarray) -> float:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))


def choose_feature_set(train: pd.DataFrame, seed: int) -> tuple[str, bool]:
    """The feature set, and whether to calibrate it, with the lowest log-loss on the latest
    ``HOLDOUT_SHARE`` of the training period, fitted on the rest (isotonic candidates only from
    ``ISOTONIC_MIN_OUTCOMES``; the simplest set when the inner split lacks a class). Never the evaluation's
    hold-out: the choice is part of the model, not of its evaluation."""
    inner_train, inner_val = split_by_time(train)
    if inner_train["is_late"].nunique() < 2 or inner_val["is_late"].nunique() < 2:
        return next(iter(FEATURE_SETS)), False
    y = inner_val["is_late"].astype(int).to_numpy()
    options = [(name, False) for name in FEATURE_SETS]
    if len(inner_train) >= ISOTONIC_MIN_OUTCOMES:
        options += [(name, True) for name in FEATURE_SETS]
    losses = {}
    for name, calibrate in options:
        model = _estimator(inner_train, FEATURE_SETS[name], seed, calibrate)
        p = model.predict_proba(inner_val[list(FEATURE_SETS[name])].to_numpy(float))[:, 1]
        losses[(name, calibrate)] = _log_loss(y, p)
    return min(losses, key=losses.__getitem__)  # ties: the simpler option (dicts keep order)


def fit_model(train: pd.DataFrame, seed: int, chosen: str = "") -> CashModel:
    """Choose the feature set and calibration on the training period, then fit on all of it. ``chosen``: a
    model's label (``CashModel.feature_set``) whose feature set and calibration to fit instead of choosing;
    one naming no current feature set (an older version's) chooses."""
    name, calibrate = chosen.removesuffix(ISOTONIC_SUFFIX), chosen.endswith(ISOTONIC_SUFFIX)
    if name not in FEATURE_SETS:
        name, calibrate = choose_feature_set(train, seed)
    label = f"{name}{ISOTONIC_SUFFIX}" if calibrate else name
    return CashModel(label, _estimator(train, FEATURE_SETS[name], seed, calibrate), FEATURE_SETS[name])


def _metrics(y: np.ndarray, p: np.ndarray) -> tuple[float | None, float | None]:
    from sklearn.metrics import brier_score_loss, roc_auc_score

    if len(y) == 0:
        return None, None
    auc = float(roc_auc_score(y, p)) if len(set(y.tolist())) == 2 else None
    return auc, float(brier_score_loss(y, p))


def reliability(
    y: np.ndarray, p: np.ndarray, bins: int = CALIBRATION_BINS
) -> tuple[list[dict], float | None]:
    """Reliability table (equal-width bins of the predicted probability: invoices, mean predicted, observed
    late share) and the expected calibration error (invoice-weighted mean gap between the two)."""
    if len(y) == 0:
        return [], None
    idx = np.minimum((p * bins).astype(int), bins - 1)
    rows, gap = [], 0.0
    for b in range(bins):
        mask = idx == b
        if mask.any():
            predicted, observed = float(p[mask].mean()), float(y[mask].mean())
            rows.append(
                {
                    "bin": f"{b / bins:.1f}-{(b + 1) / bins:.1f}",
                    "invoices": int(mask.sum()),
                    "mean_predicted": round(predicted, 3),
                    "observed_late": round(observed, 3),
                }
            )
            gap += mask.sum() * abs(predicted - observed)
    return rows, float(gap / len(y))


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """NumPy's and SciPy's BLAS, and scikit-learn's OpenMP, on one thread each while the model is fitted.

    The fits are small (a few features, at most a few hundred thousand invoices): a BLAS spreading each of
    them over the cores spent more time waiting for its threads than computing. On the xl firm's copy the
    evaluation took 34.5 s of wall time and 66 s of CPU with the libraries' default threads, 18.0 s and 18 s
    with one (13.4 s with the months on two threads, ``predict_rolling``). A fit on one thread also sums in
    one order, so its last bits no longer depend on the machine's core count."""
    # threadpoolctl limits the libraries loaded when it is entered: load scikit-learn's (and through it
    # SciPy's BLAS and OpenMP) first
    import sklearn.calibration  # noqa: F401
    import sklearn.linear_model  # noqa: F401
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


def _score_month(
    known: pd.DataFrame, hold: pd.DataFrame, block: np.ndarray, seed: int
) -> tuple[np.ndarray, str]:
    """One month of the hold-out (``block``) scored by a model fitted on every known outcome of an invoice
    issued before it; with the feature set that model chose. The thread limits are set again here: OpenMP's
    is per thread, so a worker thread would start from the default."""
    start = hold["invoice_date"][block].min()
    with one_blas_thread():
        model = fit_model(known[known["invoice_date"] < start], seed)
        return model.predict(hold.loc[block]), model.feature_set


def predict_rolling(known: pd.DataFrame, hold: pd.DataFrame, seed: int) -> tuple[np.ndarray, list[str]]:
    """The hold-out scored as the nightly would have scored it: each calendar month of it by a model fitted
    on every known outcome of an invoice issued before that month (the training set grows month by month).
    Needs both classes before the hold-out starts (then every later fit has them too). Also returns the
    feature set each month's model chose.

    The months are independent fits, run on ``EVALUATION_JOBS`` threads: scikit-learn's solvers spend their
    time in NumPy and SciPy, which release the GIL, and nothing else of the night runs beside this step. Each
    month's fit is the same computation whatever thread runs it, so the scores do not depend on the count."""
    from joblib import Parallel, delayed

    months = pd.to_datetime(hold["invoice_date"]).dt.to_period("M")
    blocks = [(months == month).to_numpy() for month in months.unique()]
    with one_blas_thread():  # what a worker's own limit restores when its month is done
        fitted = Parallel(n_jobs=min(EVALUATION_JOBS, len(blocks)) or 1, prefer="threads")(
            delayed(_score_month)(known, hold, block, seed) for block in blocks
        )
    out = np.empty(len(hold))
    for block, (scores, _) in zip(blocks, fitted, strict=True):
        out[block] = scores
    return out, [feature_set for _, feature_set in fitted]


def known_outcomes(features: pd.DataFrame) -> pd.DataFrame:
    """The invoices whose outcome is known (the training data), labelled ``is_late``."""
    known = features[features["is_outcome_known"].astype(bool)].copy()
    known["is_late"] = known["is_late"].astype(bool)
    return known


def fit_final(known: pd.DataFrame, seed: int = SEED, chosen: str = "") -> CashModel | None:
    """The model that scores tonight's open invoices: fitted on every known outcome (None: one class).

    ``chosen``: the final model of the evaluation in force (``Evaluation.final_model``). A night that reuses
    the evaluation refits that feature set and calibration on tonight's outcomes rather than choosing again:
    the choice fits eight candidates on an inner split (at xl the final fit takes 1.28 s choosing, 0.12 s
    not), and like the evaluation it moves with months of outcomes, not with one night's. Empty (or a set no
    longer defined): choose."""
    return fit_model(known, seed, chosen) if len(known) and known["is_late"].nunique() == 2 else None


def evaluate(features: pd.DataFrame, seed: int = SEED) -> tuple[CashModel | None, Evaluation]:
    """Score the hold-out month by month (``predict_rolling``) against the baseline; then refit on all."""
    known = known_outcomes(features)
    train, hold = split_by_time(known) if len(known) >= 10 else (known, known.iloc[0:0])
    usable = len(train) > 0 and train["is_late"].nunique() == 2
    y = hold["is_late"].astype(int).to_numpy()
    p_model, chosen = predict_rolling(known, hold, seed) if usable and len(hold) else (np.array([]), [])
    p_base = hold["hist_late_share"].to_numpy(float)
    auc_m, brier_m = _metrics(y, p_model) if usable else (None, None)
    auc_b, brier_b = _metrics(y, p_base)
    cal_m, ece_m = reliability(y, p_model) if usable else ([], None)
    cal_b, ece_b = reliability(y, p_base)
    final = fit_final(known, seed)
    ev = Evaluation(
        MODEL_VERSION,
        FEATURE_VERSION,
        seed,
        len(train),
        len(hold),
        str(pd.Timestamp(hold["invoice_date"].min()).date()) if len(hold) else "",
        float(train["is_late"].mean()) if len(train) else 0.0,
        float(hold["is_late"].mean()) if len(hold) else 0.0,
        auc_m,
        auc_b,
        brier_m,
        brier_b,
        ", ".join(dict.fromkeys(chosen + ([final.feature_set] if final else []))),
        json.dumps(cal_m),
        json.dumps(cal_b),
        ece_m,
        ece_b,
        final.feature_set if final else "",
    )
    return final, ev


def score_open(features: pd.DataFrame, model: CashModel | None) -> pd.DataFrame:
    """Probability of late payment for every open invoice (the baseline alongside)."""
    open_ = features[features["is_open"].astype(bool)].copy()
    if model is None or open_.empty:
        open_["probability_late"] = open_["hist_late_share"]
    else:
        open_["probability_late"] = model.predict(open_)
    open_["baseline_probability"] = open_["hist_late_share"]
    open_["model_version"] = MODEL_VERSION
    open_["feature_version"] = FEATURE_VERSION
    return open_


SCORE_COLUMNS = (
    "invoice_transaction_id",
    "invoice_number",
    "erp_customer_id",
    "client_key",
    "project_key",
    "legal_entity_key",
    "transaction_currency_code",
    "invoice_date",
    "due_date",
    "open_amount",
    "days_past_due_tonight",
    "probability_late",
    "baseline_probability",
    "model_version",
    "feature_version",
    "as_of_date",
)

# Signals of the cash-risk model in the exception queue, decisions applied as recon_breaks applies them.
APPEND_EXCEPTIONS_SQL = """
insert into marts.exceptions by name
select md5('CASH_LATE_RISK|' || s.record_key) as exception_id, 'detector' as source_kind,
    'CASH_LATE_RISK' as source_id, 'Open invoice likely to be paid late (cash-risk model)' as source_title,
    'warn' as severity, 'accounts_receivable' as owner, 'netsuite' as source_system,
    'transaction' as source_object, s.record_key,
    '{"invoice_number":"' || s.invoice_number || '","erp_customer_id":' || s.erp_customer_id || '}'
        as related_keys,
    s.client_key, s.project_key, null as resource_key, s.legal_entity_key,
    s.transaction_currency_code as currency_code, s.probability_late as score,
    s.open_amount as amount_at_risk, null as amount_at_risk_reporting, s.due_date as event_date,
    s.as_of_date as detected_on, date_diff('day', s.due_date, s.as_of_date) as age_days,
    'Probability ' || round(100 * s.probability_late)::int || '% of payment more than ' || ? ||
        ' days late (client''s past late share ' || round(100 * s.baseline_probability)::int || '%)'
        as reason,
    case when s.first_seen_on = s.as_of_date then 'new' else 'open' end as status, s.first_seen_on,
    coalesce(d.decision = 'acknowledge' and d.decided_on <= s.as_of_date and d.expires_on >= s.as_of_date,
        false) as is_acknowledged,
    coalesce(d.decision = 'waive' and d.decided_on <= s.as_of_date and d.expires_on >= s.as_of_date, false)
        as is_waived,
    d.decision, d.reason as waiver_reason, d.decided_by, d.decided_on, d.expires_on as waiver_expires_on
from (select *, '{"id":' || invoice_transaction_id || '}' as record_key from anomalies.cash_risk_scores
      where probability_late >= ?) s
left join staging.stg_controller__break_decisions d
    on d.check_id = 'CASH_LATE_RISK' and d.record_key = s.record_key
"""


def _add_new_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str, source: str) -> None:
    """Columns a newer model version records, added to the history table of earlier runs (null there)."""
    have = columns(con, schema, table)
    for name, dtype in con.execute(f"select column_name, column_type from (describe {source})").fetchall():
        if name not in have:
            con.execute(f'alter table {schema}.{table} add column "{name}" {dtype}')


def last_evaluation(con: duckdb.DuckDBPyConnection, seed: int = SEED) -> tuple[datetime, Evaluation] | None:
    """The latest recorded evaluation of this model version, feature version and seed, with its time."""
    names = [f.name for f in fields(Evaluation)]
    if not {"evaluated_at", *names} <= columns(con, "anomalies", "cash_risk_evaluations"):
        return None
    rows = con.execute(  # fetchall: a result left unfinished blocks the connection's next register
        f"select evaluated_at, {', '.join(names)} from anomalies.cash_risk_evaluations "
        "where model_version = ? and feature_version = ? and seed = ? order by evaluated_at desc limit 1",
        [MODEL_VERSION, FEATURE_VERSION, seed],
    ).fetchall()
    return (rows[0][0], Evaluation(*rows[0][1:])) if rows else None


def evaluation_due(
    last: tuple[datetime, Evaluation] | None,
    known: int,
    now: datetime,
    every_days: int = EVALUATE_EVERY_DAYS,
    growth: float = EVALUATE_GROWTH,
) -> bool:
    """Whether tonight evaluates: never evaluated, the last one ``every_days`` old or more, or the known
    outcomes (``known``) more than ``growth`` away from the number it was made on."""
    if last is None or every_days <= 0:
        return True
    evaluated_at, ev = last
    made_on = ev.n_train + ev.n_holdout
    return (now - evaluated_at).days >= every_days or abs(known - made_on) > growth * max(made_on, 1)


def write_results(
    con: duckdb.DuckDBPyConnection,
    scores: pd.DataFrame,
    ev: Evaluation,
    late_days: int = 30,
    append_evaluation: bool = True,
) -> int:
    """Replace tonight's scores, append the evaluation (when made tonight), and append the flagged invoices
    to the queue."""
    frame = scores[list(SCORE_COLUMNS)].copy()
    con.register("_cash_scores", frame)
    con.execute("create schema if not exists anomalies")
    # lifecycle: a flagged invoice keeps the night it was first flagged (new that night, open after)
    con.execute(
        "create or replace temp table _cash_prev as select invoice_transaction_id, first_seen_on "
        "from anomalies.cash_risk_scores where first_seen_on is not null"
        if "first_seen_on" in columns(con, "anomalies", "cash_risk_scores")
        else "create or replace temp table _cash_prev (invoice_transaction_id varchar, first_seen_on date)"
    )
    con.execute(
        """create or replace table anomalies.cash_risk_scores as
        select s.* replace (s.invoice_date::date as invoice_date, s.due_date::date as due_date,
                            s.as_of_date::date as as_of_date),
            case when s.probability_late >= ? then coalesce(p.first_seen_on, s.as_of_date::date) end
                as first_seen_on
        from _cash_scores s left join _cash_prev p using (invoice_transaction_id)""",
        [CASH_RISK_MIN_PROBABILITY],
    )
    con.unregister("_cash_scores")
    if append_evaluation:
        _append_evaluation(con, ev)
    con.execute("delete from marts.exceptions where source_id = 'CASH_LATE_RISK'")
    con.execute(APPEND_EXCEPTIONS_SQL, [str(late_days), CASH_RISK_MIN_PROBABILITY])
    return int(
        con.execute(
            "select count(*) from anomalies.cash_risk_scores where probability_late >= ?",
            [CASH_RISK_MIN_PROBABILITY],
        ).fetchone()[0]
    )


def _append_evaluation(con: duckdb.DuckDBPyConnection, ev: Evaluation) -> None:
    row = {"evaluated_at": datetime.now(UTC).replace(tzinfo=None), **asdict(ev)}
    row["beats_baseline"] = ev.beats_baseline
    con.register("_cash_eval", pd.DataFrame([row]))
    con.execute(
        "create table if not exists anomalies.cash_risk_evaluations as select * from _cash_eval where false"
    )
    _add_new_columns(con, "anomalies", "cash_risk_evaluations", "_cash_eval")
    con.execute("insert into anomalies.cash_risk_evaluations by name select * from _cash_eval")
    con.unregister("_cash_eval")


@dataclass(frozen=True)
class CashRiskRun:
    """What one night's cash-risk step did: the evaluation in force (made tonight or reused), its time,
    the open invoices scored and those flagged."""

    evaluation: Evaluation
    evaluated_at: datetime | None  # None: evaluated tonight
    scored: int
    flagged: int
    #: invoices whose sums over their client's earlier invoices were recomputed tonight (the rest were kept)
    history_recomputed: int = 0


def run_cash_risk(database: str, seed: int = SEED) -> CashRiskRun:
    """Train, evaluate when due, score and write, on the warehouse file ``database``."""
    from throughline.recon_docs import load_vars

    late_days = int(load_vars().get("anomaly_late_days") or 30)  # the dbt var the outcomes model uses
    with duckdb.connect(database, config=duckdb_config(database)) as con, one_blas_thread():
        features = load_features(con, late_days)
        last = last_evaluation(con, seed)
        known = known_outcomes(features)
        evaluated_at: datetime | None = None
        if last is None or evaluation_due(last, len(known), datetime.now(UTC).replace(tzinfo=None)):
            model, ev = evaluate(features, seed)
        else:
            evaluated_at, ev = last
            model = fit_final(known, seed, ev.final_model)
        scores = score_open(features, model)
        flagged = write_results(con, scores, ev, late_days, append_evaluation=evaluated_at is None)
    return CashRiskRun(ev, evaluated_at, len(scores), flagged, int(features.attrs["history_recomputed"]))


def _evaluation_metadata(run: CashRiskRun) -> dict[str, object]:
    """AUC, Brier, calibration error and sizes as numbers; the two reliability tables as JSON; when the
    evaluation was made."""
    ev, scored, flagged = run.evaluation, run.scored, run.flagged
    calibration = ("calibration_model", "calibration_baseline")
    meta: dict[str, object] = {k: v for k, v in asdict(ev).items() if v is not None and k not in calibration}
    for k in calibration:
        meta[k] = dg.MetadataValue.json(json.loads(getattr(ev, k)))
    meta.update({"open_invoices_scored": scored, "flagged": flagged, "beats_baseline": ev.beats_baseline})
    meta["history_recomputed"] = run.history_recomputed
    meta["evaluated"] = (
        "tonight" if run.evaluated_at is None else f"reused, made {run.evaluated_at:%Y-%m-%d %H:%M}"
    )
    return meta


@dg.asset(
    key=CASH_RISK_KEY,
    deps=[OUTCOMES_KEY, EXCEPTIONS_KEY],
    group_name="dbt_anomalies",
    kinds={"python", "scikitlearn", "duckdb"},
    owners=["team:finance-ops"],
    check_specs=[dg.AssetCheckSpec("beats_baseline", asset=CASH_RISK_KEY)],
    description="Cash-risk model: trains on paid invoices, evaluates on a time-based hold-out (AUC, Brier, "
    "against the client's historical late share), scores every open invoice (anomalies.cash_risk_scores) "
    "and adds the likely-late ones to marts.exceptions (docs/anomalies.md).",
)
def cash_risk(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> Iterator[object]:
    """The nightly training, evaluation and scoring; the check warns when the model loses to the baseline."""
    run = run_cash_risk(str(warehouse.database))
    ev, meta = run.evaluation, _evaluation_metadata(run)
    context.log.info(
        f"cash risk: AUC {ev.auc_model} vs baseline {ev.auc_baseline} (evaluation {meta['evaluated']}); "
        f"{run.flagged} flagged"
    )
    yield dg.MaterializeResult(metadata=meta)
    yield dg.AssetCheckResult(
        check_name="beats_baseline",
        passed=ev.beats_baseline,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"hold-out AUC {ev.auc_model} (model) vs {ev.auc_baseline} (client's late share)",
        metadata=meta,
    )


SIGNAL_COUNTS_SQL = """
    select source_id, count(*), count(*) filter (where is_waived), max(score),
           coalesce(sum(amount_at_risk_reporting), 0)
    from marts.exceptions where source_kind = 'detector' group by source_id
"""


def detector_key(model: str) -> dg.AssetKey:
    return dg.AssetKey(["anomalies", model])


def _detector_ids() -> dict[str, str]:
    """Detector id per detector model, from the dbt manifest (meta.anomaly)."""
    import json
    from pathlib import Path

    from orchestration.dbt_project import ensure_manifest

    nodes = json.loads(Path(ensure_manifest()).read_text())["nodes"].values()
    return {
        n["name"]: n["config"]["meta"]["anomaly"]["id"]
        for n in nodes
        if n["resource_type"] == "model" and (n["config"].get("meta") or {}).get("anomaly")
    }


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            "anomaly_signals",
            asset=detector_key(m),
            additional_deps=[EXCEPTIONS_KEY],
            description="Signals the detector raised tonight (metadata: count, waived, top score, money at "
            "risk); warns only when the queue cannot be read: a signal asks for a look, never blocks.",
        )
        for m in DETECTOR_MODELS
    ],
    name="anomaly_detectors",
    can_subset=True,
)
def anomaly_detector_checks(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.AssetCheckResult]:
    """Per detector: its signals in marts.exceptions tonight as check metadata."""
    ids = _detector_ids()
    try:
        database = str(warehouse.database)
        with duckdb.connect(database, read_only=True, config=duckdb_config(database)) as con:
            rows = {r[0]: r[1:] for r in con.execute(SIGNAL_COUNTS_SQL).fetchall()}
        error = None
    except duckdb.Error as exc:
        rows, error = {}, f"cannot read marts.exceptions: {exc}"
    for key in context.selected_asset_check_keys:
        detector = ids.get(key.asset_key.path[-1], key.asset_key.path[-1])
        n, waived, top, at_risk = rows.get(detector, (0, 0, None, 0.0))
        yield dg.AssetCheckResult(
            asset_key=key.asset_key,
            check_name="anomaly_signals",
            passed=error is None,
            severity=dg.AssetCheckSeverity.WARN,
            description=error or f"{detector}: {n} signal(s), {waived} waived",
            metadata={
                "detector": detector,
                "signals": int(n),
                "waived": int(waived),
                "top_score": float(top) if top is not None else 0.0,
                "amount_at_risk_reporting": round(float(at_risk or 0), 2),
            },
        )


anomaly_assets: list[dg.AssetsDefinition] = [cash_risk]
anomaly_asset_checks: list[dg.AssetChecksDefinition] = [anomaly_detector_checks]
