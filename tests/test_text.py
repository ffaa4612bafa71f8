"""URL normalisation and plain-text entity extraction (known answers)."""

from __future__ import annotations

import pytest

from signalboost.ingest.text import (
    hashtags_in_text,
    mentions_in_text,
    normalise_url,
    source_client,
    urls_in_text,
)


@pytest.mark.parametrize(
    ("url", "normalised", "domain"),
    [
        ("http://WWW.Example.com/a/?utm_source=x&b=2&a=1#frag", "https://example.com/a?a=1&b=2", "example.com"),
        ("https://x.com/SomeOne/status/123/photo/1", "https://twitter.com/someone/status/123", "twitter.com"),
        ("https://mobile.twitter.com/someone/status/123?s=20", "https://twitter.com/someone/status/123", "twitter.com"),
        ("pastebin.com/raw/abc).", "https://pastebin.com/raw/abc", "pastebin.com"),
        ("https://archive.org:443/details/EMLEAKS", "https://archive.org/details/EMLEAKS", "archive.org"),
        ("https://m.youtube.com/watch?v=abc&feature=share", "https://youtube.com/watch?v=abc", "youtube.com"),
    ],
)
def test_normalise_url(url, normalised, domain):
    assert normalise_url(url) == (normalised, domain)


def test_text_entities():
    text = "RT @alice: leak at https://pastebin.com/x. mail a@b.com #MacronLeaks #2017 ＃EnMarche x.com/bob/status/9"
    assert mentions_in_text(text) == ["alice"]
    assert hashtags_in_text(text) == ["MacronLeaks", "EnMarche"]
    assert urls_in_text(text) == ["https://pastebin.com/x", "x.com/bob/status/9"]


def test_source_client():
    assert source_client('<a href="http://twitter.com/download/iphone" rel="nofollow">Twitter for iPhone</a>') == (
        "Twitter for iPhone"
    )
    assert source_client("Twitter Web App") == "Twitter Web App"
    assert source_client(None) is None
