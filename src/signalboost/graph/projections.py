"""Account–content bipartite networks (accounts × URLs, accounts × hashtags) and their account projections.

Two accounts are linked when they posted the same normalised URL (or hashtag); the weight is how many distinct
items they share. Computed as the sparse product B·Bᵀ of the binary account × item matrix. Items posted by more
than ``max_accounts`` accounts are left out of the projection (a trending hashtag links everyone to everyone and
says nothing about who is close); they stay in the bipartite table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from ..case import Case

ITEM_COLUMNS = {"url": ("urls", "normalised_url"), "hashtag": ("hashtags", "normalised_tag")}


def bipartite_edges(case: Case, item: str) -> pd.DataFrame:
    """account_id, item, posts (how many posts by the account carried the item), first_at."""
    if item not in ITEM_COLUMNS:
        raise ValueError(f"item must be one of {sorted(ITEM_COLUMNS)}, not {item!r}")
    table, column = ITEM_COLUMNS[item]
    carried = case.table(table, ["post_id", column]).drop_duplicates()
    posts = case.table("posts", ["post_id", "account_id", "created_at", "kind"])
    # A retweet repeats its original's links and tags; count what accounts chose to post.
    posts = posts[(posts["kind"] != "retweet") & posts["account_id"].notna()]
    merged = carried.merge(posts, on="post_id").rename(columns={column: "item"})
    return merged.groupby(["account_id", "item"], as_index=False).agg(
        posts=("post_id", "size"), first_at=("created_at", "min")
    )


def projection_edges(case: Case, item: str, *, max_accounts: int = 1000, min_shared: int = 1) -> pd.DataFrame:
    """Account pairs that posted the same items: account_a, account_b, shared (distinct items), a < b."""
    bipartite = bipartite_edges(case, item)
    columns = ["account_a", "account_b", "shared"]
    if bipartite.empty:
        return pd.DataFrame(columns=columns)
    accounts = bipartite["account_id"].astype("category")
    items = bipartite["item"].astype("category")
    matrix = sparse.csr_matrix(
        (np.ones(len(bipartite), dtype=np.float32), (accounts.cat.codes.to_numpy(), items.cat.codes.to_numpy())),
        shape=(len(accounts.cat.categories), len(items.cat.categories)),
    )
    degree = np.asarray(matrix.sum(axis=0)).ravel()
    matrix = matrix[:, np.flatnonzero((degree >= 2) & (degree <= max_accounts))]
    product = sparse.triu(matrix @ matrix.T, k=1).tocoo()
    keep = product.data >= min_shared
    names = accounts.cat.categories
    return pd.DataFrame({"account_a": names[product.row[keep]], "account_b": names[product.col[keep]],
                         "shared": product.data[keep].astype(int)}).sort_values("shared", ascending=False,
                                                                                  ignore_index=True)  # fmt: skip
