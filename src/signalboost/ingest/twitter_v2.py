"""Twitter API v2 as twarc2 writes it: response pages (one per line) and twarc's flattened one-tweet lines."""

from __future__ import annotations

from typing import Any

import msgspec

from .base import JsonReader, MissingField
from .batch import ISO_TIME, Batch
from .source import InputFile, Unit
from .text import normalise_url

TWITTER = "twitter"


class Mention(msgspec.Struct, gc=False):
    username: str | None = None
    id: str | None = None


class UrlEntity(msgspec.Struct, gc=False):
    url: str | None = None
    expanded_url: str | None = None
    unwound_url: str | None = None


class Hashtag(msgspec.Struct, gc=False):
    tag: str | None = None


class Entities(msgspec.Struct, gc=False):
    mentions: list[Mention] = []
    urls: list[UrlEntity] = []
    hashtags: list[Hashtag] = []


class TweetMetrics(msgspec.Struct, gc=False):
    retweet_count: int | None = None
    reply_count: int | None = None
    like_count: int | None = None
    quote_count: int | None = None


class UserMetrics(msgspec.Struct, gc=False):
    followers_count: int | None = None
    following_count: int | None = None
    tweet_count: int | None = None
    listed_count: int | None = None
    like_count: int | None = None


class User(msgspec.Struct, gc=False):
    id: str | None = None
    username: str | None = None
    name: str | None = None
    created_at: str | None = None
    description: str | None = None
    location: str | None = None
    url: str | None = None
    verified: bool | None = None
    protected: bool | None = None
    public_metrics: UserMetrics | None = None
    profile_image_url: str | None = None


class NoteTweet(msgspec.Struct, gc=False):
    text: str | None = None
    entities: Entities | None = None


class Twarc(msgspec.Struct, gc=False):
    retrieved_at: str | None = None


class Tweet(msgspec.Struct, gc=False):
    id: str | None = None
    text: str | None = None
    author_id: str | None = None
    created_at: str | None = None
    lang: str | None = None
    conversation_id: str | None = None
    source: str | None = None
    # Pages carry {type, id}; the flattened form puts the whole referenced tweet here, plus its type.
    referenced_tweets: list[Tweet] = []
    type: str | None = None
    in_reply_to_user_id: str | None = None
    entities: Entities | None = None
    note_tweet: NoteTweet | None = None
    public_metrics: TweetMetrics | None = None
    withheld: Any = None
    # Flattened form only.
    author: User | None = None
    in_reply_to_user: User | None = None
    twarc: Twarc | None = msgspec.field(default=None, name="__twarc")


class Includes(msgspec.Struct, gc=False):
    users: list[User] = []
    tweets: list[Tweet] = []


class ApiError(msgspec.Struct, gc=False):
    title: str | None = None
    resource_type: str | None = None
    detail: str | None = None


class Page(msgspec.Struct, gc=False):
    data: list[Tweet] | Tweet | None = None
    includes: Includes | None = None
    errors: list[ApiError] = []
    twarc: Twarc | None = msgspec.field(default=None, name="__twarc")


class UserPage(msgspec.Struct, gc=False):
    data: list[User] | User | None = None
    errors: list[ApiError] = []
    twarc: Twarc | None = msgspec.field(default=None, name="__twarc")


def add_user(user: User, batch: Batch, snapshot: str | None) -> str:
    if not user.id:
        raise MissingField("user id")
    metrics = user.public_metrics
    image = user.profile_image_url
    default_image = ("default_profile_images" in image) if image else None
    if metrics is None:
        followers = following = statuses = listed = favourites = None
    else:
        followers, following = metrics.followers_count, metrics.following_count
        statuses, listed, favourites = metrics.tweet_count, metrics.listed_count, metrics.like_count
    batch.accounts.append(
        (
            user.id, TWITTER, user.username, user.name, user.created_at, user.description or None,
            user.location or None, user.url or None, user.verified, user.protected, followers, following,
            statuses, favourites, listed, None, default_image, None, snapshot,
        )
    )  # fmt: skip
    return user.id


def add_tweet(
    tweet: Tweet,
    batch: Batch,
    in_collection: bool,
    snapshot: str | None,
    tweets_by_id: dict[str, Tweet],
    users_by_id: dict[str, User],
    users_by_name: dict[str, User],
) -> None:
    post_id = tweet.id
    if not post_id:
        raise MissingField("id")
    created_at = tweet.created_at
    author = tweet.author
    if author is not None:  # flattened
        add_user(author, batch, snapshot)
    if tweet.in_reply_to_user is not None:
        add_user(tweet.in_reply_to_user, batch, snapshot)
    account_id = tweet.author_id or (author.id if author is not None else None)
    user = author if author is not None else users_by_id.get(account_id) if account_id else None
    username = user.username if user is not None else None

    note = tweet.note_tweet
    text = note.text if note is not None and note.text else tweet.text
    entities = note.entities if note is not None and note.entities is not None else tweet.entities

    kind = "original"
    retweeted_post = retweeted_account = quoted_post = quoted_account = replied_post = None
    interactions = batch.interactions
    for reference in tweet.referenced_tweets:
        ref_id = reference.id
        if reference.author is not None or reference.text is not None:  # a whole tweet (flattened)
            add_tweet(reference, batch, False, snapshot, tweets_by_id, users_by_id, users_by_name)
            referenced = reference
        else:
            referenced = tweets_by_id.get(ref_id) if ref_id else None
        ref_account = referenced.author_id or (
            referenced.author.id if referenced.author is not None else None
        ) if referenced is not None else None
        ref_user = users_by_id.get(ref_account) if ref_account else None
        ref_username = ref_user.username if ref_user is not None else (
            referenced.author.username if referenced is not None and referenced.author is not None else None
        )
        kind_of_reference = reference.type
        if kind_of_reference == "retweeted":
            retweeted_post, retweeted_account = ref_id, ref_account
            edge = "retweet"
        elif kind_of_reference == "quoted":
            quoted_post, quoted_account = ref_id, ref_account
            edge = "quote"
        elif kind_of_reference == "replied_to":
            replied_post = ref_id
            edge = "reply"
            if ref_account is None:
                ref_account = tweet.in_reply_to_user_id
        else:
            continue
        interactions.append((post_id, TWITTER, edge, 0, account_id, ref_account, ref_username, ref_id, created_at))
    if retweeted_post is not None:
        kind = "retweet"
    elif quoted_post is not None:
        kind = "quote"
    elif replied_post is not None or tweet.in_reply_to_user_id:
        kind = "reply"
    replied_account = tweet.in_reply_to_user_id
    if replied_post is None and replied_account:
        interactions.append((post_id, TWITTER, "reply", 0, account_id, replied_account, None, None, created_at))

    if entities is not None:
        for position, mention in enumerate(entities.mentions):
            mention_id = mention.id
            if mention_id is None and mention.username:
                known = users_by_name.get(mention.username.lower())
                mention_id = known.id if known is not None else None
            interactions.append(
                (post_id, TWITTER, "mention", position, account_id, mention_id, mention.username, None, created_at)
            )
        urls = batch.urls
        for position, link in enumerate(entities.urls):
            raw = link.url or link.expanded_url
            if not raw:
                continue
            expanded = link.unwound_url or link.expanded_url
            normalised, domain = normalise_url(expanded or raw)
            urls.append((post_id, TWITTER, position, raw, expanded, normalised, domain))
        hashtags = batch.hashtags
        for position, tag in enumerate(entities.hashtags):
            if tag.tag:
                hashtags.append((post_id, TWITTER, position, tag.tag, tag.tag.casefold()))

    metrics = tweet.public_metrics
    if metrics is None:
        retweets = replies = likes = quotes = None
    else:
        retweets, replies, likes, quotes = (
            metrics.retweet_count, metrics.reply_count, metrics.like_count, metrics.quote_count
        )
    withheld = tweet.withheld is not None
    if withheld:
        batch.note("withheld posts")
    batch.posts.append(
        (
            post_id, TWITTER, account_id, username, created_at, text, tweet.lang, kind,
            retweeted_post, retweeted_account, quoted_post, quoted_account, replied_post, replied_account,
            tweet.conversation_id, tweet.source, None, None, None, None,
            retweets, replies, likes, quotes, withheld, in_collection, snapshot,
        )
    )  # fmt: skip


def note_errors(errors: list[ApiError], batch: Batch) -> None:
    for error in errors:
        batch.note(f"API errors: {error.title or 'untitled'} ({error.resource_type or 'unknown resource'})")


class TwitterV2PageReader(JsonReader):
    """twarc2 output: one v2 response page per line (``data``, ``includes.users/tweets``, ``errors``)."""

    name = "twitter-v2"
    description = "Twitter v2 response page"
    record_type = Page
    time_formats = {"created_at": ISO_TIME, "snapshot_at": ISO_TIME}
    fast_extractor = "extract_v2_pages"

    def extract(self, page: Page, batch: Batch) -> None:
        note_errors(page.errors, batch)
        data = page.data
        if data is None:
            if not page.errors:
                raise MissingField("data (a v2 page without data or errors)")
            return
        if not isinstance(data, list):
            data = [data]  # filtered-stream lines carry a single tweet
        includes = page.includes or Includes()
        snapshot = page.twarc.retrieved_at if page.twarc is not None else None
        users_by_id = {user.id: user for user in includes.users if user.id}
        users_by_name = {user.username.lower(): user for user in includes.users if user.username}
        tweets_by_id = {tweet.id: tweet for tweet in includes.tweets if tweet.id}
        for user in includes.users:
            add_user(user, batch, snapshot)
        for tweet in data:
            add_tweet(tweet, batch, True, snapshot, tweets_by_id, users_by_id, users_by_name)
        for tweet in includes.tweets:
            add_tweet(tweet, batch, False, snapshot, tweets_by_id, users_by_id, users_by_name)


class TwitterV2FlatReader(JsonReader):
    """twarc2's flattened form (``twarc2 flatten``): one tweet per line with ``author`` and references inline."""

    name = "twitter-v2-flat"
    description = "Twitter v2 flattened tweet"
    record_type = Tweet
    time_formats = {"created_at": ISO_TIME, "snapshot_at": ISO_TIME}
    fast_extractor = "extract_v2_flat"

    _empty: dict = {}

    def extract(self, tweet: Tweet, batch: Batch) -> None:
        snapshot = tweet.twarc.retrieved_at if tweet.twarc is not None else None
        add_tweet(tweet, batch, True, snapshot, self._empty, self._empty, self._empty)


class TwitterV2UserReader(JsonReader):
    """v2 user lookup pages as twarc2 writes them: ``data`` is a list of users."""

    name = "twitter-v2-users"
    description = "Twitter v2 user page"
    record_type = UserPage
    time_formats = {"created_at": ISO_TIME, "snapshot_at": ISO_TIME}

    def extract(self, page: UserPage, batch: Batch) -> None:
        note_errors(page.errors, batch)
        snapshot = page.twarc.retrieved_at if page.twarc is not None else None
        data = page.data
        if data is None:
            if not page.errors:
                raise MissingField("data")
            return
        for user in data if isinstance(data, list) else [data]:
            add_user(user, batch, snapshot)


class TwitterV2UserLineReader(JsonReader):
    """v2 user objects, one per line or as a JSON array."""

    name = "twitter-v2-user-lines"
    description = "Twitter v2 user"
    record_type = User
    alternate_types = (list[User],)
    time_formats = {"created_at": ISO_TIME, "snapshot_at": ISO_TIME}

    def extract(self, user: User, batch: Batch) -> None:
        add_user(user, batch, None)

    def extract_other(self, value: Any, batch: Batch, source: InputFile, unit: Unit) -> bool:
        if isinstance(value, list):
            self.extract_items(value, batch, source, unit)
            return True
        return False
