"""Pictures: the Graphistry Plotter (no server), the offline view in real headless Chromium, the report, the notebook."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from signalboost import Case
from signalboost.cli import cli
from signalboost.graphdb import Analysis
from signalboost.viz.graph import BOT_COLOURS, ROLE_COLOURS, TIME_RAMP, cascade_frames, ramp
from signalboost.viz.graphistry_view import cascade_plotter, credentials, upload
from signalboost.viz.html import render_html, write_html
from signalboost.viz.report import FIGURES, TABLES, build_report

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
ASSETS = ROOT / "src" / "signalboost" / "viz" / "assets"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def investigated(tmp_path_factory):
    from signalboost.investigate import investigate
    from signalboost.simulate import simulate

    root = tmp_path_factory.mktemp("viz")
    paths = simulate(root / "input", 3000, seed=4)
    result = investigate([paths["v2"], paths["chan"]], root / "out", seed=0)
    return result, json.loads(paths["truth"].read_text())


@pytest.fixture(scope="module")
def frames(investigated):
    result, _ = investigated
    return cascade_frames(result.case, Analysis.from_dir(result.out_dir))


def test_ramp_known_values():
    assert list(ramp(np.array([0.0, 1.0, np.nan]))) == [TIME_RAMP[0], TIME_RAMP[-1], TIME_RAMP[0]]
    assert ramp(np.array([0.125]))[0] == "#402a70"  # halfway from (68,1,84) to (59,82,139), rounded


def test_frames_carry_roles_bot_labels_and_reach(frames, investigated):
    result, truth = investigated
    nodes = frames.nodes.set_index("node_id")
    for catalyst in truth["catalysts"]:
        assert nodes.loc[catalyst, "role"] == "catalyst" and nodes.loc[catalyst, "colour_role"] == ROLE_COLOURS["catalyst"]
        assert "catalyst #" in nodes.loc[catalyst, "title"]
    bot = truth["botnets"]["botnet0"][0]
    assert nodes.loc[bot, "bot_label"] == "bot" and nodes.loc[bot, "colour_bot"] == BOT_COLOURS["bot"]
    celebrity = nodes.loc[truth["celebrity"]]
    amplifiers = frames.edges[frames.edges["kind"].isin(["retweet", "quote"]) & (frames.edges["target"] == truth["celebrity"])]
    assert celebrity["reach"] == amplifiers["source"].nunique() and celebrity["size"] > nodes["size"].median()
    assert set(frames.edges["source"]) | set(frames.edges["target"]) == set(frames.nodes["node_id"])
    early, late = frames.edges["first_ts"].idxmin(), frames.edges["first_ts"].idxmax()
    assert frames.edges.loc[early, "colour_time"] == TIME_RAMP[0] and frames.edges.loc[late, "colour_time"] == TIME_RAMP[-1]


def test_focus_modes(investigated):
    result, truth = investigated
    analysis = Analysis.from_dir(result.out_dir)
    catalyst = truth["catalysts"][0]
    cascade = cascade_frames(result.case, analysis, focus="catalyst", value=catalyst)
    assert set(cascade.edges["kind"]) <= {"retweet", "quote"} and catalyst in set(cascade.nodes["node_id"])
    bots = {b for members in truth["botnets"].values() for b in members}
    direct = set(cascade.edges.loc[cascade.edges["target"] == catalyst, "source"])
    assert len(direct & bots) >= len(bots) * 0.9
    clusters = pd.read_csv(result.out_dir / "amplifier_clusters.csv")
    cluster = clusters.loc[clusters["automated"], "cluster_id"].iloc[0]
    members = pd.read_csv(result.out_dir / "amplifier_members.csv", dtype=str)
    members = set(members.loc[members["cluster_id"] == cluster, "account_id"])
    focused = cascade_frames(result.case, analysis, focus="cluster", value=cluster)
    assert set(focused.edges["source"]) == members
    url = truth["leak_urls"][0]
    across = cascade_frames(result.case, analysis, focus="url", value=url)
    kinds = across.nodes["type"].value_counts().to_dict()
    assert kinds["url"] == 1 and kinds["chan-thread"] == 1
    posted = across.edges[across.edges["kind"] == "posted-url"]
    assert set(posted["target"]) == {f"url:{url}"} and truth["chan_thread"] in set(posted["source"])
    with pytest.raises(ValueError, match="no account amplified"):
        cascade_frames(result.case, analysis, focus="catalyst", value="nobody-at-all")
    small = cascade_frames(result.case, analysis, max_edges=100)
    assert len(small.edges) == 100 and small.truncated and small.total_edges > 100


def test_graphistry_plotter_bindings_and_encodings(frames):
    plotter = cascade_plotter(frames, colour_by="role")
    assert (plotter._source, plotter._destination, plotter._node) == ("source", "target", "node_id")
    assert (plotter._point_title, plotter._point_label, plotter._point_size) == ("title", "label", "size")
    assert len(plotter._nodes) == len(frames.nodes) and len(plotter._edges) == len(frames.edges)
    colour = plotter._complex_encodings["node_encodings"]["default"]["pointColorEncoding"]
    assert colour["attribute"] == "role" and colour["variation"] == "categorical"
    assert colour["mapping"]["categorical"]["fixed"]["catalyst"] == ROLE_COLOURS["catalyst"]
    edge = plotter._complex_encodings["edge_encodings"]["default"]["edgeColorEncoding"]
    assert edge["attribute"] == "first_ts" and edge["variation"] == "continuous" and edge["colors"] == list(TIME_RAMP)
    assert plotter._url_params["showHistograms"] is True and plotter._name == "signalboost all"
    schema = plotter.to_arrow(plotter._edges).schema
    assert str(schema.field("first_at").type).startswith("timestamp")
    bots = cascade_plotter(frames, colour_by="bot_label")
    fixed = bots._complex_encodings["node_encodings"]["default"]["pointColorEncoding"]["mapping"]["categorical"]["fixed"]
    assert fixed["bot"] == BOT_COLOURS["bot"]
    with pytest.raises(ValueError):
        cascade_plotter(frames, colour_by="size")


def test_credentials_come_from_the_environment_only():
    assert credentials({}) is None
    assert credentials({"GRAPHISTRY_USERNAME": "ana"}) is None  # half a pair is no credential
    found = credentials({"GRAPHISTRY_USERNAME": "ana", "GRAPHISTRY_PASSWORD": "pw"})
    assert found == {"username": "ana", "password": "pw", "server": "hub.graphistry.com", "protocol": "https"}
    keyed = credentials({"GRAPHISTRY_PERSONAL_KEY_ID": "k", "GRAPHISTRY_PERSONAL_KEY_SECRET": "s", "GRAPHISTRY_SERVER": "g.example"})
    assert keyed["server"] == "g.example" and keyed["personal_key_id"] == "k"


class FakeGraphistryServer:
    """Stands in for the Graphistry server, which cannot exist here: records register() and plot()."""

    def __init__(self, monkeypatch, fail=False):
        import graphistry
        from graphistry.PlotterBase import PlotterBase

        self.registered, self.plotted = [], []
        monkeypatch.setattr(graphistry, "register", lambda **kw: self.registered.append(kw))

        def plot(plotter, *args, **kwargs):
            if fail:
                raise RuntimeError(f"401 for user {self.registered[-1].get('password')}")
            self.plotted.append((plotter, kwargs))
            return "https://hub.graphistry.com/graph/graph.html?dataset=abc"

        monkeypatch.setattr(PlotterBase, "plot", plot)


def test_upload_is_thin(monkeypatch, frames):
    server = FakeGraphistryServer(monkeypatch)
    url = upload(cascade_plotter(frames), {"username": "ana", "password": "pw", "server": "s", "protocol": "https"})
    assert url.startswith("https://") and server.registered == [{"api": 3, "username": "ana", "password": "pw",
                                                                  "server": "s", "protocol": "https"}]  # fmt: skip
    assert server.plotted[0][1] == {"render": False} and len(server.plotted[0][0]._edges) == len(frames.edges)


def test_viz_command_graphistry_and_fallback(monkeypatch, investigated, tmp_path):
    result, _ = investigated
    case = str(result.case.path)
    for name in ("GRAPHISTRY_USERNAME", "GRAPHISTRY_PASSWORD", "GRAPHISTRY_PERSONAL_KEY_ID", "GRAPHISTRY_PERSONAL_KEY_SECRET"):
        monkeypatch.delenv(name, raising=False)
    fallback = CliRunner().invoke(cli, ["viz", "--case", case, "--graphistry"])
    assert fallback.exit_code == 0, fallback.output
    assert "GRAPHISTRY_USERNAME" in fallback.output and (Path(case).parent / "cascade.html").exists()
    server = FakeGraphistryServer(monkeypatch)
    env = {"GRAPHISTRY_USERNAME": "ana", "GRAPHISTRY_PASSWORD": "s3cret-pw"}
    uploaded = CliRunner().invoke(cli, ["viz", "--case", case, "--graphistry", "--colour-by", "bot_label"], env=env)
    assert uploaded.exit_code == 0 and "graph.html?dataset=abc" in uploaded.output
    assert server.registered[0]["username"] == "ana" and "s3cret-pw" not in uploaded.output
    FakeGraphistryServer(monkeypatch, fail=True)
    failed = CliRunner().invoke(cli, ["viz", "--case", case, "--graphistry"], env=env)
    assert failed.exit_code != 0 and "upload failed" in failed.output and "s3cret-pw" not in failed.output
    bad = CliRunner().invoke(cli, ["viz", "--case", case, "--html", tmp_path / "x.html", "--focus", "cluster", "--value", "Z9"])
    assert bad.exit_code != 0 and "no amplifier cluster" in bad.output


def test_vendored_javascript_matches_its_registry_package():
    vendor = json.loads((ASSETS / "vendor.json").read_text())
    for name, info in vendor.items():
        assert hashlib.sha256((ASSETS / name).read_bytes()).hexdigest() == info["sha256"], name
        assert info["licence"] == "MIT" and (ASSETS / f"LICENSE-{info['package']}.txt").exists()


def test_offline_page_is_self_contained(frames):
    page = render_html(frames, title="t <x>")
    assert "t &lt;x&gt;" in page and "{{" not in page
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page, re.I)
    assert not re.search(r"https?://(?!www\.w3\.org)[^\s\"']+\.(js|css)", page)
    data = json.loads(re.search(r'<script type="application/json" id="cascade-data">(.*?)</script>', page, re.S).group(1))
    assert len(data["nodes"]["label"]) == len(frames.nodes) and len(data["edges"]["source"]) == len(frames.edges)
    assert max(map(abs, data["nodes"]["x"] + data["nodes"]["y"])) <= 1.0


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (make test installs it when run as root)")
def test_offline_view_in_headless_chromium(frames, investigated, tmp_path):
    from PIL import Image
    from playwright.sync_api import sync_playwright

    path = write_html(frames, tmp_path / "cascade.html")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])  # fmt: skip
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        problems, requests = [], []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.as_uri())
        page.wait_for_selector("body[data-ready=true]", timeout=60_000)
        page.wait_for_timeout(500)
        counts = page.evaluate("[window.signalboostView.nodes, window.signalboostView.edges]")
        assert counts == [len(frames.nodes), len(frames.edges)]
        full = ARTIFACTS / "cascade.png"
        page.screenshot(path=str(full))
        catalyst = investigated[1]["catalysts"][0]
        username = frames.nodes.set_index("node_id").loc[catalyst, "label"]
        page.fill("#search", username)
        page.dispatch_event("#search", "change")
        page.wait_for_timeout(800)
        assert page.inner_text("#found").startswith(f"@{username}")
        page.screenshot(path=str(ARTIFACTS / "cascade-search.png"))
        page.fill("#search", "")
        page.dispatch_event("#search", "change")
        page.wait_for_timeout(600)  # the camera zooms back out
        page.eval_on_selector("#time", "el => { el.value = 400; el.dispatchEvent(new Event('input')); }")
        page.wait_for_timeout(500)
        assert page.inner_text("#time-label") != "all times"
        early = ARTIFACTS / "cascade-earliest.png"
        page.screenshot(path=str(early))
        page.check("input[name=colour][value=bot]")
        assert "bot" in page.inner_text("#legend")
        browser.close()
    assert not problems, problems
    assert all(url.startswith("file:") for url in requests), requests
    def inked(png):  # share of the graph area (right of the panel) that is not background
        pixels = np.asarray(Image.open(png).convert("L"))[:, 320:]
        return float((pixels < 235).mean())
    assert inked(full) > 0.01, "the screenshot of the cascade is blank"
    assert 0 < inked(early) < inked(full)  # the time filter hid later interactions, not all of them


def test_report_has_every_figure_and_table(investigated):
    result, truth = investigated
    page = (result.out_dir / "report.html").read_text()
    assert "<script" not in page
    for key in (*FIGURES, *TABLES):
        section = re.search(rf'<section id="{key}">(.*?)</section>', page, re.S)
        assert section, key
        body = section.group(1)
        assert ("<svg" in body) if key in FIGURES else ("<table" in body), key
    top = re.search(r'<section id="top_catalysts">(.*?)</section>', page, re.S).group(1)
    for catalyst in truth["catalysts"]:
        assert catalyst in top
    growth = re.search(r'<section id="cascade_growth">(.*?)</section>', page, re.S).group(1)
    assert growth.count("#1 ") + growth.count("#2 ") + growth.count("#3 ") >= 3  # one curve per top catalyst
    lags = re.search(r'<section id="chan_lags">(.*?)</section>', page, re.S).group(1)
    assert "URLs, median" in lags


def test_report_command_rebuilds(investigated, tmp_path):
    result, _ = investigated
    out = tmp_path / "again.html"
    done = CliRunner().invoke(cli, ["report", "--case", str(result.case.path), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert out.read_text().count("<svg") == len(FIGURES)
    shutil.copytree(result.case.path, tmp_path / "bare", ignore=shutil.ignore_patterns("graphdb"))
    refused = CliRunner().invoke(cli, ["report", "--case", str(tmp_path / "bare")])
    assert refused.exit_code != 0 and "--out" in refused.output
    computed = CliRunner().invoke(cli, ["report", "--case", str(tmp_path / "bare"), "--out", str(tmp_path / "r.html")])
    assert computed.exit_code == 0 and (tmp_path / "r.html").read_text().count("<svg") == len(FIGURES)
    direct = build_report(Case.open(result.case.path), result.out_dir, tmp_path / "direct.html")
    assert direct.read_text().count("<table") == len(TABLES)


NOTEBOOK = ROOT / "notebooks" / "investigate.ipynb"


def test_notebook_is_stored_without_outputs():
    notebook = json.loads(NOTEBOOK.read_text())
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None
    source = "".join("".join(c["source"]) for c in notebook["cells"])
    assert "import signalboost" in source and "def " not in source  # a client of the library, no logic of its own


def test_notebook_runs(tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    for name in ("NEO4J_URI", "GRAPHISTRY_USERNAME", "GRAPHISTRY_PERSONAL_KEY_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SIGNALBOOST_NOTEBOOK_DIR", str(tmp_path / "work"))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "\n".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    assert "offline view:" in text and "report:" in text
    assert (tmp_path / "work" / "cascade.html").exists() and (tmp_path / "work" / "results" / "report.html").exists()
    assert os.path.getsize(tmp_path / "work" / "results" / "catalysts.csv") > 100
