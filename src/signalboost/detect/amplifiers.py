"""Amplifier clusters: accounts that act together, found from co-action within a short time window.

Method. A co-action is two accounts sharing the same item — the same retweeted tweet (co-retweet), quoted tweet
(co-quote), normalised URL (co-link) or ordered hashtag sequence (co-hashtag) — within ``window`` seconds of each
other. This is the coordination network of Graham et al. (coordination-network-toolkit, QUT 2020) and of Pacheco
et al., "Uncovering Coordinated Networks on Social Media: Methods and Case Studies" (ICWSM 2021), computed as a
sparse product over (item, time slot) events so it scales with the co-sharing that exists. The default window is
estimated from the data as CooRnet does (Giglietto et al., "It takes a village to manipulate the media",
Information, Communication & Society 2020): the median delay, from an item's first share, of the fastest 10 % of
shares. Pairs with at least ``min_coactions`` co-action events form a weighted graph; its Leiden communities
(Traag et al., Scientific Reports 2019) of at least ``min_size`` accounts are the clusters.

Each cluster gets a coordination score (mean co-action events per linked pair, times the share of possible pairs
that co-acted, times the share of members' posts that were co-actions) and an automation verdict, because fast
human fan bursts co-act too. A cluster ``automated`` when at least two of three signals of automation hold
(Chavoshi et al., "DeBot", ICDM 2016 for synchrony; Ferrara et al., "The rise of social bots", CACM 2016 for
timing and client): members post from one client (top-client share ≥ 0.8); timing is regular (median coefficient
of variation of members' inter-post gaps ≤ 0.6, or co-action median delay ≤ 30 s with ≥ 3 repeated items); no
diurnal rhythm (normalised hour-of-day entropy ≥ 0.9 when members' posts span at least two days).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import igraph as ig
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse

from ..case import Case
from ..frames import epoch_seconds
from .leiden import LEIDEN_ITERATIONS

CLUSTER_COLUMNS = ["cluster_id", "size", "automated", "coordination_score", "median_delay_s", "top_content",
                   "top_client_share", "timing_cv", "hour_entropy", "items", "members"]  # fmt: skip


@dataclass
class AmplifierResult:
    clusters: pd.DataFrame  # CLUSTER_COLUMNS, largest coordination first
    membership: pd.DataFrame  # account_id, cluster_id
    edges: pd.DataFrame  # account_a, account_b, coactions (the filtered co-action graph)
    window_s: float
    window_estimated: bool


def _shares(case: Case) -> pd.DataFrame:
    """Every (account, item, time) share that co-action can be built on."""
    posts = case.table("posts", ["post_id", "platform", "account_id", "created_at", "kind", "retweeted_post_id",
                                 "quoted_post_id", "source"])  # fmt: skip
    posts = posts[(posts["platform"] == "twitter") & posts["account_id"].notna() & posts["created_at"].notna()]
    retweets = posts.dropna(subset=["retweeted_post_id"])
    quotes = posts.dropna(subset=["quoted_post_id"])
    # Each item column comes from its own frame: assigning another frame's Series to an empty frame adopts its index.
    pieces = [retweets.assign(item="rt:" + retweets["retweeted_post_id"]),
              quotes.assign(item="qt:" + quotes["quoted_post_id"])]  # fmt: skip
    urls = case.table("urls", ["post_id", "normalised_url"]).drop_duplicates()
    linked = urls.merge(posts[posts["kind"] != "retweet"], on="post_id")
    pieces.append(linked.assign(item="url:" + linked["normalised_url"]))
    tags = case.table("hashtags", ["post_id", "position", "normalised_tag"])
    if len(tags):
        sequences = hashtag_sequences(tags)
        tagged = posts[posts["kind"] != "retweet"].merge(sequences, on="post_id")
        pieces.append(tagged.assign(item="tags:" + tagged["sequence"]))
    columns = ["account_id", "item", "created_at", "post_id", "source"]
    shares = pd.concat([piece[columns] for piece in pieces], ignore_index=True)
    shares["t"] = epoch_seconds(shares["created_at"])
    return shares.drop_duplicates(["account_id", "item", "post_id"])


def hashtag_sequences(tags: pd.DataFrame) -> pd.DataFrame:
    """``post_id, sequence``: each post's normalised hashtags in order, space-joined (one Arrow kernel, no
    Python call per post)."""
    ordered = pa.Table.from_pandas(tags[["post_id", "position", "normalised_tag"]], preserve_index=False)
    ordered = ordered.sort_by([("post_id", "ascending"), ("position", "ascending")])
    post_ids = ordered.column("post_id").combine_chunks()
    starts = np.flatnonzero(np.r_[True, pc.not_equal(post_ids[1:], post_ids[:-1]).to_numpy(zero_copy_only=False)])
    offsets = pa.array(np.r_[starts, len(post_ids)].astype(np.int32))
    lists = pa.ListArray.from_arrays(offsets, ordered.column("normalised_tag").combine_chunks().cast(pa.string()))
    return pd.DataFrame({"post_id": post_ids.take(pa.array(starts)).to_pandas(types_mapper=pd.ArrowDtype),
                         "sequence": pc.binary_join(lists, " ").to_pandas(types_mapper=pd.ArrowDtype)})  # fmt: skip


def estimate_window(shares: pd.DataFrame, *, fastest: float = 0.1, floor_s: float = 1.0) -> float:
    """CooRnet's coordination interval: median delay since each item's first share among the fastest shares."""
    if shares.empty:
        return 60.0
    first = shares.groupby("item")["t"].transform("min")
    delay = (shares["t"] - first).to_numpy()
    delay = delay[delay > 0]
    if delay.size == 0:
        return floor_s
    cut = np.quantile(delay, fastest)
    return float(max(floor_s, np.median(delay[delay <= cut])))


def coaction_matrix(
    shares: pd.DataFrame, window_s: float, min_coactions: int = 1
) -> tuple[sparse.csr_matrix, pd.Index]:
    """Account × account co-action counts (symmetric, zero diagonal): how many (item, time slot) events two
    accounts shared.

    Times are cut into slots of ``window_s`` seconds, twice, the second grid offset by half a window, and each
    pair keeps the larger of its two counts, so two shares less than half a window apart always meet in one
    grid. Built as a sparse product X·Xᵀ of the binary account × (item, slot) matrix (Pacheco et al. 2021), so
    it scales with the co-sharing that exists, not with every possible pair. Pairs with fewer than
    ``min_coactions`` events in both grids are left out (the larger count is below it too), so a call with the
    detector's threshold never holds the many weak pairs in memory.
    """
    accounts = shares["account_id"].astype("category")
    rows = accounts.cat.codes.to_numpy()
    items = shares["item"].astype("category").cat.codes.to_numpy().astype(np.int64)
    times = shares["t"].to_numpy(dtype=float)
    result = None
    accounts_n = len(accounts.cat.categories)
    for offset in (0.0, window_s / 2):
        slots = np.floor((times + offset) / window_s).astype(np.int64)
        keys = _pair_codes(items, slots)
        if len(keys) == 0:
            product = sparse.csr_matrix((accounts_n, accounts_n), dtype=np.float32)
            result = product if result is None else result.maximum(product)
            continue
        # An account sharing an item twice in one slot is one event: one entry per (account, slot key).
        span = int(keys.max()) + 1
        events = np.unique(rows.astype(np.int64) * span + keys)
        event_rows, event_keys = events // span, events % span
        # Slots with a single account contribute nothing but diagonal entries; drop them before the product.
        shared = np.bincount(event_keys)[event_keys] >= 2
        event_rows, event_keys = event_rows[shared], event_keys[shared]
        # An account with fewer shared slots than min_coactions cannot reach the threshold with anyone; dropping
        # it first keeps a viral organic cascade (thousands of one-off retweeters per slot) out of the product.
        active = np.bincount(event_rows, minlength=accounts_n)[event_rows] >= min_coactions
        event_rows, event_keys = event_rows[active], event_keys[active]
        columns, event_columns = np.unique(event_keys, return_inverse=True)
        matrix = sparse.csr_matrix((np.ones(len(event_rows), dtype=np.float32), (event_rows, event_columns.ravel())),
                                   shape=(accounts_n, len(columns)))  # fmt: skip
        product = (matrix @ matrix.T).tocsr()
        if min_coactions > 1:
            product.data[product.data < min_coactions] = 0
            product.eliminate_zeros()
        result = product if result is None else result.maximum(product)
    # Subtracting the diagonal is one vectorised pass; setdiag(0) on a CSR of millions of entries is not.
    result = result - sparse.diags(result.diagonal())
    result.eliminate_zeros()
    result = result.tocsr()
    result.sort_indices()  # a canonical entry order, whatever order SciPy's kernels left them in
    return result, accounts.cat.categories


def strongest_links(rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, max_partners: int) -> np.ndarray:
    """Indices of the links that are among the ``max_partners`` heaviest of at least one of their two accounts.

    An account's cut is the weight of its ``max_partners``-th heaviest link; links tied with it are all kept,
    so the result does not depend on edge order. The cut is found for every account at once by bisection on
    the weight (about log2(max weight) vectorised passes), not by sorting the links.
    """
    links = len(rows)
    ends = np.concatenate([rows, cols])
    degree = np.bincount(ends) if links else np.zeros(0, dtype=np.int64)
    if links == 0 or degree.max() <= max_partners:
        return np.arange(links)
    both = np.concatenate([weights, weights]).astype(np.int32)
    busy = degree > max_partners
    on_busy = busy[ends]
    # Only busy accounts need a cut; int32 halves the memory each pass streams through.
    busy_ends, busy_weights = ends[on_busy].astype(np.int32), both[on_busy]
    low = np.zeros(len(degree), dtype=np.int32)  # at least max_partners links weigh >= low (for busy accounts)
    high = np.where(busy, int(both.max()) + 1, 1).astype(np.int32)  # fewer weigh >= high
    while np.any(high - low > 1):
        middle = (low + high) // 2
        heavy = np.bincount(busy_ends[busy_weights >= middle[busy_ends]], minlength=len(degree))
        enough = heavy >= max_partners
        low, high = np.where(enough, middle, low), np.where(enough, high, middle)
    kept_end = both >= low[ends]
    return np.flatnonzero(kept_end[:links] | kept_end[links:])


def _pair_codes(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Dense codes of (first, second) pairs. Both are packed into one int64 so numpy factorises them; a
    MultiIndex would build a Python tuple per share first."""
    if len(first) == 0:
        return np.array([], dtype=np.int64)
    second = second - second.min()
    span = int(second.max()) + 1
    if int(first.max()) + 1 <= np.iinfo(np.int64).max // span:
        return np.unique(first * span + second, return_inverse=True)[1].ravel()
    return pd.factorize(pd.MultiIndex.from_arrays([first, second]))[0]


def _median_delay(member_shares: pd.DataFrame, window_s: float) -> float:
    """Median gap between consecutive shares of the same item by members, among gaps within the window."""
    ordered = member_shares.sort_values(["item", "t"])
    gaps = ordered.groupby("item")["t"].diff().dropna()
    gaps = gaps[gaps <= window_s]
    return float(gaps.median()) if len(gaps) else float("nan")


def _entropy(counts: np.ndarray) -> float:
    total = counts.sum()
    if total == 0:
        return 0.0
    p = counts[counts > 0] / total
    return float(-(p * np.log(p)).sum() / np.log(len(counts)))


def _automation(member_posts: pd.DataFrame) -> tuple[float, float, float, bool]:
    sources = member_posts["source"].fillna("unknown")
    top_client_share = float(sources.value_counts(normalize=True).iloc[0]) if len(sources) else 0.0
    gaps = member_posts.sort_values("t").groupby("account_id")["t"].diff().dropna()
    per_member = gaps.groupby(member_posts.loc[gaps.index, "account_id"]).agg(["mean", "std", "size"])
    per_member = per_member[per_member["size"] >= 2]
    timing_cv = float((per_member["std"] / per_member["mean"].replace(0, np.nan)).median()) if len(per_member) else np.nan
    hours = pd.to_datetime(member_posts["t"], unit="s", utc=True).dt.hour
    hour_entropy = _entropy(np.bincount(hours.to_numpy(), minlength=24).astype(float))
    return top_client_share, timing_cv, hour_entropy, False


def find_amplifier_clusters(
    case: Case,
    *,
    window_s: float | None = None,
    min_coactions: int = 3,
    min_size: int = 3,
    resolution: float = 1.0,
    max_partners: int = 50,
    seed: int = 0,
) -> AmplifierResult:
    """Clusters of accounts that repeatedly share the same items within seconds of each other.

    Parameters
    ----------
    case : Case
        The case to analyse.
    window_s : float, optional
        Co-action window in seconds; estimated from the data (CooRnet) when None, and reported either way.
    min_coactions : int
        Co-action events (an item shared by both within the window) a pair needs to count.
    min_size : int
        Smallest cluster reported.
    resolution : float
        Leiden resolution (modularity objective).
    max_partners : int
        Leiden runs on each account's ``max_partners`` strongest links (ties kept), a local sparsification in
        the manner of Satuluri, Parthasarathy & Ruan (SIGMOD 2011): a botnet whose members all co-act with one
        another stays one dense cluster, and a million-tweet case does not hand tens of millions of links to
        igraph. Cluster statistics (``edges``, delays, coordination scores) use every strong link.
    seed : int
        Seed for Leiden, so a run is reproducible.

    Returns
    -------
    AmplifierResult
        Clusters (see ``CLUSTER_COLUMNS``), per-account membership, the filtered co-action edges and the window.
    """
    shares = _shares(case)
    estimated = window_s is None
    window = estimate_window(shares) if estimated else float(window_s)
    empty = AmplifierResult(pd.DataFrame(columns=CLUSTER_COLUMNS), pd.DataFrame(columns=["account_id", "cluster_id"]),
                            pd.DataFrame(columns=["account_a", "account_b", "coactions"]), window,
                            estimated)  # fmt: skip
    if shares.empty:
        return empty
    counts, names_index = coaction_matrix(shares, window, min_coactions)
    counts = counts.tocoo()
    strong = counts.data >= min_coactions
    if not strong.any():
        return empty
    upper = strong & (counts.row < counts.col)  # the matrix is symmetric: each link once
    strong_rows, strong_cols = counts.row[upper], counts.col[upper]
    strong_weights = counts.data[upper].astype(np.int64)
    # Leiden runs on integer vertex ids; names come back only for the accounts that end up in a cluster.
    vertex_codes, vertices = pd.factorize(np.concatenate([strong_rows, strong_cols]))
    vertex_codes = vertex_codes.reshape(2, -1)
    sparse_links = strongest_links(vertex_codes[0], vertex_codes[1], strong_weights, max_partners)
    # A list of pairs: igraph reads it in C, but walks a numpy array element by element.
    graph = ig.Graph(n=len(vertices), edges=vertex_codes[:, sparse_links].T.tolist())
    graph.es["weight"] = strong_weights[sparse_links].astype(float)
    random.seed(seed)  # igraph's Leiden draws from Python's random module
    partition = graph.community_leiden(objective_function="modularity", weights="weight", resolution=resolution,
                                       n_iterations=LEIDEN_ITERATIONS)  # fmt: skip
    community_by_code = np.full(len(names_index), -1, dtype=np.int64)
    community_by_code[vertices] = partition.membership
    sizes = np.bincount(community_by_code[community_by_code >= 0])
    community_by_code[(community_by_code >= 0) & (sizes[np.maximum(community_by_code, 0)] < min_size)] = -1
    kept_codes = np.flatnonzero(community_by_code >= 0)
    membership = pd.DataFrame({"account_id": names_index[kept_codes], "community": community_by_code[kept_codes]})
    inside = (community_by_code[strong_rows] >= 0) & (community_by_code[strong_rows] == community_by_code[strong_cols])
    edges_in = pd.DataFrame({"account_a": names_index[strong_rows[inside]], "account_b": names_index[strong_cols[inside]],
                             "coactions": strong_weights[inside], "community": community_by_code[strong_rows[inside]]})
    edges = edges_in[["account_a", "account_b", "coactions"]].reset_index(drop=True)
    if membership.empty:
        return AmplifierResult(empty.clusters, empty.membership, edges, window, estimated)

    rows = []
    community_of = membership.set_index("account_id")["community"]
    all_posts = case.table("posts", ["account_id", "created_at", "source"])
    all_posts = all_posts[all_posts["account_id"].isin(membership["account_id"])]
    all_posts = all_posts.assign(t=epoch_seconds(all_posts["created_at"]))
    shares_in = shares[shares["account_id"].isin(membership["account_id"])]
    shares_in = shares_in.assign(community=shares_in["account_id"].map(community_of))
    for community, members in membership.groupby("community")["account_id"]:
        members = list(members)
        size = len(members)
        inside = edges_in[edges_in["community"] == community]
        density = len(inside) / (size * (size - 1) / 2)
        member_shares = shares_in[shares_in["community"] == community]
        # Items that at least two members shared: the cluster's co-actions.
        sharers = member_shares.groupby("item")["account_id"].nunique()
        coacted_share = float(member_shares["item"].map(sharers).ge(2).mean()) if len(member_shares) else 0.0
        score = float(inside["coactions"].mean() * density * coacted_share)
        delay = _median_delay(member_shares[member_shares["item"].map(sharers).ge(2)], window)
        top_items = sharers.sort_values(ascending=False).head(3).index.tolist()
        member_posts = all_posts[all_posts["account_id"].isin(members)]
        client_share, timing_cv, hour_entropy, _ = _automation(member_posts)
        span_days = (member_posts["t"].max() - member_posts["t"].min()) / 86400 if len(member_posts) else 0
        repeated = inside["coactions"].median() >= 3
        signals = [
            client_share >= 0.8,
            (not np.isnan(timing_cv) and timing_cv <= 0.6) or (not np.isnan(delay) and delay <= 30 and repeated),
            span_days >= 2 and hour_entropy >= 0.9,
        ]
        rows.append({"community": community, "size": size, "automated": sum(signals) >= 2,
                     "coordination_score": round(score, 4), "median_delay_s": round(delay, 1),
                     "top_content": " | ".join(top_items), "top_client_share": round(client_share, 3),
                     "timing_cv": round(timing_cv, 3) if not np.isnan(timing_cv) else np.nan,
                     "hour_entropy": round(hour_entropy, 3), "items": int((sharers >= 2).sum()),
                     "members": " ".join(sorted(members))})  # fmt: skip
    clusters = pd.DataFrame(rows).sort_values(["coordination_score", "size"], ascending=False).reset_index(drop=True)
    clusters["cluster_id"] = [f"A{i + 1}" for i in range(len(clusters))]
    cluster_of = dict(zip(clusters["community"], clusters["cluster_id"], strict=True))
    membership = membership.assign(cluster_id=membership["community"].map(cluster_of))[["account_id", "cluster_id"]]
    return AmplifierResult(clusters[CLUSTER_COLUMNS], membership.reset_index(drop=True), edges, window, estimated)
