"""The picture's data: node and edge frames of a campaign, shared by Graphistry and the offline view.

Nodes are accounts (and, in URL focus, the URL and the 4chan threads that posted it); edges are typed
interactions with their first time. The encodings answer an investigator's questions: colour by role (catalyst,
mainstream-influencer, amplifier, early-poster, organic) or by bot label, size by reach (how many accounts
amplified the account), edge colour by time (early edges dark blue, late ones yellow), titles with username and
scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..frames import epoch_seconds

ROLE_COLOURS = {
    "catalyst": "#d62728", "mainstream-influencer": "#9467bd", "amplifier": "#ff7f0e", "early-poster": "#2ca02c",
    "organic": "#9aa5b1",
}  # fmt: skip
BOT_COLOURS = {"bot": "#e6194b", "human": "#3b82f6", "unscored": "#c7cdd4"}
TYPE_COLOURS = {"url": "#111827", "chan-thread": "#15803d"}
EDGE_KINDS = ("retweet", "quote", "reply", "mention", "posted-url")
# Time ramp for edges, early to late (viridis stops).
TIME_RAMP = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")


@dataclass
class CascadeFrames:
    nodes: pd.DataFrame  # node_id, label, type, role, bot_label, bot_score, community, amplifier_cluster, reach, size, colour_role, colour_bot, title, first_ts
    edges: pd.DataFrame  # source, target, kind, weight, first_ts, first_at, colour_time
    focus: str
    total_edges: int  # before any max_edges cut

    @property
    def truncated(self) -> bool:
        return len(self.edges) < self.total_edges


def ramp(values: np.ndarray, stops=TIME_RAMP) -> np.ndarray:
    """Hex colours interpolated along ``stops`` for values scaled to [0, 1] (NaN → the first stop)."""
    values = np.nan_to_num(np.clip(values, 0, 1), nan=0.0)
    rgb = np.array([[int(s[i : i + 2], 16) for i in (1, 3, 5)] for s in stops], dtype=float)
    position = values * (len(stops) - 1)
    low = np.clip(np.floor(position).astype(int), 0, len(stops) - 2)
    frac = (position - low)[:, None]
    mixed = np.rint(rgb[low] * (1 - frac) + rgb[low + 1] * frac).astype(int)
    return np.array([f"#{r:02x}{g:02x}{b:02x}" for r, g, b in mixed], dtype=object)


def _account_table(case, analysis) -> pd.DataFrame:
    accounts = case.table("accounts", ["account_id", "username", "followers"]).drop_duplicates("account_id")
    accounts["account_id"] = accounts["account_id"].astype(str)
    found = analysis.accounts
    if len(found):
        found = found.copy()
        found["account_id"] = found["account_id"].astype(str)
        keep = [c for c in ("account_id", "username", "role", "bot_score", "label", "community", "amplifier_cluster") if c in found]
        accounts = found[keep].merge(accounts[["account_id", "followers"]], on="account_id", how="outer")
    for column in ("role", "label", "community", "amplifier_cluster", "username"):
        if column not in accounts:
            accounts[column] = None
    if "bot_score" not in accounts:
        accounts["bot_score"] = np.nan
    accounts["bot_score"] = pd.to_numeric(accounts["bot_score"], errors="coerce")
    if len(analysis.catalysts):
        ranking = analysis.catalysts[["account_id", "rank", "score"]].copy()
        ranking["account_id"] = ranking["account_id"].astype(str)
        ranking = ranking.rename(columns={"rank": "catalyst_rank", "score": "catalyst_score"}).drop_duplicates("account_id")
        accounts = accounts.merge(ranking, on="account_id", how="left")
    else:
        accounts["catalyst_rank"] = np.nan
        accounts["catalyst_score"] = np.nan
    return accounts.drop_duplicates("account_id")


def _edges(case) -> pd.DataFrame:
    from ..graph import account_edges

    edges = account_edges(case)
    if edges.empty:
        return pd.DataFrame(columns=["source", "target", "kind", "weight", "first_at"])
    return edges[["source", "target", "kind", "weight", "first_at"]].astype({"source": str, "target": str})


def _focus(edges: pd.DataFrame, accounts: pd.DataFrame, focus: str, value: str | None, case) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Edges of one catalyst's cascade, one amplifier cluster, or one URL across platforms."""
    if focus == "all":
        return edges, pd.DataFrame()
    by_name = dict(zip(accounts["username"].astype(str).str.lower(), accounts["account_id"], strict=False))
    if focus == "catalyst":
        root = by_name.get(str(value).lower(), str(value))
        amplifying = edges[edges["kind"].isin(["retweet", "quote"])]
        reached, frontier = {root}, {root}
        for _ in range(2):  # the catalyst's amplifiers and theirs
            frontier = set(amplifying.loc[amplifying["target"].isin(frontier), "source"]) - reached
            reached |= frontier
        if len(reached) == 1:
            raise ValueError(f"no account amplified {value!r}; give an account id or username from catalysts.csv")
        return amplifying[amplifying["source"].isin(reached) & amplifying["target"].isin(reached)], pd.DataFrame()
    if focus == "cluster":
        members = set(accounts.loc[accounts["amplifier_cluster"].astype(str) == str(value), "account_id"])
        if not members:
            raise ValueError(f"no amplifier cluster {value!r}; see amplifier_clusters.csv")
        return edges[edges["source"].isin(members)], pd.DataFrame()
    if focus == "url":
        urls = case.table("urls", ["post_id", "normalised_url"])
        posts = urls[urls["normalised_url"] == value]["post_id"]
        if posts.empty:
            raise ValueError(f"no post links {value!r}; give a normalised URL from url_first_sightings.csv")
        carriers = case.table("posts", ["post_id", "platform", "account_id", "thread_id", "created_at"])
        carriers = carriers[carriers["post_id"].isin(set(posts))]
        tweets = carriers[carriers["platform"] == "twitter"].dropna(subset=["account_id"])
        chan = carriers[carriers["platform"] == "4chan"]
        linked = pd.concat([
            pd.DataFrame({"source": tweets["account_id"].astype(str), "created_at": tweets["created_at"]}),
            pd.DataFrame({"source": chan["thread_id"].astype(str), "created_at": chan["created_at"]}),
        ])  # fmt: skip
        url_edges = linked.groupby("source", as_index=False).agg(weight=("created_at", "size"), first_at=("created_at", "min"))
        url_edges["target"] = "url:" + str(value)
        url_edges["kind"] = "posted-url"
        carriers_set = set(tweets["account_id"].astype(str))
        among = edges[edges["source"].isin(carriers_set) & edges["target"].isin(carriers_set)]
        extra = pd.DataFrame({"node_id": ["url:" + str(value), *sorted(set(chan["thread_id"].astype(str)))]})
        extra["type"] = np.where(extra["node_id"].str.startswith("url:"), "url", "chan-thread")
        extra["label"] = np.where(extra["type"] == "url", str(value), extra["node_id"])
        return pd.concat([among, url_edges[["source", "target", "kind", "weight", "first_at"]]], ignore_index=True), extra
    raise ValueError(f"unknown focus {focus!r}; choose all, catalyst, cluster or url")


def cascade_frames(case, analysis=None, *, focus: str = "all", value: str | None = None,
                   max_edges: int | None = 200_000) -> CascadeFrames:  # fmt: skip
    """Node and edge frames of a case for plotting.

    Parameters
    ----------
    case : Case
    analysis : signalboost.graphdb.Analysis, optional
        Findings (roles, bot labels, clusters); computed from the case when absent.
    focus : {"all", "catalyst", "cluster", "url"}
        The whole interaction network, one catalyst's cascade (two hops of amplifiers), one amplifier cluster and
        what it amplified, or one URL across platforms (its 4chan threads and Twitter carriers).
    value : str
        The catalyst (id or username), cluster id or normalised URL for the focus.
    max_edges : int, optional
        Keep at most this many edges, the heaviest (then earliest) first; ``total_edges`` tells how many there were.
    """
    if analysis is None:
        from ..graphdb import analysis_for

        analysis = analysis_for(case)
    accounts = _account_table(case, analysis)
    edges, extra_nodes = _focus(_edges(case), accounts, focus, value, case)
    total = len(edges)
    edges = edges.assign(first_ts=epoch_seconds(edges["first_at"]))
    if max_edges is not None and len(edges) > max_edges:
        edges = edges.sort_values(["weight", "first_ts"], ascending=[False, True], kind="stable").head(max_edges)
    edges = edges.reset_index(drop=True)
    span = (np.nanmin(edges["first_ts"]), np.nanmax(edges["first_ts"])) if len(edges) else (0.0, 1.0)
    scaled = (edges["first_ts"] - span[0]) / max(span[1] - span[0], 1.0)
    edges["colour_time"] = ramp(scaled.to_numpy(dtype=float))

    ids = pd.Index(pd.unique(pd.concat([edges["source"], edges["target"]], ignore_index=True)))
    nodes = pd.DataFrame({"node_id": ids.astype(str)})
    nodes = nodes.merge(accounts.rename(columns={"account_id": "node_id", "label": "bot_label"}), on="node_id", how="left")
    nodes["type"] = "account"
    if len(extra_nodes):
        extra = extra_nodes.set_index("node_id")
        hit = nodes["node_id"].isin(extra.index)
        nodes.loc[hit, "type"] = nodes.loc[hit, "node_id"].map(extra["type"])
        nodes.loc[hit, "username"] = nodes.loc[hit, "node_id"].map(extra["label"])
    nodes["label"] = nodes["username"].fillna(nodes["node_id"]).astype(str)
    nodes["role"] = nodes["role"].fillna("organic").where(nodes["type"] == "account", nodes["type"])
    nodes["bot_label"] = nodes["bot_label"].fillna("unscored").where(nodes["type"] == "account", nodes["type"])
    amplifying = edges[edges["kind"].isin(["retweet", "quote", "posted-url"])]
    reach = amplifying.groupby("target")["source"].nunique()
    nodes["reach"] = nodes["node_id"].map(reach).fillna(0).astype(int)
    nodes["size"] = np.round(2 + 3 * np.log1p(nodes["reach"].to_numpy(dtype=float)), 2)
    first_seen = pd.concat([edges[["source", "first_ts"]].rename(columns={"source": "node_id"}),
                            edges[["target", "first_ts"]].rename(columns={"target": "node_id"})])  # fmt: skip
    nodes["first_ts"] = nodes["node_id"].map(first_seen.groupby("node_id")["first_ts"].min())
    nodes["colour_role"] = nodes["role"].map({**ROLE_COLOURS, **TYPE_COLOURS}).fillna(ROLE_COLOURS["organic"])
    nodes["colour_bot"] = nodes["bot_label"].map({**BOT_COLOURS, **TYPE_COLOURS}).fillna(BOT_COLOURS["unscored"])
    nodes["title"] = [_title(row) for row in nodes.itertuples(index=False)]
    columns = ["node_id", "label", "type", "role", "bot_label", "bot_score", "community", "amplifier_cluster",
               "catalyst_rank", "catalyst_score", "followers", "reach", "size", "colour_role", "colour_bot", "title",
               "first_ts"]  # fmt: skip
    return CascadeFrames(nodes[columns], edges, focus, total)


def _title(row) -> str:
    if row.type != "account":
        return f"{row.type}: {row.label}"
    parts = [f"@{row.label}", f"role {row.role}"]
    if pd.notna(row.bot_score):
        parts.append(f"bot score {row.bot_score:.2f} ({row.bot_label})")
    if pd.notna(row.catalyst_rank):
        parts.append(f"catalyst #{int(float(row.catalyst_rank))} (score {float(row.catalyst_score):.2f})")
    parts.append(f"reach {row.reach}")
    return " · ".join(parts)
