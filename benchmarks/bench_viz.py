"""Offline cascade view at scale: build time in Python and time to the first drawn frame in headless Chromium.

    python benchmarks/bench_viz.py --tweets 250000 [--max-edges 200000]

Simulates and investigates a campaign, builds the frames and the layout, writes the HTML, then opens it in
Debian's chromium (software WebGL, as on a laptop without a GPU driver in the browser) and reports when the page
is interactive and how long moving the time slider takes to redraw.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tweets", type=int, default=250_000)
    parser.add_argument("--max-edges", type=int, default=200_000)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from signalboost.graphdb import Analysis
    from signalboost.investigate import investigate
    from signalboost.simulate import simulate
    from signalboost.viz.graph import cascade_frames
    from signalboost.viz.html import layout, write_html

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        paths = simulate(tmp / "input", args.tweets, seed=2)
        result = investigate([paths["v2"], paths["chan"]], tmp / "out", seed=0)
        analysis = Analysis.from_dir(tmp / "out")
        started = time.perf_counter()
        frames = cascade_frames(result.case, analysis, max_edges=args.max_edges)
        built = time.perf_counter() - started
        started = time.perf_counter()
        layout(frames)
        laid = time.perf_counter() - started
        started = time.perf_counter()
        page_path = write_html(frames, tmp / "cascade.html")
        written = time.perf_counter() - started
        print(f"{args.tweets:,} tweets → {len(frames.nodes):,} nodes, {len(frames.edges):,} edges "
              f"(of {frames.total_edges:,})")  # fmt: skip
        print(f"frames {built:.1f} s · layout {laid:.1f} s · HTML written {written:.1f} s (layout included) · "
              f"{page_path.stat().st_size / 1e6:.1f} MB")  # fmt: skip

        chromium = shutil.which("chromium")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=[
                "--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--disable-background-networking"])
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            started = time.perf_counter()
            page.goto(page_path.as_uri())
            page.wait_for_selector("body[data-ready=true]", timeout=600_000)
            ready = time.perf_counter() - started
            frame = page.evaluate("""() => new Promise((resolve) => {
                const r = window.signalboostView.renderer, t0 = performance.now();
                r.once("afterRender", () => resolve(performance.now() - t0)); r.refresh(); })""")
            slider = page.evaluate("""() => new Promise((resolve) => {
                const r = window.signalboostView.renderer, el = document.getElementById("time"), t0 = performance.now();
                r.once("afterRender", () => resolve(performance.now() - t0));
                el.value = 500; el.dispatchEvent(new Event("input")); })""")
            browser.close()
        print(f"chromium (software WebGL): interactive after {ready:.1f} s · a full redraw {frame:.0f} ms · "
              f"time-slider redraw {slider:.0f} ms · page errors: {len(errors)}")  # fmt: skip


if __name__ == "__main__":
    main()
