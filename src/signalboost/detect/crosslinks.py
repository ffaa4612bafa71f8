"""Cross-platform links between 4chan posts and tweets.

Three kinds of evidence, each a row of ``pairs``:

* ``shared-url``: a tweet and a 4chan post carry the same normalised URL (t.co already resolved through the
  platform's ``expanded_url``). Each post is paired with the *first* sighting on the other platform, so the table
  grows with the number of posts, not with their product; ``direction`` says which platform had it first.
* ``chan-links-tweet``: a 4chan post links a tweet (``twitter.com|x.com/<user>/status/<id>``); the tweet's id comes
  from the URL even when the tweet itself is not in the case.
* ``tweet-links-chan``: a tweet links a 4chan thread or post (boards.4chan.org, 4channel, 4plebs archive).

The approach follows the cross-platform URL tracing of Zannettou et al., "The Web Centipede: Understanding How Web
Communities Influence Each Other Through the Lens of Mainstream and Alternative News Sources" (IMC 2017), and the
4chan → Twitter timing analysis of the #MacronLeaks studies (Ferrara, First Monday 2017).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..case import Case

TWEET_URL = r"^https://twitter\.com/(?P<handle>[^/]+)/status/(?P<tweet>\d+)"
CHAN_URL = (
    r"^https://(?:boards\.4chan(?:nel)?\.org|archive\.4plebs\.org|desuarchive\.org|archived\.moe)"
    r"/(?P<board>\w+)/thread/(?P<thread>\d+)[^#]*(?:#p?(?P<post>\d+))?"
)
PAIR_COLUMNS = ["chan_board", "chan_thread", "chan_post", "tweet_id", "account_id", "url", "direction", "lag_s",
                "evidence"]  # fmt: skip


@dataclass
class CrossLinks:
    pairs: pd.DataFrame  # PAIR_COLUMNS
    first_sightings: pd.DataFrame  # per URL seen on both platforms
    bridges: pd.DataFrame  # Twitter accounts that carried 4chan-first URLs, earliest first


def _url_posts(case: Case) -> pd.DataFrame:
    urls = case.table("urls", ["post_id", "normalised_url"]).drop_duplicates()
    posts = case.table("posts", ["post_id", "platform", "account_id", "created_at", "board", "thread_id"])
    return urls.merge(posts, on="post_id", how="inner")


def _seconds(delta: pd.Series) -> pd.Series:
    return delta.dt.total_seconds()


def cross_platform_links(case: Case) -> CrossLinks:
    """Pairs of 4chan posts and tweets that share or link content, first sightings per URL, and bridge accounts.

    Deterministic (no sampling), so there is no ``seed``. ``lag_s`` is positive when the tweet came after the
    4chan post. See the module docstring for the three kinds of evidence.
    """
    frame = _url_posts(case)
    chan = frame[frame["platform"] == "4chan"]
    tweets = frame[frame["platform"] == "twitter"]
    pieces = [_shared_url_pairs(chan, tweets), _chan_links_tweets(case, chan), _tweets_link_chan(case, tweets)]
    pairs = pd.concat([p for p in pieces if len(p)], ignore_index=True) if any(len(p) for p in pieces) else None
    if pairs is None:
        pairs = pd.DataFrame(columns=PAIR_COLUMNS)
    pairs = pairs[PAIR_COLUMNS].sort_values(["url", "lag_s"], na_position="last").reset_index(drop=True)
    sightings = _first_sightings(chan, tweets)
    return CrossLinks(pairs=pairs, first_sightings=sightings, bridges=_bridges(sightings, tweets))


def _first(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["created_at", "post_id"]).drop_duplicates("normalised_url")


def _shared_url_pairs(chan: pd.DataFrame, tweets: pd.DataFrame) -> pd.DataFrame:
    shared = set(chan["normalised_url"]) & set(tweets["normalised_url"])
    if not shared:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    chan = chan[chan["normalised_url"].isin(shared)]
    tweets = tweets[tweets["normalised_url"].isin(shared)]
    first_chan = _first(chan)[["normalised_url", "post_id", "created_at", "board", "thread_id"]]
    first_tweet = _first(tweets)[["normalised_url", "post_id", "created_at", "account_id"]]
    # Every tweet against the first 4chan sighting of its URL ...
    with_chan = tweets.merge(first_chan, on="normalised_url", suffixes=("", "_chan"))
    tweet_side = pd.DataFrame({
        "chan_board": with_chan["board_chan"], "chan_thread": with_chan["thread_id_chan"],
        "chan_post": with_chan["post_id_chan"], "tweet_id": with_chan["post_id"],
        "account_id": with_chan["account_id"], "url": with_chan["normalised_url"],
        "lag_s": _seconds(with_chan["created_at"] - with_chan["created_at_chan"]),
    })  # fmt: skip
    # ... and every 4chan post against the first tweet of its URL (skipping the pair already made).
    with_tweet = chan.merge(first_tweet, on="normalised_url", suffixes=("", "_tweet"))
    chan_side = pd.DataFrame({
        "chan_board": with_tweet["board"], "chan_thread": with_tweet["thread_id"], "chan_post": with_tweet["post_id"],
        "tweet_id": with_tweet["post_id_tweet"], "account_id": with_tweet["account_id_tweet"],
        "url": with_tweet["normalised_url"],
        "lag_s": _seconds(with_tweet["created_at_tweet"] - with_tweet["created_at"]),
    })  # fmt: skip
    pairs = pd.concat([tweet_side, chan_side], ignore_index=True).drop_duplicates(["chan_post", "tweet_id", "url"])
    pairs["direction"] = np.where(pairs["lag_s"] >= 0, "4chan->twitter", "twitter->4chan")
    pairs["evidence"] = "shared-url"
    return pairs


def _chan_links_tweets(case: Case, chan: pd.DataFrame) -> pd.DataFrame:
    links = chan["normalised_url"].str.extract(TWEET_URL)
    chan = chan.assign(tweet_id=links["tweet"])
    chan = chan[chan["tweet_id"].notna()]
    if chan.empty:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    posts = case.table("posts", ["post_id", "account_id", "created_at"]).rename(
        columns={"post_id": "tweet_id", "account_id": "tweet_account", "created_at": "tweet_at"}
    )
    merged = chan.merge(posts, on="tweet_id", how="left")
    return pd.DataFrame({
        "chan_board": merged["board"], "chan_thread": merged["thread_id"], "chan_post": merged["post_id"],
        "tweet_id": merged["tweet_id"], "account_id": merged["tweet_account"], "url": merged["normalised_url"],
        "direction": "twitter->4chan", "lag_s": _seconds(merged["tweet_at"] - merged["created_at"]),
        "evidence": "chan-links-tweet",
    })  # fmt: skip


def _tweets_link_chan(case: Case, tweets: pd.DataFrame) -> pd.DataFrame:
    links = tweets["normalised_url"].str.extract(CHAN_URL)
    tweets = tweets.assign(board=links["board"], thread=links["thread"], post=links["post"].fillna(links["thread"]))
    tweets = tweets[tweets["thread"].notna()]
    if tweets.empty:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    tweets = tweets.assign(
        chan_post="4chan/" + tweets["board"] + "/" + tweets["post"],
        chan_thread="4chan/" + tweets["board"] + "/" + tweets["thread"],
    )
    posts = case.table("posts", ["post_id", "created_at"]).rename(columns={"post_id": "chan_post", "created_at": "chan_at"})
    merged = tweets.merge(posts, on="chan_post", how="left")
    return pd.DataFrame({
        "chan_board": merged["board"], "chan_thread": merged["chan_thread"], "chan_post": merged["chan_post"],
        "tweet_id": merged["post_id"], "account_id": merged["account_id"], "url": merged["normalised_url"],
        "direction": "4chan->twitter", "lag_s": _seconds(merged["created_at"] - merged["chan_at"]),
        "evidence": "tweet-links-chan",
    })  # fmt: skip


def _first_sightings(chan: pd.DataFrame, tweets: pd.DataFrame) -> pd.DataFrame:
    first_chan = _first(chan).set_index("normalised_url")
    first_tweet = _first(tweets).set_index("normalised_url")
    shared = first_chan.index.intersection(first_tweet.index)
    out = pd.DataFrame({
        "url": shared,
        "first_chan_post": first_chan.loc[shared, "post_id"].to_numpy(),
        "first_chan_at": first_chan.loc[shared, "created_at"].to_numpy(),
        "first_chan_thread": first_chan.loc[shared, "thread_id"].to_numpy(),
        "first_tweet_id": first_tweet.loc[shared, "post_id"].to_numpy(),
        "first_tweet_at": first_tweet.loc[shared, "created_at"].to_numpy(),
        "first_tweet_account": first_tweet.loc[shared, "account_id"].to_numpy(),
    })  # fmt: skip
    out["lag_s"] = _seconds(pd.to_datetime(out["first_tweet_at"], utc=True) - pd.to_datetime(out["first_chan_at"], utc=True))
    out["first_platform"] = np.where(out["lag_s"] >= 0, "4chan", "twitter")
    return out.sort_values("first_chan_at").reset_index(drop=True)


def _bridges(sightings: pd.DataFrame, tweets: pd.DataFrame, first_n: int = 10) -> pd.DataFrame:
    """Accounts among the first ``first_n`` to tweet each URL that 4chan had first."""
    chan_first = sightings[sightings["first_platform"] == "4chan"][["url", "first_chan_at"]]
    columns = ["account_id", "urls_bridged", "min_lag_s", "median_lag_s", "first_bridge_at", "earliest_rank"]
    if chan_first.empty:
        return pd.DataFrame(columns=columns)
    carried = tweets.merge(chan_first, left_on="normalised_url", right_on="url")
    carried = carried.sort_values(["url", "created_at"])
    carried["rank"] = carried.groupby("url").cumcount() + 1
    carried = carried[carried["rank"] <= first_n]
    carried["lag_s"] = _seconds(carried["created_at"] - carried["first_chan_at"])
    bridges = carried.groupby("account_id").agg(
        urls_bridged=("url", "nunique"), min_lag_s=("lag_s", "min"), median_lag_s=("lag_s", "median"),
        first_bridge_at=("created_at", "min"), earliest_rank=("rank", "min"),
    ).reset_index()  # fmt: skip
    return bridges.sort_values(["first_bridge_at", "earliest_rank"]).reset_index(drop=True)[columns]
