"""4chan thread JSON and CSV readers (IRA, /pol/ scrape, cresci users, generic tweets) on real fixtures."""

from __future__ import annotations

import csv
import json

from conftest import DATA, in_collection
from signalboost.ingest.fourchan import board_from_path
from signalboost.ingest.text import chan_comment


def test_quotelinks_become_reply_edges_and_wbr_is_stripped(ingest_into):
    path = DATA / "4chan" / "pol_thread_527919246.json"
    case, report = ingest_into(path)
    assert report.files[0].reader == "4chan-thread"
    thread = json.loads(path.read_text())["posts"]
    posts = case.posts.set_index("post_id")
    assert len(posts) == len(thread) == 225
    assert set(posts["board"]) == {"pol"} and set(posts["thread_id"]) == {"4chan/pol/527919246"}
    op = posts.loc["4chan/pol/527919246"]
    assert op["kind"] == "original" and op["country"] == "DE"
    assert "<wbr>" in thread[0]["com"]
    urls = case.urls.set_index("post_id")
    assert urls.loc["4chan/pol/527919246", "url"] == "https://x.com/Megatron_ron/status/2019856041392107585"
    assert urls.loc["4chan/pol/527919246", "normalised_url"] == (
        "https://twitter.com/megatron_ron/status/2019856041392107585"
    )
    assert not case.urls["url"].str.contains("<wbr>").any()
    # Every quotelink anchor in the HTML is one reply edge to the quoted post.
    expected = sum(post.get("com", "").count('class="quotelink"') for post in thread)
    replies = case.interactions
    assert len(replies) == expected == 203
    assert set(replies["kind"]) == {"reply"}
    assert replies["target_post_id"].str.startswith("4chan/pol/").all()
    assert "&gt;" not in posts.loc["4chan/pol/527919369", "text"]


def test_comment_html_to_text():
    html = ('<a href="#p123" class="quotelink">&gt;&gt;123</a><br>see https://example.com/a<wbr>b?c=1 '
            '<a href="/g/thread/55#p56" class="quotelink">&gt;&gt;&gt;/g/56</a><br><span class="quote">&gt;implying</span>')
    text, links = chan_comment(html, "pol")
    assert links == [("pol", "123"), ("g", "56")]
    assert text == ">>123\nsee https://example.com/ab?c=1 >>>/g/56\n>implying"


def test_board_is_inferred_from_the_path():
    assert board_from_path("data/4chan-pol/thread/1.json") == "pol"
    assert board_from_path("official_api_example_po_thread_570368.json") == "po"
    assert board_from_path("dump/threads.json") is None


def test_official_api_example_thread(ingest_into):
    case, _ = ingest_into(DATA / "4chan" / "official_api_example_po_thread_570368.json")
    posts = case.posts
    assert len(posts) == 3 and set(posts["board"]) == {"po"}
    assert posts.set_index("post_id").loc["4chan/po/570368", "text"].startswith("Welcome to /po/!")


def test_pol_csv_scrape(ingest_into):
    path = DATA / "4chan" / "pol_posts_sample.csv"
    case, report = ingest_into(path)
    assert report.files[0].reader == "4chan-csv"
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert case.count("posts") == len(rows) == 300
    expected_links = sum(row["com"].count('class="quotelink"') for row in rows)
    assert case.count("interactions") == expected_links
    ops = case.posts[case.posts["kind"] == "original"]
    assert len(ops) == sum(row["resto"] == "0" for row in rows)


def test_ira_csv(ingest_into):
    path = DATA / "ira_sample.csv"
    case, report = ingest_into(path)
    assert report.files[0].reader == "ira-csv"
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    posts = in_collection(case)
    assert len(posts) == len(rows) == 400
    assert (posts["kind"] == "retweet").sum() == sum(row["post_type"] == "R" for row in rows)
    assert set(posts["account_id"]) == {"@" + row["author_id"].lower() for row in rows}
    assert set(posts["lang"]) <= {"ru", "en", "uk", "de", "und", "bg"} | set(posts["lang"])
    assert "ru" in set(posts["lang"])
    urls_in_rows = sum(row["content"].count("https://t.co/") for row in rows)
    assert case.count("urls") == urls_in_rows
    # Latest snapshot wins: the account row carries the followers count of the last harvested tweet.
    account = rows[0]["author_id"]
    last = max((r for r in rows if r["author_id"] == account), key=lambda r: r["harvested_date"])
    row = case.accounts.set_index("account_id").loc["@" + account.lower()]
    assert row["followers"] == int(last["followers"])


def test_cresci_users_csv_and_its_real_nul_row(ingest_into):
    case, report = ingest_into(DATA / "cresci_e13_sample.csv", DATA / "cresci_int_sample.csv")
    e13, intl = report.files
    assert e13.reader == intl.reader == "twitter-users-csv"
    assert e13.rows["accounts"] == 60 and intl.rows["accounts"] == 60
    assert e13.quarantined == 1
    bad = case.quarantine.iloc[0]
    assert bad["reason"] == "NUL byte in row; the file is damaged"
    assert bad["line"] == 62 and b"\x00" in bad["raw"]
    accounts = case.accounts.set_index("account_id")
    braddd = accounts.loc["3610511"]
    assert braddd["username"] == "braddd" and braddd["statuses"] == 20370
    assert braddd["created_at"].year == 2007
    assert case.count("posts") == 0


def test_generic_csv_with_twarc_csv_names(ingest_into, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "id,created_at,author_id,author.username,text,referenced_tweets.retweeted.id,lang\n"
        "1,2017-05-05T18:49:00.000Z,10,alice,#MacronLeaks docs https://pastebin.com/abc @bob,,en\n"
        "2,2017-05-05T18:50:00.000Z,11,bob,RT @alice: #MacronLeaks docs,1,en\n"
        "3,2017-05-05T18:51:00.000Z,,,no author here,,en\n"
    )
    case, report = ingest_into(path)
    assert report.files[0].reader == "generic-csv"
    posts = case.posts.set_index("post_id")
    assert posts.loc["2", "kind"] == "retweet" and posts.loc["2", "retweeted_post_id"] == "1"
    assert posts.loc["1", "created_at"].isoformat() == "2017-05-05T18:49:00+00:00"
    assert case.urls.iloc[0]["domain"] == "pastebin.com"
    assert set(case.hashtags["normalised_tag"]) == {"macronleaks"}
    assert report.files[0].quarantined == 1
    assert "author_id or username" in case.quarantine.iloc[0]["reason"]
