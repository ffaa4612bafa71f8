"""Bot or human: features with known values, the shipped model, cross-dataset evaluation, CLI."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import DATA, SHARED, shared
from signalboost.bots import (
    FEATURES,
    BotModel,
    behaviour_features,
    graph_features,
    label_groups,
    profile_features,
)
from signalboost.bots.features import coretweet_similarity, creation_burst, shannon_entropy
from signalboost.bots.model import shipped_model_dir
from signalboost.bots.train import fit, load_cresci, load_gilani, load_simulated, metrics
from signalboost.cli import cli

UTC = "UTC"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def account(account_id, **values):
    row = {"account_id": account_id, "platform": "twitter", "username": None, "display_name": None,
           "created_at": pd.Timestamp("2016-01-01", tz=UTC), "description": None, "location": None, "url": None,
           "verified": False, "protected": False, "followers": None, "following": None, "statuses": None,
           "favourites": None, "listed": None, "default_profile": None, "default_profile_image": None,
           "lang": None, "snapshot_at": pd.Timestamp("2017-01-01", tz=UTC)}  # fmt: skip
    row.update(values)
    return row


def test_profile_features_known_values():
    frame = pd.DataFrame([
        account("1", username="aab", followers=100, following=400, statuses=3660, favourites=366, listed=5,
                description="Citoyen", default_profile=True, default_profile_image=False),
        account("2", username="bot12345", followers=0, following=0, statuses=0, description="  "),
        account("3", username="nobody"),  # known only from a post: no counts
    ])  # fmt: skip
    features = profile_features(frame)
    one = features.loc["1"]
    assert one["age_days"] == pytest.approx(366.0)
    assert one["statuses_per_day"] == pytest.approx(10.0)
    assert one["follower_friend_ratio"] == pytest.approx(0.25)
    assert one["favourites_per_status"] == pytest.approx(0.1)
    assert one["listed_per_follower"] == pytest.approx(0.05)
    assert one["log_followers"] == pytest.approx(math.log1p(100))
    assert one["username_entropy"] == pytest.approx(-(2 / 3 * math.log2(2 / 3) + 1 / 3 * math.log2(1 / 3)))
    assert one["has_description"] == 1.0 and one["has_url"] == 0.0
    assert one["default_profile"] == 1.0 and one["default_profile_image"] == 0.0
    two = features.loc["2"]
    assert two["username_digit_share"] == pytest.approx(5 / 8)
    assert two["has_description"] == 0.0  # blank is not a description
    assert two["follower_friend_ratio"] == 0.0
    three = features.loc["3"]
    assert np.isnan(three["follower_friend_ratio"]) and np.isnan(three["has_description"])
    assert np.isnan(three["creation_burst"])  # fewer than 20 creation times: no burst measure
    assert list(features.columns)[:3] == ["age_days", "statuses_per_day", "follower_friend_ratio"]


def test_shannon_entropy_and_creation_burst():
    assert shannon_entropy("") == 0.0 and shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("abcd") == pytest.approx(2.0)
    # 30 accounts spread one a day over 30 days, plus 10 registered in one hour: the batch stands out.
    spread = [pd.Timestamp("2016-01-01", tz=UTC) + pd.Timedelta(days=d) for d in range(30)]
    batch = [pd.Timestamp("2016-02-15 03:00", tz=UTC) + pd.Timedelta(minutes=m) for m in range(10)]
    burst = creation_burst(pd.Series(spread + batch))
    assert (burst[:30] == 0).all()  # alone in its hour
    assert (burst[30:] == 9).all()  # 9 others in the hour; chance expects fewer than one, so no rescaling


def test_vectorised_entropies_match_the_scalar_function():
    from signalboost.bots.features import shannon_entropies

    texts = ["", "a", "aaaa", "abcd", "user_123", "Ünïcödé_ñ", "x" * 64, "ab" * 40, "nul\x00here", "日本語のハンドル"]
    values = pd.Series([*texts, None, *reversed(texts)], dtype="object")
    got = shannon_entropies(values)
    expected = [np.nan if text is None else shannon_entropy(text) for text in values]
    np.testing.assert_allclose(got, expected, equal_nan=True)
    assert np.isnan(shannon_entropies(pd.Series([None, None], dtype="object"))).all()


def posts_frame(rows):
    frame = pd.DataFrame(rows, columns=["post_id", "account_id", "created_at", "kind", "source", "text",
                                        "retweeted_post_id"])  # fmt: skip
    frame["platform"] = "twitter"
    frame["in_collection"] = True
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame


def test_behaviour_features_metronome_and_human():
    t0 = pd.Timestamp("2017-05-05 18:00", tz=UTC)
    rows = [(f"b{i}", "bot", t0 + pd.Timedelta(minutes=10 * i), "retweet", "IFTTT", "", "x") for i in range(6)]
    rows += [("h1", "human", t0, "original", "Twitter for iPhone", "hello there", None),
             ("h2", "human", t0 + pd.Timedelta(minutes=1), "original", "Twitter Web Client", "Hello there 12", None),
             ("h3", "human", t0 + pd.Timedelta(hours=5), "reply", "Twitter for iPhone", "another thought", None)]  # fmt: skip
    urls = pd.DataFrame({"post_id": ["h1"]})
    features = behaviour_features(posts_frame(rows), urls)
    bot, human = features.loc["bot"], features.loc["human"]
    assert bot["posts_in_window"] == 6 and bot["retweet_share"] == 1.0
    assert bot["interpost_cv"] == pytest.approx(0.0) and bot["burstiness"] == pytest.approx(-1.0)
    assert bot["distinct_sources"] == 1 and bot["top_source_share"] == 1.0
    assert bot["hour_entropy"] == pytest.approx(0.0)  # all in one hour of the day
    assert human["reply_share"] == pytest.approx(1 / 3) and human["url_share"] == pytest.approx(1 / 3)
    assert human["distinct_sources"] == 2
    # "hello there" and "Hello there 12" are the same text once case and digits are set aside.
    assert human["duplicate_text_share"] == pytest.approx(2 / 3)
    assert np.isnan(human["hour_entropy"])  # three posts are too few for a diurnal rhythm
    gaps = np.array([60.0, 5 * 3600 - 60.0])
    assert human["burstiness"] == pytest.approx((gaps.std(ddof=1) - gaps.mean()) / (gaps.std(ddof=1) + gaps.mean()))


def test_coretweet_similarity_and_graph_features():
    t0 = pd.Timestamp("2017-05-05 18:00", tz=UTC)
    rows = [("o1", "author", t0, "original", None, "leak", None), ("o2", "author", t0, "original", None, "leak 2", None),
            ("o3", "other", t0, "original", None, "news", None)]  # fmt: skip
    for who, items in (("a", ["o1", "o2"]), ("b", ["o1", "o2"]), ("c", ["o3", "o1"])):
        rows += [(f"{who}{i}", who, t0 + pd.Timedelta(seconds=30 + i), "retweet", None, "", item)
                 for i, item in enumerate(items)]  # fmt: skip
    posts = posts_frame(rows)
    similarity = coretweet_similarity(posts)
    assert similarity["a"] == pytest.approx(1.0) and similarity["b"] == pytest.approx(1.0)
    assert 0 < similarity["c"] < 1  # shares o1 only (o3 has one retweeter and is left out)
    edges = pd.DataFrame({"source": ["a", "b", "c", "author"], "target": ["author", "author", "author", "a"],
                          "kind": ["retweet", "retweet", "retweet", "mention"], "weight": [2, 2, 1, 1]})  # fmt: skip
    membership = pd.DataFrame({"account_id": ["a", "b"], "cluster_id": ["A1", "A1"]})
    features = graph_features(edges, posts, amplifier_membership=membership, automated_clusters={"A1"})
    assert features.loc["author", "in_degree"] == 3 and features.loc["author", "out_degree"] == 1
    assert features.loc["a", "reciprocity"] == 1.0 and features.loc["b", "reciprocity"] == 0.0
    assert features.loc["a", "in_automated_cluster"] == 1.0 and features.loc["c", "in_amplifier_cluster"] == 0.0
    assert features.loc["a", "retweet_latency_s"] == pytest.approx(30.5)


def test_label_groups_rule():
    membership = pd.DataFrame({"account_id": list("abcdefgh"), "community": ["C1"] * 4 + ["C2"] * 3 + [None]})
    scores = pd.DataFrame({"account_id": list("abcdefgh"), "bot_score": [0.9, 0.8, 0.1, 0.2, 0.6, 0.1, 0.1, 0.9],
                           "label": ["bot", "bot", "human", "human", "bot", "human", "human", "bot"]})  # fmt: skip
    groups = label_groups(membership, scores, "community").set_index("community")
    assert groups.loc["C1", "bot_share"] == 0.5 and groups.loc["C1", "bot_label"] == "bot-driven"
    assert groups.loc["C2", "bot_share"] == pytest.approx(0.3333, abs=1e-4) and groups.loc["C2", "bot_label"] == "mixed"
    assert groups.loc["C1", "mean_bot_score"] == pytest.approx(0.5) and groups.loc["C1", "scored"] == 4


def test_shipped_model_loads_and_scores_without_training():
    model = BotModel.load()
    assert model.features == list(FEATURES)
    assert {"bot_model.txt", "model.json", "metrics.json"} <= {p.name for p in shipped_model_dir().iterdir()}
    empty = pd.DataFrame(columns=list(FEATURES), index=pd.Index(["x"], name="account_id"), dtype=float)
    scores = model.score(empty)  # nothing known at all: still a probability, never an error
    assert 0 <= scores["bot_score"].iloc[0] <= 1


def test_score_command_on_v2_tweets():
    result = run("bots", "score", DATA / "brexit.jsonl")
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.stdout), dtype={"account_id": str})
    assert list(frame.columns) == ["account_id", "username", "bot_score", "label", "top_features"]
    assert frame["bot_score"].between(0, 1).all() and set(frame["label"]) <= {"bot", "human"}
    assert frame["account_id"].is_unique and len(frame) == 177
    assert frame["top_features"].str.contains(r"=.+\([+-]\d").all()


def test_score_command_needs_inputs_or_case():
    result = CliRunner().invoke(cli, ["bots", "score"])
    assert result.exit_code != 0 and "INPUT" in result.output


def test_investigate_fills_bot_columns(tmp_path):
    from signalboost.investigate import investigate
    from signalboost.simulate import simulate

    paths = simulate(tmp_path / "in", 3000, seed=5)
    result = investigate([paths["v2"], paths["chan"]], tmp_path / "out", seed=0)
    accounts = pd.read_csv(tmp_path / "out" / "accounts.csv", dtype={"account_id": str})
    assert {"bot_score", "label"} <= set(accounts.columns)
    scored = accounts.dropna(subset=["bot_score"])
    assert scored["bot_score"].between(0, 1).all() and set(scored["label"]) == {"bot", "human"}
    truth = json.loads(paths["truth"].read_text())
    bots = {b for members in truth["botnets"].values() for b in members}
    is_bot = scored["account_id"].isin(bots)
    # Seed 5 is not among the simulated campaigns the model was trained on.
    assert metrics(is_bot.to_numpy(), scored["bot_score"].to_numpy())["auc"] > 0.95
    communities = pd.read_csv(tmp_path / "out" / "communities.csv")
    assert {"bot_share", "mean_bot_score", "bot_label"} <= set(communities.columns)
    clusters = pd.read_csv(tmp_path / "out" / "amplifier_clusters.csv")
    automated = clusters[clusters["automated"]]
    assert len(automated) and (automated["bot_label"] == "bot-driven").all()
    assert result.summary["counts"]["accounts_labelled_bot"] == int((scored["label"] == "bot").sum())


@pytest.mark.shared_data
def test_scores_on_real_profiles_are_calibrated():
    shared("cresci-2015-e13-int/E13.users.csv")
    cresci = load_cresci(SHARED)
    scores = BotModel.load().probability(cresci.features)
    assert ((scores >= 0) & (scores <= 1)).all()
    # Reliability: in each decile of score the share of bots is close to the mean score (ECE).
    frame = pd.DataFrame({"score": scores, "bot": cresci.labels})
    frame["bin"] = pd.qcut(frame["score"].rank(method="first"), 10, labels=False)
    by_bin = frame.groupby("bin").agg(score=("score", "mean"), bot=("bot", "mean"), n=("bot", "size"))
    ece = float((by_bin["n"] * (by_bin["score"] - by_bin["bot"]).abs()).sum() / len(frame))
    assert ece < 0.05
    assert metrics(cresci.labels, scores)["brier"] < 0.05


@pytest.mark.shared_data
def test_cross_dataset_floor_on_a_slice():
    """Train on gilani-2017 and a small simulated campaign; test on a slice of cresci-2015 never seen."""
    shared("gilani-2017-stweeler-features/bots.1k.csv")
    cresci = load_cresci(SHARED)
    rng = np.random.default_rng(0)
    pick = np.sort(rng.choice(len(cresci), 600, replace=False))
    held_out = type(cresci)("cresci-slice", cresci.features.iloc[pick], cresci.labels[pick])
    model, _ = fit([load_gilani(SHARED), load_simulated(seeds=(11,), tweets=3000)], folds=3)
    report = metrics(held_out.labels, model.probability(held_out.features))
    assert report["auc"] > 0.75, report


@pytest.mark.shared_data
def test_train_command_reproduces_shipped_metrics(tmp_path):
    shared("cresci-2015-e13-int/E13.users.csv")
    result = run("bots", "train", "--data", SHARED, "--out", tmp_path / "model")
    assert result.exit_code == 0, result.output
    assert "cross-dataset" in result.output
    produced = json.loads((tmp_path / "model" / "metrics.json").read_text())
    shipped = json.loads((shipped_model_dir() / "metrics.json").read_text())
    assert produced == shipped
    retrained, original = BotModel.load(tmp_path / "model"), BotModel.load()
    cresci = load_cresci(SHARED)
    np.testing.assert_allclose(retrained.probability(cresci.features), original.probability(cresci.features))


@pytest.mark.shared_data
def test_evaluate_command_writes_metrics_and_plots(tmp_path):
    users = shared("cresci-2015-e13-int/INT.users.csv")
    humans = shared("cresci-2015-e13-int/E13.users.csv")
    ids_bot = pd.read_csv(users, usecols=["id"], dtype=str)["id"]
    ids_human = pd.read_csv(humans, usecols=["id"], dtype=str)["id"]
    labels = pd.DataFrame({"account_id": pd.concat([ids_bot, ids_human]),
                           "label": ["bot"] * len(ids_bot) + ["human"] * len(ids_human)})  # fmt: skip
    labels.to_csv(tmp_path / "labels.csv", index=False)
    result = run("bots", "evaluate", users, humans, "--labels", tmp_path / "labels.csv", "--plots", tmp_path / "plots")
    assert result.exit_code == 0, result.output
    values = dict(line.split() for line in result.stdout.strip().splitlines())
    assert set(values) == {"n", "bots", "auc", "accuracy", "precision", "recall", "f1", "mcc", "brier"}
    assert int(values["n"]) == 2817 and float(values["auc"]) > 0.9
    for name in ("roc.png", "calibration.png"):
        assert (tmp_path / "plots" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_evaluate_rejects_a_bad_labels_file(tmp_path):
    (tmp_path / "labels.csv").write_text("account_id,label\n1,bot\n2,maybe\n")
    result = CliRunner().invoke(cli, ["bots", "evaluate", str(DATA / "brexit.jsonl"), "--labels",
                                      str(tmp_path / "labels.csv")])  # fmt: skip
    assert result.exit_code != 0 and "line 3" in result.output and "maybe" in result.output


def test_feature_names_documented():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "bots.md").read_text()
    missing = [name for name in FEATURES if f"`{name}`" not in doc]
    assert not missing, missing
