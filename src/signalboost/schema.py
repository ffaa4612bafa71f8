"""The canonical tables every reader produces and every detector reads.

Column names and Arrow types are a stable contract (documented in ``docs/data-model.md``). Each table has a key:
one row per key survives deduplication, chosen by the table's ``priority`` columns (highest first), so the result
does not depend on the order in which inputs were ingested.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

TIMESTAMP = pa.timestamp("ms", tz="UTC")


@dataclass(frozen=True)
class TableSpec:
    name: str
    schema: pa.Schema
    key: tuple[str, ...]
    # Sort columns (descending) that decide which duplicate survives; the first row per key after sorting wins.
    priority: tuple[str, ...]
    description: str


ACCOUNTS = TableSpec(
    name="accounts",
    schema=pa.schema(
        [
            ("account_id", pa.string()),
            ("platform", pa.string()),
            ("username", pa.string()),
            ("display_name", pa.string()),
            ("created_at", TIMESTAMP),
            ("description", pa.string()),
            ("location", pa.string()),
            ("url", pa.string()),
            ("verified", pa.bool_()),
            ("protected", pa.bool_()),
            ("followers", pa.int64()),
            ("following", pa.int64()),
            ("statuses", pa.int64()),
            ("favourites", pa.int64()),
            ("listed", pa.int64()),
            ("default_profile", pa.bool_()),
            ("default_profile_image", pa.bool_()),
            ("lang", pa.string()),
            ("snapshot_at", TIMESTAMP),
        ]
    ),
    key=("account_id",),
    priority=("snapshot_at", "followers"),
    description="One row per account; when several profile snapshots exist the latest (snapshot_at) wins.",
)

POSTS = TableSpec(
    name="posts",
    schema=pa.schema(
        [
            ("post_id", pa.string()),
            ("platform", pa.string()),
            ("account_id", pa.string()),
            ("username", pa.string()),
            ("created_at", TIMESTAMP),
            ("text", pa.string()),
            ("lang", pa.string()),
            ("kind", pa.string()),
            ("retweeted_post_id", pa.string()),
            ("retweeted_account_id", pa.string()),
            ("quoted_post_id", pa.string()),
            ("quoted_account_id", pa.string()),
            ("replied_post_id", pa.string()),
            ("replied_account_id", pa.string()),
            ("conversation_id", pa.string()),
            ("source", pa.string()),
            ("board", pa.string()),
            ("thread_id", pa.string()),
            ("chan_poster_id", pa.string()),
            ("country", pa.string()),
            ("retweet_count", pa.int64()),
            ("reply_count", pa.int64()),
            ("like_count", pa.int64()),
            ("quote_count", pa.int64()),
            ("withheld", pa.bool_()),
            ("in_collection", pa.bool_()),
            ("snapshot_at", TIMESTAMP),
        ]
    ),
    key=("post_id",),
    priority=("in_collection", "snapshot_at"),
    description=(
        "One row per post (tweet or 4chan post). in_collection is true for posts that were records of the input, "
        "false for posts seen only embedded in another (a retweeted or quoted original, v2 includes.tweets)."
    ),
)

INTERACTIONS = TableSpec(
    name="interactions",
    schema=pa.schema(
        [
            ("post_id", pa.string()),
            ("platform", pa.string()),
            ("kind", pa.string()),
            ("position", pa.int32()),
            ("source_account_id", pa.string()),
            ("target_account_id", pa.string()),
            ("target_username", pa.string()),
            ("target_post_id", pa.string()),
            ("created_at", TIMESTAMP),
        ]
    ),
    key=("post_id", "kind", "position"),
    priority=(),
    description=(
        "Typed edges from the account behind post_id to a target account and/or post: retweet, quote, reply, "
        "mention. position numbers edges of one kind within a post (a tweet may mention the same account twice). "
        "4chan quotelinks are reply edges whose target is a post."
    ),
)

URLS = TableSpec(
    name="urls",
    schema=pa.schema(
        [
            ("post_id", pa.string()),
            ("platform", pa.string()),
            ("position", pa.int32()),
            ("url", pa.string()),
            ("expanded_url", pa.string()),
            ("normalised_url", pa.string()),
            ("domain", pa.string()),
        ]
    ),
    key=("post_id", "position"),
    priority=(),
    description="Links carried by posts, in order of appearance; normalised_url is what cross-platform matching uses.",
)

HASHTAGS = TableSpec(
    name="hashtags",
    schema=pa.schema(
        [
            ("post_id", pa.string()),
            ("platform", pa.string()),
            ("position", pa.int32()),
            ("tag", pa.string()),
            ("normalised_tag", pa.string()),
        ]
    ),
    key=("post_id", "position"),
    priority=(),
    description="Hashtags carried by posts; normalised_tag is case-folded.",
)

QUARANTINE = TableSpec(
    name="quarantine",
    schema=pa.schema(
        [
            ("file", pa.string()),
            ("line", pa.int64()),
            ("offset", pa.int64()),
            ("location", pa.string()),
            ("reader", pa.string()),
            ("reason", pa.string()),
            ("raw", pa.binary()),
            ("raw_truncated", pa.bool_()),
        ]
    ),
    key=("file", "location", "reason"),
    priority=(),
    description="Every input record that could not be read, with where it was and why; raw keeps its bytes.",
)

DATA_TABLES: tuple[TableSpec, ...] = (ACCOUNTS, POSTS, INTERACTIONS, URLS, HASHTAGS)
ALL_TABLES: tuple[TableSpec, ...] = (*DATA_TABLES, QUARANTINE)
TABLES_BY_NAME = {spec.name: spec for spec in ALL_TABLES}

POST_KINDS = ("original", "retweet", "quote", "reply")
INTERACTION_KINDS = ("retweet", "quote", "reply", "mention")
PLATFORMS = ("twitter", "4chan")
