"""Scoring inputs and evaluating the model against a labels file (``signalboost bots score|evaluate``)."""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from .features import account_features
from .model import BotModel
from .train import metrics

LABEL_WORDS = {"bot": 1, "1": 1, "true": 1, "human": 0, "0": 0, "false": 0}


@contextmanager
def case_of(inputs=None, case=None, **ingest_options):
    """The given case, or a temporary one holding ``inputs``."""
    from .. import Case, ingest

    if case is not None:
        yield case if isinstance(case, Case) else Case.open(case)
        return
    with tempfile.TemporaryDirectory() as tmp:
        ingest(list(inputs), Path(tmp) / "case", quiet=True, **ingest_options)
        yield Case.open(Path(tmp) / "case")


def score_case(case, *, model: BotModel | None = None, threshold: float | None = None, amplifiers=None,
               edges=None, evidence=None, structure=None, explain_from: float = 0.0) -> pd.DataFrame:  # fmt: skip
    """Bot scores for every Twitter account of a case with a profile or a collected post (``edges``,
    ``evidence`` and ``structure`` as in :func:`~signalboost.bots.features.account_features`)."""
    model = BotModel.load() if model is None else model
    features = account_features(case, edges=edges, amplifiers=amplifiers, evidence=evidence, structure=structure)
    return model.score(features, threshold=threshold, explain_from=explain_from)


def read_labels(path: str | Path) -> pd.Series:
    """A labels file (CSV with ``account_id`` and ``label`` bot|human or 1|0) as a 0/1 Series by account_id."""
    frame = pd.read_csv(path, dtype=str)
    missing = {"account_id", "label"} - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: labels file needs columns account_id,label (missing {', '.join(sorted(missing))})")
    words = frame["label"].str.strip().str.lower()
    bad = ~words.isin(LABEL_WORDS.keys())
    if bad.any():
        line = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise ValueError(f"{path}, line {line}: label {frame['label'].iloc[line - 2]!r} is not bot/human/1/0")
    return pd.Series(words.map(LABEL_WORDS).to_numpy(dtype=int), index=frame["account_id"].str.strip(), name="label")


def evaluate(scores: pd.DataFrame, labels: pd.Series, *, threshold: float = 0.5, plots_dir: str | Path | None = None) -> dict:
    """Metrics of ``scores`` (from :func:`score_case`) on the labelled accounts; ROC and calibration PNGs optional."""
    joined = scores.merge(labels.rename("truth"), left_on="account_id", right_index=True, how="inner")
    if joined.empty:
        raise ValueError("no labelled account was found in the inputs; check that account_id values match")
    report = metrics(joined["truth"].to_numpy(), joined["bot_score"].to_numpy(), threshold)
    report["labelled_not_found"] = int(len(labels) - len(joined))
    if plots_dir is not None:
        report["plots"] = write_plots(joined["truth"].to_numpy(), joined["bot_score"].to_numpy(), plots_dir)
    return report


def write_plots(truth: np.ndarray, scores: np.ndarray, out_dir: str | Path) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import roc_curve

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"roc": out / "roc.png", "calibration": out / "calibration.png"}
    fig, ax = plt.subplots(figsize=(5, 5))
    if len(set(truth)) == 2:
        fpr, tpr, _ = roc_curve(truth, scores)
        ax.plot(fpr, tpr, label="signalboost bot model")
    ax.plot([0, 1], [0, 1], "--", color="grey", label="chance")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC")
    ax.legend(loc="lower right")
    fig.savefig(paths["roc"], dpi=100, bbox_inches="tight")
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(5, 5))
    observed, predicted = calibration_curve(truth, scores, n_bins=10, strategy="quantile")
    ax.plot(predicted, observed, "o-", label="signalboost bot model")
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    ax.set(xlabel="mean predicted P(bot)", ylabel="observed share of bots", title="Calibration", xlim=(0, 1), ylim=(0, 1))
    ax.legend(loc="upper left")
    fig.savefig(paths["calibration"], dpi=100, bbox_inches="tight")
    plt.close(fig)
    return {name: str(path) for name, path in paths.items()}
