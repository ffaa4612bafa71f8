"""Account features for bot-or-human labelling, computed from what the data itself carries.

Three families, each a pure function of canonical tables, one row per account (index ``account_id``). A feature
the input cannot support is missing (NaN), never guessed: a profile-only CSV has no behaviour and no graph, a
tweet file whose users carry no profile counts has no profile ratios. The model treats missing as missing.

Profile (Ferrara, "Disinformation and social bot operations in the run up to the 2017 French presidential
election", First Monday 22(8), 2017 — posting frequency and profile customisation; Yang et al., "Scalable and
Generalizable Social Bot Detection through Data Selection", AAAI 2020 — minimal user metadata; Cresci et al.,
"Fame for sale", Decision Support Systems 80, 2015 — profile rules for fake followers):
    ``age_days``, ``statuses_per_day``, ``follower_friend_ratio``, ``log_followers``, ``log_following``,
    ``log_statuses``, ``log_favourites``, ``log_listed``, ``favourites_per_status``, ``listed_per_follower``,
    ``default_profile``, ``default_profile_image``, ``has_description``, ``has_url``, ``has_location``,
    ``verified``, ``username_length``, ``username_entropy``, ``username_digit_share``, ``creation_burst``.

Behaviour in the collected posts (Chavoshi et al., "DeBot", ICDM 2016 — timing; Goh & Barabási, "Burstiness and
memory in complex systems", EPL 81, 2008 — the burstiness coefficient; Ferrara et al., "The rise of social bots",
CACM 59(7), 2016 — clients, duplicates, dormancy):
    ``posts_in_window``, ``retweet_share``, ``reply_share``, ``quote_share``, ``url_share``,
    ``posts_per_active_hour``, ``interpost_cv``, ``burstiness``, ``hour_entropy``, ``distinct_sources``,
    ``top_source_share``, ``duplicate_text_share``, ``activity_ratio``.

Graph (Pacheco et al., "Uncovering Coordinated Networks on Social Media", ICWSM 2021 — co-retweet TF-IDF cosine;
Varol et al., "Online Human-Bot Interactions", ICWSM 2017 — network features):
    ``in_degree``, ``out_degree``, ``reciprocity``, ``clustering``, ``coretweet_similarity``,
    ``in_amplifier_cluster``, ``in_automated_cluster``, ``retweet_latency_s``.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import igraph as ig
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse

from ..frames import epoch_seconds

PROFILE_FEATURES = (
    "age_days", "statuses_per_day", "follower_friend_ratio", "log_followers", "log_following", "log_statuses",
    "log_favourites", "log_listed", "favourites_per_status", "listed_per_follower", "default_profile",
    "default_profile_image", "has_description", "has_url", "has_location", "verified", "username_length",
    "username_entropy", "username_digit_share", "creation_burst",
)  # fmt: skip
BEHAVIOUR_FEATURES = (
    "posts_in_window", "retweet_share", "reply_share", "quote_share", "url_share", "posts_per_active_hour",
    "interpost_cv", "burstiness", "hour_entropy", "distinct_sources", "top_source_share", "duplicate_text_share",
    "activity_ratio",
)  # fmt: skip
GRAPH_FEATURES = (
    "in_degree", "out_degree", "reciprocity", "clustering", "coretweet_similarity", "in_amplifier_cluster",
    "in_automated_cluster", "retweet_latency_s",
)  # fmt: skip
FEATURES = (*PROFILE_FEATURES, *BEHAVIOUR_FEATURES, *GRAPH_FEATURES)

DAY_S = 86_400.0
# Items shared by more accounts than this carry almost no TF-IDF weight and make the co-retweet product quadratic.
MAX_ITEM_SHARERS = 2_000


def _as_float(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").astype("float64").to_numpy(na_value=np.nan)


def _flag(series: pd.Series) -> np.ndarray:
    values = series.astype("object")
    return np.where(values.isna(), np.nan, values.fillna(False).astype(bool).astype(float))


def _present(series: pd.Series) -> np.ndarray:
    text = series.astype("object")
    return text.notna().to_numpy() & (text.fillna("").astype(str).str.strip() != "").to_numpy()


def shannon_entropy(text: str) -> float:
    """Shannon entropy (bits per character) of a string; 0 for the empty string."""
    if not text:
        return 0.0
    size = len(text)
    return -sum(c / size * math.log2(c / size) for c in Counter(text).values()) + 0.0


_ENTROPY_WIDTH = 64


def shannon_entropies(texts: pd.Series) -> np.ndarray:
    """``shannon_entropy`` of every string at once (numpy over code points); NaN for missing values.

    Strings up to 64 code points (every Twitter handle) are laid out as a row of a code-point matrix, sorted, and
    their runs counted; longer ones, and any holding a NUL, fall back to the scalar function.
    """
    values = texts.astype("object").to_numpy()
    out = np.full(len(values), np.nan)
    present = np.array([isinstance(value, str) for value in values], dtype=bool)
    strings = values[present].astype(str)
    if len(strings) == 0:
        return out
    lengths = np.char.str_len(strings)
    wide = lengths > _ENTROPY_WIDTH
    # As wide as the longest string laid out (handles are at most 15), so the matrix has no idle columns.
    width = int(max(1, lengths[~wide].max(initial=1)))
    narrow = strings[~wide].astype(f"<U{width}")
    codes = narrow.view(np.uint32).reshape(len(narrow), width)
    codes = np.sort(codes, axis=1)
    valid = codes != 0
    starts = valid.copy()
    starts[:, 1:] &= codes[:, 1:] != codes[:, :-1]
    run = np.cumsum(starts, axis=1) - 1
    rows = np.broadcast_to(np.arange(len(codes))[:, None], codes.shape)
    counts = np.bincount((rows * width + run)[valid], minlength=len(codes) * width)
    counts = counts.reshape(len(codes), width).astype(float)
    size = valid.sum(axis=1).astype(float)
    p = counts / np.maximum(size, 1.0)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(counts > 0, p * np.log2(np.where(p > 0, p, 1.0)), 0.0)
    entropy = -terms.sum(axis=1) + 0.0
    # A NUL code point is indistinguishable from padding in the matrix: those few go through the scalar path.
    has_nul = size != lengths[~wide]
    entropy[has_nul] = [shannon_entropy(text) for text in strings[~wide][has_nul]]
    result = np.empty(len(strings))
    result[~wide] = entropy
    result[wide] = [shannon_entropy(text) for text in strings[wide]]
    out[present] = result
    return out


def is_in(values, allowed) -> np.ndarray:
    """``values.isin(allowed)`` through Arrow's hash set: pandas' string-array isin walks Python objects."""
    needles = pa.array(np.asarray(values, dtype=object), type=pa.string(), from_pandas=True)
    haystack = pa.array(np.asarray(allowed, dtype=object), type=pa.string(), from_pandas=True)
    return pc.is_in(needles, value_set=haystack).to_numpy(zero_copy_only=False)


def creation_burst(created_at: pd.Series, *, bucket_s: float = 3600.0) -> np.ndarray:
    """How many other accounts of the input were registered in the same hour, in units of what chance gives.

    Botnets are often registered in batches (Ferrara 2017 saw #MacronLeaks accounts created together and
    reactivated). Chance expects ``n / span_in_hours`` registrations an hour; the count of others is divided by
    that expectation once it exceeds one, so a registration batch stands out the same in a small labelled set and
    in a case of millions. NaN without a creation time, or when fewer than 20 accounts have one.
    """
    seconds = epoch_seconds(created_at)
    known = ~np.isnan(seconds)
    out = np.full(len(seconds), np.nan)
    if known.sum() < 20:
        return out
    buckets = np.floor(seconds[known] / bucket_s).astype(np.int64)
    _, inverse, counts = np.unique(buckets, return_inverse=True, return_counts=True)
    expected = known.sum() / max(buckets.max() - buckets.min() + 1, 1)
    out[known] = (counts[inverse] - 1) / max(expected, 1.0)
    return out


def profile_features(accounts: pd.DataFrame, *, reference_time: pd.Timestamp | None = None) -> pd.DataFrame:
    """Profile features of canonical ``accounts`` rows (one row per account_id).

    Parameters
    ----------
    accounts : DataFrame
        The case's ``accounts`` table (or rows of it).
    reference_time : Timestamp, optional
        When the profile was seen, for accounts without ``snapshot_at``; age and rates are measured to it.

    Returns
    -------
    DataFrame indexed by ``account_id`` with the columns :data:`PROFILE_FEATURES`.

    Notes
    -----
    Ratios follow Cresci et al. (2015) and Yang et al. (AAAI 2020): rates per day of account age, followers over
    friends, favourites per status, listings per follower. Screen-name entropy and digit share catch generated
    handles (``bot4x_17`` or ``maria83920183``).
    """
    frame = accounts.drop_duplicates("account_id").reset_index(drop=True)
    seen = epoch_seconds(frame["snapshot_at"]) if "snapshot_at" in frame else np.full(len(frame), np.nan)
    if reference_time is not None:
        seen = np.where(np.isnan(seen), pd.Timestamp(reference_time).timestamp(), seen)
    created = epoch_seconds(frame["created_at"])
    age = np.maximum((seen - created) / DAY_S, 1.0)
    followers, following = _as_float(frame["followers"]), _as_float(frame["following"])
    statuses, favourites = _as_float(frame["statuses"]), _as_float(frame["favourites"])
    listed = _as_float(frame["listed"])
    names = frame["username"].astype("object").fillna("").astype(str)
    out = pd.DataFrame(index=pd.Index(frame["account_id"].astype(str), name="account_id"))
    out["age_days"] = age
    out["statuses_per_day"] = statuses / age
    out["follower_friend_ratio"] = followers / np.maximum(following, 1.0)
    out["log_followers"] = np.log1p(followers)
    out["log_following"] = np.log1p(following)
    out["log_statuses"] = np.log1p(statuses)
    out["log_favourites"] = np.log1p(favourites)
    out["log_listed"] = np.log1p(listed)
    out["favourites_per_status"] = favourites / np.maximum(statuses, 1.0)
    out["listed_per_follower"] = listed / np.maximum(followers, 1.0)
    out["default_profile"] = _flag(frame["default_profile"])
    out["default_profile_image"] = _flag(frame["default_profile_image"])
    # A row with no profile counts at all (an account known only from a post) has no profile to judge.
    has_profile = ~np.isnan(followers) | ~np.isnan(statuses)
    for column, source in (("has_description", "description"), ("has_url", "url"), ("has_location", "location")):
        out[column] = np.where(has_profile, _present(frame[source]).astype(float), np.nan)
    out["verified"] = np.where(has_profile, _flag(frame["verified"]), np.nan)
    named = (names != "").to_numpy()
    out["username_length"] = np.where(named, names.str.len().to_numpy(dtype=float), np.nan)
    out["username_entropy"] = np.where(named, shannon_entropies(names), np.nan)
    digits = names.str.count(r"\d").to_numpy(dtype=float)
    out["username_digit_share"] = np.where(named, digits / np.maximum(names.str.len().to_numpy(dtype=float), 1), np.nan)
    out["creation_burst"] = creation_burst(frame["created_at"])
    return out[list(PROFILE_FEATURES)]


def _normalised_text(text: pd.Series) -> pd.Series:
    """Lower-cased text without links, handles and digits, runs of non-word characters as one space.

    Done by Arrow's RE2 over the whole column; the classes are spelt in Unicode terms (\\pL, \\pN) because
    RE2's \\w and \\d are ASCII-only, unlike Python's.
    """
    values = pa.array(text.astype("object").to_numpy(), type=pa.string(), from_pandas=True).fill_null("")
    cleaned = pc.utf8_lower(values)
    cleaned = pc.replace_substring_regex(cleaned, r"https?://[^\s\p{Z}]+|@[\pL\pN_]+|\p{Nd}+", "")
    cleaned = pc.utf8_trim_whitespace(pc.replace_substring_regex(cleaned, r"[^\pL\pN_]+", " "))
    return pd.Series(cleaned.to_numpy(zero_copy_only=False), index=text.index, dtype=object)


def behaviour_features(posts: pd.DataFrame, urls: pd.DataFrame | None = None,
                       accounts: pd.DataFrame | None = None) -> pd.DataFrame:  # fmt: skip
    """Behaviour of each account in the collected Twitter posts.

    Parameters
    ----------
    posts : DataFrame
        The case's ``posts`` table; only Twitter posts that were records of the input (``in_collection``) count.
    urls : DataFrame, optional
        The case's ``urls`` table, for ``url_share``.
    accounts : DataFrame, optional
        The ``accounts`` table, for ``activity_ratio`` (in-window rate over lifetime rate).

    Returns
    -------
    DataFrame indexed by ``account_id`` with :data:`BEHAVIOUR_FEATURES`; accounts without posts are absent.

    Notes
    -----
    ``burstiness`` is Goh & Barabási's (σ−μ)/(σ+μ) of inter-post gaps: −1 for a metronome, 0 for a Poisson
    process, towards 1 for bursts. ``interpost_cv`` is σ/μ (DeBot's regularity); both need three posts.
    ``hour_entropy`` is the hour-of-day entropy normalised to [0, 1] (1: no diurnal rhythm), with five posts or
    more. ``duplicate_text_share`` is the share of an account's own (non-retweet) posts whose text, without URLs,
    mentions and digits, repeats another of its posts. ``activity_ratio`` compares the posting rate inside the
    collection with the lifetime rate the profile implies: a dormant account reactivated for a campaign is far
    above 1 (Ferrara 2017 found #MacronLeaks bots reactivated from 2016).
    """
    columns = ["post_id", "account_id", "created_at", "kind", "source", "text"]
    frame = posts[(posts["platform"] == "twitter") & posts["in_collection"].fillna(False).astype(bool)]
    frame = frame[columns].dropna(subset=["account_id", "created_at"]).copy()
    if frame.empty:
        return pd.DataFrame(columns=list(BEHAVIOUR_FEATURES), index=pd.Index([], name="account_id"), dtype=float)
    frame["account_id"] = frame["account_id"].astype(str)
    frame["t"] = epoch_seconds(frame["created_at"])
    frame = frame.sort_values(["account_id", "t"], kind="stable").reset_index(drop=True)
    # One integer code per account (sorted, so each account's posts are contiguous); every statistic is then a
    # bincount over codes instead of a pandas group-by, which falls back to Python per group on these dtypes.
    codes, accounts_index = pd.factorize(frame["account_id"], sort=True)
    groups = len(accounts_index)
    n = np.bincount(codes, minlength=groups).astype(float)

    def share(mask) -> np.ndarray:
        return np.bincount(codes, weights=np.asarray(mask, dtype=float), minlength=groups) / n

    out = pd.DataFrame(index=pd.Index(np.asarray(accounts_index, dtype=object), name="account_id"))
    out["posts_in_window"] = n
    kind = frame["kind"].astype("object").to_numpy()
    out["retweet_share"] = share(kind == "retweet")
    out["reply_share"] = share(kind == "reply")
    out["quote_share"] = share(kind == "quote")
    if urls is not None and len(urls):
        out["url_share"] = share(is_in(frame["post_id"], urls["post_id"].astype(str).unique()))
    else:
        out["url_share"] = 0.0
    t = frame["t"].to_numpy()
    hour = np.floor(t / 3600.0).astype(np.int64)
    active_hours = np.bincount(np.unique(codes.astype(np.int64) * (hour.max() + 1) + hour) // (hour.max() + 1),
                               minlength=groups)  # fmt: skip
    out["posts_per_active_hour"] = n / active_hours

    same = codes[1:] == codes[:-1]
    gap, gap_code = (t[1:] - t[:-1])[same], codes[1:][same]
    count = np.bincount(gap_code, minlength=groups).astype(float)
    total = np.bincount(gap_code, weights=gap, minlength=groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / count
        squares = np.bincount(gap_code, weights=(gap - mean[gap_code]) ** 2, minlength=groups)
        std = np.sqrt(squares / (count - 1))
        enough = count >= 2
        out["interpost_cv"] = np.where(enough & (mean > 0), std / mean, np.nan)
        out["burstiness"] = np.where(enough & (std + mean > 0), (std - mean) / (std + mean), np.nan)

    hour_of_day = (hour % 24).astype(np.int64)
    by_hour = np.bincount(codes * 24 + hour_of_day, minlength=groups * 24).reshape(groups, 24).astype(float)
    hour_share = by_hour / n[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.where(hour_share > 0, hour_share * np.log(hour_share), 0.0).sum(axis=1) / math.log(24)
    out["hour_entropy"] = np.where(n >= 5, entropy, np.nan)

    source = frame["source"].astype("object")
    known = source.notna().to_numpy()
    if known.any():
        source_codes, _ = pd.factorize(source[known])
        pair_codes, pair_counts = np.unique(codes[known].astype(np.int64) * (source_codes.max() + 1) + source_codes,
                                            return_counts=True)  # fmt: skip
        owner = pair_codes // (source_codes.max() + 1)
        distinct = np.bincount(owner, minlength=groups).astype(float)
        top = np.zeros(groups)
        np.maximum.at(top, owner, pair_counts)
        with_source = np.bincount(codes[known], minlength=groups).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["distinct_sources"] = np.where(with_source > 0, distinct, np.nan)
            out["top_source_share"] = np.where(with_source > 0, top / with_source, np.nan)
    else:
        out["distinct_sources"] = np.nan
        out["top_source_share"] = np.nan

    own = kind != "retweet"
    norm = _normalised_text(frame.loc[own, "text"]).to_numpy(dtype=object)
    own_codes = codes[own]
    has_text = norm != ""
    texts = pd.DataFrame({"c": own_codes[has_text], "norm": norm[has_text]})
    repeated = texts.duplicated(["c", "norm"], keep=False).to_numpy()
    written = np.bincount(texts["c"].to_numpy(), minlength=groups).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["duplicate_text_share"] = np.where(
            written > 0, np.bincount(texts["c"].to_numpy(), weights=repeated.astype(float), minlength=groups) / written,
            np.nan)  # fmt: skip

    window_days = max((t.max() - t.min()) / DAY_S, 1.0 / 24)
    if accounts is not None and len(accounts):
        profile = accounts.drop_duplicates("account_id").assign(account_id=lambda f: f["account_id"].astype(str))
        profile = profile.set_index("account_id").reindex(out.index)
        age = (epoch_seconds(profile["snapshot_at"]) - epoch_seconds(profile["created_at"])) / DAY_S
        lifetime_rate = _as_float(profile["statuses"]) / np.maximum(age, 1.0)
        out["activity_ratio"] = (n / window_days) / np.maximum(lifetime_rate, 1.0 / 365)
    else:
        out["activity_ratio"] = np.nan
    return out[list(BEHAVIOUR_FEATURES)]


def coretweet_similarity(posts: pd.DataFrame, *, max_sharers: int = MAX_ITEM_SHARERS) -> pd.Series:
    """Each account's highest TF-IDF cosine similarity to any other account over the tweets they retweeted.

    Pacheco et al. (ICWSM 2021) build a user × retweeted-tweet matrix, weight it by TF-IDF and link users whose
    cosine similarity is high; coordinated retweeters sit near 1. Tweets retweeted by more than ``max_sharers``
    accounts are left out: their IDF weight is almost nil and they would make the product quadratic.
    Accounts with fewer than two retweets are absent (one shared retweet says nothing).
    """
    retweets = posts.dropna(subset=["account_id", "retweeted_post_id"])
    retweets = retweets[["account_id", "retweeted_post_id"]].astype(str).drop_duplicates()
    per_account = retweets.groupby("account_id")["retweeted_post_id"].transform("size")
    retweets = retweets[per_account.to_numpy() >= 2]
    sharers = retweets.groupby("retweeted_post_id")["account_id"].transform("size")
    retweets = retweets[(sharers >= 2).to_numpy() & (sharers <= max_sharers).to_numpy()]
    if retweets.empty:
        return pd.Series(dtype=float, name="coretweet_similarity")
    users, user_index = np.unique(retweets["account_id"].to_numpy(), return_inverse=True)
    items, item_index = np.unique(retweets["retweeted_post_id"].to_numpy(), return_inverse=True)
    document_frequency = np.bincount(item_index, minlength=len(items)).astype(float)
    idf = np.log(len(users) / document_frequency) + 1.0
    matrix = sparse.csr_matrix((idf[item_index], (user_index, item_index)), shape=(len(users), len(items)))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    matrix = sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ matrix
    best = np.zeros(len(users))
    # Row blocks keep the product's memory bounded by the block, not by the square of the accounts.
    block = 2_000
    transposed = matrix.T.tocsc()
    for start in range(0, len(users), block):
        product = (matrix[start : start + block] @ transposed).tolil()
        rows = np.arange(product.shape[0])
        product[rows, rows + start] = 0
        best[start : start + block] = product.tocsr().max(axis=1).toarray().ravel()
    return pd.Series(np.minimum(best, 1.0), index=pd.Index(users, name="account_id"), name="coretweet_similarity")


def graph_features(edges: pd.DataFrame, posts: pd.DataFrame, *,
                   amplifier_membership: pd.DataFrame | None = None,
                   automated_clusters: set | None = None) -> pd.DataFrame:  # fmt: skip
    """Network position of each account in the interaction graph.

    Parameters
    ----------
    edges : DataFrame
        :func:`signalboost.graph.account_edges` output (source, target, kind, weight, ...).
    posts : DataFrame
        The ``posts`` table (retweet latency and co-retweet similarity).
    amplifier_membership : DataFrame, optional
        ``account_id, cluster_id`` from :func:`signalboost.detect.find_amplifier_clusters`.
    automated_clusters : set, optional
        Cluster ids that detector called automated.

    Returns
    -------
    DataFrame indexed by ``account_id`` with :data:`GRAPH_FEATURES`; accounts in no edge are absent.

    Notes
    -----
    Degrees count distinct neighbours; ``reciprocity`` is the share of an account's out-neighbours that point
    back; ``clustering`` the local transitivity of the undirected graph; ``retweet_latency_s`` the median delay
    between an original and the account's retweet of it (bots retweet within seconds, Ferrara 2017).
    """
    return _graph_frame(structural_features(edges), coretweet_similarity(posts), _retweet_latency(posts),
                        amplifier_membership, automated_clusters)  # fmt: skip


def structural_features(edges: pd.DataFrame) -> pd.DataFrame:
    """Degrees, reciprocity and local clustering per account of the interaction graph (see :func:`graph_features`)."""
    if not len(edges):
        return pd.DataFrame(index=pd.Index([], name="account_id"))
    pairs = edges[["source", "target"]].astype(str).drop_duplicates()
    graph = ig.Graph.DataFrame(pairs, directed=True, use_vids=False)
    names = np.array(graph.vs["name"], dtype=object)
    out = pd.DataFrame(index=pd.Index(names, name="account_id"))
    out["in_degree"] = np.array(graph.degree(mode="in"), dtype=float)
    out["out_degree"] = np.array(graph.degree(mode="out"), dtype=float)
    reverse = pairs.rename(columns={"source": "target", "target": "source"}).assign(back=True)
    mutual = pairs.merge(reverse, on=["source", "target"], how="left")["back"].fillna(False).astype(bool)
    reciprocated = mutual.groupby(pairs["source"].to_numpy()).mean()
    out["reciprocity"] = reciprocated.reindex(out.index).to_numpy(dtype=float)
    undirected = graph.as_undirected(mode="collapse")
    out["clustering"] = np.array(undirected.transitivity_local_undirected(mode="zero"), dtype=float)
    return out


def _graph_frame(structure: pd.DataFrame, similarity: pd.Series, latency: pd.Series,
                 amplifier_membership: pd.DataFrame | None, automated_clusters: set | None) -> pd.DataFrame:  # fmt: skip
    everyone = structure.index.union(similarity.index).union(latency.index)
    out = structure.reindex(everyone)
    out["coretweet_similarity"] = similarity.reindex(everyone).to_numpy(dtype=float)
    if amplifier_membership is not None:
        members = amplifier_membership.dropna(subset=["cluster_id"])
        cluster = members.set_index(members["account_id"].astype(str))["cluster_id"]
        cluster = cluster[~cluster.index.duplicated()]
        in_cluster = cluster.reindex(everyone)
        out["in_amplifier_cluster"] = in_cluster.notna().to_numpy(dtype=float)
        out["in_automated_cluster"] = in_cluster.isin(automated_clusters or set()).to_numpy(dtype=float)
    else:
        out["in_amplifier_cluster"] = np.nan
        out["in_automated_cluster"] = np.nan
    out["retweet_latency_s"] = latency.reindex(everyone).to_numpy(dtype=float)
    for column in ("in_degree", "out_degree"):
        out[column] = out[column].fillna(0.0) if column in out else 0.0
    for column in ("reciprocity", "clustering"):
        if column not in out:
            out[column] = np.nan
    return out[list(GRAPH_FEATURES)]


def _retweet_latency(posts: pd.DataFrame) -> pd.Series:
    times = posts.dropna(subset=["created_at"]).drop_duplicates("post_id").set_index("post_id")["created_at"]
    retweets = posts[posts["in_collection"].fillna(False).astype(bool)].dropna(
        subset=["retweeted_post_id", "account_id", "created_at"])  # fmt: skip
    if retweets.empty:
        return pd.Series(dtype=float)
    original = retweets["retweeted_post_id"].map(times)
    known = original.notna().to_numpy()
    delay = epoch_seconds(retweets["created_at"][known]) - epoch_seconds(original[known])
    frame = pd.DataFrame({"account_id": retweets["account_id"][known].astype(str).to_numpy(), "delay": delay})
    frame = frame[frame["delay"] >= 0]
    return frame.groupby("account_id")["delay"].median()


@dataclass
class CaseEvidence:
    """The part of :func:`account_features` read from the case alone, without the interaction graph or the
    amplifier clusters, so that it can be computed beside them (``investigate`` does, on a second core)."""

    index: pd.Index  # accounts with a profile or a collected post
    profile: pd.DataFrame
    behaviour: pd.DataFrame
    usernames: pd.Series
    similarity: pd.Series | None = None  # None: left to retweet_evidence
    latency: pd.Series | None = None


def _twitter_posts(case, columns: list[str]) -> pd.DataFrame:
    posts = case.table("posts", columns)
    return posts[posts["platform"] == "twitter"]


def retweet_evidence(case) -> tuple[pd.Series, pd.Series]:
    """Co-retweet similarity and median retweet latency per account (see :func:`graph_features`)."""
    posts = _twitter_posts(case, ["post_id", "platform", "account_id", "created_at", "retweeted_post_id",
                                  "in_collection"])  # fmt: skip
    return coretweet_similarity(posts), _retweet_latency(posts)


def case_evidence(case, *, retweets: bool = True) -> CaseEvidence:
    """Profile and behaviour features of a case's Twitter accounts, and (``retweets``) their
    :func:`retweet_evidence`, which ``investigate`` computes in its other process."""
    accounts = case.accounts
    accounts = accounts[accounts["platform"] == "twitter"]
    posts = _twitter_posts(case, ["post_id", "platform", "account_id", "username", "created_at", "kind", "source",
                                  "text", "retweeted_post_id", "in_collection"])  # fmt: skip
    reference = posts["created_at"].max() if len(posts) else None
    profile = profile_features(accounts, reference_time=reference)
    behaviour = behaviour_features(posts, case.table("urls", ["post_id"]), accounts)
    usernames = pd.concat([accounts[["account_id", "username"]], posts[["account_id", "username"]]])
    usernames = usernames.dropna().astype(str).drop_duplicates("account_id").set_index("account_id")["username"]
    # Accounts with a profile or a collected post; graph-only accounts (a handle in a mention) have no evidence.
    index = profile.index.union(behaviour.index)
    evidence = CaseEvidence(index, profile, behaviour, usernames)
    if retweets:
        evidence.similarity, evidence.latency = coretweet_similarity(posts), _retweet_latency(posts)
    return evidence


def account_features(case, *, edges: pd.DataFrame | None = None, amplifiers=None,
                     evidence: CaseEvidence | None = None, structure: pd.DataFrame | None = None) -> pd.DataFrame:  # fmt: skip
    """Every feature the case supports, one row per Twitter account that has a profile or a collected post.

    Parameters
    ----------
    case : Case
    edges : DataFrame, optional
        Precomputed :func:`signalboost.graph.account_edges` output (computed when absent).
    amplifiers : AmplifierResult, optional
        Amplifier clusters, for cluster-membership features (absent features when not given).
    evidence : CaseEvidence, optional
        Precomputed :func:`case_evidence` of this case (computed when absent).
    structure : DataFrame, optional
        Precomputed :func:`structural_features` of ``edges`` (computed when absent).

    Returns
    -------
    DataFrame indexed by ``account_id`` with :data:`FEATURES` as columns plus ``username``.
    """
    from ..graph import account_edges

    evidence = case_evidence(case) if evidence is None else evidence
    if evidence.similarity is None or evidence.latency is None:  # the caller's evidence is left as it was given
        similarity, latency = retweet_evidence(case)
    else:
        similarity, latency = evidence.similarity, evidence.latency
    edges = account_edges(case) if edges is None else edges
    membership = automated = None
    if amplifiers is not None:
        membership = amplifiers.membership
        automated = set(amplifiers.clusters.loc[amplifiers.clusters["automated"].astype(bool), "cluster_id"])
    structure = structural_features(edges) if structure is None else structure
    graph = _graph_frame(structure, similarity, latency, membership, automated)
    index = evidence.index
    features = pd.concat([evidence.profile.reindex(index), evidence.behaviour.reindex(index), graph.reindex(index)],
                         axis=1)  # fmt: skip
    # An account that posted but is in no edge has degree 0; a profile-only input has no graph at all (NaN).
    posted = is_in(features.index, evidence.behaviour.index)
    for column in ("in_degree", "out_degree") + (("in_amplifier_cluster", "in_automated_cluster") if amplifiers else ()):
        features.loc[posted, column] = features.loc[posted, column].fillna(0.0)
    features.insert(0, "username", evidence.usernames.reindex(index).astype("object").to_numpy())
    features.index.name = "account_id"
    return features
