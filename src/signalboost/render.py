"""Render posts as platform JSON (Twitter v1.1 statuses, v2 twarc2 pages, 4chan threads).

Used by the campaign simulator and the benchmarks to write files in exactly the shapes the readers accept from
real collections; every field a reader looks at is filled the way the platform fills it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

V1_TIME = "%a %b %d %H:%M:%S +0000 %Y"


@dataclass
class Profile:
    id: str
    username: str
    name: str
    created_at: datetime
    followers: int = 100
    following: int = 100
    statuses: int = 1000
    favourites: int = 500
    listed: int = 1
    description: str = ""
    location: str = ""
    verified: bool = False
    default_profile: bool = False
    default_profile_image: bool = False
    lang: str = "en"


@dataclass
class Tweet:
    id: str
    author: Profile
    created_at: datetime
    text: str
    lang: str = "en"
    source: str = "Twitter Web Client"
    retweet_of: Tweet | None = None
    quote_of: Tweet | None = None
    reply_to: Tweet | None = None
    mentions: list[Profile] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    retweet_count: int = 0
    like_count: int = 0


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _v1_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(V1_TIME)


def _tco(url: str) -> str:
    return "https://t.co/" + format(abs(hash(url)) % 10**10, "010d")


def v1_user(profile: Profile) -> dict:
    return {
        "id": int(profile.id), "id_str": profile.id, "name": profile.name, "screen_name": profile.username,
        "location": profile.location, "url": None, "description": profile.description, "protected": False,
        "verified": profile.verified, "followers_count": profile.followers, "friends_count": profile.following,
        "listed_count": profile.listed, "favourites_count": profile.favourites, "statuses_count": profile.statuses,
        "created_at": _v1_time(profile.created_at), "utc_offset": None, "time_zone": None, "geo_enabled": False,
        "lang": profile.lang, "contributors_enabled": False, "is_translator": False,
        "profile_background_color": "C0DEED", "profile_image_url_https": (
            "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"
            if profile.default_profile_image else f"https://pbs.twimg.com/profile_images/{profile.id}/a_normal.jpg"
        ),
        "profile_link_color": "1DA1F2", "profile_use_background_image": True,
        "default_profile": profile.default_profile, "default_profile_image": profile.default_profile_image,
        "following": None, "follow_request_sent": None, "notifications": None,
    }  # fmt: skip


def v1_status(tweet: Tweet) -> dict:
    """A v1.1 status object as the streaming and REST APIs return it."""
    text = tweet.text
    if tweet.retweet_of is not None:
        text = f"RT @{tweet.retweet_of.author.username}: {tweet.retweet_of.text}"[:140]
    mentions = list(tweet.mentions)
    if tweet.retweet_of is not None:
        mentions = [tweet.retweet_of.author, *tweet.retweet_of.mentions]
    status = {
        "created_at": _v1_time(tweet.created_at), "id": int(tweet.id), "id_str": tweet.id, "text": text,
        "source": f'<a href="http://twitter.com" rel="nofollow">{tweet.source}</a>', "truncated": False,
        "in_reply_to_status_id": int(tweet.reply_to.id) if tweet.reply_to else None,
        "in_reply_to_status_id_str": tweet.reply_to.id if tweet.reply_to else None,
        "in_reply_to_user_id": int(tweet.reply_to.author.id) if tweet.reply_to else None,
        "in_reply_to_user_id_str": tweet.reply_to.author.id if tweet.reply_to else None,
        "in_reply_to_screen_name": tweet.reply_to.author.username if tweet.reply_to else None,
        "user": v1_user(tweet.author), "geo": None, "coordinates": None, "place": None, "contributors": None,
        "is_quote_status": tweet.quote_of is not None, "retweet_count": tweet.retweet_count,
        "favorite_count": tweet.like_count,
        "entities": {
            "hashtags": [{"text": tag, "indices": [0, len(tag) + 1]} for tag in tweet.hashtags],
            "urls": [
                {"url": _tco(url), "expanded_url": url, "display_url": url[8:40], "indices": [0, 23]}
                for url in tweet.urls
            ],
            "user_mentions": [
                {"screen_name": p.username, "name": p.name, "id": int(p.id), "id_str": p.id, "indices": [0, 1]}
                for p in mentions
            ],
            "symbols": [],
        },
        "favorited": False, "retweeted": False, "filter_level": "low", "lang": tweet.lang,
        "timestamp_ms": str(int(tweet.created_at.timestamp() * 1000)),
    }  # fmt: skip
    if tweet.retweet_of is not None:
        status["retweeted_status"] = v1_status(tweet.retweet_of)
    if tweet.quote_of is not None:
        status["quoted_status_id"] = int(tweet.quote_of.id)
        status["quoted_status_id_str"] = tweet.quote_of.id
        status["quoted_status"] = v1_status(tweet.quote_of)
    return status


def v2_user(profile: Profile) -> dict:
    return {
        "id": profile.id, "username": profile.username, "name": profile.name,
        "created_at": _iso(profile.created_at), "description": profile.description,
        "location": profile.location or None, "url": "", "verified": profile.verified, "protected": False,
        "profile_image_url": (
            "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"
            if profile.default_profile_image else f"https://pbs.twimg.com/profile_images/{profile.id}/a_normal.jpg"
        ),
        "public_metrics": {
            "followers_count": profile.followers, "following_count": profile.following,
            "tweet_count": profile.statuses, "listed_count": profile.listed,
        },
    }  # fmt: skip


def v2_tweet(tweet: Tweet) -> dict:
    text = tweet.text
    if tweet.retweet_of is not None:
        text = f"RT @{tweet.retweet_of.author.username}: {tweet.retweet_of.text}"
    mentions = list(tweet.mentions)
    if tweet.retweet_of is not None:
        mentions = [tweet.retweet_of.author, *tweet.retweet_of.mentions]
    references = []
    if tweet.retweet_of is not None:
        references.append({"type": "retweeted", "id": tweet.retweet_of.id})
    if tweet.quote_of is not None:
        references.append({"type": "quoted", "id": tweet.quote_of.id})
    if tweet.reply_to is not None:
        references.append({"type": "replied_to", "id": tweet.reply_to.id})
    data = {
        "id": tweet.id, "text": text, "author_id": tweet.author.id, "created_at": _iso(tweet.created_at),
        "lang": tweet.lang, "source": tweet.source, "conversation_id": tweet.reply_to.id if tweet.reply_to else tweet.id,
        "possibly_sensitive": False, "reply_settings": "everyone",
        "public_metrics": {"retweet_count": tweet.retweet_count, "reply_count": 0, "like_count": tweet.like_count,
                           "quote_count": 0},
        "entities": {
            "mentions": [{"start": 0, "end": 1, "username": p.username, "id": p.id} for p in mentions],
            "urls": [{"start": 0, "end": 23, "url": _tco(u), "expanded_url": u, "display_url": u[8:40]}
                     for u in tweet.urls],
            "hashtags": [{"start": 0, "end": len(t) + 1, "tag": t} for t in tweet.hashtags],
        },
    }  # fmt: skip
    if references:
        data["referenced_tweets"] = references
    if tweet.reply_to is not None:
        data["in_reply_to_user_id"] = tweet.reply_to.author.id
    return data


def v2_page(tweets: list[Tweet], retrieved_at: datetime) -> dict:
    """One twarc2 response page: data, includes.users/tweets (expansions), meta and the __twarc envelope."""
    users: dict[str, dict] = {}
    included: dict[str, dict] = {}
    for tweet in tweets:
        users.setdefault(tweet.author.id, v2_user(tweet.author))
        for referenced in (tweet.retweet_of, tweet.quote_of, tweet.reply_to):
            if referenced is not None:
                included.setdefault(referenced.id, v2_tweet(referenced))
                users.setdefault(referenced.author.id, v2_user(referenced.author))
        for mentioned in tweet.mentions:
            users.setdefault(mentioned.id, v2_user(mentioned))
    return {
        "data": [v2_tweet(tweet) for tweet in tweets],
        "includes": {"users": list(users.values()), "tweets": list(included.values())},
        "meta": {"result_count": len(tweets), "newest_id": tweets[0].id if tweets else None,
                 "oldest_id": tweets[-1].id if tweets else None},
        "__twarc": {"url": "https://api.twitter.com/2/tweets/search/all", "version": "2.12.0",
                    "retrieved_at": retrieved_at.astimezone(UTC).isoformat()},
    }  # fmt: skip


def chan_thread(posts: list[dict]) -> dict:
    """A 4chan API thread: ``posts`` is a list of dicts with no, resto, time, name, com (HTML) and extras."""
    rendered = []
    for post in posts:
        moment = datetime.fromtimestamp(post["time"], UTC)
        item = {"no": post["no"], "now": moment.strftime("%m/%d/%y(%a)%H:%M:%S"), "name": post.get("name", "Anonymous"),
                "com": post.get("com", ""), "time": post["time"], "resto": post.get("resto", 0)}  # fmt: skip
        for extra in ("sub", "id", "country", "trip"):
            if post.get(extra):
                item[extra] = post[extra]
        rendered.append(item)
    return {"posts": rendered}
