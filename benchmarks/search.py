"""Site search on the benchmark corpus: index size, bytes a browser downloads, query time.

    python3 benchmarks/search.py                    # 10,000 documents, 3 runs of each query
    python3 benchmarks/search.py --documents 1000 --runs 5
    python3 benchmarks/search.py --markdown         # also print the table for docs/performance.md
    python3 benchmarks/search.py --site DIR         # queries only, on a site built (and indexed) before

Builds the corpus of benchmarks/corpus.py with the real build (the index stage included), serves
the site on 127.0.0.1 and drives Debian's Chromium through Playwright:
- index: the size of site/pagefind/ by kind of file, and the build's "index" stage time;
- first query: a fresh browser opens /tim-kiem/ and types a query; every byte fetched under
  /pagefind/ is counted (Pagefind's script, worker and WebAssembly, the metadata, the index and
  filter chunks, the fragments of the first 10 results);
- second query: the same page then types another query; only what it had not loaded is counted;
- time: in the page, pagefind.search() plus loading the first 10 results (API), and from the last
  keystroke to the results on screen (UI, with its 150 ms typing pause).
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
from sitegen.searchfields import SEARCH_WORKERS  # noqa: E402
from sitegen.views import Settings  # noqa: E402

TODAY_YEAR = 2026
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# (first query, second query): unaccented, as readers type them on phones.
QUERIES = [("ket nap dang vien", "thanh hoa"), ("nghi quyet", "chuong trinh hanh dong")]
# The shards of an index in several (pagefind/shards.json) are searched as the search page does
# (templates/assets/search.js): in up to `data-search-workers` groups, one Pagefind module and worker
# each, started from the group's first shard, the answers merged by score. On the search page the
# groups' modules have merged their shards already.
API_TIME = """async (q) => {
    const bundle = new URL('../pagefind/pagefind.js', location.href).href;
    if (!window.benchGroups) {
        const folders = [''].concat(await (await fetch(new URL('shards.json', bundle).href)).json());
        const limit = %d;
        const count = Math.max(1, Math.min(limit, navigator.hardwareConcurrency || 1, folders.length));
        window.benchGroups = await Promise.all([...Array(count).keys()].map(async (g) => {
            const group = folders.filter((_, i) => i %% count === g);
            const pf = await import(new URL(group[0] + 'pagefind.js', bundle).href);
            if (!document.getElementById('search-form')) {
                await pf.options({});
                for (const f of group.slice(1)) await pf.mergeIndex(new URL(f, bundle).pathname);
                await pf.init();
            }
            return pf;
        }));
    }
    const t0 = performance.now();
    const all = await Promise.all(window.benchGroups.map((pf) => pf.search(q)));
    const results = all.flatMap((s) => s.results).sort((a, b) => b.score - a.score);
    await Promise.all(results.slice(0, 10).map(r => r.data()));
    return {ms: performance.now() - t0, count: results.length};
}""" % SEARCH_WORKERS
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
            kind = folder[0] if folder else "code and metadata"
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
                page.on("response", lambda r: "/pagefind/" in r.url and fetched.append((r.url, len(r.body()))))
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
    """pagefind.search() + 10 results on a fresh page: the first query's cost without the UI."""
    out: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs):
        context = browser.new_context()
        page = context.new_page()
        page.goto(base + "404.html")
        timing = page.evaluate(API_TIME.replace("new URL('../pagefind/pagefind.js', location.href).href",
                                                "new URL('/pagefind/pagefind.js', location.href).href"), query)
        out["first api cold ms"].append(timing["ms"])
        context.close()
    return out


def records(bundle: Path) -> int:
    """Pages in the index, over its shards."""
    entries = [bundle / "pagefind-entry.json"] + [bundle / folder / "pagefind-entry.json"
                                                  for folder in json.loads((bundle / "shards.json").read_text())]
    return sum(json.loads(e.read_text())["languages"]["vi"]["page_count"] for e in entries)


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
    result = {**built, "records": records(site / "pagefind"), "shards": 1 + len(json.loads(
        (site / "pagefind" / "shards.json").read_text())), "index": index_size(site / "pagefind"), "queries": {}}
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
    lines += ["", "| search bundle | size | files |", "| --- | ---: | ---: |"]
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
    lines += ["", f"A first query through the API alone on a fresh page (script, WebAssembly and index "
                  f"loaded on the way): {', '.join(f'{c:.0f} ms' for c in cold)}."]
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
