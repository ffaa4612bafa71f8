"""Detectors: one module per method, each a pure function of a case."""

from .amplifiers import AmplifierResult, find_amplifier_clusters
from .catalysts import rank_catalysts
from .communities import CommunityResult, find_communities
from .crosslinks import CrossLinks, cross_platform_links

__all__ = [
    "AmplifierResult", "CommunityResult", "CrossLinks", "cross_platform_links", "find_amplifier_clusters",
    "find_communities", "rank_catalysts",
]  # fmt: skip
