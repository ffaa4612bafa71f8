"""The case store: incremental ingest without duplicates, latest-snapshot rule, manifest, Parquet schema."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta

import pyarrow.parquet as pq
import pytest

import signalboost
from conftest import DATA
from signalboost.case import Case, CaseError
from signalboost.render import Profile, Tweet, v1_status, v2_page
from signalboost.schema import DATA_TABLES, TABLES_BY_NAME

START = datetime(2017, 5, 5, 18, 0, tzinfo=UTC)


def test_reingest_adds_zero_rows(tmp_path):
    inputs = [DATA / "brexit.jsonl", DATA / "uklabour_2017-05-03_to_05_v1.1.json", DATA / "4chan"]
    first = signalboost.ingest(inputs, tmp_path / "case")
    counts = {spec.name: Case.open(tmp_path / "case").count(spec.name) for spec in DATA_TABLES}
    assert all(counts[name] > 0 for name in ("accounts", "posts", "interactions", "urls", "hashtags"))
    again = signalboost.ingest(inputs, tmp_path / "case")
    assert {f.status for f in again.files} == {"skipped"}
    assert again.usable
    forced = signalboost.ingest(inputs, tmp_path / "case", force=True)
    assert {f.status for f in forced.files} == {"read"}
    assert all(m.new_rows == 0 for m in forced.merges.values() if m.table != "quarantine")
    case = Case.open(tmp_path / "case")
    assert {spec.name: case.count(spec.name) for spec in DATA_TABLES} == counts
    # The same content under another name is deduplicated too.
    copy = tmp_path / "copy.jsonl"
    shutil.copy(DATA / "brexit.jsonl", copy)
    copy.write_bytes(copy.read_bytes() + b"\n")  # a different sha256, the same records
    signalboost.ingest([copy], tmp_path / "case")
    assert {spec.name: case.count(spec.name) for spec in DATA_TABLES} == counts
    assert first.files[0].sha256 in json.dumps(case.manifest)


def test_latest_profile_snapshot_wins_whatever_the_order(tmp_path):
    def tweet(i, followers, description):
        profile = Profile(id="7", username="amplifier", name="A", created_at=START - timedelta(days=9),
                          followers=followers, description=description)
        return Tweet(id=str(100 + i), author=profile, created_at=START + timedelta(hours=i), text=f"t{i}")

    early, late = tweet(0, 10, "old bio"), tweet(5, 900, "new bio")
    (tmp_path / "late.jsonl").write_text(json.dumps(v1_status(late)) + "\n")
    (tmp_path / "early.jsonl").write_text(json.dumps(v1_status(early)) + "\n")
    for order in (["late.jsonl", "early.jsonl"], ["early.jsonl", "late.jsonl"]):
        case_dir = tmp_path / ("case-" + order[0])
        for name in order:  # two separate ingests: the merge decides
            report = signalboost.ingest([tmp_path / name], case_dir)
        account = Case.open(case_dir).accounts.set_index("account_id").loc["7"]
        assert account["followers"] == 900 and account["description"] == "new bio"
        assert account["snapshot_at"] == START + timedelta(hours=5)
    assert report.merges["accounts"].duplicates_resolved == 1


def test_v1_and_v2_renderings_give_the_same_canonical_rows(tmp_path):
    alice = Profile(id="1", username="alice", name="Alice", created_at=START - timedelta(days=400))
    bob = Profile(id="2", username="bob", name="Bob", created_at=START - timedelta(days=10), followers=3)
    original = Tweet(id="10", author=alice, created_at=START, text="docs https://pastebin.com/x #MacronLeaks",
                     urls=["https://pastebin.com/x"], hashtags=["MacronLeaks"])
    retweet = Tweet(id="11", author=bob, created_at=START + timedelta(seconds=40), text="", retweet_of=original)
    quote = Tweet(id="12", author=bob, created_at=START + timedelta(seconds=90), text="look @alice",
                  quote_of=original, mentions=[alice])
    reply = Tweet(id="13", author=alice, created_at=START + timedelta(seconds=99), text="@bob yes", reply_to=quote,
                  mentions=[bob])
    tweets = [original, retweet, quote, reply]
    (tmp_path / "v1.jsonl").write_text("".join(json.dumps(v1_status(t)) + "\n" for t in tweets))
    (tmp_path / "v2.jsonl").write_text(json.dumps(v2_page(tweets, START + timedelta(minutes=5))) + "\n")
    v1 = signalboost.ingest([tmp_path / "v1.jsonl"], tmp_path / "c1")
    v2 = signalboost.ingest([tmp_path / "v2.jsonl"], tmp_path / "c2")
    assert (v1.files[0].reader, v2.files[0].reader) == ("twitter-v1.1", "twitter-v2")
    one, two = Case.open(tmp_path / "c1"), Case.open(tmp_path / "c2")
    for name, ignore in (("posts", ["source", "snapshot_at", "text", "conversation_id", "retweet_count",
                                    "like_count", "reply_count", "quote_count"]),
                         ("interactions", []), ("urls", ["url"]), ("hashtags", [])):  # fmt: skip
        spec = TABLES_BY_NAME[name]
        left = one.table(name).drop(columns=ignore).sort_values(list(spec.key)).reset_index(drop=True)
        right = two.table(name).drop(columns=ignore).sort_values(list(spec.key)).reset_index(drop=True)
        assert left.to_dict("records") == right.to_dict("records"), name
    kinds = one.posts.set_index("post_id")["kind"].to_dict()
    assert kinds == {"10": "original", "11": "retweet", "12": "quote", "13": "reply"}
    accounts = ["account_id", "username", "display_name", "created_at", "followers", "following", "statuses"]
    assert one.accounts[accounts].sort_values("account_id").to_dict("records") == (
        two.accounts[accounts].sort_values("account_id").to_dict("records")
    )


def test_parquet_files_have_the_documented_schema(tmp_path):
    signalboost.ingest([DATA / "brexit.jsonl", DATA / "4chan"], tmp_path / "case")
    for spec in TABLES_BY_NAME.values():
        path = tmp_path / "case" / f"{spec.name}.parquet"
        if path.exists():
            assert pq.read_schema(path).remove_metadata() == spec.schema, spec.name
    manifest = json.loads((tmp_path / "case" / "manifest.json").read_text())
    entry = manifest["inputs"][0]
    assert {"path", "sha256", "size", "reader", "reader_version", "records", "rows", "quarantined"} <= set(entry)
    assert manifest["tables"]["posts"] == Case.open(tmp_path / "case").count("posts")


def test_open_errors_say_what_to_do(tmp_path):
    with pytest.raises(CaseError, match="signalboost ingest"):
        Case.open(tmp_path)
    (tmp_path / "stuff.txt").write_text("x")
    with pytest.raises(CaseError, match="not empty"):
        signalboost.ingest([DATA / "two_tweets.jsonl"], tmp_path)


def test_stale_staging_from_a_killed_ingest_is_cleared(tmp_path):
    signalboost.ingest([DATA / "two_tweets.jsonl"], tmp_path / "case")
    stale = tmp_path / "case" / ".staging-dead"
    stale.mkdir()
    (stale / "posts.parquet").write_bytes(b"partial")
    signalboost.ingest([DATA / "brexit.jsonl"], tmp_path / "case")
    assert not stale.exists()
