"""The shipped bot-or-human model: a LightGBM booster (text format) plus Platt calibration.

Files in ``signalboost/bots/model/``: ``bot_model.txt`` (``lightgbm.Booster.save_model``), ``model.json`` (feature
order, calibration knots, threshold, training sets) and ``metrics.json`` (the cross-dataset and cross-validation
report ``signalboost bots train`` printed). Text formats keep the model readable and loadable across library
versions, unlike a pickle.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

DEFAULT_THRESHOLD = 0.5
MODEL_FILES = ("bot_model.txt", "model.json", "metrics.json")


def shipped_model_dir() -> Path:
    return Path(str(resources.files("signalboost.bots") / "model"))


@dataclass
class BotModel:
    """A trained booster with its calibration; ``score`` turns account features into calibrated P(bot)."""

    booster: object  # lightgbm.Booster
    features: list[str]
    calibration_slope: float
    calibration_intercept: float
    threshold: float = DEFAULT_THRESHOLD
    info: dict = field(default_factory=dict)

    @classmethod
    def load(cls, directory: str | Path | None = None) -> BotModel:
        """Load a model directory (the shipped one by default)."""
        import lightgbm as lgb

        directory = Path(directory) if directory is not None else shipped_model_dir()
        meta_path = directory / "model.json"
        if not meta_path.exists():
            raise FileNotFoundError(f"{directory} holds no bot model (model.json); train one with `signalboost bots train`")
        meta = json.loads(meta_path.read_text())
        booster = lgb.Booster(model_file=str(directory / "bot_model.txt"))
        calibration = meta["calibration"]
        return cls(booster, meta["features"], float(calibration["slope"]), float(calibration["intercept"]),
                   meta.get("threshold", DEFAULT_THRESHOLD), meta)  # fmt: skip

    def save(self, directory: str | Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.booster.save_model(str(directory / "bot_model.txt"))
        meta = {**self.info, "features": self.features, "threshold": self.threshold,
                "calibration": {"method": "platt", "slope": self.calibration_slope,
                                "intercept": self.calibration_intercept}}  # fmt: skip
        (directory / "model.json").write_text(json.dumps(meta, indent=1) + "\n")

    def matrix(self, features: pd.DataFrame) -> np.ndarray:
        present = features.reindex(columns=self.features)
        return present.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    def raw(self, features: pd.DataFrame) -> np.ndarray:
        return self.booster.predict(self.matrix(features), raw_score=True)

    def calibrate(self, raw: np.ndarray) -> np.ndarray:
        # Platt's sigmoid is strictly monotone, so calibration never ties accounts the booster ranked apart.
        return 1.0 / (1.0 + np.exp(-(self.calibration_slope * np.asarray(raw, dtype=float) + self.calibration_intercept)))

    def probability(self, features: pd.DataFrame) -> np.ndarray:
        return self.calibrate(self.raw(features)) if len(features) else np.zeros(0)

    def score(self, features: pd.DataFrame, *, threshold: float | None = None, top: int = 3,
              explain_from: float = 0.0) -> pd.DataFrame:  # fmt: skip
        """Calibrated bot scores with labels and the features that pushed each score most.

        Returns ``account_id, username, bot_score, label, top_features``; ``top_features`` lists up to ``top``
        ``feature=value (±contribution)`` items, contributions in log-odds from LightGBM's TreeSHAP
        (``pred_contrib``; Lundberg et al., Nature Machine Intelligence 2020). TreeSHAP costs ~0.4 ms an account,
        so ``explain_from`` limits it to accounts scoring at least that much (the others get an empty
        ``top_features``); 0 explains every account.
        """
        threshold = self.threshold if threshold is None else threshold
        out = pd.DataFrame({"account_id": features.index.astype(str)})
        out["username"] = features["username"].to_numpy() if "username" in features else None
        if features.empty:
            return out.assign(bot_score=pd.Series(dtype=float), label=pd.Series(dtype=str), top_features="")
        matrix = self.matrix(features)
        threads = os.cpu_count() or 1
        out["bot_score"] = np.round(self.calibrate(self.booster.predict(matrix, raw_score=True, num_threads=threads)), 4)
        out["label"] = np.where(out["bot_score"] >= threshold, "bot", "human")
        explained = np.flatnonzero(out["bot_score"].to_numpy() >= explain_from)
        text = np.full(len(out), "", dtype=object)
        if len(explained):
            subset = matrix[explained]
            contributions = self.booster.predict(subset, pred_contrib=True, num_threads=threads)[:, : len(self.features)]
            order = np.argsort(-np.abs(contributions), axis=1)[:, :top]
            names = np.array(self.features)
            text[explained] = [
                "; ".join(f"{names[j]}={_short(subset[i, j])} ({contributions[i, j]:+.2f})"
                          for j in row if contributions[i, j] != 0)  # fmt: skip
                for i, row in enumerate(order)
            ]
        out["top_features"] = text
        return out


def _short(value: float) -> str:
    if np.isnan(value):
        return "missing"
    return f"{value:.3g}"


def score_accounts(features: pd.DataFrame, *, model: BotModel | None = None, threshold: float | None = None) -> pd.DataFrame:
    """Score an :func:`~signalboost.bots.features.account_features` frame with the shipped (or a given) model."""
    model = BotModel.load() if model is None else model
    return model.score(features, threshold=threshold)

