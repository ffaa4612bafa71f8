"""4chan: API thread JSON (``{"posts": [...]}`` per file or per line) and the /pol/ CSV scrape layout."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import msgspec

from .base import JsonReader, MissingField
from .batch import EPOCH_SECONDS, Batch
from .source import InputFile, Unit
from .text import chan_comment, normalise_url, urls_in_text

CHAN = "4chan"

# Board codes as in the 4chan API's boards.json; used to infer a board from a file path when none is given.
KNOWN_BOARDS = frozenset(
    ["a", "b", "c", "d", "e", "f", "g", "gif", "h", "hr", "k", "m", "o", "p", "r", "s", "t", "u", "v", "vg", "vm", "vmg", "vr", "vrpg", "vst", "w", "wg", "i", "ic", "r9k", "s4s", "vip", "qa", "cm", "hm", "lgbt", "y", "3", "aco", "adv", "an", "bant", "biz", "cgl", "ck", "co", "diy", "fa", "fit", "gd", "hc", "his", "int", "jp", "lit", "mlp", "mu", "n", "news", "out", "po", "pol", "pw", "qst", "sci", "soc", "sp", "tg", "toy", "trv", "tv", "vp", "vt", "wsg", "wsr", "x", "xs"]
)
UNKNOWN_BOARD = "unknown"


def board_from_path(path: str | Path) -> str | None:
    """The board a file's path names (``…/pol/thread/123.json``, ``pol_posts.csv``), or None."""
    for part in reversed(Path(path).parts):
        for token in re.split(r"[^A-Za-z0-9]+", part.lower()):
            if token in KNOWN_BOARDS and len(token) > 1:
                return token
    return None


def chan_account(board: str, thread_no: int, poster_id: str | None, trip: str | None) -> str | None:
    """A tripcode is an identity across threads; a /pol/-style poster ID only within its thread."""
    if trip:
        return f"4chan/trip/{trip}"
    if poster_id:
        return f"4chan/{board}/{thread_no}/id/{poster_id}"
    return None


def add_chan_post(
    batch: Batch,
    board: str,
    no: int,
    resto: int,
    time: float | None,
    name: str | None,
    trip: str | None,
    poster_id: str | None,
    country: str | None,
    subject: str | None,
    com: str | None,
) -> None:
    post_id = f"4chan/{board}/{no}"
    thread_no = resto or no
    thread_id = f"4chan/{board}/{thread_no}"
    account_id = chan_account(board, thread_no, poster_id, trip)
    text, links = chan_comment(com, board)
    if subject:
        subject = html.unescape(subject)
        text = f"{subject}\n{text}" if text else subject
    interactions = batch.interactions
    for position, (link_board, link_no) in enumerate(links):
        interactions.append(
            (post_id, CHAN, "reply", position, account_id, None, None, f"4chan/{link_board}/{link_no}", time)
        )
    kind = "original" if not resto else "reply"
    replied_post = f"4chan/{links[0][0]}/{links[0][1]}" if links else thread_id if resto else None
    urls = batch.urls
    for position, url in enumerate(urls_in_text(text)):
        normalised, domain = normalise_url(url)
        urls.append((post_id, CHAN, position, url, None, normalised, domain))
    if account_id is not None:
        batch.accounts.append(
            (account_id, CHAN, name, name, None, None, None, None, None, None, None, None, None, None, None,
             None, None, None, time)
        )  # fmt: skip
    batch.posts.append(
        (
            post_id, CHAN, account_id, name, time, text, None, kind, None, None, None, None, replied_post, None,
            thread_id, None, board, thread_id, poster_id, country or None,
            None, None, None, None, False, True, None,
        )
    )  # fmt: skip


class ChanPost(msgspec.Struct, gc=False):
    no: int | None = None
    resto: int = 0
    time: int | None = None
    name: str | None = None
    trip: str | None = None
    id: str | None = None
    country: str | None = None
    sub: str | None = None
    com: str | None = None
    board: str | None = None


class Thread(msgspec.Struct, gc=False):
    posts: list[ChanPost]


class ChanThreadReader(JsonReader):
    """4chan API thread JSON: ``{"posts": [...]}`` as one file (a.4cdn.org/<board>/thread/<no>.json) or per line."""

    name = "4chan-thread"
    description = "4chan API thread"
    record_type = Thread
    time_formats = {"created_at": EPOCH_SECONDS, "snapshot_at": EPOCH_SECONDS}

    def read(self, source: InputFile):
        self._board = self.board or board_from_path(source.path) or UNKNOWN_BOARD
        yield from super().read(source)

    def extract(self, thread: Thread, batch: Batch) -> None:
        board = self._board
        if not thread.posts:
            raise MissingField("posts (the thread is empty)")
        for post in thread.posts:
            if post.no is None:
                raise MissingField("posts[].no")
            add_chan_post(
                batch, post.board or board, post.no, post.resto, post.time, post.name, post.trip, post.id,
                post.country, post.sub, post.com,
            )  # fmt: skip
        batch.note("4chan threads")

    def extract_other(self, value: Any, batch: Batch, source: InputFile, unit: Unit) -> bool:
        if isinstance(value, dict) and isinstance(value.get("posts"), list):
            # Typed decoding failed on some post: take the good posts one by one.
            def one(item, b):
                post = msgspec.convert(item, ChanPost, strict=False)
                self.extract(Thread([post]), b)
            self.extract_items(value["posts"], batch, source, unit, handler=one)
            return True
        return False


class ChanThreadDocumentReader(ChanThreadReader):
    whole_document = True
