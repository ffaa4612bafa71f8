"""Twitter v1.1 and v2 readers on real fixtures: exact counts, embedded objects, errors and withheld content."""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd

from conftest import DATA, in_collection


def kinds_of(case, post_ids):
    interactions = case.interactions
    return interactions[interactions["post_id"].isin(post_ids)]["kind"].value_counts().to_dict()


def test_twarc2_brexit_page_counts(ingest_into):
    case, report = ingest_into(DATA / "brexit.jsonl")
    assert report.files[0].reader == "twitter-v2"
    posts = in_collection(case)
    assert len(posts) == 100
    assert posts["kind"].value_counts().to_dict() == {"retweet": 67, "original": 12, "quote": 11, "reply": 10}
    ids = set(posts["post_id"])
    assert kinds_of(case, ids) == {"mention": 120, "retweet": 67, "quote": 11, "reply": 10}
    assert case.urls["post_id"].isin(ids).sum() == 28
    # Originals that were only in includes.tweets are kept, flagged as not collected.
    assert (~case.posts["in_collection"].astype(bool)).sum() == len(case.posts) - 100
    # Every retweet names the retweeted author (resolved through includes.tweets).
    retweets = posts[posts["kind"] == "retweet"]
    assert retweets["retweeted_account_id"].notna().all()
    assert retweets["retweeted_post_id"].notna().all()


def test_v1_uklabour_timeline_counts(ingest_into):
    case, report = ingest_into(DATA / "uklabour_2017-05-03_to_05_v1.1.json")
    assert report.files[0].reader == "twitter-v1.1"
    posts = in_collection(case)
    assert len(posts) == 110
    assert (posts["kind"] == "retweet").sum() == 32
    ids = set(posts["post_id"])
    assert kinds_of(case, ids) == {"mention": 65, "retweet": 32}
    assert case.urls["post_id"].isin(ids).sum() == 67
    # Users come from every embedded object: the timeline owner plus the retweeted authors.
    retweeted_authors = set(posts["retweeted_account_id"].dropna())
    assert retweeted_authors <= set(case.accounts["account_id"])
    labour = case.accounts.set_index("username").loc["UKLabour"]
    assert labour["followers"] > 100_000
    assert labour["created_at"].year == 2008
    raw = json.loads((DATA / "uklabour_2017-05-03_to_05_v1.1.json").read_text())[0]
    first = posts.set_index("post_id").loc[raw["id_str"]]
    assert first["created_at"] == datetime.strptime(raw["created_at"], "%a %b %d %H:%M:%S %z %Y")
    assert first["text"] == raw["text"]
    assert first["source"] and "<" not in first["source"]


def test_v1_search_response_and_arrays(ingest_into):
    case, _ = ingest_into(DATA / "v1_search_response.json")
    posts = in_collection(case)
    assert len(posts) == 15
    assert (posts["kind"] == "retweet").sum() == 6
    case, _ = ingest_into(DATA / "v1_retweets_array.json")
    posts = in_collection(case)
    assert len(posts) == 15
    assert posts["retweeted_post_id"].eq("266367358078169089").all()


def test_user_lookups_fill_accounts_only(ingest_into):
    case, report = ingest_into(DATA / "v1_users_lookup.json", DATA / "users.jsonl")
    assert [f.reader for f in report.files] == ["twitter-v1.1-users", "twitter-v2-users"]
    assert case.count("posts") == 0
    assert report.files[1].rows["accounts"] == 96
    assert report.files[1].notes["API errors: Not Found Error (tweet)"] == 6
    accounts = case.accounts.set_index("account_id")
    assert accounts["followers"].notna().all()


def test_flattened_and_raw_pages_give_the_same_tables(ingest_into):
    raw, _ = ingest_into(DATA / "noflat.jsonl")
    flat, report = ingest_into(DATA / "flat.jsonl")
    assert report.files[0].reader == "twitter-v2-flat"
    raw_posts, flat_posts = in_collection(raw), in_collection(flat)
    assert len(raw_posts) == len(flat_posts) == 100
    columns = ["post_id", "account_id", "kind", "retweeted_post_id", "quoted_post_id", "replied_post_id", "text"]
    left = raw_posts[columns].sort_values("post_id").reset_index(drop=True)
    right = flat_posts[columns].sort_values("post_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right)
    assert raw_posts["kind"].value_counts().to_dict() == flat_posts["kind"].value_counts().to_dict()
    ids = set(raw_posts["post_id"])
    assert kinds_of(raw, ids) == kinds_of(flat, ids)


def test_errors_and_withheld_are_counted_not_fatal(ingest_into):
    case, report = ingest_into(DATA / "withheld.jsonl", DATA / "streaming_output_with_error.jsonl")
    withheld, stream = report.files
    assert withheld.notes["withheld posts"] == 15
    assert withheld.notes["API errors: Not Found Error (tweet)"] == 2
    assert case.posts["withheld"].astype(bool).sum() >= 1
    # The stream's last line is cut off: the seven good lines are read and the broken one is quarantined.
    assert stream.records == 8 and stream.quarantined == 1
    assert stream.rows["posts"] == 11
    bad = case.quarantine
    assert bad.iloc[0]["line"] == 8 and "truncated" in bad.iloc[0]["reason"]
    assert bad.iloc[0]["raw"].startswith(b'{"data": {"author_id"')


def test_unsupported_v2_endpoint_is_reported(ingest_into):
    case, report = ingest_into(DATA / "counts.jsonl", DATA / "two_tweets.jsonl")
    assert report.files[0].status == "unsupported"
    assert "counts, lists, compliance" in report.files[0].message
    assert "Supported:" in report.files[0].message
    assert report.usable and case.count("posts") == 2
