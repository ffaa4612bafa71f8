"""Communities of the interaction network: Leiden on the undirected, weighted union of interactions.

Method: Traag, Waltman & van Eck, "From Louvain to Leiden: guaranteeing well-connected communities", Scientific
Reports 9, 5233 (2019), maximising modularity with igraph's implementation. Edge weight is the number of
interactions between two accounts in either direction, over the kinds asked for (all of them by default, so data
without retweet authors — the IRA export — still has mention communities).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

import igraph as ig
import pandas as pd

from ..case import Case
from ..graph import account_edges
from ..schema import INTERACTION_KINDS
from .leiden import LEIDEN_ITERATIONS

COMMUNITY_COLUMNS = ["community", "size", "top_accounts", "languages", "internal_edges"]


@dataclass
class CommunityResult:
    membership: pd.DataFrame  # account_id, community
    communities: pd.DataFrame  # COMMUNITY_COLUMNS, largest first
    modularity: float


def find_communities(
    case: Case,
    *,
    kinds: Iterable[str] = INTERACTION_KINDS,
    resolution: float = 1.0,
    min_size: int = 2,
    edges: pd.DataFrame | None = None,
    seed: int = 0,
) -> CommunityResult:
    """Leiden communities of accounts; communities smaller than ``min_size`` are left out (community empty).

    Parameters
    ----------
    case : Case
    kinds : iterable of str
        Interaction kinds that make edges.
    resolution : float
        Leiden resolution; higher gives smaller communities.
    min_size : int
        Smallest community reported.
    edges : DataFrame, optional
        Precomputed :func:`signalboost.graph.account_edges` output.
    seed : int
        Seed for Leiden (igraph draws from Python's ``random``), so runs are reproducible.
    """
    edges = account_edges(case, kinds) if edges is None else edges
    empty = CommunityResult(pd.DataFrame(columns=["account_id", "community"]),
                            pd.DataFrame(columns=COMMUNITY_COLUMNS), 0.0)  # fmt: skip
    if edges.empty:
        return empty
    pairs = edges.assign(a=edges[["source", "target"]].min(axis=1), b=edges[["source", "target"]].max(axis=1))
    pairs = pairs.groupby(["a", "b"], as_index=False)["weight"].sum()
    names = pd.unique(pd.concat([pairs["a"], pairs["b"]], ignore_index=True))
    index = pd.Series(range(len(names)), index=names)
    graph = ig.Graph(n=len(names), edges=list(zip(index[pairs["a"]].to_numpy(), index[pairs["b"]].to_numpy(),
                                                  strict=True)))  # fmt: skip
    graph.es["weight"] = pairs["weight"].astype(float).tolist()
    random.seed(seed)
    partition = graph.community_leiden(objective_function="modularity", weights="weight", resolution=resolution,
                                       n_iterations=LEIDEN_ITERATIONS)  # fmt: skip
    membership = pd.DataFrame({"account_id": names, "raw": partition.membership})
    sizes = membership["raw"].value_counts()
    kept = sizes[sizes >= min_size]
    label = {raw: f"C{i + 1}" for i, raw in enumerate(kept.index)}  # largest first
    membership["community"] = membership["raw"].map(label)
    membership = membership.dropna(subset=["community"])[["account_id", "community"]].reset_index(drop=True)
    if membership.empty:
        return CommunityResult(membership, empty.communities, float(partition.modularity))

    usernames = case.table("accounts", ["account_id", "username"]).drop_duplicates("account_id")
    usernames = usernames.set_index("account_id")["username"]
    strength = pd.DataFrame({"account_id": names, "strength": graph.strength(weights="weight")})
    strength = strength.merge(membership, on="account_id")
    strength["label"] = strength["account_id"].map(usernames).fillna(strength["account_id"])
    top = (strength.sort_values(["community", "strength"], ascending=[True, False]).groupby("community").head(5)
           .groupby("community")["label"].agg(" ".join))  # fmt: skip
    posts = case.table("posts", ["account_id", "lang"]).dropna().merge(membership, on="account_id")
    shares = posts.groupby("community")["lang"].value_counts(normalize=True).rename("share").reset_index()
    shares = shares.sort_values(["community", "share"], ascending=[True, False]).groupby("community").head(3)
    languages = shares.assign(text=shares["lang"] + ":" + (shares["share"] * 100).round().astype(int).astype(str) + "%")
    languages = languages.groupby("community")["text"].agg(" ".join)
    community_of = membership.set_index("account_id")["community"]
    ends = pd.DataFrame({"a": pairs["a"].map(community_of), "b": pairs["b"].map(community_of)})
    internal_edges = ends[ends["a"].eq(ends["b"])].groupby("a").size()
    sizes = membership["community"].value_counts()
    rows = pd.DataFrame({"community": sizes.index, "size": sizes.to_numpy()})
    rows["top_accounts"] = rows["community"].map(top).fillna("")
    rows["languages"] = rows["community"].map(languages).fillna("")
    rows["internal_edges"] = rows["community"].map(internal_edges).fillna(0).astype(int)
    communities = rows[COMMUNITY_COLUMNS].sort_values("size", ascending=False, kind="stable")
    return CommunityResult(membership, communities.reset_index(drop=True), float(partition.modularity))
