"""The investigation report: one self-contained HTML page, figures as inline SVG, readable without JavaScript.

Figures follow what the #MacronLeaks studies showed (Ferrara, First Monday 2017; DFRLab 2017): tweet volume over
time by language, bots vs humans over time, cascade growth of the top catalysts, 4chan → Twitter first-sighting
lags, community bot shares; tables of the top catalysts with their evidence and of the amplifier clusters.
"""

from __future__ import annotations

import html
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

FIGURES = ("volume_by_language", "bots_vs_humans", "cascade_growth", "chan_lags", "community_bot_share")
TABLES = ("top_catalysts", "amplifier_clusters", "communities")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False})
    return plt


def _svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    _pyplot().close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _bin(times: pd.Series) -> str:
    span = (times.max() - times.min()) if len(times) else pd.Timedelta(0)
    if span <= pd.Timedelta(days=2):
        return "10min"
    if span <= pd.Timedelta(days=14):
        return "1h"
    return "1D"


def _empty(message: str) -> str:
    return f'<p class="empty">{html.escape(message)}</p>'


def volume_by_language(posts: pd.DataFrame) -> str:
    tweets = posts[(posts["platform"] == "twitter") & posts["in_collection"]].dropna(subset=["created_at"])
    if tweets.empty:
        return _empty("No collected tweets.")
    plt = _pyplot()
    freq = _bin(tweets["created_at"])
    languages = tweets["lang"].fillna("und")
    top = languages.value_counts().head(5).index
    languages = languages.where(languages.isin(top), "other")
    table = tweets.assign(lang=languages).groupby([pd.Grouper(key="created_at", freq=freq), "lang"]).size().unstack(fill_value=0)
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.stackplot(table.index, table.T.to_numpy(), labels=table.columns, alpha=0.85)
    ax.set(ylabel=f"tweets per {freq}", title="Tweet volume over time by language")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    fig.autofmt_xdate()
    return _svg(fig)


def bots_vs_humans(posts: pd.DataFrame, accounts: pd.DataFrame) -> str:
    tweets = posts[(posts["platform"] == "twitter") & posts["in_collection"]].dropna(subset=["created_at"])
    if tweets.empty or "label" not in accounts:
        return _empty("No collected tweets or no bot labels.")
    plt = _pyplot()
    labels = accounts.set_index(accounts["account_id"].astype(str))["label"]
    who = tweets["account_id"].astype(str).map(labels).fillna("unscored")
    freq = _bin(tweets["created_at"])
    table = tweets.assign(who=who).groupby([pd.Grouper(key="created_at", freq=freq), "who"]).size().unstack(fill_value=0)
    fig, ax = plt.subplots(figsize=(8, 3))
    colours = {"bot": "#e6194b", "human": "#3b82f6", "unscored": "#9aa5b1"}
    for column in table.columns:
        ax.plot(table.index, table[column], label=f"{column} accounts", color=colours.get(column, "#555"))
    ax.set(ylabel=f"tweets per {freq}", title="Tweets by bot-labelled vs human-labelled accounts")
    ax.legend(frameon=False, fontsize=8)
    fig.autofmt_xdate()
    return _svg(fig)


def cascade_growth(posts: pd.DataFrame, catalysts: pd.DataFrame, *, top: int = 5) -> str:
    leading = catalysts[catalysts["role"] == "catalyst"].head(top) if len(catalysts) else catalysts
    if leading.empty:
        return _empty("No catalysts were found.")
    plt = _pyplot()
    times = posts.drop_duplicates("post_id").set_index("post_id")["created_at"]
    fig, ax = plt.subplots(figsize=(8, 3.2))
    for row in leading.itertuples():
        origin = str(row.first_post_id)
        start = times.get(origin)
        echoes = posts[(posts["retweeted_post_id"] == origin) | (posts["quoted_post_id"] == origin)]
        if start is None or pd.isna(start) or echoes.empty:
            continue
        minutes = np.sort((echoes["created_at"] - start).dt.total_seconds().to_numpy() / 60.0)
        minutes = minutes[minutes >= 0]
        ax.step(np.r_[0, minutes], np.arange(len(minutes) + 1), where="post", label=f"#{row.rank} {row.username or row.account_id}")
    ax.axvline(1, color="#ccc", lw=0.8)
    ax.axvline(5, color="#ccc", lw=0.8)
    ax.set(xscale="symlog", xlabel="minutes since the catalyst's first post (1 and 5 marked)", ylabel="cumulative retweets + quotes",
           title="Cascade growth of the top catalysts")  # fmt: skip
    ax.legend(frameon=False, fontsize=8)
    return _svg(fig)


def chan_lags(sightings: pd.DataFrame) -> str:
    if sightings.empty or "lag_s" not in sightings:
        return _empty("No URL was seen on both 4chan and Twitter.")
    lags = pd.to_numeric(sightings.loc[sightings["first_platform"] == "4chan", "lag_s"], errors="coerce").dropna()
    if lags.empty:
        return _empty("No URL reached Twitter after 4chan.")
    plt = _pyplot()
    minutes = np.maximum(lags.to_numpy() / 60.0, 1 / 60)
    fig, ax = plt.subplots(figsize=(8, 3))
    bins = np.logspace(np.log10(minutes.min()), np.log10(max(minutes.max(), minutes.min() * 10)), 25)
    ax.hist(minutes, bins=bins, color="#15803d")
    ax.set(xscale="log", xlabel="minutes from a URL's first 4chan post to its first tweet", ylabel="URLs",
           title=f"4chan → Twitter first-sighting lags ({len(lags):,} URLs, median {np.median(minutes):.1f} min)")  # fmt: skip
    return _svg(fig)


def community_bot_share(communities: pd.DataFrame, *, top: int = 15) -> str:
    if communities.empty or "bot_share" not in communities:
        return _empty("No communities with bot labels.")
    plt = _pyplot()
    shown = communities.sort_values("size", ascending=False).head(top)
    fig, ax = plt.subplots(figsize=(8, 3.2))
    colours = shown["bot_label"].map({"bot-driven": "#e6194b", "mixed": "#f59e0b", "human": "#3b82f6"}).fillna("#9aa5b1")
    ax.bar(shown["community"].astype(str), pd.to_numeric(shown["bot_share"], errors="coerce").fillna(0), color=colours)
    for x, size in enumerate(shown["size"]):
        ax.text(x, 0.01, f"{int(size)}", ha="center", va="bottom", fontsize=7, color="white")
    ax.axhline(0.5, color="#e6194b", lw=0.8, ls="--")
    ax.axhline(0.2, color="#f59e0b", lw=0.8, ls="--")
    ax.set(ylim=(0, 1), ylabel="share of members labelled bot", title="Bot share of the largest communities (size in bars)")
    return _svg(fig)


def _table(frame: pd.DataFrame, columns: list[str], *, limit: int = 25) -> str:
    present = [c for c in columns if c in frame.columns]
    if frame.empty:
        return _empty("None.")
    shown = frame[present].head(limit).copy()
    for column in shown.columns:
        if pd.api.types.is_float_dtype(shown[column]):
            shown[column] = shown[column].round(3)
    return shown.to_html(index=False, escape=True, na_rep="", classes="data", border=0)


def _read(results: Path, name: str) -> pd.DataFrame:
    path = results / name
    return pd.read_csv(path, dtype={"account_id": str, "first_post_id": str}) if path.exists() else pd.DataFrame()


def build_report(case, results_dir: str | Path, out_path: str | Path | None = None) -> Path:
    """Write ``report.html`` from a case and the files ``investigate`` wrote into ``results_dir``."""
    results = Path(results_dir)
    out = Path(out_path) if out_path else results / "report.html"
    posts = case.table("posts", ["post_id", "platform", "account_id", "created_at", "lang", "in_collection",
                                 "retweeted_post_id", "quoted_post_id"])  # fmt: skip
    posts["in_collection"] = posts["in_collection"].fillna(False).astype(bool)
    posts["created_at"] = pd.to_datetime(posts["created_at"], utc=True)
    accounts, catalysts = _read(results, "accounts.csv"), _read(results, "catalysts.csv")
    clusters, communities = _read(results, "amplifier_clusters.csv"), _read(results, "communities.csv")
    sightings = _read(results, "url_first_sightings.csv")
    summary = json.loads((results / "summary.json").read_text()) if (results / "summary.json").exists() else {}
    figures = {
        "volume_by_language": ("Tweet volume by language", volume_by_language(posts)),
        "bots_vs_humans": ("Bots vs humans over time", bots_vs_humans(posts, accounts)),
        "cascade_growth": ("Cascade growth of the top catalysts", cascade_growth(posts, catalysts)),
        "chan_lags": ("4chan → Twitter first sightings", chan_lags(sightings)),
        "community_bot_share": ("Community bot shares", community_bot_share(communities)),
    }
    tables = {
        "top_catalysts": ("Top catalysts and their evidence", _table(catalysts, [
            "rank", "username", "account_id", "score", "role", "first_seen", "content", "content_kind", "lag_s",
            "retweets_1m", "retweets_5m", "retweets_60m", "downstream_reach", "communities_reached", "bridged_4chan",
            "followers", "pagerank"])),
        "amplifier_clusters": ("Amplifier clusters", _table(clusters, [
            "cluster_id", "size", "automated", "coordination_score", "median_delay_s", "top_client_share", "timing_cv",
            "hour_entropy", "bot_share", "bot_label", "top_content"])),
        "communities": ("Communities", _table(communities.sort_values("size", ascending=False) if len(communities) else communities, [
            "community", "size", "top_accounts", "languages", "bot_share", "mean_bot_score", "bot_label"], limit=20)),
    }  # fmt: skip
    counts = summary.get("counts", {})
    facts = "".join(f"<li><b>{html.escape(str(v))}</b> {html.escape(k.replace('_', ' '))}</li>"
                    for k, v in counts.items() if not isinstance(v, dict))  # fmt: skip
    span = summary.get("time_span", {})
    sections = "".join(f'<section id="{key}"><h2>{html.escape(title)}</h2>{body}</section>'
                       for key, (title, body) in {**figures, **tables}.items())  # fmt: skip
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>signalboost report — {html.escape(str(case.path))}</title>
<style>
body {{ font: 14px/1.5 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #111827; padding: 0 1em; }}
h1 {{ font-size: 22px; }} h2 {{ font-size: 17px; border-bottom: 1px solid #e5e7eb; padding-bottom: 4px; margin-top: 2em; }}
table.data {{ border-collapse: collapse; font-size: 12px; }} table.data td, table.data th {{ padding: 3px 8px; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }}
table.data th {{ background: #f3f4f6; }} .empty {{ color: #6b7280; font-style: italic; }} svg {{ max-width: 100%; height: auto; }}
ul.facts {{ columns: 3; }} section {{ overflow-x: auto; }} .muted {{ color: #6b7280; }}
</style></head><body>
<h1>signalboost investigation report</h1>
<p class="muted">Case <code>{html.escape(str(case.path))}</code> · {html.escape(str(span.get("first", "")))} → {html.escape(str(span.get("last", "")))}
· coordination window {html.escape(str(summary.get("coordination_window_s", "")))} s · generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC</p>
<ul class="facts">{facts}</ul>
{sections}
<p class="muted">Methods: docs/outputs.md and docs/bots.md in the signalboost repository. Figures are static SVG; no script runs on this page.</p>
</body></html>
"""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out
