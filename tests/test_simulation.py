"""The simulator's truth is recovered by the detectors, which never read it."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from signalboost.cli import cli
from signalboost.investigate import investigate
from signalboost.simulate import simulate

CONTRACT = {
    "catalysts.csv": ["rank", "account_id", "username", "score", "role", "first_post_id", "first_seen", "content"],
    "accounts.csv": ["account_id", "username", "community", "amplifier_cluster", "role"],
    "amplifier_clusters.csv": ["cluster_id", "size", "automated", "coordination_score", "median_delay_s",
                               "top_content"],
    "crossplatform_links.csv": ["chan_board", "chan_thread", "chan_post", "tweet_id", "account_id", "url",
                                "direction", "lag_s"],
}  # fmt: skip


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    folder = tmp_path_factory.mktemp("campaign")
    paths = simulate(folder / "input", 4000, seed=3)
    # A small case would run serially by default; the second process is what these tests exercise.
    result = investigate([paths["v2"], paths["chan"]], folder / "out", seed=3, parallel=True)
    return result, json.loads(paths["truth"].read_text()), folder


def test_catalysts_are_recovered(campaign):
    result, truth, _ = campaign
    ranking = result.catalysts
    top = ranking.head(3)
    assert set(top["account_id"]) == set(truth["catalysts"])
    assert set(top["role"]) == {"catalyst"}
    roles = ranking.set_index("account_id")["role"]
    assert roles[truth["celebrity"]] == "mainstream-influencer"
    assert not roles.reindex(truth["news_decoys"]).eq("catalyst").any()
    assert (ranking["role"] == "catalyst").sum() == 3


def test_botnets_recovered_and_fans_not_automated(campaign):
    result, truth, folder = campaign
    members = pd.read_csv(folder / "out" / "amplifier_members.csv", dtype=str)
    clusters = pd.read_csv(folder / "out" / "amplifier_clusters.csv").set_index("cluster_id")
    for name, bots in truth["botnets"].items():
        found = members[members["account_id"].isin(bots)]["cluster_id"].value_counts()
        assert len(found) == 1 and found.iloc[0] == len(bots), name  # one cluster holds the whole botnet ...
        cluster = found.index[0]
        assert (members["cluster_id"] == cluster).sum() == len(bots), name  # ... and nothing else
        assert bool(clusters.loc[cluster, "automated"]), name
    fan_clusters = members[members["account_id"].isin(truth["fans"])]["cluster_id"].unique()
    assert len(fan_clusters) >= 1
    assert not clusters.loc[fan_clusters, "automated"].astype(bool).any()
    assert not members["account_id"].isin(truth["humans"]).any()


def test_crosslinks_and_contract_files(campaign):
    result, truth, folder = campaign
    out = folder / "out"
    for name, columns in CONTRACT.items():
        frame = pd.read_csv(out / name)
        assert list(frame.columns[: len(columns)]) == columns, name
    links = pd.read_csv(out / "crossplatform_links.csv", dtype={"tweet_id": str, "account_id": str})
    back = links[links["evidence"] == "chan-links-tweet"]
    assert set(back["tweet_id"]) == set(truth["catalyst_tweets"])
    first = pd.read_csv(out / "url_first_sightings.csv")
    assert set(first["url"]) == set(truth["leak_urls"]) and set(first["first_platform"]) == {"4chan"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["counts"]["catalysts"] == 3 and summary["counts"]["automated_clusters"] == 3
    assert 1 <= summary["coordination_window_s"] <= 120 and summary["coordination_window_estimated"]
    assert {"ingest", "catalysts", "amplifiers", "communities", "crosslinks"} <= set(summary["timings_s"])
    accounts = pd.read_csv(out / "accounts.csv", dtype=str)
    roles = accounts.set_index("account_id")["role"]
    assert set(roles[truth["catalysts"]]) == {"catalyst"}
    bots = [bot for members in truth["botnets"].values() for bot in members]
    assert (roles[bots] == "amplifier").all()


def test_cli_commands_on_the_case(campaign):
    result, truth, folder = campaign
    case = str(folder / "out" / "case")
    runner = CliRunner()
    top = json.loads(runner.invoke(cli, ["catalysts", "--case", case, "--top", "3", "--format", "json"]).output)
    assert {row["account_id"] for row in top} == set(truth["catalysts"])
    out = runner.invoke(cli, ["amplifiers", "--case", case, "--format", "csv"])
    assert out.exit_code == 0 and "co-action window" in out.stderr
    assert out.stdout.startswith("cluster_id,size,automated")
    bridges = runner.invoke(cli, ["crosslinks", "--case", case, "--view", "bridges", "--format", "json"]).output
    assert json.loads(bridges)[0]["account_id"] == truth["catalysts"][0]
    communities = runner.invoke(cli, ["communities", "--case", case, "--format", "json"])
    assert communities.exit_code == 0 and json.loads(communities.stdout)[0]["size"] > 10
    bot = truth["botnets"]["botnet0"][0]
    edges = json.loads(runner.invoke(cli, ["edges", "--case", case, "--source", bot, "--target",
                                           truth["catalysts"][0], "--format", "json"]).output)  # fmt: skip
    assert edges and {row["kind"] for row in edges} == {"retweet"}
    again = runner.invoke(cli, ["investigate", "--case", case, "--out", str(folder / "again"), "-q"])
    assert again.exit_code == 0 and (folder / "again" / "catalysts.csv").exists()


def test_demo_command(tmp_path):
    result = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path / "demo"), "--tweets", "2000"])
    assert result.exit_code == 0, result.output
    assert "catalyst #1" in result.output and "automated" in result.output
    assert (tmp_path / "demo" / "catalysts.csv").exists()


def test_second_process_gives_the_serial_results(campaign, tmp_path):
    """The case-only stages run in a second process by default; a serial run must write the same files."""
    result, _, folder = campaign
    assert result.summary["stages_in_second_process"] == ["amplifiers", "bot_evidence"]
    inputs = [folder / "input" / "tweets_v2.jsonl", *sorted((folder / "input" / "pol" / "thread").glob("*.json"))]
    serial = investigate(inputs, tmp_path / "serial", seed=3)  # small input: serial by default
    assert serial.summary["stages_in_second_process"] == []
    for name in ("catalysts.csv", "accounts.csv", "amplifier_clusters.csv", "amplifier_members.csv",
                 "communities.csv", "bot_scores.csv", "crossplatform_links.csv", "bridges.csv"):  # fmt: skip
        assert (tmp_path / "serial" / name).read_bytes() == (folder / "out" / name).read_bytes(), name


def test_a_failing_stage_in_the_second_process_is_reported(tmp_path):
    """A stage that raises in the second process raises in the caller, with the stage's own traceback."""
    from signalboost.investigate import SecondCore, SecondProcessFailed

    worker = SecondCore()
    try:
        worker.submit(str(tmp_path / "no-such-case"), None, 0)
        with pytest.raises(SecondProcessFailed, match="is not a signalboost case"):
            worker.result()
    finally:
        worker.close()
    assert worker.process.returncode == 0


def test_a_dead_second_process_leaves_its_stages_to_the_caller(campaign, tmp_path):
    """When the second process dies (killed, out of memory), analyse runs its stages itself: same results."""
    from signalboost.case import Case
    from signalboost.investigate import SecondCore, analyse

    result, _, folder = campaign
    worker = SecondCore()
    worker.process.kill()
    worker.process.wait()
    again = analyse(Case.open(folder / "out" / "case"), tmp_path / "again", seed=3, worker=worker)
    assert again.summary["stages_in_second_process"] == []
    for name in ("catalysts.csv", "accounts.csv", "amplifier_clusters.csv", "bot_scores.csv"):
        assert (tmp_path / "again" / name).read_bytes() == (folder / "out" / name).read_bytes(), name


def test_cli_investigate_serial(campaign, tmp_path):
    result, _, folder = campaign
    run = CliRunner().invoke(cli, ["investigate", "--case", str(folder / "out" / "case"), "--out",
                                   str(tmp_path / "serial"), "--serial", "--seed", "3", "-q"])  # fmt: skip
    assert run.exit_code == 0, run.output
    summary = json.loads((tmp_path / "serial" / "summary.json").read_text())
    assert summary["stages_in_second_process"] == []
    assert (tmp_path / "serial" / "catalysts.csv").read_bytes() == (folder / "out" / "catalysts.csv").read_bytes()


def test_when_a_second_process_is_used(monkeypatch):
    from signalboost import investigate as module

    assert module.use_second_core(True, posts=1) and not module.use_second_core(False, posts=10**9)
    monkeypatch.setattr(module.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert module.use_second_core(None, posts=module.SECOND_PROCESS_FROM_POSTS)
    assert not module.use_second_core(None, posts=module.SECOND_PROCESS_FROM_POSTS - 1)
    assert module.use_second_core(None, input_bytes=module.SECOND_PROCESS_FROM_BYTES)
    assert not module.use_second_core(None, input_bytes=1000)
    monkeypatch.setattr(module.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert not module.use_second_core(None, posts=10**9)
