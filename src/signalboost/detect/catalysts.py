"""Catalysts: the accounts that first carried a piece of content into Twitter and seeded its early cascades.

Method. A *piece of content* is a normalised URL, a hashtag, a 4chan thread (reached through a URL it carried or a
link to it) or a tweet text repeated verbatim. For every piece with at least ``min_posts`` tweets, the original
(non-retweet) tweets that carried it are ordered in time; the first ``first_n`` are its *early carriers*. Each
early carrier tweet is measured by:

* ``carrier_rank`` (1 = first on Twitter) and ``lag_s`` after the content's first sighting on any platform
  (a 4chan thread, an earlier tweet);
* early cascade reach: retweets and quotes of that tweet within 1, 5 and 60 minutes — the measure DFRLab used for
  the first #MacronLeaks catalyst (15 retweets in 1 minute, 87 in 5);
* downstream reach: every retweet and quote of it in the data, distinct accounts reached and, given communities,
  distinct communities reached (bridging between communities);
* cross-platform bridging: the content was first seen on 4chan and the account was among the first to tweet it.

An account's score combines its best carrier tweet's components (rank percentiles, so no unit dominates):
``score = 0.30 earliness + 0.30 early_reach_5m + 0.15 early_reach_1m + 0.15 bridging + 0.10 downstream``, where
downstream averages the percentiles of reach and of communities reached.
Roles: ``catalyst`` (an early carrier that bridged 4chan content into a cascade, or whose tweet drew early reach
its audience cannot explain),
``mainstream-influencer`` (a high-follower account that carried the content late but reached far), and
``early-poster`` (early, without the reach). Naive PageRank is reported as evidence, never as the score: a
popular news account that posted early about the general topic gets retweeted over hours, not in the first minute.

References: Ferrara, "Disinformation and social bot operations in the run up to the 2017 French presidential
election", First Monday 22(8), 2017; DFRLab, "#MacronLeaks: A Timeline of Events" (2017); Goel et al., "The
structural virality of online diffusion", Management Science 62(1), 2016 (cascade reach by time window).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..case import Case
from .crosslinks import CrossLinks, cross_platform_links

CATALYST_COLUMNS = [
    "rank", "account_id", "username", "score", "role", "first_post_id", "first_seen", "content", "content_kind",
    "carrier_rank", "lag_s", "retweets_1m", "retweets_5m", "retweets_60m", "downstream_reach", "accounts_reached",
    "communities_reached", "contents_carried", "bridged_4chan", "followers", "pagerank",
]  # fmt: skip
WEIGHTS = {"earliness": 0.30, "early_reach_5m": 0.30, "early_reach_1m": 0.15, "bridging": 0.15, "downstream": 0.10}


def _content_items(case: Case, posts: pd.DataFrame, links: CrossLinks) -> pd.DataFrame:
    """(post_id, content, content_kind) for every original tweet and 4chan post carrying a piece of content."""
    urls = case.table("urls", ["post_id", "normalised_url"]).rename(columns={"normalised_url": "content"})
    urls["content_kind"] = "url"
    tags = case.table("hashtags", ["post_id", "normalised_tag"])
    tags = tags.assign(content="#" + tags["normalised_tag"], content_kind="hashtag")[["post_id", "content", "content_kind"]]
    pieces = [urls, tags]
    chan = posts[posts["platform"] == "4chan"][["post_id", "thread_id"]].dropna()
    if len(chan):
        pieces.append(chan.rename(columns={"thread_id": "content"}).assign(content_kind="4chan-thread"))
    pairs = links.pairs
    if len(pairs):
        via = pairs[pairs["direction"] == "4chan->twitter"][["tweet_id", "chan_thread"]].dropna()
        via = via.rename(columns={"tweet_id": "post_id", "chan_thread": "content"}).assign(content_kind="4chan-thread")
        pieces.append(via)
    originals = posts[(posts["platform"] == "twitter") & (posts["kind"] != "retweet")]
    texts = originals[originals["text"].str.len().fillna(0) >= 30][["post_id", "text"]]
    normalised = texts["text"].str.lower().str.replace(r"https?://\S+|\s+", " ", regex=True).str.strip()
    pieces.append(pd.DataFrame({"post_id": texts["post_id"], "content": "text:" + normalised, "content_kind": "text"}))
    items = pd.concat(pieces, ignore_index=True).drop_duplicates(["post_id", "content"])
    return items


def _cascades(posts: pd.DataFrame, community_of: pd.Series | None = None) -> pd.DataFrame:
    """Per original post: retweets/quotes within 1, 5, 60 minutes, total, accounts and communities reached."""
    shares = pd.concat([
        posts[["retweeted_post_id", "account_id", "created_at"]].rename(columns={"retweeted_post_id": "origin"}),
        posts[["quoted_post_id", "account_id", "created_at"]].rename(columns={"quoted_post_id": "origin"}),
    ]).dropna(subset=["origin"])  # fmt: skip
    if shares.empty:
        return pd.DataFrame(columns=["origin", "retweets_1m", "retweets_5m", "retweets_60m", "downstream_reach",
                                     "accounts_reached", "communities_reached"])  # fmt: skip
    origin_time = posts.set_index("post_id")["created_at"]
    shares = shares.assign(delay=(shares["created_at"] - shares["origin"].map(origin_time)).dt.total_seconds())
    delay = shares["delay"].to_numpy(dtype=float, na_value=np.nan)
    shares = shares.assign(m1=delay <= 60, m5=delay <= 300, m60=delay <= 3600)
    shares["community"] = shares["account_id"].map(community_of) if community_of is not None else np.nan
    return shares.groupby("origin").agg(
        retweets_1m=("m1", "sum"), retweets_5m=("m5", "sum"), retweets_60m=("m60", "sum"),
        downstream_reach=("account_id", "size"), accounts_reached=("account_id", "nunique"),
        communities_reached=("community", "nunique"),
    ).reset_index()  # fmt: skip


def _percentile(values: pd.Series) -> pd.Series:
    if len(values) == 0:
        return values.astype(float)
    return values.rank(pct=True, method="average").fillna(0.0)


def rank_catalysts(
    case: Case,
    *,
    min_posts: int = 5,
    first_n: int = 10,
    influencer_followers: int = 100_000,
    links: CrossLinks | None = None,
    pagerank: pd.Series | None = None,
    communities: pd.DataFrame | None = None,
    seed: int | None = None,
) -> pd.DataFrame:
    """Rank the accounts that first carried content into Twitter (see the module docstring for the method).

    Parameters
    ----------
    case : Case
        The case to analyse.
    min_posts : int
        A piece of content counts only if at least this many tweets carried it (retweets included).
    first_n : int
        How many of the first carriers of each piece are early carriers.
    influencer_followers : int
        Followers from which a late carrier with large reach is a ``mainstream-influencer``.
    links : CrossLinks, optional
        Precomputed :func:`cross_platform_links` (computed when absent).
    pagerank : Series, optional
        PageRank of accounts in the retweet graph, reported as evidence only.
    communities : DataFrame, optional
        ``account_id, community`` membership (:func:`find_communities`); with it, downstream reach also counts the
        distinct communities a carrier tweet reached (bridging between communities).
    seed : int, optional
        Unused: the ranking is deterministic (ties broken by account id). Accepted for a uniform detector API.

    Returns
    -------
    DataFrame
        One row per account that was an early carrier or a mainstream influencer, best first, with the columns in
        ``CATALYST_COLUMNS``.
    """
    del seed
    posts = case.table("posts", ["post_id", "platform", "account_id", "username", "created_at", "kind", "text",
                                 "retweeted_post_id", "quoted_post_id", "thread_id"])  # fmt: skip
    links = links if links is not None else cross_platform_links(case)
    items = _content_items(case, posts, links)
    content_dtype = items["content"].dtype
    # The content strings are factorised once, in sorted order (so sorting by code is sorting by content); every
    # group-by and lookup below works on the integer codes instead of hashing a million strings again.
    codes, contents = pd.factorize(items["content"], sort=True)
    items = items.assign(content=codes)
    timed = items.merge(posts[["post_id", "platform", "account_id", "created_at", "kind"]], on="post_id")
    first_seen = timed.groupby("content")["created_at"].min()
    first_platform = timed.sort_values("created_at").drop_duplicates("content").set_index("content")["platform"]
    # Retweets carry their original's content; they count towards a piece's size but are not carriers.
    retweet_counts = posts.dropna(subset=["retweeted_post_id"]).groupby("retweeted_post_id").size()
    carriers = timed[(timed["platform"] == "twitter") & (timed["kind"] != "retweet")].copy()
    carriers["size"] = 1 + carriers["post_id"].map(retweet_counts).fillna(0)
    content_size = carriers.groupby("content")["size"].sum()
    big = content_size[content_size >= min_posts].index
    carriers = carriers[carriers["content"].isin(big)].sort_values(["content", "created_at", "post_id"])
    if carriers.empty:
        return pd.DataFrame(columns=CATALYST_COLUMNS)
    carriers["carrier_rank"] = carriers.groupby("content").cumcount() + 1
    carriers["lag_s"] = (carriers["created_at"] - carriers["content"].map(first_seen)).dt.total_seconds()
    carriers["from_4chan"] = carriers["content"].map(first_platform).eq("4chan").to_numpy()
    carriers["content"] = pd.Series(contents.take(carriers["content"].to_numpy()), index=carriers.index,
                                    dtype=content_dtype)  # fmt: skip
    community_of = communities.set_index("account_id")["community"] if communities is not None else None
    carriers = carriers.merge(_cascades(posts, community_of), left_on="post_id", right_on="origin", how="left")
    for column in ("retweets_1m", "retweets_5m", "retweets_60m", "downstream_reach", "accounts_reached",
                   "communities_reached"):  # fmt: skip
        carriers[column] = carriers[column].fillna(0).astype(int)

    followers = case.table("accounts", ["account_id", "username", "followers"]).drop_duplicates("account_id")
    followers = followers.set_index("account_id")
    carriers["followers"] = carriers["account_id"].map(followers["followers"]).fillna(0).astype(float)

    early = carriers[carriers["carrier_rank"] <= first_n].copy()
    influential = carriers[(carriers["carrier_rank"] > first_n) & (carriers["followers"] >= influencer_followers)]
    candidates = pd.concat([early, influential], ignore_index=True)
    candidates["earliness"] = 1.0 / candidates["carrier_rank"]
    candidates["bridging"] = (candidates["from_4chan"] & (candidates["carrier_rank"] <= first_n)).astype(float)
    candidates["bridging"] *= np.exp(-candidates["lag_s"].clip(lower=0) / 3600.0)
    candidates["component"] = (
        WEIGHTS["earliness"] * _percentile(candidates["earliness"])
        + WEIGHTS["early_reach_5m"] * _percentile(candidates["retweets_5m"])
        + WEIGHTS["early_reach_1m"] * _percentile(candidates["retweets_1m"])
        + WEIGHTS["bridging"] * candidates["bridging"]
        + WEIGHTS["downstream"] * (
            0.5 * _percentile(candidates["downstream_reach"]) + 0.5 * _percentile(candidates["communities_reached"])
        )
    )
    candidates["role"] = _roles(candidates, influencer_followers)
    candidates["role_priority"] = candidates["role"].map({"catalyst": 0, "mainstream-influencer": 1,
                                                          "early-poster": 2})  # fmt: skip
    # Each account is shown by the carrier tweet that earned its strongest role, the best-scoring one among those.
    best = candidates.sort_values(["role_priority", "component", "created_at"], ascending=[True, False, True])
    best = best.drop_duplicates("account_id")
    carried = candidates.groupby("account_id")["content"].nunique().rename("contents_carried")
    bridged = candidates[candidates["bridging"] > 0].groupby("account_id")["content"].nunique().rename("bridged_4chan")
    out = best.set_index("account_id").join(carried).join(bridged)
    out["bridged_4chan"] = out["bridged_4chan"].fillna(0).astype(int)
    out = out.reset_index()
    out["score"] = out["component"].round(4)
    out["username"] = out["account_id"].map(followers["username"])
    out["first_post_id"] = out["post_id"]
    out["first_seen"] = out["created_at"]
    out["pagerank"] = out["account_id"].map(pagerank) if pagerank is not None else np.nan
    out = out.sort_values(["score", "first_seen", "account_id"], ascending=[False, True, True]).reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out[CATALYST_COLUMNS]


def _roles(rows: pd.DataFrame, influencer_followers: int) -> np.ndarray:
    """The role one carrier tweet supports.

    ``catalyst``: among the first three carriers of its content, and either it bridged 4chan content within an
    hour into a cascade (at least 10 retweets in its first hour), or it drew early reach its author's audience
    cannot explain (a big account's fans retweeting fast is influence, not a catalyst: the author must have fewer
    than ``influencer_followers`` followers). "Fast" is relative to the case: at least 10 retweets within 5
    minutes and in the top decile of early reach among carriers, so a quiet dataset does not make everyone a
    catalyst. ``mainstream-influencer``: at least ``influencer_followers`` followers and downstream reach in the
    top decile. Otherwise ``early-poster``.
    """
    early_reach_cut = max(10.0, float(rows["retweets_5m"].quantile(0.9))) if len(rows) else 10.0
    early = rows["carrier_rank"] <= 3
    fast = (rows["retweets_5m"] >= early_reach_cut) & (rows["followers"] < influencer_followers)
    bridged = (rows["bridging"] > 0) & (rows["lag_s"] <= 3600) & (rows["retweets_60m"] >= 10)
    catalyst = early & (fast | bridged)
    influencer = ~catalyst & (rows["followers"] >= influencer_followers) & (
        rows["downstream_reach"] >= rows["downstream_reach"].quantile(0.9)
    )
    return np.select([catalyst, influencer], ["catalyst", "mainstream-influencer"], default="early-poster")
