"""Account-to-account interaction networks (retweet, quote, reply, mention and their union).

Edges are aggregated per (source, target, kind) with a weight, first and last time, and the ids of every post
behind them, so any edge can be explained. igraph holds them for computation; ``to_networkx`` exports for users
who want networkx or Gephi (GEXF/GraphML).
"""

from __future__ import annotations

from collections.abc import Iterable

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

from ..case import Case
from ..schema import INTERACTION_KINDS


def resolve_targets(case: Case, interactions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Interactions with ``target_account_id`` filled from usernames where the data gave only a handle.

    A handle resolves to the account id the case knows for it; an unknown handle becomes ``@handle``, the same id
    readers give accounts known only by handle, so both ends of such edges meet.
    """
    frame = case.interactions if interactions is None else interactions
    frame = frame.copy()
    missing = frame["target_account_id"].isna() & frame["target_username"].notna()
    if missing.any():
        accounts = case.table("accounts", ["account_id", "username"]).dropna()
        by_name = dict(zip(accounts["username"].str.lower(), accounts["account_id"], strict=True))
        names = frame.loc[missing, "target_username"].str.lower()
        frame.loc[missing, "target_account_id"] = names.map(by_name).fillna("@" + names)
    return frame


def without_retweet_echo(interactions: pd.DataFrame) -> pd.DataFrame:
    """Interactions without the ``RT @author`` mention platforms list on every retweet (it repeats the retweet)."""
    retweets = interactions.loc[interactions["kind"] == "retweet", ["post_id", "target_account_id"]].dropna()
    retweets = retweets.drop_duplicates().assign(_retweeted=True)
    merged = interactions.merge(retweets, on=["post_id", "target_account_id"], how="left")
    echo = (merged["kind"] == "mention") & merged["_retweeted"].fillna(False).astype(bool)
    return merged[~echo.to_numpy()].drop(columns="_retweeted")


def account_edges(
    case: Case,
    kinds: Iterable[str] = INTERACTION_KINDS,
    *,
    drop_retweet_mentions: bool = True,
) -> pd.DataFrame:
    """Aggregated account → account edges of the given kinds.

    Columns: ``source, target, kind, weight, first_at, last_at, post_ids`` (a list, oldest first). Self-loops and
    edges with an unknown end are dropped. ``drop_retweet_mentions`` leaves out the ``RT @author`` mention that
    platforms list on every retweet, which would otherwise double each retweet edge in the mention network.
    """
    kinds = tuple(kinds)
    unknown = set(kinds) - set(INTERACTION_KINDS)
    if unknown:
        raise ValueError(f"unknown interaction kinds {sorted(unknown)}; choose from {INTERACTION_KINDS}")
    frame = case.interactions
    if drop_retweet_mentions:
        frame = without_retweet_echo(frame)
    frame = frame[frame["kind"].isin(kinds)]
    frame = resolve_targets(case, frame)
    frame = frame.dropna(subset=["source_account_id", "target_account_id"])
    frame = frame[frame["source_account_id"] != frame["target_account_id"]]
    if frame.empty:
        return pd.DataFrame(columns=["source", "target", "kind", "weight", "first_at", "last_at", "post_ids"])
    keys = ["source_account_id", "target_account_id", "kind"]
    frame = frame.sort_values([*keys, "created_at"], kind="stable").reset_index(drop=True)
    # Group boundaries on the sorted frame; one pass of numpy instead of a Python list per group.
    codes = [pd.factorize(frame[key])[0] for key in keys]
    starts = np.flatnonzero(np.r_[True, np.any([np.diff(c) != 0 for c in codes], axis=0)])
    post_ids = frame["post_id"].to_numpy(dtype=object)
    edges = frame.loc[starts, keys].reset_index(drop=True)
    ends = np.r_[starts[1:], len(frame)]
    created = frame["created_at"]
    edges["weight"] = ends - starts
    edges["first_at"] = created.iloc[starts].to_numpy()
    edges["last_at"] = created.iloc[ends - 1].to_numpy()
    edges["post_ids"] = [list(chunk) for chunk in np.split(post_ids, starts[1:])]
    return edges.rename(columns={"source_account_id": "source", "target_account_id": "target"})


def build_graph(edges: pd.DataFrame, accounts: pd.DataFrame | None = None, *, directed: bool = True) -> ig.Graph:
    """An igraph Graph from ``account_edges`` output; vertices named by account id, with usernames if given."""
    codes, names = pd.factorize(pd.concat([edges["source"], edges["target"]], ignore_index=True).astype(str))
    graph = ig.Graph(n=len(names), edges=codes.reshape(2, -1).T.tolist(), directed=directed)
    graph.vs["name"] = list(names)
    for column in ("kind", "weight", "first_at", "last_at", "post_ids"):
        if column in edges and len(edges):
            graph.es[column] = edges[column].astype(int).tolist() if column == "weight" else edges[column].tolist()
    if accounts is not None and len(names):
        usernames = accounts.drop_duplicates("account_id").set_index("account_id")["username"]
        graph.vs["username"] = [usernames.get(name) if name in usernames.index else None for name in names]
    return graph


def to_networkx(graph: ig.Graph) -> nx.MultiDiGraph | nx.MultiGraph:
    """The same graph in networkx (a multigraph: one edge per kind), timestamps as ISO strings for GEXF/GraphML."""
    out = nx.MultiDiGraph() if graph.is_directed() else nx.MultiGraph()
    for vertex in graph.vs:
        out.add_node(vertex["name"], **{k: v for k, v in vertex.attributes().items() if k != "name" and v is not None})
    for edge in graph.es:
        attributes = {}
        for key, value in edge.attributes().items():
            if isinstance(value, pd.Timestamp):
                value = value.isoformat()
            elif isinstance(value, list):
                value = " ".join(map(str, value))
            attributes[key] = value
        out.add_edge(graph.vs[edge.source]["name"], graph.vs[edge.target]["name"], **attributes)
    return out


def edge_posts(case: Case, source: str, target: str, kinds: Iterable[str] = INTERACTION_KINDS) -> pd.DataFrame:
    """The posts behind every edge from ``source`` to ``target`` (ids, or usernames with or without @)."""
    accounts = case.table("accounts", ["account_id", "username"])
    by_name = dict(zip(accounts["username"].fillna("").str.lower(), accounts["account_id"], strict=True))

    def resolve(who: str) -> set[str]:
        handle = who.lstrip("@").lower()
        return {who, by_name.get(handle, who), "@" + handle}

    sources, targets = resolve(source), resolve(target)
    frame = resolve_targets(case, without_retweet_echo(case.interactions))
    frame = frame[
        frame["kind"].isin(tuple(kinds))
        & frame["source_account_id"].isin(sources)
        & frame["target_account_id"].isin(targets)
    ]
    posts = case.table("posts", ["post_id", "text", "kind"]).rename(columns={"kind": "post_kind"})
    merged = frame.merge(posts, on="post_id", how="left")
    columns = ["created_at", "kind", "post_id", "source_account_id", "target_account_id", "target_post_id", "text"]
    return merged.sort_values("created_at")[columns].reset_index(drop=True)
