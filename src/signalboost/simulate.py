"""A leak campaign with known truth, written in the platforms' own formats.

The story follows the #MacronLeaks reconstruction (Ferrara, First Monday 2017; DFRLab): an anonymous user dumps
links on 4chan /pol/; a few catalyst accounts carry them to Twitter within minutes; botnets (old, reactivated,
created in batches, posting from automation clients) retweet the catalysts within seconds; hours later a celebrity
account takes the story mainstream and an organic cascade follows. Around it: background conversation, news
accounts that post early about the election in general (not the leak), and a fan community that retweets its
favourite account fast but irregularly (humans, not automation).

Only the files are for detectors: ``truth.json`` is for evaluation and never read by the library.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from .render import Profile, Tweet, chan_thread, v1_status, v2_page

LEAK_START = datetime(2017, 5, 5, 18, 0, tzinfo=UTC)
HUMAN_CLIENTS = ("Twitter for iPhone", "Twitter for Android", "Twitter Web Client", "TweetDeck", "Twitter for iPad")
BOT_CLIENTS = ("twittbot.net", "Botize", "IFTTT", "dlvr.it")
WORDS = ["france", "election", "macron", "le", "pen", "vote", "debate", "campaign", "media", "truth", "emails", "documents", "leak", "paris", "news", "president", "breaking", "share", "watch", "tonight", "people"]  # fmt: skip


@dataclass
class Truth:
    leak_urls: list[str]
    chan_thread: str
    catalysts: list[str]
    catalyst_tweets: list[str]
    celebrity: str
    botnets: dict[str, list[str]]
    fans: list[str]
    fan_idol: str
    news_decoys: list[str]
    humans: list[str] = field(default_factory=list)

    @property
    def bots(self) -> list[str]:
        return [bot for members in self.botnets.values() for bot in members]


@dataclass
class SimulatedCampaign:
    tweets: list[Tweet]
    chan_posts: list[dict]
    truth: Truth


class _Ids:
    def __init__(self, start: int):
        self.next = start

    def __call__(self) -> str:
        self.next += 1
        return str(self.next)


def simulate_campaign(tweets: int = 5000, *, seed: int = 0) -> SimulatedCampaign:
    """Build a campaign of about ``tweets`` tweets plus its 4chan thread; deterministic for a given ``seed``."""
    rng = np.random.default_rng(seed)
    scale = max(tweets / 5000, 0.2)
    account_id = _Ids(700_000_000)
    tweet_id = _Ids(860_000_000_000_000_000)

    def profile(kind: str, index: int, **extra) -> Profile:
        created = extra.pop("created_at", LEAK_START - timedelta(days=int(rng.integers(200, 3500))))
        return Profile(
            id=account_id(), username=f"{kind}{index}_{int(rng.integers(10, 99))}", name=f"{kind.title()} {index}",
            created_at=created, followers=extra.pop("followers", int(rng.lognormal(5, 1.5))),
            following=extra.pop("following", int(rng.lognormal(5.5, 1))),
            statuses=extra.pop("statuses", int(rng.lognormal(7, 1.5))), description=extra.pop("description", "Citoyen"),
            location=extra.pop("location", "France"), lang="fr", **extra,
        )  # fmt: skip

    def text(words: int = 10) -> str:
        return " ".join(rng.choice(WORDS, size=words))

    leak_urls = [f"https://archive.org/details/EMLEAKS-{part}" for part in ("a", "b")] + [
        "https://pastebin.com/raw/MacronLeaks9"
    ]
    # Accounts.
    humans = [profile("citizen", i) for i in range(int(1200 * scale))]
    catalysts = [profile("catalyst", i, followers=int(rng.integers(800, 4000)), description="Truth seeker. #MAGA")
                 for i in range(3)]  # fmt: skip
    celebrity = profile("leaks", 0, followers=5_000_000, statuses=60_000, verified=True, description="We publish")
    news = [profile("news", i, followers=int(rng.integers(200_000, 900_000)), statuses=200_000, verified=True)
            for i in range(3)]  # fmt: skip
    idol = profile("singer", 0, followers=2_000_000, verified=True)
    fans = [profile("fan", i) for i in range(int(60 * scale**0.7) + 10)]  # a fan base, not a fixed share
    botnets: dict[str, list[Profile]] = {}
    for net in range(3):
        created = LEAK_START - timedelta(days=int(rng.integers(250, 400)))  # created in one batch, then dormant
        botnets[f"botnet{net}"] = [
            profile(f"bot{net}x", i, created_at=created + timedelta(minutes=int(rng.integers(0, 90))),
                    followers=int(rng.integers(5, 60)), following=int(rng.integers(300, 1500)),
                    statuses=int(rng.integers(20_000, 90_000)), description="", default_profile=True,
                    default_profile_image=True)  # fmt: skip
            for i in range(int(40 * scale**0.7) + 8)  # botnets grow slower than the conversation
        ]

    posts: list[Tweet] = []

    def post(author: Profile, when: datetime, client: str, **kwargs) -> Tweet:
        item = Tweet(id=tweet_id(), author=author, created_at=when, text=kwargs.pop("text", text()), source=client,
                     lang="fr", **kwargs)  # fmt: skip
        posts.append(item)
        return item

    # 4chan: the dump thread, replies quoting each other, and later posts linking the tweets.
    thread_no = 120_000_000
    chan_posts = [{
        "no": thread_no, "resto": 0, "time": int(LEAK_START.timestamp()), "sub": "MACRON LEAKS",
        "com": "Macron campaign emails dumped<br>" + "<br>".join(
            url[:30] + "<wbr>" + url[30:] for url in leak_urls
        ) + "<br>spread it before the blackout", "country": "US",
    }]  # fmt: skip
    for i in range(1, int(40 * scale) + 5):
        quoted = int(rng.integers(0, i))
        chan_posts.append({
            "no": thread_no + i, "resto": thread_no, "time": int(LEAK_START.timestamp()) + 30 * i,
            "com": f'<a href="#p{chan_posts[quoted]["no"]}" class="quotelink">&gt;&gt;{chan_posts[quoted]["no"]}'
                   f"</a><br>{text(6)}", "country": str(rng.choice(["US", "GB", "FR", "CA"])),
        })  # fmt: skip

    # Background before the leak: news accounts posting about the election (early, popular, not the leak).
    for i in range(int(250 * scale)):
        when = LEAK_START - timedelta(hours=6) + timedelta(seconds=float(rng.uniform(0, 30 * 3600)))
        author = news[i % len(news)] if i % 5 == 0 else humans[int(rng.integers(len(humans)))]
        post(author, when, str(rng.choice(HUMAN_CLIENTS)), hashtags=["Presidentielle2017"],
             urls=[f"https://news.example.fr/article/{i}"] if author in news else [])  # fmt: skip
    news_posts = [p for p in posts if p.author in news]
    for original in news_posts:
        for _ in range(int(rng.poisson(6))):
            fan = humans[int(rng.integers(len(humans)))]
            post(fan, original.created_at + timedelta(minutes=float(rng.exponential(90))),
                 str(rng.choice(HUMAN_CLIENTS)), text="", retweet_of=original)  # fmt: skip

    # Catalysts carry the links to Twitter minutes after the dump.
    catalyst_tweets = []
    for index, catalyst in enumerate(catalysts):
        when = LEAK_START + timedelta(minutes=2 + 4 * index + float(rng.uniform(0, 2)))
        catalyst_tweets.append(post(catalyst, when, "Twitter Web Client", hashtags=["MacronLeaks"],
                                    urls=[leak_urls[index % len(leak_urls)]],
                                    text=f"Massive leak of Macron campaign emails {text(4)}"))  # fmt: skip

    # Botnets: each retweets every catalyst tweet within seconds, then keeps pushing the hashtag on a schedule.
    for net, members in enumerate(botnets.values()):
        client = BOT_CLIENTS[net % len(BOT_CLIENTS)]
        for origin in catalyst_tweets:
            start = origin.created_at + timedelta(seconds=float(rng.uniform(5, 40)))
            for member in members:
                post(member, start + timedelta(seconds=float(rng.uniform(0, 60))), client, text="", retweet_of=origin)
        for round_ in range(int(6 * min(scale, 4)) + 2):
            start = LEAK_START + timedelta(minutes=30 + 20 * round_ + 7 * net)  # each net has its own schedule
            link = leak_urls[round_ % len(leak_urls)]
            for member in members:
                post(member, start + timedelta(seconds=float(rng.uniform(0, 30))), client,
                     hashtags=["MacronLeaks"], urls=[link], text=f"#MacronLeaks {text(5)}")  # fmt: skip

    # The celebrity takes it mainstream hours later; an organic cascade with heavy-tailed delays follows.
    mainstream = post(celebrity, LEAK_START + timedelta(hours=3, minutes=5), "TweetDeck", hashtags=["MacronLeaks"],
                      urls=[leak_urls[0]], text="#MacronLeaks: campaign emails, verified authenticity unknown")
    for _ in range(int(900 * scale)):
        fan = humans[int(rng.integers(len(humans)))]
        delay = timedelta(minutes=float(rng.lognormal(3.5, 1.2)))
        post(fan, mainstream.created_at + delay, str(rng.choice(HUMAN_CLIENTS)), text="", retweet_of=mainstream)
    for origin in catalyst_tweets:
        for _ in range(int(rng.poisson(25 * scale))):
            fan = humans[int(rng.integers(len(humans)))]
            post(fan, origin.created_at + timedelta(minutes=float(rng.lognormal(3, 1.3))),
                 str(rng.choice(HUMAN_CLIENTS)), text="", retweet_of=origin)  # fmt: skip

    # A fan community: fast, bursty retweets of their idol, but human (irregular, many clients, diurnal).
    for song in range(int(8 * min(scale, 5)) + 2):
        when = LEAK_START - timedelta(hours=20) + timedelta(hours=float(rng.uniform(0, 40)))
        original = post(idol, when, "Twitter for iPhone", hashtags=["NewSingle"], text=f"New song {song} out now")
        for fan in fans:
            if rng.random() < 0.7:
                post(fan, when + timedelta(seconds=float(rng.lognormal(4.5, 1.0))), str(rng.choice(HUMAN_CLIENTS)),
                     text="", retweet_of=original)  # fmt: skip

    # Conversation: replies, quotes and mentions among humans, and humans quoting the leak.
    while len(posts) < tweets:
        author = humans[int(rng.integers(len(humans)))]
        when = LEAK_START - timedelta(hours=6) + timedelta(seconds=float(rng.uniform(0, 40 * 3600)))
        roll = rng.random()
        earlier = posts[int(rng.integers(len(posts)))]
        if roll < 0.2 and earlier.created_at < when:
            post(author, when, str(rng.choice(HUMAN_CLIENTS)), reply_to=earlier, mentions=[earlier.author])
        elif roll < 0.3 and earlier.created_at < when:
            post(author, when, str(rng.choice(HUMAN_CLIENTS)), quote_of=earlier)
        else:
            post(author, when, str(rng.choice(HUMAN_CLIENTS)),
                 mentions=[humans[int(rng.integers(len(humans)))]] if roll > 0.85 else [])  # fmt: skip

    # 4chan posts that link the catalyst tweets back (the loop closing across platforms).
    for i, origin in enumerate(catalyst_tweets):
        chan_posts.append({
            "no": thread_no + 10_000 + i, "resto": thread_no,
            "time": int((origin.created_at + timedelta(minutes=20)).timestamp()),
            "com": f"it&#039;s spreading https://twitter.com/{origin.author.username}/status/{origin.id}",
            "country": "US",
        })  # fmt: skip

    posts.sort(key=lambda item: item.created_at)
    truth = Truth(
        leak_urls=leak_urls, chan_thread=f"4chan/pol/{thread_no}", catalysts=[c.id for c in catalysts],
        catalyst_tweets=[t.id for t in catalyst_tweets], celebrity=celebrity.id,
        botnets={name: [m.id for m in members] for name, members in botnets.items()}, fans=[f.id for f in fans],
        fan_idol=idol.id, news_decoys=[n.id for n in news], humans=[h.id for h in humans],
    )  # fmt: skip
    return SimulatedCampaign(posts, chan_posts, truth)


def write_campaign(campaign: SimulatedCampaign, out_dir: str | Path, *, v1: bool = False) -> dict[str, Path]:
    """Write twarc2 v2 pages (100 tweets a line), optionally v1.1 statuses, the /pol/ thread and truth.json."""
    out = Path(out_dir)
    (out / "pol" / "thread").mkdir(parents=True, exist_ok=True)
    paths = {"v2": out / "tweets_v2.jsonl", "chan": out / "pol" / "thread" / f"{campaign.chan_posts[0]['no']}.json",
             "truth": out / "truth.json"}  # fmt: skip
    with open(paths["v2"], "w", encoding="utf-8") as handle:
        for start in range(0, len(campaign.tweets), 100):
            page = campaign.tweets[start : start + 100]
            retrieved = page[-1].created_at + timedelta(minutes=1)
            handle.write(json.dumps(v2_page(page, retrieved)) + "\n")
    if v1:
        paths["v1"] = out / "tweets_v1.jsonl"
        with open(paths["v1"], "w", encoding="utf-8") as handle:
            for tweet in campaign.tweets:
                handle.write(json.dumps(v1_status(tweet)) + "\n")
    paths["chan"].write_text(json.dumps(chan_thread(campaign.chan_posts)), encoding="utf-8")
    truth = asdict(campaign.truth)
    truth["note"] = "Ground truth for evaluation only; signalboost's detectors never read this file."
    paths["truth"].write_text(json.dumps(truth, indent=1), encoding="utf-8")
    return paths


def simulate(out_dir: str | Path, tweets: int = 5000, *, seed: int = 0, v1: bool = False) -> dict[str, Path]:
    """Simulate a campaign and write it; returns the paths written."""
    return write_campaign(simulate_campaign(tweets, seed=seed), out_dir, v1=v1)


def expected_sizes(tweets: int) -> dict[str, int]:
    """Roughly how many accounts of each kind a campaign of ``tweets`` has (for docs and tests)."""
    scale = max(tweets / 5000, 0.2)
    return {"humans": int(1200 * scale), "bots_per_net": int(40 * scale**0.7) + 8, "fans": int(60 * scale**0.7) + 10,
            "catalysts": 3, "botnets": 3, "log_scale": int(math.log10(max(tweets, 1)))}  # fmt: skip
