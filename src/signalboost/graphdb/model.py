"""The property-graph model of a case (docs/neo4j.md) and the rows that fill it.

Every label, relationship type and property name that reaches a Cypher string comes from the allow-lists here;
values only ever travel as ``$parameters``.

Nodes (key property in brackets)::

    (:Account [account_id])  (:Tweet [post_id])  (:ChanPost [post_id])  (:ChanThread [thread_id])
    (:URL [url])  (:Hashtag [tag])  (:Community [community_id])  (:AmplifierCluster [cluster_id])

Relationships::

    (Account)-[:POSTED]->(Tweet|ChanPost)           (Tweet)-[:RETWEETED|QUOTED|REPLIED_TO]->(Tweet)
    (Tweet)-[:MENTIONED]->(Account)                 (ChanPost)-[:QUOTELINKS]->(ChanPost)   4chan >>reply
    (Tweet|ChanPost)-[:LINKS_TO]->(URL)             (Tweet|ChanPost)-[:TAGGED]->(Hashtag)
    (ChanPost)-[:IN_THREAD]->(ChanThread)           (Tweet)-[:CROSSLINK {evidence, url, lag_s, direction}]->(ChanPost)
    (Account)-[:AMPLIFIED {weight, retweets, quotes, first_at, last_at}]->(Account)   retweeter → retweeted
    (Account)-[:IN_COMMUNITY]->(Community)          (Account)-[:IN_CLUSTER]->(AmplifierCluster)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

NODE_KEYS = {
    "Account": "account_id", "Tweet": "post_id", "ChanPost": "post_id", "ChanThread": "thread_id", "URL": "url",
    "Hashtag": "tag", "Community": "community_id", "AmplifierCluster": "cluster_id",
}  # fmt: skip
NODE_PROPERTIES = {
    "Account": ("account_id", "platform", "username", "display_name", "created_at", "created_ts", "description", "location",
                "verified", "followers", "following", "statuses", "favourites", "listed", "default_profile",
                "default_profile_image", "lang", "snapshot_at", "role", "catalyst_rank", "catalyst_score",
                "bot_score", "bot_label", "community", "amplifier_cluster"),
    "Tweet": ("post_id", "account_id", "username", "created_at", "ts", "text", "lang", "kind", "source",
              "conversation_id", "retweet_count", "reply_count", "like_count", "quote_count", "withheld",
              "in_collection"),
    "ChanPost": ("post_id", "created_at", "ts", "text", "board", "thread_id", "chan_poster_id", "country", "kind"),
    "ChanThread": ("thread_id", "board", "posts", "first_at", "first_ts"),
    "URL": ("url", "domain"),
    "Hashtag": ("tag",),
    "Community": ("community_id", "size", "top_accounts", "languages", "bot_share", "mean_bot_score", "bot_label"),
    "AmplifierCluster": ("cluster_id", "size", "automated", "coordination_score", "median_delay_s", "top_content",
                         "top_client_share", "bot_share", "mean_bot_score", "bot_label"),
}  # fmt: skip


@dataclass(frozen=True)
class RelSpec:
    type: str
    start: str
    end: str
    properties: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.start}-{self.type}-{self.end}"


REL_SPECS = (
    RelSpec("POSTED", "Account", "Tweet"), RelSpec("POSTED", "Account", "ChanPost"),
    RelSpec("RETWEETED", "Tweet", "Tweet"), RelSpec("QUOTED", "Tweet", "Tweet"), RelSpec("REPLIED_TO", "Tweet", "Tweet"),
    RelSpec("MENTIONED", "Tweet", "Account"), RelSpec("QUOTELINKS", "ChanPost", "ChanPost"),
    RelSpec("LINKS_TO", "Tweet", "URL"), RelSpec("LINKS_TO", "ChanPost", "URL"),
    RelSpec("TAGGED", "Tweet", "Hashtag"), RelSpec("TAGGED", "ChanPost", "Hashtag"),
    RelSpec("IN_THREAD", "ChanPost", "ChanThread"),
    RelSpec("CROSSLINK", "Tweet", "ChanPost", ("evidence", "url", "lag_s", "direction")),
    RelSpec("AMPLIFIED", "Account", "Account", ("weight", "retweets", "quotes", "first_at", "last_at", "first_ts")),
    RelSpec("IN_COMMUNITY", "Account", "Community"), RelSpec("IN_CLUSTER", "Account", "AmplifierCluster"),
)  # fmt: skip
REL_TYPES = tuple(dict.fromkeys(spec.type for spec in REL_SPECS))
LABELS = tuple(NODE_KEYS)


def check_identifier(name: str, allowed) -> str:
    """``name`` if it is in the allow-list; anything else is refused before it can reach a Cypher string."""
    if name not in allowed:
        raise ValueError(f"{name!r} is not an allowed label, relationship type or property")
    return name


@dataclass
class Analysis:
    """Findings written back onto the graph (any part may be empty)."""

    accounts: pd.DataFrame = field(default_factory=pd.DataFrame)  # accounts.csv
    catalysts: pd.DataFrame = field(default_factory=pd.DataFrame)  # catalysts.csv
    communities: pd.DataFrame = field(default_factory=pd.DataFrame)  # communities.csv
    clusters: pd.DataFrame = field(default_factory=pd.DataFrame)  # amplifier_clusters.csv
    crosslinks: pd.DataFrame = field(default_factory=pd.DataFrame)  # crossplatform_links.csv

    @classmethod
    def from_dir(cls, results: str | os.PathLike) -> Analysis:
        results = Path(results)

        def read(name):
            path = results / name
            return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""]) if path.exists() else pd.DataFrame()

        return cls(read("accounts.csv"), read("catalysts.csv"), read("communities.csv"),
                   read("amplifier_clusters.csv"), read("crossplatform_links.csv"))  # fmt: skip

    @classmethod
    def from_investigation(cls, result) -> Analysis:
        return cls(result.accounts, result.catalysts, result.communities if result.communities is not None
                   else pd.DataFrame(), result.amplifier_clusters, result.crossplatform_links)  # fmt: skip


@dataclass
class GraphRows:
    nodes: dict[str, pd.DataFrame]
    rels: dict[str, pd.DataFrame]  # by RelSpec.name; columns start, end, then the spec's properties

    def counts(self) -> dict[str, int]:
        return {**{label: len(frame) for label, frame in self.nodes.items()},
                **{name: len(frame) for name, frame in self.rels.items()}}  # fmt: skip


def _epoch(series: pd.Series) -> np.ndarray:
    from ..frames import epoch_seconds

    return epoch_seconds(series)


def _numeric(frame: pd.DataFrame, columns) -> pd.DataFrame:
    for column in columns:
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def _bools(frame: pd.DataFrame, columns) -> pd.DataFrame:
    for column in columns:
        if column in frame:
            frame[column] = frame[column].map({"True": True, "False": False, True: True, False: False})
    return frame


def _keep(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    columns = [c for c in NODE_PROPERTIES[label] if c in frame.columns]
    key = NODE_KEYS[label]
    return frame[columns].dropna(subset=[key]).drop_duplicates(key).reset_index(drop=True)


def graph_rows(case, analysis: Analysis | None = None) -> GraphRows:
    """Every node and relationship row of ``case`` (plus ``analysis`` write-back), ends checked to exist."""
    from ..graph import account_edges

    analysis = analysis or Analysis()
    posts = case.posts
    posts["ts"] = _epoch(posts["created_at"])
    tweets = posts[posts["platform"] == "twitter"]
    chan = posts[posts["platform"] == "4chan"]

    accounts = case.accounts.copy()
    interactions = case.interactions
    from ..graph.interactions import resolve_targets

    mentions = resolve_targets(case, interactions[interactions["kind"] == "mention"])
    referenced = pd.concat([tweets["account_id"], mentions["target_account_id"]]).dropna().astype(str).unique()
    extra = pd.DataFrame({"account_id": pd.Series(sorted(set(referenced) - set(accounts["account_id"].astype(str))), dtype=object)})
    extra["platform"] = "twitter"
    extra["username"] = extra["account_id"].str.removeprefix("@").where(extra["account_id"].str.startswith("@"))
    accounts = pd.concat([accounts, extra], ignore_index=True)
    accounts["account_id"] = accounts["account_id"].astype(str)
    accounts["created_ts"] = _epoch(accounts["created_at"])
    accounts = _write_back_accounts(accounts, analysis)
    nodes = {"Account": _keep(accounts, "Account"), "Tweet": _keep(tweets, "Tweet"), "ChanPost": _keep(chan, "ChanPost")}

    threads = chan.dropna(subset=["thread_id"]).groupby("thread_id").agg(
        board=("board", "first"), posts=("post_id", "size"), first_at=("created_at", "min"), first_ts=("ts", "min"))
    nodes["ChanThread"] = _keep(threads.reset_index(), "ChanThread")
    urls = case.table("urls", ["post_id", "normalised_url", "domain"]).dropna(subset=["normalised_url"])
    nodes["URL"] = _keep(urls.rename(columns={"normalised_url": "url"}), "URL")
    tags = case.table("hashtags", ["post_id", "normalised_tag"]).dropna(subset=["normalised_tag"])
    nodes["Hashtag"] = _keep(tags.rename(columns={"normalised_tag": "tag"}), "Hashtag")
    nodes["Community"] = _keep(_numeric(analysis.communities.rename(columns={"community": "community_id"}),
                                        ["size", "bot_share", "mean_bot_score"]), "Community") if len(analysis.communities) else pd.DataFrame(columns=["community_id"])  # fmt: skip
    clusters = analysis.clusters.drop(columns=["members"], errors="ignore")
    if len(clusters):
        clusters = _bools(_numeric(clusters.copy(), ["size", "coordination_score", "median_delay_s", "top_client_share",
                                                     "bot_share", "mean_bot_score"]), ["automated"])  # fmt: skip
        nodes["AmplifierCluster"] = _keep(clusters, "AmplifierCluster")
    else:
        nodes["AmplifierCluster"] = pd.DataFrame(columns=["cluster_id"])

    keys = {label: set(frame[NODE_KEYS[label]].astype(str)) for label, frame in nodes.items()}
    rels: dict[str, pd.DataFrame] = {}

    def add(spec_name: str, frame: pd.DataFrame, start: str, end: str, properties=()):
        spec = next(s for s in REL_SPECS if s.name == spec_name)
        out = frame[[start, end, *properties]].rename(columns={start: "start", end: "end"}).dropna(subset=["start", "end"])
        out = out.astype({"start": str, "end": str})
        out = out[out["start"].isin(keys[spec.start]) & out["end"].isin(keys[spec.end])]
        rels[spec_name] = out.drop_duplicates(["start", "end"]).reset_index(drop=True)

    add("Account-POSTED-Tweet", tweets, "account_id", "post_id")
    add("Account-POSTED-ChanPost", chan, "account_id", "post_id")
    add("Tweet-RETWEETED-Tweet", tweets, "post_id", "retweeted_post_id")
    add("Tweet-QUOTED-Tweet", tweets, "post_id", "quoted_post_id")
    add("Tweet-REPLIED_TO-Tweet", tweets, "post_id", "replied_post_id")
    add("Tweet-MENTIONED-Account", mentions, "post_id", "target_account_id")
    quotelinks = interactions[(interactions["platform"] == "4chan") & (interactions["kind"] == "reply")]
    add("ChanPost-QUOTELINKS-ChanPost", quotelinks, "post_id", "target_post_id")
    add("Tweet-LINKS_TO-URL", urls, "post_id", "normalised_url")
    add("ChanPost-LINKS_TO-URL", urls, "post_id", "normalised_url")
    add("Tweet-TAGGED-Hashtag", tags, "post_id", "normalised_tag")
    add("ChanPost-TAGGED-Hashtag", tags, "post_id", "normalised_tag")
    add("ChanPost-IN_THREAD-ChanThread", chan, "post_id", "thread_id")
    links = analysis.crosslinks
    if len(links):
        links = _numeric(links.copy(), ["lag_s"])
        add("Tweet-CROSSLINK-ChanPost", links, "tweet_id", "chan_post", ("evidence", "url", "lag_s", "direction"))
    else:
        rels["Tweet-CROSSLINK-ChanPost"] = pd.DataFrame(columns=["start", "end", "evidence", "url", "lag_s", "direction"])
    edges = account_edges(case, ["retweet", "quote"])
    if len(edges):
        edges = edges.assign(retweets=np.where(edges["kind"] == "retweet", edges["weight"], 0),
                             quotes=np.where(edges["kind"] == "quote", edges["weight"], 0))  # fmt: skip
        amplified = edges.groupby(["source", "target"], as_index=False).agg(
            weight=("weight", "sum"), retweets=("retweets", "sum"), quotes=("quotes", "sum"),
            first_at=("first_at", "min"), last_at=("last_at", "max"))  # fmt: skip
        amplified["first_ts"] = _epoch(amplified["first_at"])
    else:
        amplified = pd.DataFrame(columns=["source", "target", "weight", "retweets", "quotes", "first_at", "last_at", "first_ts"])
    add("Account-AMPLIFIED-Account", amplified, "source", "target", ("weight", "retweets", "quotes", "first_at", "last_at", "first_ts"))
    add("Account-IN_COMMUNITY-Community", accounts, "account_id", "community")
    add("Account-IN_CLUSTER-AmplifierCluster", accounts, "account_id", "amplifier_cluster")
    return GraphRows(nodes, rels)


def _write_back_accounts(accounts: pd.DataFrame, analysis: Analysis) -> pd.DataFrame:
    """Account rows with role, catalyst rank and score, bot score and label, community and cluster."""
    if len(analysis.accounts):
        found = analysis.accounts.copy()
        found["account_id"] = found["account_id"].astype(str)
        found = found.rename(columns={"label": "bot_label", "amplifier_cluster": "amplifier_cluster"})
        found = _numeric(found, ["bot_score"])
        columns = [c for c in ("account_id", "role", "bot_score", "bot_label", "community", "amplifier_cluster") if c in found]
        accounts = accounts.merge(found[columns].drop_duplicates("account_id"), on="account_id", how="left")
    if len(analysis.catalysts):
        ranking = analysis.catalysts.copy()
        ranking["account_id"] = ranking["account_id"].astype(str)
        ranking = _numeric(ranking, ["rank", "score"]).sort_values("rank").drop_duplicates("account_id")
        ranking = ranking.rename(columns={"rank": "catalyst_rank", "score": "catalyst_score"})
        ranking["catalyst_rank"] = ranking["catalyst_rank"].astype("Int64")
        accounts = accounts.merge(ranking[["account_id", "catalyst_rank", "catalyst_score"]], on="account_id", how="left")
    return accounts
