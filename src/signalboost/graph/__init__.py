"""Interaction networks built from a case; every edge keeps the posts behind it."""

from .interactions import (
    INTERACTION_KINDS,
    account_edges,
    build_graph,
    edge_posts,
    resolve_targets,
    to_networkx,
)
from .projections import bipartite_edges, projection_edges

__all__ = [
    "INTERACTION_KINDS", "account_edges", "bipartite_edges", "build_graph", "edge_posts", "projection_edges",
    "resolve_targets", "to_networkx",
]  # fmt: skip
