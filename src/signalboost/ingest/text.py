"""Text helpers shared by readers: URL normalisation, entity extraction from plain text, 4chan HTML."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that identify a click, not a resource: dropped so the same page matches across platforms.
TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "igshid", "mc_cid", "mc_eid", "ref_src", "ref_url", "s", "t", "si", "feature"}
)
HOST_ALIASES = {"x.com": "twitter.com", "mobile.twitter.com": "twitter.com", "mobile.x.com": "twitter.com"}
CHAN_HOSTS = frozenset({"boards.4chan.org", "boards.4channel.org", "archive.4plebs.org", "desuarchive.org",
                        "archived.moe"})
_STRIPPED_HOST_PREFIXES = ("www.", "m.", "mobile.", "amp.")

URL_IN_TEXT = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'\u00a0]+|\b(?:x|twitter)\.com/[A-Za-z0-9_]+/status(?:es)?/\d+[^\s<>\"']*",
    re.IGNORECASE,
)
# Twitter's own rules: a mention or hashtag starts after a non-word character.
MENTION_IN_TEXT = re.compile(r"(?<![\w@])@(\w{1,15})\b")
HASHTAG_IN_TEXT = re.compile(r"(?<![\w#&])[#＃](\w*[^\W\d_]\w*)")
_TRAILING_PUNCTUATION = ".,;:!?)]}'\"…»"


# Already normal: https, a lower-case host that needs no alias or prefix stripping, no port, query, fragment or
# trailing slash, nothing to trim.
_SIMPLE_URL = re.compile(
    r"^https://(?!www\.|m\.|mobile\.|amp\.|x\.com/|twitter\.com/)([a-z0-9-]+(?:\.[a-z0-9-]+)+)(?:/[^?#\s]*[^?#\s/.,;:!?)\]}'\"…»])?$"
)


@lru_cache(maxsize=262_144)
def normalise_url(url: str) -> tuple[str, str]:
    """Return ``(normalised_url, domain)`` for matching the same resource across posts and platforms.

    Lower-cases scheme and host, folds ``http`` into ``https``, drops ``www.``/``m.`` prefixes, default ports,
    fragments, tracking parameters (``utm_*``, ``fbclid`` …) and a trailing slash, sorts the remaining query, and
    maps x.com and mobile Twitter hosts to twitter.com. Unparseable strings come back stripped, domain empty.
    """
    simple = _SIMPLE_URL.match(url)
    if simple is not None:  # most links (every t.co one): nothing to rewrite, skip urllib
        return url, simple.group(1)
    candidate = url.strip().rstrip(_TRAILING_PUNCTUATION)
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", candidate):
        candidate = "https://" + candidate
    try:
        parts = urlsplit(candidate)
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return url.strip(), ""
    if not host:
        return url.strip(), ""
    for prefix in _STRIPPED_HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
            break
    host = HOST_ALIASES.get(host, host)
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    query = ""
    if parts.query:
        kept = [
            (key, value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
            if not key.lower().startswith("utm_") and key.lower() not in TRACKING_PARAMS
        ]
        query = urlencode(sorted(kept))
    path = parts.path or ""
    if path.endswith("/"):
        path = path.rstrip("/")
    if host == "twitter.com":
        # Status links differ only in case of the handle and trailing /photo/1 style suffixes.
        match = re.match(r"^/([A-Za-z0-9_]+)/status(?:es)?/(\d+)", path)
        if match:
            path = f"/{match.group(1).lower()}/status/{match.group(2)}"
            query = ""
    # A 4chan post link's fragment (#p123) names the post, so it stays.
    fragment = parts.fragment if host in CHAN_HOSTS and re.fullmatch(r"p?\d+", parts.fragment or "") else ""
    return urlunsplit(("https", netloc, path, query, fragment)), host


def urls_in_text(text: str) -> list[str]:
    """URLs written in plain text (4chan comments, CSV exports), trailing punctuation removed."""
    if not text or ("http" not in text and "www." not in text and ".com/" not in text):
        return []
    return [match.rstrip(_TRAILING_PUNCTUATION) for match in URL_IN_TEXT.findall(text)]


def mentions_in_text(text: str) -> list[str]:
    if not text or "@" not in text:
        return []
    return MENTION_IN_TEXT.findall(text)


def hashtags_in_text(text: str) -> list[str]:
    if not text or ("#" not in text and "＃" not in text):
        return []
    return HASHTAG_IN_TEXT.findall(text)


_SOURCE_TAG = re.compile(r"<[^>]*>")


@lru_cache(maxsize=4096)
def source_client(source: str | None) -> str | None:
    """``<a href="…">Twitter for iPhone</a>`` (v1.1) → ``Twitter for iPhone``; v2 sources pass through."""
    if not source:
        return None
    if "<" not in source:
        return source
    return html.unescape(_SOURCE_TAG.sub("", source)).strip() or None


# 4chan comments are HTML: <br> line breaks, <wbr> soft breaks inside long words and URLs, quotelinks as anchors.
_WBR = re.compile(r"<wbr\s*/?>", re.IGNORECASE)
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
QUOTELINK = re.compile(
    r"<a\s+href=\"(?:/(?P<board>\w+)/thread/(?P<thread>\d+))?#p(?P<post>\d+)\"\s+class=\"quotelink\"",
    re.IGNORECASE,
)
CROSSBOARD_QUOTELINK = re.compile(
    r"<a\s+href=\"//boards\.4chan(?:nel)?\.org/(?P<board>\w+)/thread/(?P<thread>\d+)(?:#p(?P<post>\d+))?\"",
    re.IGNORECASE,
)


def chan_comment(com: str | None, board: str) -> tuple[str, list[tuple[str, str]]]:
    """Turn a 4chan ``com`` HTML field into plain text and the posts it quotelinks.

    Returns ``(text, [(board, post_number), ...])``. ``<wbr>`` is removed before anything else so URLs that
    4chan broke for line wrapping come back whole.
    """
    if not com:
        return "", []
    com = _WBR.sub("", com)
    links: list[tuple[str, str]] = []
    if "quotelink" in com or "boards.4chan" in com:
        for match in QUOTELINK.finditer(com):
            links.append((match.group("board") or board, match.group("post")))
        for match in CROSSBOARD_QUOTELINK.finditer(com):
            links.append((match.group("board"), match.group("post") or match.group("thread")))
    text = _TAG.sub("", _BR.sub("\n", com)) if "<" in com else com
    return html.unescape(text), links
