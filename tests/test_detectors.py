"""Known-answer tests for the interaction graph and each detector, on tiny hand-built cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from signalboost.detect import cross_platform_links, find_amplifier_clusters, find_communities, rank_catalysts
from signalboost.detect.amplifiers import coaction_matrix, estimate_window
from signalboost.graph import account_edges, build_graph, edge_posts, to_networkx
from signalboost.render import Profile, Tweet

T0 = datetime(2017, 5, 5, 18, 0, tzinfo=UTC)


def person(i, **extra):
    extra.setdefault("followers", 300)
    return Profile(id=str(100 + i), username=f"user{i}", name=f"User {i}", created_at=T0 - timedelta(days=500), **extra)


class Ids:
    def __init__(self):
        self.n = 1000

    def __call__(self):
        self.n += 1
        return str(self.n)


def tweet(ids, author, seconds, **kwargs):
    kwargs.setdefault("text", f"post {ids.n}")
    return Tweet(id=ids(), author=author, created_at=T0 + timedelta(seconds=seconds), **kwargs)


def test_account_edges_keep_their_posts(case_of):
    ids = Ids()
    a, b, c = person(1), person(2), person(3)
    original = tweet(ids, a, 0, mentions=[c])
    rt1 = tweet(ids, b, 10, retweet_of=original)
    rt2 = tweet(ids, b, 20, retweet_of=tweet(ids, a, 15))
    reply = tweet(ids, c, 30, reply_to=original, mentions=[a])
    case = case_of([original, rt1, rt2, reply])
    edges = account_edges(case)
    table = {(e.source, e.target, e.kind): e for e in edges.itertuples()}
    retweets = table[(b.id, a.id, "retweet")]
    assert retweets.weight == 2 and retweets.post_ids == [rt1.id, rt2.id]
    assert table[(a.id, c.id, "mention")].post_ids == [original.id]
    assert table[(c.id, a.id, "reply")].weight == 1
    # The RT @author mention a platform lists on each retweet is not a second edge.
    assert (b.id, a.id, "mention") not in table
    graph = build_graph(edges, case.accounts)
    assert graph.vcount() == 3 and graph.ecount() == len(edges)
    assert set(graph.vs["username"]) == {"user1", "user2", "user3"}
    assert to_networkx(graph).number_of_edges() == len(edges)
    explained = edge_posts(case, "user2", "@user1")
    assert explained["post_id"].tolist() == [rt1.id, rt2.id]
    with pytest.raises(ValueError, match="unknown interaction kinds"):
        account_edges(case, ["like"])


def test_crosslinks_known_pairs(case_of):
    ids = Ids()
    carrier, late, echo = person(1), person(2), person(3)
    leak = "https://archive.org/details/EMLEAKS"
    first = tweet(ids, carrier, 120, urls=[leak])
    second = tweet(ids, late, 600, urls=[leak + "?utm_source=x"])
    linker = tweet(ids, echo, 700, urls=["https://boards.4chan.org/pol/thread/900#p905"])
    chan = [
        {"no": 900, "time": int(T0.timestamp()), "com": "dump: https://archive.org/details/EM<wbr>LEAKS"},
        {"no": 905, "resto": 900, "time": int(T0.timestamp()) + 60, "com": "bump"},
        {"no": 910, "resto": 900, "time": int(T0.timestamp()) + 900,
         "com": f"it is out https://x.com/{carrier.username}/status/{first.id}"},
    ]  # fmt: skip
    case = case_of([first, second, linker], chan)
    links = cross_platform_links(case)
    pairs = links.pairs.set_index(["evidence", "tweet_id"])
    shared = pairs.loc["shared-url"]
    assert shared.loc[first.id, "chan_post"] == "4chan/pol/900" and shared.loc[first.id, "lag_s"] == 120
    assert shared.loc[second.id, "lag_s"] == 600 and shared.loc[first.id, "direction"] == "4chan->twitter"
    back = pairs.loc[("chan-links-tweet", first.id)]
    assert back["chan_post"] == "4chan/pol/910" and back["direction"] == "twitter->4chan" and back["lag_s"] == -780
    into = pairs.loc[("tweet-links-chan", linker.id)]
    assert into["chan_post"] == "4chan/pol/905" and into["chan_thread"] == "4chan/pol/900" and into["lag_s"] == 640
    sighting = links.first_sightings.set_index("url").loc[leak]
    assert sighting["first_platform"] == "4chan" and sighting["first_tweet_id"] == first.id
    assert links.bridges["account_id"].tolist()[:2] == [carrier.id, late.id]


def test_catalyst_cascade_known_answer(case_of):
    ids = Ids()
    catalyst = person(1, followers=900)
    news = person(2, followers=400_000)
    celebrity = person(3, followers=5_000_000)
    bots = [person(10 + i, followers=20) for i in range(20)]
    crowd = [person(50 + i) for i in range(40)]
    leak = "https://pastebin.com/raw/leak"
    tweets = [tweet(ids, news, -3600 * 3, hashtags=["Election"], text="Election night coverage tonight")]
    tweets += [tweet(ids, person(90 + i), -3600 + i * 60, hashtags=["Election"]) for i in range(6)]
    tweets += [tweet(ids, crowd[i], 3600 * (i + 1), retweet_of=tweets[0]) for i in range(4)]
    seed = tweet(ids, catalyst, 60, urls=[leak], hashtags=["Leaks"], text="Massive leak, read it all")
    tweets.append(seed)
    tweets += [tweet(ids, bot, 70 + 2 * i, retweet_of=seed) for i, bot in enumerate(bots)]
    late = tweet(ids, celebrity, 3 * 3600, urls=[leak], text="Documents published, authenticity unknown")
    tweets.append(late)
    tweets += [tweet(ids, fan, 3 * 3600 + 300 + 120 * i, retweet_of=late) for i, fan in enumerate(crowd)]
    tweets += [tweet(ids, person(200 + i), 4000 + i * 500, urls=[leak]) for i in range(5)]
    chan = [{"no": 500, "time": int(T0.timestamp()), "com": f"dump {leak}"}]
    ranking = rank_catalysts(case_of(tweets, chan)).set_index("account_id")
    top = ranking.loc[catalyst.id]
    assert top["rank"] == 1 and top["role"] == "catalyst"
    assert top["retweets_1m"] == top["retweets_5m"] == 20  # the bots came 10 to 48 s after the seed
    assert top["lag_s"] == 60 and top["bridged_4chan"] >= 1 and top["carrier_rank"] == 1
    assert ranking.loc[celebrity.id, "role"] == "mainstream-influencer"
    assert ranking.loc[celebrity.id, "downstream_reach"] == 40
    assert ranking.loc[news.id, "role"] != "catalyst"
    assert ranking.loc[news.id, "rank"] > top["rank"]


def test_amplifier_cluster_known_answer(case_of):
    ids = Ids()
    bots = [person(i, followers=10) for i in range(6)]
    humans = [person(20 + i) for i in range(6)]
    origins = [tweet(ids, person(99), 3600 * k) for k in range(5)]
    tweets = list(origins)
    for k, origin in enumerate(origins):
        for i, bot in enumerate(bots):
            tweets.append(tweet(ids, bot, 3600 * k + 5 + i, retweet_of=origin, source="twittbot.net"))
        for i, human in enumerate(humans):  # humans share the same tweets, but hours apart
            tweets.append(tweet(ids, human, 3600 * k + 900 + 400 * i + 37 * k, retweet_of=origin))
    result = find_amplifier_clusters(case_of(tweets), window_s=20)
    assert len(result.clusters) == 1
    cluster = result.clusters.iloc[0]
    assert cluster["size"] == 6 and set(cluster["members"].split()) == {b.id for b in bots}
    assert bool(cluster["automated"]) and cluster["top_client_share"] == 1.0
    assert cluster["items"] == 5 and not result.window_estimated


def test_coaction_window_estimate():
    import pandas as pd

    shares = pd.DataFrame({"item": ["x"] * 11 + ["y"] * 3, "account_id": list("abcdefghijk") + list("abc"),
                           "t": [0, 2, 4, 6, 100, 200, 300, 400, 500, 600, 700, 0, 3, 1000]})  # fmt: skip
    # Delays after each item's first share: 2,3,4,6,100…700,1000; the 10th percentile is 3.1, so the fastest
    # shares are the delays 2 and 3, whose median is 2.5.
    assert estimate_window(shares) == 2.5
    counts, names = coaction_matrix(shares, window_s=4)
    coo = counts.tocoo()
    pairs = {(names[i], names[j]): int(v) for i, j, v in zip(coo.row, coo.col, coo.data, strict=True) if i < j}
    assert (counts != counts.T).nnz == 0 and counts.diagonal().sum() == 0
    # x at 0, 2, 4, 6 s (a, b, c, d): 4 s slots meet a-b and c-d, the grid shifted by 2 s meets b-c; pairs 4 s
    # apart (a-c, b-d) fall in no common slot. y: a and b 3 s apart share slot [0, 4), so a-b co-acted twice.
    assert pairs == {("a", "b"): 2, ("b", "c"): 1, ("c", "d"): 1}
    # With a threshold of 2 only a-b is kept: weak pairs never reach the result.
    strong, names = coaction_matrix(shares, window_s=4, min_coactions=2)
    coo = strong.tocoo()
    assert {(names[i], names[j]): int(v) for i, j, v in zip(coo.row, coo.col, coo.data, strict=True) if i < j} == {
        ("a", "b"): 2
    }


def test_communities_two_cliques(case_of):
    ids = Ids()
    left, right = [person(i) for i in range(5)], [person(10 + i) for i in range(5)]
    tweets = []
    for group in (left, right):
        for a in group:
            for b in group:
                if a is not b:
                    tweets.append(tweet(ids, a, len(tweets), mentions=[b]))
    tweets.append(tweet(ids, left[0], 9999, mentions=[right[0]]))
    result = find_communities(case_of(tweets), seed=1)
    groups = result.membership.groupby("community")["account_id"].apply(set).tolist()
    assert sorted(groups, key=min) == [{p.id for p in left}, {p.id for p in right}]
    assert result.modularity > 0.4
    assert set(result.communities["size"]) == {5}


def test_real_pol_thread_linking_a_tweet_gives_a_crosslink(ingest_into):
    from conftest import DATA

    case, _ = ingest_into(DATA / "4chan" / "pol_thread_527919246.json")
    pairs = cross_platform_links(case).pairs
    back = pairs[pairs["evidence"] == "chan-links-tweet"]
    op = back[back["chan_post"] == "4chan/pol/527919246"].iloc[0]
    assert op["tweet_id"] == "2019856041392107585" and op["direction"] == "twitter->4chan"
    assert op["url"] == "https://twitter.com/megatron_ron/status/2019856041392107585"
    assert pd.isna(op["lag_s"])  # the tweet itself is not in this case


def test_url_projection_links_accounts_sharing_links(case_of):
    from signalboost.graph import bipartite_edges, projection_edges

    ids = Ids()
    a, b, c = person(1), person(2), person(3)
    tweets = [
        tweet(ids, a, 0, urls=["https://x.org/1", "https://x.org/2"]),
        tweet(ids, b, 5, urls=["https://x.org/1"]),
        tweet(ids, b, 9, urls=["https://www.x.org/2/"]),
        tweet(ids, c, 9, urls=["https://x.org/2"]),
    ]
    case = case_of(tweets)
    bipartite = bipartite_edges(case, "url")
    assert len(bipartite) == 5
    pairs = projection_edges(case, "url")
    assert {(r.account_a, r.account_b): r.shared for r in pairs.itertuples()} == {
        (a.id, b.id): 2, (a.id, c.id): 1, (b.id, c.id): 1
    }
    assert projection_edges(case, "url", max_accounts=2).empty is False
    assert set(projection_edges(case, "url", max_accounts=2)["shared"]) == {1}  # x.org/2 (3 accounts) left out


def test_strongest_links_keeps_each_accounts_heaviest_and_ties():
    import numpy as np

    from signalboost.detect.amplifiers import strongest_links

    # Account 0 links to 1..5 with weights 9, 7, 7, 3, 1; everyone else has a single link.
    rows = np.array([0, 0, 0, 0, 0])
    cols = np.array([1, 2, 3, 4, 5])
    weights = np.array([9, 7, 7, 3, 1])
    # With two partners, account 0 keeps 9 and both 7s (tied); accounts 4 and 5 keep their only link anyway.
    assert strongest_links(rows, cols, weights, 2).tolist() == [0, 1, 2, 3, 4]
    # A hub among hubs: links between two busy accounts go only when neither ranks them.
    rows = np.array([0, 0, 0, 1, 1, 1, 0])
    cols = np.array([2, 3, 4, 5, 6, 7, 1])
    weights = np.array([5, 5, 5, 5, 5, 5, 1])
    assert strongest_links(rows, cols, weights, 3).tolist() == [0, 1, 2, 3, 4, 5]
    assert strongest_links(rows, cols, weights, 10).tolist() == list(range(7))
