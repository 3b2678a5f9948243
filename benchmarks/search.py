"""Site search on the benchmark corpus: index size, bytes a browser downloads, query time.

    python3 benchmarks/search.py                    # 10,000 documents, 3 runs of each query
    python3 benchmarks/search.py --documents 1000 --runs 5
    python3 benchmarks/search.py --markdown         # also print the table for docs/performance.md
    python3 benchmarks/search.py --site DIR         # queries only, on a site built (and indexed) before

Builds the corpus of benchmarks/corpus.py with the real build (the index stage included), serves
the site on 127.0.0.1 and drives Debian's Chromium through Playwright:
- index: the size of the index's folder (site/chi-muc/) by kind of file, and the build's "index"
  stage time;
- first query: a fresh browser opens /tim-kiem/ and types a query; every byte fetched from the
  index's folder is counted (the shard list and manifests, the buckets of the query's words, the
  fragments of the first 10 results); the page's scripts are counted apart;
- second query: the same page then types another query; only what it had not loaded is counted;
- time: in the page, the index's search() plus loading the first 10 results (API), and from the
  last keystroke to the results on screen (UI, with its 150 ms typing pause).
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import generate  # noqa: E402
from sitegen.pipeline import build  # noqa: E402
from sitegen.searchfields import BUNDLE, RANKING  # noqa: E402
from sitegen.views import Settings  # noqa: E402

TODAY_YEAR = 2026
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# (first query, second query): unaccented, as readers type them on phones.
QUERIES = [("ket nap dang vien", "thanh hoa"), ("nghi quyet", "chuong trinh hanh dong")]
# The index as the search page opens it (templates/assets/search-index.js); the page's own index is
# reused when the page has one open, so only the query is timed.
API_TIME = """async (q) => {
    if (!window.benchIndex) {
        window.benchIndex = await window.SiteSearch.open(new URL('/%s/', location.href).href,
                                                         new URL('/', location.href).href, %s);
    }
    const t0 = performance.now();
    const search = await window.benchIndex.search(q, {filters: {}});
    await Promise.all(search.results.slice(0, 10).map(r => r.data()));
    return {ms: performance.now() - t0, count: search.results.length};
}""" % (BUNDLE, json.dumps(RANKING))
SETTLED = """(q) => {
    const status = document.getElementById('search-status').textContent;
    return status.includes('«' + q + '»') && !document.getElementById('search-results').hasAttribute('aria-busy');
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def index_size(bundle: Path) -> dict[str, tuple[int, int]]:
    """Bytes and files of the search bundle, by kind."""
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for file in bundle.rglob("*"):
        if file.is_file():
            folder = file.parent.relative_to(bundle).parts
            folder = folder[1:] if folder and re.fullmatch(r"s[0-9]+", folder[0]) else folder  # a shard
            kind = folder[0] if folder else "manifests"
            kinds[kind][0] += file.stat().st_size
            kinds[kind][1] += 1
    return {k: (v[0], v[1]) for k, v in sorted(kinds.items())}


def measure_queries(site: Path, first: str, second: str, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    samples: dict[str, list[float]] = defaultdict(list)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for _ in range(runs):
                context = browser.new_context(viewport={"width": 360, "height": 740})
                page = context.new_page()
                fetched: list[tuple[str, int]] = []
                page.on("response", lambda r: f"/{BUNDLE}/" in r.url and fetched.append((r.url, len(r.body()))))
                page.goto(base + "tim-kiem/")
                for label, query in (("first", first), ("second", second)):
                    fetched.clear()
                    started = time.perf_counter()
                    page.fill("#q", query)
                    page.wait_for_function(SETTLED, arg=query, timeout=120000)
                    samples[f"{label} ui ms"].append((time.perf_counter() - started) * 1000)
                    samples[f"{label} bytes"].append(sum(size for _, size in fetched))
                    samples[f"{label} requests"].append(len(fetched))
                    samples[f"{label} results"].append(page.locator("#search-results .result").count())
                # the API alone, on a warm page: the same queries again, then an unseen one
                for label, query in (("first", first), ("second", second)):
                    timing = page.evaluate(API_TIME, query)
                    samples[f"{label} api ms"].append(timing["ms"])
                    samples[f"{label} count"].append(timing["count"])
                context.close()
            cold = measure_cold_api(browser, base, first, runs)
            samples.update(cold)
            browser.close()
    finally:
        server.shutdown()
    return {key: statistics.median(values) for key, values in samples.items()}


def measure_cold_api(browser, base: str, query: str, runs: int) -> dict[str, list[float]]:
    """The index's search() + 10 results on a fresh page: the first query's cost without the UI
    (the manifests loaded on the way)."""
    out: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs):
        context = browser.new_context()
        page = context.new_page()
        page.goto(base + "tim-kiem/")
        page.evaluate("() => { window.benchIndex = null; }")
        started = time.perf_counter()
        page.evaluate(API_TIME, query)
        timing = {"ms": (time.perf_counter() - started) * 1000}
        out["first api cold ms"].append(timing["ms"])
        context.close()
    return out


def records(bundle: Path) -> int:
    """Pages in the index, over its shards."""
    manifests = [bundle / "index.json"] + [bundle / folder / "index.json"
                                           for folder in json.loads((bundle / "shards.json").read_text())]
    return sum(json.loads(m.read_text())["pages"]["count"] for m in manifests)


def run(documents: int, runs: int, work: Path, site: Path | None = None) -> dict:
    """Build the corpus and measure; with `site`, measure that site (built before) only."""
    if site is None:
        content, site = work / "content", work / "site"
        generate(documents, content)
        started = time.perf_counter()
        summary = build(content, site, ROOT / "templates", Settings(current_year=TODAY_YEAR))
        built = {"documents": summary.documents, "targets": summary.targets, "pages": summary.pages,
                 "build s": time.perf_counter() - started, "index s": summary.stages.get("tìm kiếm", 0.0)}
    else:
        built = {}
    bundle = site / BUNDLE
    result = {**built, "records": records(bundle), "shards": 1 + len(json.loads((bundle / "shards.json").read_text())),
              "index": index_size(bundle), "queries": {}}
    for first, second in QUERIES:
        result["queries"][f"{first} → {second}"] = measure_queries(site, first, second, runs)
    return result


def kb(size: float) -> str:
    return f"{size / 1024:,.0f} KB".replace(",", " ")


def markdown(result: dict) -> str:
    if "build s" in result:
        lines = [f"Corpus: {result['documents']:,} documents, {result['targets']:,} targets, "
                 f"{result['records']:,} search records in {result['shards']} shard(s); build "
                 f"{result['build s']:.0f} s, of which the index stage {result['index s']:.1f} s."]
    else:
        lines = [f"{result['records']:,} search records in {result['shards']} shard(s)."]
    lines += ["", "| search index | size | files |", "| --- | ---: | ---: |"]
    total = [0, 0]
    for kind, (size, files) in result["index"].items():
        lines.append(f"| {kind} | {kb(size)} | {files:,} |")
        total[0] += size
        total[1] += files
    lines.append(f"| **total** | **{kb(total[0])}** | **{total[1]:,}** |")
    lines += ["", "| queries (first → second) | first: bytes (requests) | first: UI / API ms | "
              "second: bytes (requests) | second: UI / API ms | results |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, q in result["queries"].items():
        lines.append(f"| {name} | {kb(q['first bytes'])} ({q['first requests']:.0f}) | "
                     f"{q['first ui ms']:.0f} / {q['first api ms']:.0f} | {kb(q['second bytes'])} "
                     f"({q['second requests']:.0f}) | {q['second ui ms']:.0f} / {q['second api ms']:.0f} | "
                     f"{q['first count']:,.0f} / {q['second count']:,.0f} |")
    cold = [q["first api cold ms"] for q in result["queries"].values()]
    lines += ["", f"A first query through the API alone on a fresh search page (the manifests loaded on "
                  f"the way): {', '.join(f'{c:.0f} ms' for c in cold)}."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--site", type=Path, help="measure the queries on this built site (no corpus, no build)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="search-bench-") as work:
        result = run(args.documents, args.runs, Path(work), args.site)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.markdown:
        print()
        print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
