"""Training and cross-dataset evaluation of the shipped bot model (``signalboost bots train``).

Training sets, each turned into the same feature vocabulary (:mod:`signalboost.bots.features`):

* **cresci-2015** (Cresci et al., DSS 2015): E13 humans and INT bought fake followers, v1.1 profiles read by the
  ordinary ingest readers, so their features are computed exactly as a user's data would be.
* **gilani-2017** (Gilani et al., ASONAM 2017): Stweeler's per-account aggregates. Only the columns whose meaning is
  unambiguous are mapped (account age, follower/friend ratio, retweet share, URL share, client count); the rest is
  missing, as it would be for a user's input that lacks it.
* **simulated**: campaigns from :mod:`signalboost.simulate` (botnets vs humans, fans, catalysts, news, a celebrity),
  with behaviour and graph features the public labelled sets do not carry.

varol-2017 holds user ids and labels only; no profile behind them can be had, so it is reported (overlap with the
other sets) and not trained on.

Evaluation follows Yang et al. (AAAI 2020): what matters is generalisation to unseen kinds of bots, so besides
5-fold cross-validation on the pooled sets the report holds leave-one-dataset-out results (train on the others,
test on the held-out set). Each dataset gets equal total weight so that the largest does not decide the model.
"""

from __future__ import annotations

import glob
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .features import BEHAVIOUR_FEATURES, FEATURES, GRAPH_FEATURES, account_features
from .model import BotModel

PARAMS = {
    "objective": "binary", "learning_rate": 0.05, "num_leaves": 15, "min_data_in_leaf": 20,
    "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
    "deterministic": True, "force_row_wise": True, "num_threads": 1, "verbose": -1,
}  # fmt: skip
ROUNDS = 300
SIMULATION_SEEDS = (11, 12)
SIMULATION_TWEETS = 5000


@dataclass
class LabelledSet:
    name: str
    features: pd.DataFrame  # FEATURES columns, indexed by account_id
    labels: np.ndarray  # 1 = bot, 0 = human

    def __len__(self) -> int:
        return len(self.labels)


def load_cresci(data_dir: Path) -> LabelledSet:
    """cresci-2015 E13 (human) and INT (fake followers), through the ingest readers."""
    from .. import Case, ingest

    folder = Path(data_dir) / "cresci-2015-e13-int"
    files = {"E13.users.csv": 0, "INT.users.csv": 1}
    labels: dict[str, int] = {}
    for name, label in files.items():
        ids = pd.read_csv(folder / name, usecols=["id"], dtype=str)["id"]
        labels.update(dict.fromkeys(ids, label))
    with tempfile.TemporaryDirectory() as tmp:
        ingest([folder / name for name in files], Path(tmp) / "case", quiet=True)
        features = account_features(Case.open(Path(tmp) / "case"))
    features = features[features.index.isin(labels.keys())].sort_index()
    return LabelledSet("cresci-2015", features[list(FEATURES)], features.index.map(labels).to_numpy(dtype=int))


def load_gilani(data_dir: Path) -> LabelledSet:
    """gilani-2017 Stweeler aggregates mapped onto the features they unambiguously measure."""
    folder = Path(data_dir) / "gilani-2017-stweeler-features"
    frames = []
    for label, prefix in ((1, "bots"), (0, "humans")):
        for path in sorted(glob.glob(str(folder / f"{prefix}.*.csv"))):
            frame = pd.read_csv(path, skipinitialspace=True)
            frames.append(frame.assign(label=label))
    raw = pd.concat(frames, ignore_index=True).drop_duplicates("screen_name")
    posts = (raw["user_tweeted"] + raw["user_retweeted"]).astype(float)
    features = pd.DataFrame(index=pd.Index("gilani:" + raw["screen_name"].astype(str), name="account_id"),
                            columns=list(FEATURES), dtype=float)  # fmt: skip
    features["age_days"] = raw["age_of_account_in_days"].to_numpy(dtype=float)
    features["follower_friend_ratio"] = raw["follower_friend_ratio"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        features["retweet_share"] = np.where(posts > 0, raw["user_retweeted"] / posts, np.nan)
        features["url_share"] = np.where(posts > 0, np.minimum(raw["urls_count"] / posts, 1.0), np.nan)
    features["distinct_sources"] = raw["sources_count"].to_numpy(dtype=float)
    return LabelledSet("gilani-2017", features.sort_index(), raw.set_index(features.index)["label"].sort_index().to_numpy())


def load_simulated(seeds=SIMULATION_SEEDS, tweets: int = SIMULATION_TWEETS) -> LabelledSet:
    """Simulated campaigns, investigated as a user's data would be (amplifier clusters included)."""
    from .. import Case, ingest
    from ..detect import find_amplifier_clusters
    from ..graph import account_edges
    from ..simulate import simulate

    pieces, labels = [], []
    for seed in seeds:
        with tempfile.TemporaryDirectory() as tmp:
            paths = simulate(Path(tmp) / "input", tweets, seed=seed)
            ingest([paths["v2"]], Path(tmp) / "case", quiet=True)
            case = Case.open(Path(tmp) / "case")
            truth = json.loads(paths["truth"].read_text())
            amplifiers = find_amplifier_clusters(case, seed=seed)
            features = account_features(case, edges=account_edges(case), amplifiers=amplifiers)
        bots = {bot for members in truth["botnets"].values() for bot in members}
        features.index = f"sim{seed}:" + features.index
        pieces.append(features[list(FEATURES)])
        labels.append(np.array([1 if name.split(":", 1)[1] in bots else 0 for name in features.index]))
    return LabelledSet("simulated", pd.concat(pieces), np.concatenate(labels))


def varol_overlap(data_dir: Path, sets: list[LabelledSet]) -> dict:
    path = Path(data_dir) / "varol-2017-labels" / "varol-2017.dat"
    if not path.exists():
        return {"available": False}
    ids = set(pd.read_csv(path, sep="\t", header=None, names=["id", "label"], dtype=str)["id"])
    known = set().union(*(set(s.features.index) for s in sets))
    return {"available": True, "accounts": len(ids), "with_profile_in_training_data": len(ids & known),
            "used": False, "why": "user ids and labels only; profiles cannot be hydrated any more"}  # fmt: skip


def _weights(sets: list[LabelledSet]) -> np.ndarray:
    return np.concatenate([np.full(len(s), 1000.0 / len(s)) for s in sets])


def _stack(sets: list[LabelledSet]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    features = pd.concat([s.features[list(FEATURES)] for s in sets])
    matrix = features.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return matrix, np.concatenate([s.labels for s in sets]), _weights(sets)


# Feature groups masked together when augmenting: a user's input lacks whole families, not random cells.
FEATURE_GROUPS = {
    "profile_counts": ("age_days", "statuses_per_day", "follower_friend_ratio", "log_followers", "log_following",
                       "log_statuses", "log_favourites", "log_listed", "favourites_per_status", "listed_per_follower"),
    "profile_flags": ("default_profile", "default_profile_image", "has_description", "has_url", "has_location",
                      "verified", "creation_burst"),
    "username": ("username_length", "username_entropy", "username_digit_share"),
    "behaviour": BEHAVIOUR_FEATURES,
    "graph": GRAPH_FEATURES,
}  # fmt: skip
AUGMENT_COPIES = 4
FEATURE_DROPOUT = 0.3


def augment(matrix: np.ndarray, labels: np.ndarray, weights: np.ndarray, *, seed: int, copies: int = AUGMENT_COPIES):
    """The rows again ``copies`` times with whole feature groups, and then single features, masked at random.

    Without it a model trained on rich rows (simulated campaigns with behaviour) and poor rows (profile-only
    sets) learns which dataset a row comes from by which features are missing, and falls to chance on a new
    dataset with another pattern of missing features. Masking teaches it to use whatever subset is present
    (feature dropout; the "missing-indicator" problem of Yang et al., AAAI 2020, Sec. 5).
    """
    rng = np.random.default_rng(seed)
    index = {name: i for i, name in enumerate(FEATURES)}
    groups = [np.array([index[name] for name in members]) for members in FEATURE_GROUPS.values()]
    pieces, label_pieces, weight_pieces = [matrix], [labels], [weights]
    for _ in range(copies):
        masked = matrix.copy()
        for columns in groups:
            drop = rng.random(len(masked)) < 0.5
            masked[np.ix_(drop, columns)] = np.nan
        masked[rng.random(masked.shape) < FEATURE_DROPOUT] = np.nan
        keep = ~np.isnan(masked).all(axis=1)
        pieces.append(masked[keep])
        label_pieces.append(labels[keep])
        weight_pieces.append(weights[keep] / copies)
    return np.vstack(pieces), np.concatenate(label_pieces), np.concatenate(weight_pieces)


def _booster(matrix, labels, weights, seed: int):
    import lightgbm as lgb

    matrix, labels, weights = augment(matrix, labels, weights, seed=seed)

    data = lgb.Dataset(matrix, label=labels, weight=weights, feature_name=list(FEATURES), free_raw_data=False)
    return lgb.train({**PARAMS, "seed": seed}, data, num_boost_round=ROUNDS)


def fit(sets: list[LabelledSet], *, seed: int = 0, folds: int = 5) -> tuple[BotModel, np.ndarray]:
    """Train on ``sets``; calibrate on out-of-fold raw scores with Platt scaling (Platt 1999; Niculescu-Mizil &
    Caruana, ICML 2005, show it suits boosted trees). Isotonic regression was tried and rejected: it is flat
    outside the scores it was fitted on, so a new dataset's accounts all get one score and lose their ranking.

    Returns the model and the out-of-fold calibrated probabilities (the cross-validation estimate).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    matrix, labels, weights = _stack(sets)
    groups = np.concatenate([np.full(len(s), i) for i, s in enumerate(sets)])
    strata = groups * 2 + labels  # folds keep each dataset's class balance
    oof_raw = np.zeros(len(labels))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(matrix, strata):
        booster = _booster(matrix[train], labels[train], weights[train], seed)
        oof_raw[test] = booster.predict(matrix[test], raw_score=True)
    platt = LogisticRegression(C=1e6).fit(oof_raw.reshape(-1, 1), labels, sample_weight=weights)
    booster = _booster(matrix, labels, weights, seed)
    model = BotModel(booster, list(FEATURES), float(platt.coef_[0, 0]), float(platt.intercept_[0]))
    return model, model.calibrate(oof_raw)


def metrics(labels: np.ndarray, scores: np.ndarray, threshold: float = 0.5) -> dict:
    """AUC, accuracy, precision, recall, F1, MCC and Brier score of calibrated scores against labels."""
    from sklearn import metrics as m

    labels = np.asarray(labels, dtype=int)
    predicted = (np.asarray(scores) >= threshold).astype(int)
    both = len(set(labels)) == 2
    return {
        "n": int(len(labels)), "bots": int(labels.sum()),
        "auc": round(float(m.roc_auc_score(labels, scores)), 4) if both else None,
        "accuracy": round(float(m.accuracy_score(labels, predicted)), 4),
        "precision": round(float(m.precision_score(labels, predicted, zero_division=0)), 4),
        "recall": round(float(m.recall_score(labels, predicted, zero_division=0)), 4),
        "f1": round(float(m.f1_score(labels, predicted, zero_division=0)), 4),
        "mcc": round(float(m.matthews_corrcoef(labels, predicted)), 4),
        "brier": round(float(m.brier_score_loss(labels, scores)), 4),
    }  # fmt: skip


def cross_dataset(sets: list[LabelledSet], *, seed: int = 0) -> dict:
    """Leave one dataset out: train (and calibrate) on the others, score the held-out set."""
    report = {}
    for held_out in sets:
        others = [s for s in sets if s is not held_out]
        model, _ = fit(others, seed=seed)
        scores = model.probability(held_out.features)
        report[held_out.name] = {"trained_on": [s.name for s in others], **metrics(held_out.labels, scores)}
    return report


def load_training_sets(data_dir: str | Path) -> list[LabelledSet]:
    data_dir = Path(data_dir)
    missing = [name for name in ("cresci-2015-e13-int", "gilani-2017-stweeler-features") if not (data_dir / name).is_dir()]
    if missing:
        raise FileNotFoundError(f"{data_dir} lacks {', '.join(missing)}; pass --data pointing at shared/data")
    return [load_cresci(data_dir), load_gilani(data_dir), load_simulated()]


def train(data_dir: str | Path, out_dir: str | Path | None = None, *, seed: int = 0) -> dict:
    """Train the model on every set, evaluate it, and write ``bot_model.txt``, ``model.json``, ``metrics.json``.

    ``out_dir`` defaults to the package's own model directory (what ships in the wheel).
    """
    from .model import shipped_model_dir

    sets = load_training_sets(data_dir)
    model, oof = fit(sets, seed=seed)
    labels = np.concatenate([s.labels for s in sets])
    offsets = np.cumsum([0] + [len(s) for s in sets])
    report = {
        "seed": seed, "params": PARAMS, "rounds": ROUNDS, "threshold": model.threshold,
        "datasets": {s.name: {"accounts": len(s), "bots": int(s.labels.sum()),
                              "features_present": int(s.features.notna().any().sum())} for s in sets},  # fmt: skip
        "cross_validation": {"pooled": metrics(labels, oof),
                             **{s.name: metrics(s.labels, oof[offsets[i]:offsets[i + 1]]) for i, s in enumerate(sets)}},  # fmt: skip
        "cross_dataset": cross_dataset(sets, seed=seed),
        "varol-2017": varol_overlap(Path(data_dir), sets),
    }
    model.info = {"trained_on": list(report["datasets"]), "seed": seed, "rounds": ROUNDS}
    out = Path(out_dir) if out_dir is not None else shipped_model_dir()
    model.save(out)
    (out / "metrics.json").write_text(json.dumps(report, indent=1) + "\n")
    return report
