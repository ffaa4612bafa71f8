"""Interaction networks built from a case; every edge keeps the posts behind it."""

from .interactions import (
    INTERACTION_KINDS,
    account_edges,
    build_graph,
    edge_posts,
    resolve_targets,
    to_networkx,
)

__all__ = ["INTERACTION_KINDS", "account_edges", "build_graph", "edge_posts", "resolve_targets", "to_networkx"]
