"""Twitter API v1.1: statuses (one per line, JSON arrays, search responses) and user objects."""

from __future__ import annotations

from typing import Any

import msgspec

from .base import InvalidField, JsonReader, MissingField
from .batch import TWITTER_V1_TIME, Batch
from .source import InputFile, Unit
from .text import normalise_url, source_client

TWITTER = "twitter"


class UserMention(msgspec.Struct, gc=False):
    id_str: str | None = None
    id: int | None = None
    screen_name: str | None = None


class UrlEntity(msgspec.Struct, gc=False):
    url: str | None = None
    expanded_url: str | None = None


class HashtagEntity(msgspec.Struct, gc=False):
    text: str | None = None


class Entities(msgspec.Struct, gc=False):
    hashtags: list[HashtagEntity] = []
    user_mentions: list[UserMention] = []
    urls: list[UrlEntity] = []


class ExtendedTweet(msgspec.Struct, gc=False):
    full_text: str | None = None
    entities: Entities | None = None


class User(msgspec.Struct, gc=False):
    id_str: str | None = None
    id: int | None = None
    screen_name: str | None = None
    name: str | None = None
    created_at: str | None = None
    description: str | None = None
    location: str | None = None
    url: str | None = None
    verified: bool | None = None
    protected: bool | None = None
    followers_count: int | None = None
    friends_count: int | None = None
    statuses_count: int | None = None
    favourites_count: int | None = None
    listed_count: int | None = None
    default_profile: bool | None = None
    default_profile_image: bool | None = None
    lang: str | None = None
    # Present on status lines only; lets one decoder tell a user line from a status line.
    text: str | None = None
    user: Any = None
    status: Any = None


NO_USER = msgspec.Raw()


def has_user(raw: msgspec.Raw) -> bool:
    """``"user": null`` reads as no author, like any other null field."""
    return bool(raw) and not (len(raw) == 4 and bytes(raw) == b"null")


class Status(msgspec.Struct, gc=False):
    id_str: str | None = None
    id: int | None = None
    created_at: str | None = None
    text: str | None = None
    full_text: str | None = None
    extended_tweet: ExtendedTweet | None = None
    entities: Entities | None = None
    user: msgspec.Raw = NO_USER  # decoded once per distinct profile by StatusExtractor
    retweeted_status: Status | None = None
    quoted_status: Status | None = None
    quoted_status_id_str: str | None = None
    is_quote_status: bool | None = None
    in_reply_to_status_id_str: str | None = None
    in_reply_to_user_id_str: str | None = None
    in_reply_to_screen_name: str | None = None
    lang: str | None = None
    source: str | None = None
    retweet_count: int | None = None
    favorite_count: int | None = None
    reply_count: int | None = None
    quote_count: int | None = None
    withheld_in_countries: list[str] | None = None
    withheld_copyright: bool | None = None
    # Stream notices that are not statuses.
    delete: Any = None
    limit: Any = None
    scrub_geo: Any = None
    status_withheld: Any = None
    user_withheld: Any = None


class SearchResponse(msgspec.Struct, gc=False):
    statuses: list[Status]


def _id(id_str: str | None, numeric: int | None) -> str | None:
    if id_str:
        return id_str
    return str(numeric) if numeric is not None else None


_MONTHS = {m: f"{i:02d}" for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}


def sortable_time(v1_time: str | None) -> str:
    """``Wed May 03 21:15:30 +0000 2017`` → ``20170503211530`` (Twitter always writes +0000), for comparisons."""
    if not v1_time or len(v1_time) < 30:
        return ""
    return v1_time[26:30] + _MONTHS.get(v1_time[4:7], "00") + v1_time[8:10] + v1_time[11:19]


def user_row(user: User, snapshot: str | None) -> tuple:
    account_id = _id(user.id_str, user.id)
    if account_id is None:
        raise MissingField("user.id_str")
    return (
        account_id, TWITTER, user.screen_name, user.name, user.created_at, user.description or None,
        user.location or None, user.url, user.verified, user.protected, user.followers_count,
        user.friends_count, user.statuses_count, user.favourites_count, user.listed_count,
        user.default_profile, user.default_profile_image, user.lang, snapshot,
    )  # fmt: skip


class StatusExtractor:
    """Turns decoded statuses into rows. User objects arrive as raw JSON: each distinct profile snapshot is decoded
    once per batch and written once, with the latest time it was seen, instead of once per tweet."""

    def __init__(self):
        self._user_decoder = msgspec.json.Decoder(User)
        self._profiles: dict[bytes, list] = {}  # raw user JSON -> [row without snapshot, sortable time, snapshot]

    def user(self, raw: msgspec.Raw, snapshot: str | None) -> tuple:
        key = bytes(raw)
        seen = self._profiles.get(key)
        if seen is None:
            try:
                user = self._user_decoder.decode(key)
            except msgspec.ValidationError as exc:
                raise InvalidField(f"user: {exc}") from None
            row = user_row(user, snapshot)
            self._profiles[key] = [row, sortable_time(snapshot), snapshot]
            return row
        if snapshot is not None and snapshot != seen[2]:
            sortable = sortable_time(snapshot)
            if sortable > seen[1]:
                seen[1], seen[2] = sortable, snapshot
        return seen[0]

    def flush_profiles(self, batch: Batch) -> None:
        accounts = batch.accounts
        for row, _, snapshot in self._profiles.values():
            accounts.append((*row[:-1], snapshot))
        self._profiles.clear()

    def status(self, status: Status, batch: Batch, in_collection: bool, snapshot: str | None) -> tuple[str, str | None]:
        """Rows for one status and every status embedded in it; returns (post_id, account_id)."""
        post_id = _id(status.id_str, status.id)
        if post_id is None:
            raise MissingField("id_str")
        created_at = status.created_at
        if snapshot is None:
            snapshot = created_at
        if has_user(status.user):
            profile = self.user(status.user, snapshot)
            account_id, username = profile[0], profile[2]
        else:
            account_id = username = None

        extended = status.extended_tweet
        text = status.full_text or (extended.full_text if extended is not None and extended.full_text else status.text)
        entities = extended.entities if extended is not None and extended.entities is not None else status.entities

        interactions = batch.interactions
        retweeted_post = retweeted_account = quoted_post = quoted_account = None
        kind = "original"
        retweeted = status.retweeted_status
        if retweeted is not None:
            retweeted_post, retweeted_account = self.status(retweeted, batch, False, snapshot)
            kind = "retweet"
            interactions.append(
                (post_id, TWITTER, "retweet", 0, account_id, retweeted_account, self._username(retweeted, snapshot),
                 retweeted_post, created_at)
            )  # fmt: skip
        else:
            quoted = status.quoted_status
            if quoted is not None:
                quoted_post, quoted_account = self.status(quoted, batch, False, snapshot)
            elif status.quoted_status_id_str:
                quoted_post = status.quoted_status_id_str
            if quoted_post is not None:
                kind = "quote"
                interactions.append(
                    (post_id, TWITTER, "quote", 0, account_id, quoted_account,
                     self._username(quoted, snapshot) if quoted is not None else None, quoted_post, created_at)
                )  # fmt: skip
        replied_post = status.in_reply_to_status_id_str
        replied_account = status.in_reply_to_user_id_str
        if replied_post or replied_account:
            if kind == "original":
                kind = "reply"
            interactions.append(
                (post_id, TWITTER, "reply", 0, account_id, replied_account, status.in_reply_to_screen_name, replied_post,
                 created_at)
            )  # fmt: skip

        if entities is not None:
            for position, mention in enumerate(entities.user_mentions):
                interactions.append(
                    (post_id, TWITTER, "mention", position, account_id, _id(mention.id_str, mention.id), mention.screen_name,
                     None, created_at)
                )  # fmt: skip
            if entities.urls:
                urls = batch.urls
                for position, link in enumerate(entities.urls):
                    raw = link.url or link.expanded_url
                    if not raw:
                        continue
                    normalised, domain = normalise_url(link.expanded_url or raw)
                    urls.append((post_id, TWITTER, position, raw, link.expanded_url, normalised, domain))
            if entities.hashtags:
                hashtags = batch.hashtags
                for position, tag in enumerate(entities.hashtags):
                    if tag.text:
                        hashtags.append((post_id, TWITTER, position, tag.text, tag.text.casefold()))

        withheld = bool(status.withheld_in_countries) or bool(status.withheld_copyright)
        batch.posts.append(
            (
                post_id, TWITTER, account_id, username, created_at, text, status.lang, kind,
                retweeted_post, retweeted_account, quoted_post, quoted_account, replied_post, replied_account,
                None, source_client(status.source), None, None, None, None,
                status.retweet_count, status.reply_count, status.favorite_count, status.quote_count,
                withheld, in_collection, snapshot,
            )
        )  # fmt: skip
        if withheld:
            batch.note("withheld posts")
        return post_id, account_id

    def _username(self, status: Status, snapshot: str | None) -> str | None:
        return self.user(status.user, snapshot)[2] if has_user(status.user) else None


class TwitterV1StatusReader(JsonReader):
    """Twitter API v1.1 statuses: one per line, a JSON array of them, or a ``{"statuses": [...]}`` search page."""

    name = "twitter-v1.1"
    description = "Twitter v1.1 status"
    record_type = Status
    alternate_types = (list[Status], SearchResponse)
    time_formats = {"created_at": TWITTER_V1_TIME, "snapshot_at": TWITTER_V1_TIME}
    fast_extractor = "extract_v1_statuses"
    html_sources = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._extractor = StatusExtractor()

    def extract(self, record: Status, batch: Batch) -> None:
        if record.id_str is None and record.id is None:
            for notice in ("delete", "limit", "scrub_geo", "status_withheld", "user_withheld"):
                if getattr(record, notice) is not None:
                    batch.note(f"{notice} notices")
                    return
        self._extractor.status(record, batch, True, None)

    def finish_batch(self, batch: Batch) -> None:
        self._extractor.flush_profiles(batch)

    def extract_other(self, value: Any, batch: Batch, source: InputFile, unit: Unit) -> bool:
        if isinstance(value, SearchResponse):
            value = value.statuses
        elif isinstance(value, dict) and isinstance(value.get("statuses"), list):
            value = value["statuses"]
        if isinstance(value, list):
            self.extract_items(value, batch, source, unit)
            return True
        return False


class TwitterV1StatusDocumentReader(TwitterV1StatusReader):
    """The same statuses in a multi-line (pretty-printed) JSON document."""

    whole_document = True


class TwitterV1UserReader(JsonReader):
    """Twitter API v1.1 user objects (users/lookup, users/search): per line or as a JSON array."""

    name = "twitter-v1.1-users"
    description = "Twitter v1.1 user"
    record_type = User
    alternate_types = (list[User],)
    time_formats = {"created_at": TWITTER_V1_TIME, "snapshot_at": TWITTER_V1_TIME}

    def extract(self, record: User, batch: Batch) -> None:
        # A user object carries no collection time of its own; snapshot_at stays empty and any snapshot that
        # carries a time (from a tweet) wins over it.
        batch.accounts.append(user_row(record, None))

    def extract_other(self, value: Any, batch: Batch, source: InputFile, unit: Unit) -> bool:
        if isinstance(value, list):
            self.extract_items(value, batch, source, unit)
            return True
        return False


class TwitterV1UserDocumentReader(TwitterV1UserReader):
    whole_document = True
