"""Bot share of groups of accounts (communities, amplifier clusters) and a label per group.

Rule (documented in docs/outputs.md): among a group's scored members, ``bot_share`` is the share labelled bot and
``mean_bot_score`` the mean calibrated score. A group is ``bot-driven`` when ``bot_share >= 0.5``, ``mixed`` when
``0.2 <= bot_share < 0.5``, and ``human`` below 0.2; a group with no scored member gets no label. The 0.2 bound
follows the ~18 % bot share Ferrara (First Monday 2017) measured among #MacronLeaks participants: a group above
it carries more automation than that campaign as a whole.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BOT_DRIVEN_SHARE = 0.5
MIXED_SHARE = 0.2


def label_groups(membership: pd.DataFrame, scores: pd.DataFrame, group_column: str) -> pd.DataFrame:
    """Per group: ``scored``, ``bot_share``, ``mean_bot_score`` and ``bot_label`` (bot-driven|mixed|human).

    Parameters
    ----------
    membership : DataFrame
        ``account_id`` and ``group_column``.
    scores : DataFrame
        ``account_id, bot_score, label`` (from :meth:`signalboost.bots.BotModel.score`).
    group_column : str
        Name of the group id column (``community`` or ``cluster_id``).
    """
    joined = membership.dropna(subset=[group_column]).merge(
        scores[["account_id", "bot_score", "label"]].dropna(subset=["bot_score"]), on="account_id", how="inner")
    if joined.empty:
        return pd.DataFrame(columns=[group_column, "scored", "bot_share", "mean_bot_score", "bot_label"])
    grouped = joined.assign(is_bot=joined["label"].eq("bot")).groupby(group_column)
    out = pd.DataFrame({"scored": grouped.size(), "bot_share": grouped["is_bot"].mean().round(4),
                        "mean_bot_score": grouped["bot_score"].mean().round(4)}).reset_index()  # fmt: skip
    out["bot_label"] = np.select([out["bot_share"] >= BOT_DRIVEN_SHARE, out["bot_share"] >= MIXED_SHARE],
                                 ["bot-driven", "mixed"], default="human")  # fmt: skip
    return out
