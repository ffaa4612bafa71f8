"""Bot or human: offline account features, a shipped calibrated model, and community labels."""

from .communities import label_groups
from .features import (
    BEHAVIOUR_FEATURES,
    FEATURES,
    GRAPH_FEATURES,
    PROFILE_FEATURES,
    CaseEvidence,
    account_features,
    behaviour_features,
    case_evidence,
    graph_features,
    profile_features,
    retweet_evidence,
    structural_features,
)
from .model import DEFAULT_THRESHOLD, BotModel, score_accounts

__all__ = [
    "BEHAVIOUR_FEATURES", "DEFAULT_THRESHOLD", "FEATURES", "GRAPH_FEATURES", "PROFILE_FEATURES", "BotModel",
    "CaseEvidence", "account_features", "behaviour_features", "case_evidence", "graph_features", "label_groups",
    "profile_features", "retweet_evidence", "score_accounts", "structural_features",
]  # fmt: skip
