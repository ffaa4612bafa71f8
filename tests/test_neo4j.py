"""The Neo4j layer against a real Bolt server (ArcadeDB here; a real Neo4j with SIGNALBOOST_TEST_NEO4J_URI).

Schema, loader (idempotence, kill-and-rerun), every .cypher file with expected results, the embedded target,
neo4j-admin CSV export, injection attempts through every CLI parameter, and passwords kept out of output.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner
from neo4j import GraphDatabase

from signalboost import Case
from signalboost.cli import cli
from signalboost.graphdb import (
    Analysis,
    analysis_for,
    apply_schema,
    graph_counts,
    graph_rows,
    library,
    load_query,
    load_rows,
    run_query,
)
from signalboost.graphdb.loader import node_statement, rel_statement
from signalboost.graphdb.model import REL_SPECS, check_identifier
from signalboost.graphdb.queries import QueryError, parse, schema_statements


@pytest.fixture(scope="module")
def investigated(tmp_path_factory):
    """A simulated campaign, investigated: (case, results dir, truth)."""
    from signalboost.investigate import investigate
    from signalboost.simulate import simulate

    root = tmp_path_factory.mktemp("neo4j-case")
    paths = simulate(root / "input", 2500, seed=3)
    investigate([paths["v2"], paths["chan"]], root / "out", seed=0)
    return Case.open(root / "out" / "case"), root / "out", json.loads(paths["truth"].read_text())


@pytest.fixture(scope="module")
def rows(investigated):
    case, out, _ = investigated
    return graph_rows(case, Analysis.from_dir(out))


@pytest.fixture(scope="module")
def driver(bolt_server):
    uri, user, password, database = bolt_server
    with GraphDatabase.driver(uri, auth=(user, password)) as handle:
        yield handle


@pytest.fixture(scope="module")
def loaded(driver, bolt_server, rows):
    """The small case loaded once into a wiped database (the query tests read it)."""
    database = bolt_server[3]
    wipe(driver, database)
    load_rows(driver, rows, database=database, batch_size=1000)
    return database


def wipe(driver, database):
    driver.execute_query("MATCH (n) DETACH DELETE n", database_=database)


def env_for(bolt_server) -> dict[str, str]:
    uri, user, password, database = bolt_server
    env = {"NEO4J_URI": uri, "NEO4J_USER": user, "NEO4J_PASSWORD": password}
    if database:
        env["NEO4J_DATABASE"] = database
    return env


def run(args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)


def endpoints(driver, database, spec) -> set[tuple[str, str]]:
    from signalboost.graphdb.model import NODE_KEYS

    statement = (f"MATCH (a:{spec.start})-[:{spec.type}]->(b:{spec.end}) "
                 f"RETURN a.{NODE_KEYS[spec.start]} AS s, b.{NODE_KEYS[spec.end]} AS e")  # fmt: skip
    return {(r["s"], r["e"]) for r in driver.execute_query(statement, database_=database).records}


def test_schema_is_idempotent_and_complete(driver, bolt_server):
    database = bolt_server[3]
    assert apply_schema(driver, database) == len(schema_statements()) == 16
    apply_schema(driver, database)  # again: IF NOT EXISTS makes it a no-op
    names = {r["name"] for r in driver.execute_query("SHOW CONSTRAINTS", database_=database).records}
    assert {"account_id", "tweet_id", "chan_post_id", "url_id", "hashtag_id", "community_id",
            "amplifier_cluster_id", "chan_thread_id"} <= names  # fmt: skip
    indexes = {r["name"] for r in driver.execute_query("SHOW INDEXES", database_=database).records}
    assert {"account_bot_score", "account_catalyst_score", "tweet_created_at", "tweet_ts"} <= indexes


def test_load_counts_and_reload_is_idempotent(driver, bolt_server, rows, loaded):
    database = loaded
    expected = rows.counts()
    assert graph_counts(driver, database) == expected
    assert expected["Tweet"] > 2000 and expected["Account-AMPLIFIED-Account"] > 500
    assert expected["Tweet-CROSSLINK-ChanPost"] > 0 and expected["ChanPost-QUOTELINKS-ChanPost"] > 0
    before = {spec.name: endpoints(driver, database, spec) for spec in REL_SPECS}
    load_rows(driver, rows, database=database, batch_size=777)
    assert graph_counts(driver, database) == expected
    assert {spec.name: endpoints(driver, database, spec) for spec in REL_SPECS} == before
    posted = rows.rels["Account-POSTED-Tweet"]
    assert before["Account-POSTED-Tweet"] == set(zip(posted["start"], posted["end"], strict=True))


def test_write_back_of_findings(driver, loaded, investigated):
    _, out, truth = investigated
    accounts = pd.read_csv(out / "accounts.csv", dtype=str)
    record = driver.execute_query(
        "MATCH (a:Account {account_id: $id}) RETURN a.role AS role, a.catalyst_rank AS rank, a.catalyst_score AS score, "
        "a.bot_score AS bot_score, a.bot_label AS label, a.community AS community", id=truth["catalysts"][0],
        database_=loaded).records[0]  # fmt: skip
    row = accounts.set_index("account_id").loc[truth["catalysts"][0]]
    assert record["role"] == row["role"] == "catalyst" and record["rank"] <= 3 and 0 < record["score"] <= 1
    assert record["bot_score"] == pytest.approx(float(row["bot_score"])) and record["label"] == row["label"]
    assert record["community"] == row["community"]
    bot = truth["botnets"]["botnet0"][0]
    bot_record = driver.execute_query("MATCH (a:Account {account_id: $id})-[:IN_CLUSTER]->(c:AmplifierCluster) "
                                      "RETURN a.bot_label AS label, c.automated AS automated", id=bot,
                                      database_=loaded).records  # fmt: skip
    assert bot_record and bot_record[0]["label"] == "bot" and bot_record[0]["automated"] is True


def test_load_killed_halfway_then_rerun_gives_the_same_graph(driver, bolt_server, rows, investigated, tmp_path):
    case, out, _ = investigated
    database = bolt_server[3]
    expected = rows.counts()
    wanted = {spec.name: endpoints(driver, database, spec) for spec in REL_SPECS}
    wipe(driver, database)
    env = {**os.environ, **env_for(bolt_server)}
    command = [sys.executable, "-m", "signalboost.cli", "load", "--case", str(case.path), "--results", str(out),
               "--batch-size", "100", "--quiet"]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    partial = 0
    while time.monotonic() < deadline and process.poll() is None:
        partial = driver.execute_query("MATCH (t:Tweet) RETURN count(t) AS n", database_=database).records[0]["n"]
        if partial >= 300:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the load finished before it could be killed; use smaller batches"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    halfway = graph_counts(driver, database)
    assert 0 < halfway["Tweet"] < expected["Tweet"] or sum(halfway.values()) < sum(expected.values())
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert graph_counts(driver, database) == expected
    assert {spec.name: endpoints(driver, database, spec) for spec in REL_SPECS} == wanted


def query(driver, database, name, **params):
    q = load_query(name)
    return run_query(driver, q, q.parameters(typed=params), database=database).frame()


def amplified_graph(rows) -> nx.DiGraph:
    edges = rows.rels["Account-AMPLIFIED-Account"]
    return nx.DiGraph(list(zip(edges["start"], edges["end"], strict=True)))


def username_of(rows, account_id):
    accounts = rows.nodes["Account"].set_index("account_id")
    return accounts.loc[account_id, "username"]


# Every .cypher file of the library has an expectation here; test_every_query_file_is_tested enforces it.
def expect_top_catalysts(driver, database, rows, investigated):
    frame = query(driver, database, "top_catalysts", limit=5)
    catalysts = investigated[2]["catalysts"]
    assert set(frame["account_id"].head(3)) == set(catalysts)
    assert list(frame["rank"]) == sorted(frame["rank"]) and (frame["role"] == "catalyst").all()
    assert (frame["amplifiers"] > 50).all()
    everyone = query(driver, database, "top_catalysts", limit=1000, role="")
    assert len(everyone) == len(pd.read_csv(investigated[1] / "catalysts.csv"))


def expect_catalyst_cascade(driver, database, rows, investigated):
    truth = investigated[2]
    catalyst = truth["catalysts"][0]
    frame = query(driver, database, "catalyst_cascade", account=username_of(rows, catalyst), hops=1, limit=10_000)
    graph = amplified_graph(rows)
    assert set(frame["account_id"]) == set(graph.predecessors(catalyst))
    bots = {b for members in truth["botnets"].values() for b in members}
    fastest = frame.sort_values("seconds_after_first_tweet").head(20)
    assert set(fastest["account_id"]) <= bots and (fastest["seconds_after_first_tweet"] < 120).all()
    two = query(driver, database, "catalyst_cascade", account=catalyst, hops=2, limit=10_000)
    within_two = {n for n, d in nx.single_source_shortest_path_length(graph.reverse(), catalyst, cutoff=2).items() if d > 0}
    assert set(two["account_id"]) == within_two
    assert set(two.loc[two["hops"] == 1, "account_id"]) == set(frame["account_id"])


def expect_amplifier_cluster(driver, database, rows, investigated):
    clusters = pd.read_csv(investigated[1] / "amplifier_clusters.csv")
    automated = clusters[clusters["automated"]].iloc[0]
    frame = query(driver, database, "amplifier_cluster", cluster=automated["cluster_id"], limit=50)
    assert (frame["members"] == automated["size"]).all() and frame["automated"].all()
    leak = set(investigated[2]["leak_urls"])
    urls = frame[frame["kind"] == "url"]
    assert set(urls["item"]) == leak and (urls["pushed_by"] == automated["size"]).all()
    pushed = frame[frame["kind"] == "retweet"]["item"].str.removeprefix("tweet:")
    assert set(investigated[2]["catalyst_tweets"]) <= set(pushed)


def expect_chan_thread_bridges(driver, database, rows, investigated):
    truth = investigated[2]
    frame = query(driver, database, "chan_thread_bridges", thread=truth["chan_thread"], limit=500)
    first = frame.sort_values("lag_s").head(3)
    assert set(first["account_id"]) == set(truth["catalysts"])
    assert (first["lag_s"] < 15 * 60).all() and (frame["lag_s"] >= 0).all()
    assert list(frame["lag_s"]) == sorted(frame["lag_s"])


def expect_url_first_sightings(driver, database, rows, investigated):
    truth = investigated[2]
    frame = query(driver, database, "url_first_sightings", url=truth["leak_urls"][0])
    by_platform = frame.set_index("platform")
    assert set(by_platform.index) == {"4chan", "twitter"}
    assert by_platform.loc["4chan", "first_post"] == truth["chan_thread"]
    assert by_platform.loc["twitter", "first_account"] == username_of(rows, truth["catalysts"][0])
    assert by_platform.loc["4chan", "first_at"] < by_platform.loc["twitter", "first_at"]
    links = rows.rels["Tweet-LINKS_TO-URL"]
    assert by_platform.loc["twitter", "posts"] == int((links["end"] == truth["leak_urls"][0]).sum())
    domain = query(driver, database, "url_first_sightings", domain="archive.org")
    assert set(domain["url"]) == {u for u in truth["leak_urls"] if "archive.org" in u}


def expect_community_bot_share(driver, database, rows, investigated):
    frame = query(driver, database, "community_bot_share", min_size=1, limit=10_000).set_index("community_id")
    accounts = pd.read_csv(investigated[1] / "accounts.csv", dtype={"account_id": str}).dropna(subset=["community"])
    expected = accounts.groupby("community").apply(lambda g: (g["label"] == "bot").sum() / g["bot_score"].notna().sum(),
                                                   include_groups=False)  # fmt: skip
    for community, share in expected.items():
        assert frame.loc[community, "bot_share"] == pytest.approx(share)
    assert set(frame.loc[frame["bot_share"] >= 0.5, "label"]) <= {"bot-driven"}


def expect_shortest_amplification_path(driver, database, rows, investigated):
    truth = investigated[2]
    graph = amplified_graph(rows)
    source = next(fan for fan in truth["humans"] if fan in graph and nx.has_path(graph, fan, truth["catalysts"][0])
                  and nx.shortest_path_length(graph, fan, truth["catalysts"][0]) >= 2)  # fmt: skip
    frame = query(driver, database, "shortest_amplification_path", source=source, target=truth["catalysts"][0])
    assert len(frame) == 1
    assert frame["hops"].iloc[0] == nx.shortest_path_length(graph, source, truth["catalysts"][0])
    path = frame["path_ids"].iloc[0]
    assert path[0] == source and path[-1] == truth["catalysts"][0]
    assert all(graph.has_edge(a, b) for a, b in zip(path, path[1:], strict=False))
    assert query(driver, database, "shortest_amplification_path", source=truth["catalysts"][0], target="nobody").empty


def expect_same_window_coretweeters(driver, database, rows, investigated):
    truth = investigated[2]
    frame = query(driver, database, "same_window_coretweeters", window_hours=2.0, min_shared=3, limit=100_000)
    for net in truth["botnets"].values():
        members = set(net)
        pairs = frame[frame["account_a"].isin(members) & frame["account_b"].isin(members)]
        assert len(pairs) >= len(members)  # batch-created, retweeting the catalysts together
    assert (frame["created_gap_h"] <= 2.0).all() and (frame["shared_retweets"] >= 3).all()


def expect_edge_posts(driver, database, rows, investigated):
    truth = investigated[2]
    bot, catalyst = truth["botnets"]["botnet1"][0], truth["catalysts"][1]
    frame = query(driver, database, "edge_posts", source=bot, target=username_of(rows, catalyst))
    case = investigated[0]
    from signalboost.graph import edge_posts

    expected = edge_posts(case, bot, catalyst)
    expected = expected[expected["kind"].isin(["retweet", "quote"])]
    assert set(frame["post_id"]) == set(expected["post_id"]) and len(frame) >= 1
    assert (frame["delay_s"] >= 0).all() and (frame["delay_s"] < 120).all()


EXPECTATIONS = {name[len("expect_"):]: func for name, func in globals().items() if name.startswith("expect_")}


def test_every_query_file_is_tested():
    assert set(library()) == set(EXPECTATIONS)


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_query_file(name, driver, loaded, rows, investigated):
    EXPECTATIONS[name](driver, loaded, rows, investigated)


def test_query_headers_declare_every_parameter():
    for query_ in library().values():
        assert query_.purpose and query_.example.startswith(f"signalboost query {query_.name}")
    with pytest.raises(QueryError, match=r"\$who used but not declared"):
        parse("// name: x\nMATCH (a {id: $who}) RETURN a")
    with pytest.raises(QueryError, match="no parameter"):
        load_query("top_catalysts").parameters({"limt": "3"})
    with pytest.raises(QueryError, match="must be int"):
        load_query("top_catalysts").parameters({"limit": "ten"})


def test_cli_query_on_the_server_and_on_the_embedded_graph(bolt_server, loaded, investigated, tmp_path):
    case, out, truth = investigated
    env = env_for(bolt_server)
    served = run(["query", "top_catalysts", "--param", "limit=3", "--format", "json"], env=env)
    assert served.exit_code == 0, served.output
    embedded = run(["query", "top_catalysts", "--case", case.path, "--param", "limit=3", "--format", "json"],
                   env={"NEO4J_URI": None})  # fmt: skip
    assert embedded.exit_code == 0, embedded.output
    assert json.loads(served.stdout) == json.loads(embedded.stdout)
    assert {row["account_id"] for row in json.loads(embedded.stdout)} == set(truth["catalysts"])
    assert (Path(case.path) / "graphdb" / "loaded.json").exists()
    again = run(["query", "community_bot_share", "--case", case.path, "--format", "csv"], env={"NEO4J_URI": None})
    assert again.exit_code == 0 and again.stdout.startswith("community_id,size,scored,bots,bot_share")


def test_cli_query_list_and_user_cypher_file(bolt_server, loaded, tmp_path):
    listing = run(["query", "--list", "--format", "csv"])
    assert listing.exit_code == 0
    assert set(pd.read_csv(pd.io.common.StringIO(listing.stdout))["name"]) == set(library())
    mine = tmp_path / "mine.cypher"
    mine.write_text("// name: mine\n// param min: int = 1 | least posts\n"
                    "MATCH (a:Account)-[:POSTED]->(t:Tweet) WITH a, count(t) AS n WHERE n >= $min RETURN count(a) AS accounts\n")  # fmt: skip
    result = run(["query", "--cypher", mine, "--param", "min=1", "--format", "json"], env=env_for(bolt_server))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["accounts"] > 100
    needs = tmp_path / "needs.cypher"
    needs.write_text("// name: needs_gds\n// needs: gds\nRETURN gds.version() AS v\n")
    refused = run(["query", "--cypher", needs], env=env_for(bolt_server))
    assert refused.exit_code != 0 and "needs gds" in refused.output


INJECTIONS = [
    "x\" OR 1=1 //", "x' OR '1'='1", "x\"}) DETACH DELETE (n) //", "x` MATCH (n) DETACH DELETE n //",
    "$limit", "}) WITH 1 AS x MATCH (n) DETACH DELETE n //", "\\u0027 DROP", "A1\nMATCH (n) DETACH DELETE n",
]


BENIGN = {"str": "x", "list": "x", "int": "1", "float": "1", "bool": "true", "datetime": "2017-05-05T18:00:00Z"}


def test_injection_through_every_query_parameter(driver, bolt_server, loaded):
    env = env_for(bolt_server)
    before = graph_counts(driver, loaded)
    for query_ in library().values():
        for param in query_.params:
            for attack in INJECTIONS:
                values = {p.name: BENIGN[p.type] for p in query_.params if p.required}
                values[param.name] = attack
                result = run(["query", query_.name, *[f"--param={k}={v}" for k, v in values.items()]], env=env)
                # A typed parameter refuses the string; a text parameter carries it as a plain value, never as Cypher.
                if param.type in ("int", "float", "bool", "datetime"):
                    assert result.exit_code != 0 and "must be" in result.output
                else:
                    assert result.exit_code == 0, (query_.name, param.name, attack, result.output)
    assert graph_counts(driver, loaded) == before
    found = run(["query", "top_catalysts", "--param", "role=catalyst\" OR 1=1 //", "--format", "json"], env=env)
    assert json.loads(found.stdout) == []


def test_injection_through_load_options(driver, bolt_server, loaded, investigated):
    case, out, _ = investigated
    env = env_for(bolt_server)
    before = graph_counts(driver, loaded)
    for option, value in [("--database", "neo4j` MATCH (n) DETACH DELETE n //"), ("--user", "root' OR 1=1"),
                          ("--uri", "bolt://127.0.0.1:1/' MATCH (n) DETACH DELETE n"), ("--batch-size", "1; DROP")]:
        result = run(["load", "--case", case.path, "--results", out, option, value, "--quiet"], env=env)
        assert result.exit_code != 0, (option, result.output)
    assert graph_counts(driver, loaded) == before
    for bad in ("Account) DETACH DELETE (n", "Account`", "account"):
        with pytest.raises(ValueError, match="not an allowed"):
            check_identifier(bad, ("Account", "Tweet"))
    assert "DELETE" not in node_statement("Account") and all("$rows" in rel_statement(s) for s in REL_SPECS)


def test_passwords_never_appear_in_output(bolt_server, loaded, investigated):
    case, out, _ = investigated
    uri, user, password, database = bolt_server
    wrong = "Wr0ng-" + "s3cret-value"
    for args in (["load", "--case", case.path, "--results", out, "--quiet"], ["query", "top_catalysts"]):
        result = run([*args, "--uri", uri, "--user", user, "--password", wrong])
        assert result.exit_code != 0
        assert wrong not in result.output and "refused user" in result.output
    ok = run(["query", "top_catalysts", "--uri", uri, "--user", user, "--password", password])
    assert ok.exit_code == 0 and password not in ok.output
    unreachable = run(["query", "top_catalysts", "--uri", "bolt://127.0.0.1:1", "--password", wrong])
    assert unreachable.exit_code != 0 and wrong not in unreachable.output and "cannot reach" in unreachable.output
    help_text = run(["load", "--help"], env={"NEO4J_PASSWORD": wrong}).output
    assert wrong not in help_text and "NEO4J_PASSWORD" in help_text


def test_load_command_reports_rates(driver, bolt_server, investigated, rows):
    case, out, _ = investigated
    result = run(["load", "--case", case.path, "--results", out, "--batch-size", "2000"], env=env_for(bolt_server))
    assert result.exit_code == 0, result.output
    assert "rows/s" in result.output and "Account-AMPLIFIED-Account" in result.output
    assert graph_counts(driver, bolt_server[3]) == rows.counts()


def test_load_without_a_server_says_how(investigated):
    result = CliRunner().invoke(cli, ["load", "--case", str(investigated[0].path)], env={"NEO4J_URI": None})
    assert result.exit_code != 0 and "NEO4J_URI" in result.output and "--case" in result.output


def test_export_neo4j_admin_csv(investigated, rows, tmp_path):
    case, out, _ = investigated
    result = run(["export-neo4j-csv", "--case", case.path, "--results", out, "--out", tmp_path / "import"])
    assert result.exit_code == 0, result.output
    accounts = pd.read_csv(tmp_path / "import" / "nodes_Account.csv", dtype=str)
    assert accounts.columns[0] == "account_id:ID(Account)" and accounts.columns[-1] == ":LABEL"
    assert "followers:long" in accounts.columns and "created_at:datetime" in accounts.columns
    assert "bot_score:double" in accounts.columns
    assert len(accounts) == rows.counts()["Account"]
    amplified = pd.read_csv(tmp_path / "import" / "rels_Account-AMPLIFIED-Account.csv", dtype=str)
    assert list(amplified.columns[:2]) == [":START_ID(Account)", ":END_ID(Account)"]
    assert amplified.columns[-1] == ":TYPE" and set(amplified[":TYPE"]) == {"AMPLIFIED"}
    assert len(amplified) == rows.counts()["Account-AMPLIFIED-Account"]
    for name, count in rows.counts().items():
        prefix = "rels_" if "-" in name else "nodes_"
        assert len(pd.read_csv(tmp_path / "import" / f"{prefix}{name}.csv", dtype=str)) == count, name
    script = (tmp_path / "import" / "import.sh").read_text()
    assert "neo4j-admin database import full neo4j" in script and "--relationships=rels_Account-POSTED-Tweet.csv" in script


def test_analysis_is_computed_when_the_case_has_none(investigated, tmp_path):
    import shutil

    case, out, _ = investigated
    shutil.copytree(case.path, tmp_path / "bare", ignore=shutil.ignore_patterns("graphdb"))
    analysis = analysis_for(Case.open(tmp_path / "bare"))
    expected = pd.read_csv(out / "catalysts.csv", dtype=str)
    assert list(analysis.catalysts["account_id"].astype(str).head(3)) == list(expected["account_id"].head(3))
