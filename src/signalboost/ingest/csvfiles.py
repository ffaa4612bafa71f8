"""CSV exports, read by column name (never position): IRA troll tweets, 4chan /pol/ scrape, v1.1 user
profiles (cresci-style ``users.csv``) and a documented generic tweet CSV that accepts twarc-csv's names."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from typing import ClassVar

from .base import UTF8_HINT, MissingField, Reader
from .batch import AUTO_TIME, Batch
from .fourchan import UNKNOWN_BOARD, add_chan_post, board_from_path
from .source import QUARANTINE_RAW_LIMIT, InputFile, TruncatedInput
from .text import hashtags_in_text, mentions_in_text, normalise_url, urls_in_text

TWITTER = "twitter"
RETWEET_PREFIX = re.compile(r"^RT @(\w{1,15}):")

# Language names used by the IRA export, to ISO 639-1 codes like every other source.
LANGUAGE_CODES = {
    "english": "en", "russian": "ru", "german": "de", "ukrainian": "uk", "italian": "it", "spanish": "es",
    "french": "fr", "arabic": "ar", "uzbek": "uz", "bulgarian": "bg", "serbian": "sr", "macedonian": "mk",
    "dutch": "nl", "romanian": "ro", "polish": "pl", "portuguese": "pt", "swedish": "sv", "norwegian": "no",
    "finnish": "fi", "farsi (persian)": "fa", "persian": "fa", "japanese": "ja", "turkish": "tr",
    "estonian": "et", "croatian": "hr", "czech": "cs", "hungarian": "hu", "lithuanian": "lt", "latvian": "lv",
    "albanian": "sq", "belarusian": "be", "kazakh": "kk", "hebrew": "he", "greek": "el", "danish": "da",
    "slovak": "sk", "slovenian": "sl", "vietnamese": "vi", "korean": "ko", "indonesian": "id",
    "tagalog (filipino)": "tl", "hindi": "hi", "somali": "so", "icelandic": "is", "pushto": "ps",
}  # fmt: skip


def username_account_id(username: str) -> str:
    """The account id used when a source names an account only by its handle: ``@handle``, lower-cased."""
    return "@" + username.lower()


class CsvReader(Reader):
    """Shared CSV driver: physical-line numbers, per-row quarantine, encoding and NUL checks."""

    required: ClassVar[frozenset[str]] = frozenset()
    time_formats = {"created_at": AUTO_TIME, "snapshot_at": AUTO_TIME}

    @classmethod
    def matches(cls, header: set[str]) -> bool:
        return cls.required <= header

    def start(self, source: InputFile, header: list[str]) -> None:
        """Called once per file with its header."""

    def extract_row(self, row: dict[str, str], batch: Batch) -> None:
        raise NotImplementedError

    def _lines(self, stream) -> Iterator[str]:
        encoding = self.encoding or "utf-8"
        for raw in stream:
            yield raw.decode(encoding, errors="surrogateescape")

    def read(self, source: InputFile) -> Iterator[Batch]:
        csv.field_size_limit(max(source.max_record_bytes, 131072))
        stream = source.open()
        batch = Batch()
        try:
            lines = self._lines(stream)
            reader = csv.reader(lines)
            try:
                header = [name.strip().lstrip("\ufeff") for name in next(reader)]
            except StopIteration:
                self.quarantine(batch, source, None, "empty file: no header row")
                yield batch
                return
            self.start(source, header)
            width = len(header)
            previous_line = reader.line_num
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    break
                except TruncatedInput as exc:
                    self.quarantine(
                        batch, source, None, f"compressed input is truncated or corrupt ({exc}); rows before it were read",
                        location="end of readable data",
                    )
                    break
                except csv.Error as exc:
                    batch.records += 1
                    self._bad_row(batch, source, previous_line + 1, [], f"unreadable CSV row: {exc}")
                    previous_line = reader.line_num
                    continue
                line = previous_line + 1
                previous_line = reader.line_num
                if not fields or (len(fields) == 1 and not fields[0].strip()):
                    continue
                batch.records += 1
                problem = self._row_problem(fields, width)
                if problem:
                    self._bad_row(batch, source, line, fields, problem)
                else:
                    try:
                        self.extract_row(dict(zip(header, fields, strict=True)), batch)
                    except (MissingField, ValueError) as exc:
                        reason = f"missing required field: {exc}" if isinstance(exc, MissingField) else str(exc)
                        self._bad_row(batch, source, line, fields, reason)
                if batch.records >= self.batch_size:
                    batch.bytes_read = source.raw_position()
                    yield batch
                    batch = Batch()
        finally:
            stream.close()
        batch.bytes_read = source.size
        yield batch

    def _row_problem(self, fields: list[str], width: int) -> str | None:
        if len(fields) != width:
            return f"row has {len(fields)} fields, the header has {width} (an unquoted comma or line break?)"
        for value in fields:
            if "\x00" in value:
                return "NUL byte in row; the file is damaged"
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return f"invalid {self.encoding or 'UTF-8'} bytes in row; {UTF8_HINT}"
        return None

    def _bad_row(self, batch: Batch, source: InputFile, line: int, fields: list[str], reason: str) -> None:
        buffer = io.StringIO()
        csv.writer(buffer).writerow(fields)
        raw = buffer.getvalue().encode("utf-8", errors="surrogateescape")
        batch.quarantine.append(
            (source.name, line, None, f"line {line}", self.name, reason, raw[:QUARANTINE_RAW_LIMIT],
             len(raw) > QUARANTINE_RAW_LIMIT)
        )  # fmt: skip


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return int(float(value))


def _flag(value: str | None) -> bool | None:
    if value is None:
        return None
    value = value.strip().lower()
    if value in ("1", "true", "t", "yes", "y"):
        return True
    if value in ("0", "false", "f", "no", "n", ""):
        return False
    raise ValueError(f"not a boolean: {value!r}")


def _first(row: dict[str, str], *names: str) -> str | None:
    for name in names:
        value = row.get(name)
        if value is not None and value.strip() != "":
            return value
    return None


def add_text_entities(batch: Batch, post_id: str, account_id: str | None, text: str, created_at, skip_mention=None):
    """Mentions, URLs and hashtags found in plain text, for sources that carry no entity objects."""
    position = 0
    for username in mentions_in_text(text):
        if username == skip_mention:
            skip_mention = None  # only the "RT @name:" prefix; later mentions of the same account count
            continue
        batch.interactions.append(
            (post_id, TWITTER, "mention", position, account_id, username_account_id(username), username, None,
             created_at)
        )
        position += 1
    for position, url in enumerate(urls_in_text(text)):
        normalised, domain = normalise_url(url)
        batch.urls.append((post_id, TWITTER, position, url, None, normalised, domain))
    for position, tag in enumerate(hashtags_in_text(text)):
        batch.hashtags.append((post_id, TWITTER, position, tag, tag.casefold()))


class IraCsvReader(CsvReader):
    """FiveThirtyEight / Clemson IRA troll tweets (both the original layout and the per-author re-cut).

    Accounts are keyed ``@handle`` (the export carries handles; retweets carry no source author). Tweets without a
    ``tweet_id`` get a stable id from a hash of author, time and text.
    """

    name = "ira-csv"
    required = frozenset({"content", "publish_date"})

    @classmethod
    def matches(cls, header: set[str]) -> bool:
        return cls.required <= header and ("author" in header or "author_id" in header) and (
            "post_type" in header or "harvested_date" in header or "account_category" in header
        )

    def start(self, source: InputFile, header: list[str]) -> None:
        self._seen: dict[str, int] = {}

    def extract_row(self, row: dict[str, str], batch: Batch) -> None:
        handle = _first(row, "author", "author_id")
        if handle is None:
            raise MissingField("author")
        handle = handle.strip()
        content = row.get("content") or ""
        published = _first(row, "publish_date")
        if published is None:
            raise MissingField("publish_date")
        account_id = username_account_id(handle)
        post_id = _first(row, "tweet_id")
        if post_id is None:
            digest = hashlib.blake2b(f"{handle}\x1f{published}\x1f{content}".encode(), digest_size=10).hexdigest()
            occurrence = self._seen.get(digest, 0)
            self._seen[digest] = occurrence + 1
            post_id = f"ira:{digest}" + (f":{occurrence}" if occurrence else "")
        post_type = (row.get("post_type") or "").strip().upper()
        if "post_type" in row:
            # The export's `retweet` flag is also 1 for quote tweets; post_type tells them apart.
            is_retweet = post_type in ("R", "RETWEET")
        else:
            is_retweet = (row.get("retweet") or "").strip() == "1"
        kind = "retweet" if is_retweet else "quote" if post_type in ("Q", "QUOTE_TWEET") else "original"
        retweeted_account = retweeted_username = None
        if is_retweet:
            match = RETWEET_PREFIX.match(content)
            if match:
                retweeted_username = match.group(1)
                retweeted_account = username_account_id(retweeted_username)
                batch.interactions.append(
                    (post_id, TWITTER, "retweet", 0, account_id, retweeted_account, retweeted_username, None, published)
                )
        add_text_entities(batch, post_id, account_id, content, published, skip_mention=retweeted_username)
        language = (row.get("language") or "").strip()
        lang = LANGUAGE_CODES.get(language.lower(), language or None)
        harvested = _first(row, "harvested_date") or published
        batch.accounts.append(
            (account_id, TWITTER, handle, handle, None, None, None, None, None, None,
             _int(row.get("followers")), _int(row.get("following")), _int(row.get("updates")), None, None,
             None, None, None, harvested)
        )  # fmt: skip
        batch.posts.append(
            (post_id, TWITTER, account_id, handle, published, content, lang, kind, None, retweeted_account,
             None, None, None, None, None, None, None, None, None, None, None, None, None, None, False, True,
             harvested)
        )  # fmt: skip


class ChanCsvReader(CsvReader):
    """4chan posts as rows (``no, resto, time, name, country, sub, com``), e.g. the /pol/ catalogue scrape."""

    name = "4chan-csv"
    required = frozenset({"no", "resto", "time", "com"})
    time_formats = {"created_at": "epoch-s", "snapshot_at": "epoch-s"}

    def start(self, source: InputFile, header: list[str]) -> None:
        self._board = self.board or board_from_path(source.path) or UNKNOWN_BOARD

    def extract_row(self, row: dict[str, str], batch: Batch) -> None:
        no = _int(row.get("no"))
        if no is None:
            raise MissingField("no")
        time = _first(row, "time")
        add_chan_post(
            batch, (row.get("board") or "").strip() or self._board, no, _int(row.get("resto")) or 0,
            float(time) if time is not None else None, row.get("name") or None, row.get("trip") or None,
            row.get("id") or None, row.get("country") or None, row.get("sub") or None, row.get("com") or None,
        )  # fmt: skip


class UserCsvReader(CsvReader):
    """Flattened v1.1 user objects, one per row (cresci-2015 ``users.csv`` and similar exports)."""

    name = "twitter-users-csv"
    required = frozenset({"id", "screen_name", "followers_count"})

    @classmethod
    def matches(cls, header: set[str]) -> bool:
        return cls.required <= header and not ({"text", "full_text", "content"} & header)

    def extract_row(self, row: dict[str, str], batch: Batch) -> None:
        account_id = _first(row, "id_str", "id")
        if account_id is None:
            raise MissingField("id")
        account_id = account_id.strip()
        if not account_id.isdigit():
            raise ValueError(f"account id {account_id!r} is not a Twitter numeric id")
        batch.accounts.append(
            (account_id, TWITTER, row.get("screen_name"), row.get("name"), _first(row, "created_at"),
             row.get("description") or None, row.get("location") or None, row.get("url") or None,
             _flag(row.get("verified")), _flag(row.get("protected")), _int(row.get("followers_count")),
             _int(row.get("friends_count")), _int(row.get("statuses_count")), _int(row.get("favourites_count")),
             _int(row.get("listed_count")), _flag(row.get("default_profile")),
             _flag(row.get("default_profile_image")), row.get("lang") or None,
             _first(row, "updated", "crawled_at", "snapshot_at"))
        )  # fmt: skip


GENERIC_COLUMNS = {
    "post_id": ("id", "tweet_id", "id_str"),
    "created_at": ("created_at", "date", "timestamp"),
    "text": ("text", "full_text", "content"),
    "account_id": ("author_id", "author.id", "user_id", "user.id_str"),
    "username": ("username", "author.username", "screen_name", "user_screen_name", "user.screen_name"),
    "lang": ("lang", "language"),
    "source": ("source",),
    "conversation_id": ("conversation_id",),
    "retweeted_post_id": ("retweeted_id", "retweeted_status_id", "referenced_tweets.retweeted.id"),
    "retweeted_account_id": ("retweeted_author_id", "retweeted_user_id", "referenced_tweets.retweeted.author_id"),
    "quoted_post_id": ("quoted_id", "quoted_status_id", "referenced_tweets.quoted.id"),
    "quoted_account_id": ("quoted_author_id", "quoted_user_id", "referenced_tweets.quoted.author_id"),
    "replied_post_id": ("in_reply_to_status_id", "replied_id", "referenced_tweets.replied_to.id"),
    "replied_account_id": ("in_reply_to_user_id",),
    "retweet_count": ("retweet_count", "public_metrics.retweet_count"),
    "reply_count": ("reply_count", "public_metrics.reply_count"),
    "like_count": ("like_count", "favorite_count", "public_metrics.like_count"),
    "quote_count": ("quote_count", "public_metrics.quote_count"),
}


class GenericTweetCsvReader(CsvReader):
    """A tweet per row, columns named as in ``docs/data-model.md`` (twarc-csv's names are accepted too).

    Needs a post id, a time and an author (id or username). Mentions, URLs and hashtags come from the text.
    """

    name = "generic-csv"

    @classmethod
    def matches(cls, header: set[str]) -> bool:
        def has(role: str) -> bool:
            return any(name in header for name in GENERIC_COLUMNS[role])

        return has("post_id") and has("created_at") and (has("account_id") or has("username")) and has("text")

    def extract_row(self, row: dict[str, str], batch: Batch) -> None:
        def get(role: str) -> str | None:
            value = _first(row, *GENERIC_COLUMNS[role])
            return value.strip() if value is not None and role != "text" else value

        post_id = get("post_id")
        if post_id is None:
            raise MissingField("id")
        created_at = get("created_at")
        if created_at is None:
            raise MissingField("created_at")
        username = get("username")
        account_id = get("account_id") or (username_account_id(username) if username else None)
        if account_id is None:
            raise MissingField("author_id or username")
        text = get("text") or ""
        retweeted_post, retweeted_account = get("retweeted_post_id"), get("retweeted_account_id")
        quoted_post, quoted_account = get("quoted_post_id"), get("quoted_account_id")
        replied_post, replied_account = get("replied_post_id"), get("replied_account_id")
        retweeted_username = None
        match = RETWEET_PREFIX.match(text)
        if match:
            retweeted_username = match.group(1)
            retweeted_account = retweeted_account or username_account_id(retweeted_username)
        is_retweet = retweeted_post is not None or match is not None
        kind = "retweet" if is_retweet else "quote" if quoted_post else "reply" if replied_post else "original"
        edges = (
            ("retweet", retweeted_account, retweeted_username, retweeted_post, is_retweet),
            ("quote", quoted_account, None, quoted_post, quoted_post is not None),
            ("reply", replied_account, None, replied_post, replied_post is not None or replied_account is not None),
        )
        for edge, target_account, target_name, target_post, present in edges:
            if present:
                batch.interactions.append(
                    (post_id, TWITTER, edge, 0, account_id, target_account, target_name, target_post, created_at)
                )
        add_text_entities(batch, post_id, account_id, text, created_at, skip_mention=retweeted_username)
        if username or get("account_id"):
            batch.accounts.append(
                (account_id, TWITTER, username, None, None, None, None, None, None, None, None, None, None, None,
                 None, None, None, None, None)
            )  # fmt: skip
        batch.posts.append(
            (post_id, TWITTER, account_id, username, created_at, text, get("lang"), kind, retweeted_post,
             retweeted_account, quoted_post, quoted_account, replied_post, replied_account, get("conversation_id"),
             get("source"), None, None, None, None, _int(get("retweet_count")), _int(get("reply_count")),
             _int(get("like_count")), _int(get("quote_count")), False, True, None)
        )  # fmt: skip


CSV_READERS: tuple[type[CsvReader], ...] = (IraCsvReader, ChanCsvReader, UserCsvReader, GenericTweetCsvReader)
