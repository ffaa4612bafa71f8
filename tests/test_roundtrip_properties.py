"""Property tests: whatever a platform can put in a post comes back unchanged in the canonical tables."""

from __future__ import annotations

import html
import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import signalboost
from signalboost.render import Profile, Tweet, chan_thread, v1_status, v2_page

START = datetime(2017, 5, 5, 18, 0, tzinfo=UTC)
PROPERTY_SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=280)
usernames = st.from_regex(r"[A-Za-z0-9_]{1,15}", fullmatch=True)
tags = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,20}", fullmatch=True)
links = st.builds(lambda host, path: f"https://{host}.org/{path}", st.from_regex(r"[a-z]{1,10}", fullmatch=True),
                  st.from_regex(r"[a-z0-9]{0,12}", fullmatch=True))  # fmt: skip


@st.composite
def conversations(draw):
    count = draw(st.integers(1, 8))
    profiles = [
        Profile(id=str(1000 + i), username=draw(usernames), name=draw(texts), created_at=START - timedelta(days=i + 1),
                followers=draw(st.integers(0, 10**7)), description=draw(texts))  # fmt: skip
        for i in range(count)
    ]
    tweets: list[Tweet] = []
    for i in range(draw(st.integers(1, 12))):
        tweet = Tweet(
            id=str(5000 + i), author=draw(st.sampled_from(profiles)), created_at=START + timedelta(seconds=i * 7),
            text=draw(texts), hashtags=draw(st.lists(tags, max_size=3)), urls=draw(st.lists(links, max_size=3)),
            mentions=draw(st.lists(st.sampled_from(profiles), max_size=2)), lang=draw(st.sampled_from(["en", "fr"])),
        )  # fmt: skip
        if tweets and draw(st.booleans()):
            target = draw(st.sampled_from(tweets))
            if draw(st.booleans()):
                tweet.reply_to = target
            else:
                tweet.quote_of = target
        tweets.append(tweet)
    return tweets


def check_case(case, tweets):
    posts = case.posts.set_index("post_id")
    assert set(posts.index) == {t.id for t in tweets}
    for tweet in tweets:
        row = posts.loc[tweet.id]
        assert row["text"] == tweet.text
        assert row["account_id"] == tweet.author.id and row["username"] == tweet.author.username
        assert row["created_at"] == tweet.created_at
        assert row["lang"] == tweet.lang
        expected_kind = "quote" if tweet.quote_of else "reply" if tweet.reply_to else "original"
        assert row["kind"] == expected_kind
    urls = case.urls
    for tweet in tweets:
        mine = urls[urls["post_id"] == tweet.id].sort_values("position")
        assert mine["expanded_url"].tolist() == tweet.urls
    hashtags = case.hashtags
    for tweet in tweets:
        mine = hashtags[hashtags["post_id"] == tweet.id].sort_values("position")
        assert mine["tag"].tolist() == tweet.hashtags
    mentions = case.interactions[case.interactions["kind"] == "mention"]
    for tweet in tweets:
        mine = mentions[mentions["post_id"] == tweet.id].sort_values("position")
        assert mine["target_account_id"].tolist() == [p.id for p in tweet.mentions]
    accounts = case.accounts.set_index("account_id")
    for tweet in tweets:
        assert accounts.loc[tweet.author.id, "display_name"] == tweet.author.name
        assert accounts.loc[tweet.author.id, "followers"] == tweet.author.followers


@PROPERTY_SETTINGS
@given(conversations())
def test_v1_roundtrip(tweets):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tweets.jsonl"
        path.write_text("".join(json.dumps(v1_status(t)) + "\n" for t in tweets), encoding="utf-8")
        report = signalboost.ingest([path], Path(tmp) / "case")
        assert report.quarantined == 0
        check_case(signalboost.Case.open(Path(tmp) / "case"), tweets)


@PROPERTY_SETTINGS
@given(conversations())
def test_v2_roundtrip(tweets):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pages.jsonl"
        path.write_text(json.dumps(v2_page(tweets, START + timedelta(hours=1))) + "\n", encoding="utf-8")
        report = signalboost.ingest([path], Path(tmp) / "case")
        assert report.quarantined == 0
        check_case(signalboost.Case.open(Path(tmp) / "case"), tweets)


@PROPERTY_SETTINGS
@given(st.lists(st.tuples(texts, st.lists(st.integers(0, 30), max_size=3)), min_size=1, max_size=15))
def test_4chan_thread_roundtrip(posts):
    thread = []
    for index, (text, quoted) in enumerate(posts):
        targets = [100 + q for q in quoted if q < index]
        anchors = "".join(f'<a href="#p{t}" class="quotelink">&gt;&gt;{t}</a><br>' for t in targets)
        body = html.escape(text).replace("\n", "<br>")
        thread.append({"no": 100 + index, "resto": 0 if index == 0 else 100, "time": 1_500_000_000 + index,
                       "com": anchors + body})  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pol" / "thread.json"
        path.parent.mkdir()
        path.write_text(json.dumps(chan_thread(thread)))
        signalboost.ingest([path], Path(tmp) / "case")
        case = signalboost.Case.open(Path(tmp) / "case")
        rows = case.posts.set_index("post_id")
        edges = case.interactions
        for index, (text, quoted) in enumerate(posts):
            targets = [100 + q for q in quoted if q < index]
            post_id = f"4chan/pol/{100 + index}"
            prefix = "".join(f">>{t}\n" for t in targets)
            assert rows.loc[post_id, "text"] == prefix + text.replace("\r", "\r")
            mine = edges[edges["post_id"] == post_id].sort_values("position")
            assert mine["target_post_id"].tolist() == [f"4chan/pol/{t}" for t in targets]
