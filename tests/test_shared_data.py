"""Whole real datasets from ../shared/data (skipped, saying so, when that folder is absent)."""

from __future__ import annotations

import csv
import re

import pytest
import zstandard

import signalboost
from conftest import shared

pytestmark = pytest.mark.shared_data
TWEET_LINK = re.compile(r"(?<![\w.-])(?:www\.|mobile\.)?(?:twitter|x)\.com/\w+/status(?:es)?/\d+")


def test_ira_troll_tweets_full(tmp_path):
    path = shared("ira-russian-troll-tweets/ira_tweets_2016H2.csv.zst")
    report = signalboost.ingest([path], tmp_path / "case")
    case = signalboost.Case.open(tmp_path / "case")
    assert report.quarantined == 0
    posts = case.posts
    assert len(posts) == 589_604
    assert posts["kind"].value_counts().to_dict() == {"retweet": 387_830, "original": 194_009, "quote": 7_765}
    assert posts["account_id"].nunique() == 823
    assert posts["created_at"].min().isoformat() >= "2016-07-01"
    assert posts["created_at"].max().isoformat() < "2017-01-01"


def test_pol_posts_full(tmp_path):
    path = shared("4chan-pol/pol_posts_2026-02-07_to_2026-03-22.csv.zst")
    report = signalboost.ingest([path], tmp_path / "case")
    case = signalboost.Case.open(tmp_path / "case")
    assert report.quarantined == 0
    posts = case.posts
    assert len(posts) == 283_244
    assert posts["thread_id"].nunique() == 5_597
    assert set(posts["board"]) == {"pol"}
    # README: 231,910 posts contain quotelink anchors; 9 of them link a whole board (>>>/b/), not a post.
    assert case.interactions["post_id"].nunique() == 231_910 - 9
    # Posts linking a tweet: counted independently on the raw HTML. The README's 1,021 predates stripping <wbr>;
    # a plain regex without stripping finds only 721, because 4chan breaks long URLs with <wbr>.
    with zstandard.open(path, "rt", encoding="utf-8", newline="") as handle:
        expected = sum(
            bool(TWEET_LINK.search(row["com"].replace("<wbr>", ""))) for row in csv.DictReader(handle)
        )
    status_links = case.urls[case.urls["normalised_url"].str.contains(r"^https://twitter\.com/[^/]+/status/\d+$")]
    assert status_links["post_id"].nunique() == expected == 1_135


def test_everything_in_shared_data(tmp_path):
    root = shared("")
    report = signalboost.ingest([root], tmp_path / "case")
    by_status = {}
    for file in report.files:
        by_status.setdefault(file.status, []).append(file.path)
    assert report.usable
    # What is not post or profile data is reported as unsupported, never crashes the run.
    unsupported = {path.split("/data/")[-1] for path in by_status["unsupported"]}
    assert any("gilani" in path for path in unsupported) and any("varol" in path for path in unsupported)
    assert not any(path.endswith((".jsonl.zst", "E13.users.csv", "brexit.jsonl")) for path in unsupported)
    read = {path.split("/data/")[-1] for path in by_status["read"]}
    assert "4chan-pol/pol_threads_sample_api_format.jsonl" in read
    assert "cresci-2015-e13-int/INT.users.csv" in read
    case = signalboost.Case.open(tmp_path / "case")
    assert case.count("posts") > 870_000
    assert any(path.endswith("README.md") for path in report.skipped_documentation)


def test_ira_mention_communities_and_colink_clusters(tmp_path):
    from signalboost.detect import find_amplifier_clusters, find_communities

    path = shared("ira-russian-troll-tweets/ira_tweets_2016H2.csv.zst")
    signalboost.ingest([path], tmp_path / "case")
    case = signalboost.Case.open(tmp_path / "case")
    communities = find_communities(case, seed=0)
    assert communities.modularity > 0.3
    assert len(communities.communities) >= 5 and communities.communities["size"].iloc[0] >= 20
    amplifiers = find_amplifier_clusters(case, seed=0)
    assert amplifiers.window_estimated and len(amplifiers.clusters) >= 1
    items = " ".join(amplifiers.clusters["top_content"])
    assert "url:" in items or "tags:" in items
