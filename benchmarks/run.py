"""Build timings on the benchmark corpus, next to a "bare loop" measured in the same run.

    python3 benchmarks/run.py                       # 1,000 and 10,000 documents, median of 3 runs
    python3 benchmarks/run.py --sizes 100000 --runs 1
    python3 benchmarks/run.py --markdown            # also print a table for docs/performance.md
    python3 benchmarks/run.py --engine /tmp/clean   # time another checkout's build.py
    python3 benchmarks/run.py --rev HEAD            # time a commit (exported with git archive), not the work tree

Wall time is what a user waits; CPU time (user + system, all processes) is shown beside it because
it moves much less when other work shares the machine.

For each size: a cold full build into a fresh folder (no output, no cache beside it), a rebuild with nothing changed, a rebuild
after one document's body was edited, the peak memory of the build (all its processes, and without
the search indexer's: the goal leaves it out), and the bare loop: read every .md, split the front matter, YAML (CSafeLoader), markdown-it-py (commonmark
+ table), a trivial Jinja template, write to a temporary folder; once in one process and once with
two processes. Every build and loop runs as its own process and is timed from outside (wall clock,
interpreter start included). The cold build without search, the goal's figure, is its wall time less
the search stage its summary line reports.

The bare loop runs in each run just before the cold build, and each ratio to it is the median of the
runs' own ratios: this machine's speed drifts by up to 2× within minutes, so a loop timed apart from
the build it is compared with can be off by as much.

More measurements: write a function `measure(content, work, engine) -> {column: value}` and add it
to EXTRA_MEASURES, its columns to EXTRA_COLUMNS. Four are there: the preview server's save to page
served (benchmarks/devserver.py, 5 saves), the search index stage run alone on the built site,
builds as editors publish (git commits, and a publishing job starting from a restored cache), and
builds after an edit of a front matter (a title, a reported value, a tag).
--cold-only leaves out everything but the cold build and the bare loop (for 100,000 documents);
--skip leaves out the bare loop or an extra measurement; --keep keeps the built site.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TODAY = "2026-06-30"
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import generate  # noqa: E402

# --------------------------------------------------------------------------------------
# Extra columns: other measurements plug in here
# --------------------------------------------------------------------------------------


INDEX_SCRIPT = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from sitegen.search import index
start = time.perf_counter()
stats = index(Path(sys.argv[2]))
print(f"{time.perf_counter() - start:.3f} {stats.pages}")
"""


INDEX_FOLDERS = ("chi-muc", "pagefind")  # the search index's folder in the site, now and before


def measure_save_to_reload(content: Path, work: Path, engine: Path) -> dict[str, float | None]:
    """Dev server: median ms from saving one document to its rebuilt page being served."""
    from benchmarks.devserver import save_to_served

    result = save_to_served(content, runs=5, engine=engine)
    return {"save→reload ms": statistics.median(result["client ms"])}


def measure_search_index(content: Path, work: Path, engine: Path) -> dict[str, float | None]:
    """The search index stage alone, on the built site: seconds and peak memory (its processes included)."""
    folder = work / "search-index"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    site = folder / "site"
    timed(build_cmd(engine, content, site) + ["--no-cache"])
    for bundle in INDEX_FOLDERS:
        shutil.rmtree(site / bundle, ignore_errors=True)
    run = timed([sys.executable, "-c", INDEX_SCRIPT, str(engine), str(site)])
    shutil.rmtree(folder, ignore_errors=True)
    return {"search index s": run.seconds, "search index MB": run.peak_mb}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Biên tập", "-c", "user.email=bt@example.org", "-c", "commit.gpgsign=false",
                    *args], cwd=repo, check=True, capture_output=True)


def _edit_and_commit(repo: Path, index: int, commit: bool = True) -> None:
    path = sorted((repo / "content" / "programmes").glob("*.md"))[index]
    with path.open("a", encoding="utf-8") as f:
        f.write("\nĐoạn bổ sung: cập nhật tiến độ theo báo cáo mới nhất.\n")
    if commit:
        _git(repo, "commit", "-q", "-am", f"Bổ sung {path.stem}")


def _as_restored(folder: Path, shift: int) -> None:
    """Every file's time moved by `shift` seconds and cut to the second, as a CI cache restores a
    folder (the same bytes, other times), or as a fresh checkout leaves the content (shift > 0)."""
    for path in folder.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            stat = path.stat()
            os.utime(path, ns=(stat.st_atime_ns, (stat.st_mtime_ns // 10**9 + shift) * 10**9))


def measure_commits(content: Path, work: Path, engine: Path) -> dict[str, float | None]:
    """As editors publish, the corpus in a git repository: one body edited and committed, then
    built; a commit of an edit built already, then built; and a publishing job after a push of one
    such edit: the output and its cache as a CI cache restores them, the content as a checkout
    leaves it, then `check` and `build` (wall seconds each)."""
    folder = work / "commits"
    shutil.rmtree(folder, ignore_errors=True)
    repo, out = folder / "repo", folder / "site"
    shutil.copytree(content, repo / "content")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "Nội dung ban đầu")
    built = repo / "content"
    timed(build_cmd(engine, built, out))
    _edit_and_commit(repo, 0)
    edit_commit = timed(build_cmd(engine, built, out))
    _edit_and_commit(repo, 1, commit=False)
    timed(build_cmd(engine, built, out))
    _git(repo, "commit", "-q", "-am", "Bổ sung")
    commit_only = timed(build_cmd(engine, built, out))
    _as_restored(out, -3600)
    _as_restored(folder / ".cache", -3600)
    _as_restored(built, 60)
    _edit_and_commit(repo, 2)
    check = timed([sys.executable, str(engine / "build.py"), "check", "--content", str(built), "--out", str(out),
                   "--today", TODAY])
    publish = timed(build_cmd(engine, built, out))
    shutil.rmtree(folder, ignore_errors=True)
    return {"edit+commit s": edit_commit.seconds, "commit only s": commit_only.seconds,
            "CI check s": check.seconds, "CI build s": publish.seconds}


def edit_title(content: Path, run: int) -> None:
    """Change one programme's title, as an editor correcting it would."""
    path = sorted((content / "programmes").glob("*.md"))[1]
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^title: (.*?)(?: \(sửa lần \d+\))?$", rf"title: \1 (sửa lần {run + 1})", text, count=1),
                    encoding="utf-8")


def edit_result(content: Path, run: int) -> None:
    """Change one reported value in the latest year's results, as an editor correcting a figure."""
    path = sorted((content / "results").glob("*.yaml"))[-1]
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^(    [a-z0-9-]+: )(\d+)(\.\d+)?$", rf"\g<1>\g<2>.{run % 9 + 1}", text, count=1),
                    encoding="utf-8")


def edit_tags(content: Path, run: int) -> None:
    """Give one programme a tag other documents carry, or take it away again: its tag pages, lists
    and relations' pages change, not only the pages that show its fields."""
    path = sorted((content / "programmes").glob("*.md"))[2]
    text = path.read_text(encoding="utf-8")
    if run % 2 == 0:
        text = re.sub(r"(?m)^tags: \[", "tags: [Dân vận, ", text, count=1)
    else:
        text = text.replace("tags: [Dân vận, ", "tags: [", 1)
    path.write_text(text, encoding="utf-8")


def measure_front_matter(content: Path, work: Path, engine: Path) -> dict[str, float | None]:
    """Builds after an edit of a front matter, from the last build's state: a programme's title
    changed (median of EDITS_PER_RUN), a reported value changed in the results of a year, and a
    tag given to a programme and taken away (median of EDITS_PER_RUN)."""
    folder = work / "front-matter"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(content, folder / "content")
    built, out = folder / "content", folder / "site"
    timed(build_cmd(engine, built, out))
    titles = []
    for run in range(EDITS_PER_RUN):
        edit_title(built, run)
        titles.append(timed(build_cmd(engine, built, out)).seconds)
    edit_result(built, 0)
    result = timed(build_cmd(engine, built, out))
    tags = []
    for run in range(EDITS_PER_RUN):
        edit_tags(built, run)
        tags.append(timed(build_cmd(engine, built, out)).seconds)
    shutil.rmtree(folder, ignore_errors=True)
    return {"title edit s": statistics.median(titles), "result edit s": result.seconds,
            "tags edit s": statistics.median(tags)}


# name, function(content, work, engine) -> {column: value}
EXTRA_MEASURES = [
    ("save→reload", measure_save_to_reload),
    ("search index", measure_search_index),
    ("commits", measure_commits),
    ("front matter", measure_front_matter),
]
EXTRA_COLUMNS = ["save→reload ms", "search index s", "search index MB", "edit+commit s", "commit only s",
                 "CI check s", "CI build s", "title edit s", "result edit s", "tags edit s"]

# --------------------------------------------------------------------------------------
# Bare loop: the least work any generator of this site has to do
# --------------------------------------------------------------------------------------

BARE_TEMPLATE = ("<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>{{ title }}</title>"
                 "</head><body><h1>{{ title }}</h1>{{ body | safe }}</body></html>")


def _bare_chunk(args: tuple[list[str], str]) -> int:
    import jinja2
    import yaml
    from markdown_it import MarkdownIt

    paths, out = args
    md = MarkdownIt("commonmark").enable("table")
    template = jinja2.Environment(autoescape=True).from_string(BARE_TEMPLATE)
    for name in paths:
        path = Path(name)
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        meta = yaml.load(front, Loader=yaml.CSafeLoader)
        html = template.render(title=meta.get("title", ""), body=md.render(body))
        Path(out, f"{path.parent.name}-{path.stem}.html").write_text(html, encoding="utf-8")
    return len(paths)


def bare_loop(content: Path, out: Path, workers: int) -> int:
    """Process every .md under `content`; return how many."""
    files = [str(p) for p in sorted(content.rglob("*.md"))]
    out.mkdir(parents=True, exist_ok=True)
    if workers <= 1:
        return _bare_chunk((files, str(out)))
    import multiprocessing
    parts = workers * 8
    chunks = [(files[i::parts], str(out)) for i in range(parts)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return sum(pool.map(_bare_chunk, chunks, chunksize=1))


# --------------------------------------------------------------------------------------
# Running and measuring a process
# --------------------------------------------------------------------------------------


@dataclass
class Timing:
    seconds: float
    peak_mb: float  # peak of the summed proportional set size of the process and its children
    cpu: float = 0.0  # user + system seconds of the process and all its children
    output: str = ""
    own_peak_mb: float = 0.0  # the same peak leaving out the search indexer's processes


def _tree(pid: int) -> list[int]:
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        pids.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    queue += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return pids


def _memory_kb(pid: int) -> int:
    """PSS (shared pages split between the processes sharing them), RSS where PSS is unreadable."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return 0


def timed(cmd: list[str], cwd: Path = ROOT) -> Timing:
    """Run a command; wall-clock seconds, CPU seconds and peak memory of its whole process tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # Every stage on the summary line, for `search_seconds` (engines without the switch name the
    # two slowest, which leave the search stage out when rendering takes longer).
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "SITEGEN_EVERY_STAGE": "1"})
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            began = time.perf_counter()
            sizes = [(_memory_kb(p), _is_indexer(p)) for p in _tree(proc.pid)]
            peak[0] = max(peak[0], sum(kb for kb, _ in sizes))
            peak[1] = max(peak[1], sum(kb for kb, indexer in sizes if not indexer))
            # Reading a process's PSS walks its page tables: for processes of several GB that takes
            # tens of milliseconds, so the sampler waits ten times as long as it read, and so takes
            # at most a tenth of a core from the build it measures.
            done.wait(max(0.05, 10 * (time.perf_counter() - began)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = proc.communicate()
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{output[-3000:]}")
    return Timing(seconds, peak[0] / 1024, cpu, output.strip(), peak[1] / 1024)


def _is_indexer(pid: int) -> bool:
    """A process of the search index stage: ours names itself (sitegen.search.INDEXER_NAME);
    earlier engines ran Pagefind."""
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip().startswith(("sitegen-index", "pagefind"))
    except OSError:
        return False


def last_line(text: str) -> str:
    lines = text.splitlines()
    return lines[-1] if lines else ""


def search_seconds(summary: str) -> float | None:
    """The search stage's seconds in a build's summary line, when it names that stage (with
    SITEGEN_EVERY_STAGE set, as `timed` sets it, it names every stage)."""
    found = re.search(r"tìm kiếm ([0-9.]+) s", summary)
    return float(found[1]) if found else None


def build_cmd(engine: Path, content: Path, out: Path) -> list[str]:
    return [sys.executable, str(engine / "build.py"), "build", "--content", str(content), "--out", str(out),
            "--today", TODAY]


def bare_cmd(content: Path, out: Path, workers: int) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--bare-loop", str(content), "--bare-out", str(out),
            "--workers", str(workers)]


EDITS_PER_RUN = 5  # one-edit builds timed after each cold build (the table shows their median)


def edit_one(content: Path, run: int) -> None:
    """Change one programme's body, as an editor saving a correction would."""
    path = sorted((content / "programmes").glob("*.md"))[0]
    with path.open("a", encoding="utf-8") as f:
        f.write(f"\nĐoạn bổ sung lần thứ {run + 1}: cập nhật tiến độ thực hiện theo báo cáo mới nhất.\n")


@dataclass
class Row:
    size: int
    documents: int = 0
    posts: int = 0
    corpus_mb: float = 0.0
    cold: list[float] = field(default_factory=list)
    cold_cpu: list[float] = field(default_factory=list)
    cold_no_search: list[float | None] = field(default_factory=list)  # the goal's figure: search excluded
    unchanged: list[float] = field(default_factory=list)
    edited: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    own_peak_mb: list[float] = field(default_factory=list)
    bare1: list[float] = field(default_factory=list)
    bare2: list[float] = field(default_factory=list)
    bare1_cpu: list[float] = field(default_factory=list)
    bare2_cpu: list[float] = field(default_factory=list)
    extra: dict[str, float | None] = field(default_factory=dict)
    summary: str = ""

    def median(self, name: str) -> float | None:
        values = [value for value in getattr(self, name) if value is not None]
        return statistics.median(values) if values else None

    def _paired(self, name: str, bare: str) -> float | None:
        """The median over runs of a run's `name` over its own bare loop (the loop runs just
        before the build it is paired with)."""
        ratios = [value / loop for value, loop in zip(getattr(self, name), getattr(self, bare)) if value and loop]
        return statistics.median(ratios) if ratios else None

    @property
    def ratio(self) -> float | None:
        return self._paired("cold", "bare2")

    @property
    def no_search_ratio(self) -> float | None:
        return self._paired("cold_no_search", "bare2")

    @property
    def cpu_ratio(self) -> float | None:
        return self._paired("cold_cpu", "bare2_cpu")


SKIPPABLE = ("bare loop", "save→reload", "search index", "commits")


def bare_loops(row: Row, content: Path, work: Path) -> None:
    """The bare loop in one process, then in two."""
    for workers, bucket, cpu in ((1, row.bare1, row.bare1_cpu), (2, row.bare2, row.bare2_cpu)):
        with tempfile.TemporaryDirectory(dir=work) as tmp:
            loop = timed(bare_cmd(content, Path(tmp), workers))
            bucket.append(loop.seconds)
            cpu.append(loop.cpu)


def measure(size: int, runs: int, seed: int, work: Path, engine: Path, log, cold_only: bool = False,
            skip: frozenset[str] = frozenset(), keep: bool = False) -> Row:
    content = work / f"corpus-{size}"
    # The site in a folder of its own: a build may keep caches beside its output folder, and a
    # cold build starts without them.
    folder = work / f"build-{size}"
    out = folder / "site"
    row = Row(size)
    log(f"[{size}] generating the corpus (seed {seed}) in {content}")
    counts = generate(size, content, seed)
    row.documents, row.posts = counts["documents"], counts["posts"]
    row.corpus_mb = sum(p.stat().st_size for p in content.rglob("*") if p.is_file()) / 2**20
    edited = sorted((content / "programmes").glob("*.md"))[0]
    original = edited.read_bytes()
    try:
        for run in range(runs):
            if "bare loop" not in skip:
                bare_loops(row, content, work)
                log(f"[{size}] run {run + 1}: bare loop {row.bare1[-1]:.2f} s (1 process), {row.bare2[-1]:.2f} s (2)")
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            cold = timed(build_cmd(engine, content, out))
            row.cold.append(cold.seconds)
            row.cold_cpu.append(cold.cpu)
            row.peak_mb.append(cold.peak_mb)
            row.own_peak_mb.append(cold.own_peak_mb)
            row.summary = last_line(cold.output)
            search = search_seconds(row.summary)
            row.cold_no_search.append(cold.seconds - search if search is not None else None)
            log(f"[{size}] run {run + 1}: cold {cold.seconds:.2f} s ({cold.cpu:.2f} s CPU), peak {cold.peak_mb:.0f} MB "
                f"({cold.own_peak_mb:.0f} MB without the search indexer)")
            if cold_only:
                continue
            unchanged = timed(build_cmd(engine, content, out))
            row.unchanged.append(unchanged.seconds)
            log(f"[{size}] run {run + 1}: no change {unchanged.seconds:.2f} s ({unchanged.cpu:.2f} s CPU)")
            for edit in range(EDITS_PER_RUN):
                edit_one(content, run * EDITS_PER_RUN + edit)
                after_edit = timed(build_cmd(engine, content, out))
                row.edited.append(after_edit.seconds)
                log(f"[{size}] run {run + 1}: one edit {after_edit.seconds:.2f} s ({after_edit.cpu:.2f} s CPU); "
                    f"it said: {last_line(after_edit.output)}")
    finally:
        edited.write_bytes(original)
    for name, func in [] if cold_only else EXTRA_MEASURES:
        if name not in skip:
            log(f"[{size}] {name}")
            row.extra.update(func(content, work, engine))
    if keep:
        log(f"[{size}] the last build's site is kept in {out}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return row


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------

COLUMNS = [("documents", "docs"), ("posts", "posts"), ("cold", "cold build s"), ("cold_cpu", "cold CPU s"),
           ("unchanged", "no-change s"), ("edited", "one edit s"), ("peak_mb", "peak MB"),
           ("own_peak_mb", "peak MB without search"), ("bare1", "bare 1 proc s"),
           ("bare1_cpu", "bare 1 CPU s"), ("bare2", "bare 2 proc s"), ("bare2_cpu", "bare 2 CPU s"),
           ("ratio", "cold / bare 2"), ("cpu_ratio", "CPU cold / bare 2"),
           ("cold_no_search", "cold without search s"), ("no_search_ratio", "cold without search / bare 2")]


def _cell(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.0f}" if value >= 100 else f"{value:.2f}"


def table(rows: list[Row]) -> tuple[list[str], list[list[str]]]:
    headers = ["size"] + [label for _, label in COLUMNS] + EXTRA_COLUMNS
    body = []
    for row in rows:
        cells = [f"{row.size:,}"]
        for name, _ in COLUMNS:
            value = getattr(row, name)
            cells.append(_cell(row.median(name) if isinstance(value, list) else value))
        cells += [_cell(row.extra.get(name)) for name in EXTRA_COLUMNS]
        body.append(cells)
    return headers, body


def plain_text(headers: list[str], body: list[list[str]]) -> str:
    """A table as right-aligned plain text (also used by the other benchmark scripts)."""
    widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(headers, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in body]
    return "\n".join(lines)


def markdown_text(headers: list[str], body: list[list[str]]) -> str:
    """A table in Markdown, numbers right-aligned (also used by the other benchmark scripts)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" ---: " for _ in headers) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in body]
    return "\n".join(lines)


def plain_table(rows: list[Row]) -> str:
    return plain_text(*table(rows))


def markdown_table(rows: list[Row]) -> str:
    return markdown_text(*table(rows))


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return 0.0


def _revision(repo: Path, rev: str = "") -> str:
    try:
        short = subprocess.run(["git", "rev-parse", "--short", rev or "HEAD"], cwd=repo, capture_output=True,
                               text=True, check=True).stdout.strip()
        if rev:
            return short
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=repo,
                               capture_output=True, text=True).stdout.strip()
        return short + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"


def export(rev: str, work: Path) -> Path:
    """A clean copy of one commit's tree (git archive), so uncommitted work does not skew timings."""
    commit = subprocess.run(["git", "rev-parse", rev], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    target = work / f"engine-{commit[:12]}"
    if not (target / "build.py").exists():
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=ROOT, capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def compiled(engine: Path) -> Path:
    """`engine` with its package's bytecode written, as a project's is after its first run. Timed
    builds must not compile the engine each time: they would, in a shell where
    PYTHONDONTWRITEBYTECODE is set, as it is on the machines the figures come from (0.06-0.1 s
    a build)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(engine / "sitegen")], check=True)
    return engine


def machine() -> str:
    return (f"{os.cpu_count()} CPUs ({_cpu_model()}), {_ram_gib():.0f} GiB RAM, "
            f"Python {platform.python_version()} on {platform.system()} {platform.release()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time the site build on the benchmark corpus.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="documents per corpus")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement; the median is shown")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "sitegen-bench",
                        help="folder for corpora and sites (default: a folder in the temp dir)")
    parser.add_argument("--engine", type=Path, default=ROOT, help="checkout whose build.py is timed")
    parser.add_argument("--rev", help="time this commit of the repository instead (exported into --work)")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    parser.add_argument("--cold-only", action="store_true",
                        help="only the cold build and the bare loop (for the largest corpora)")
    parser.add_argument("--skip", nargs="+", choices=SKIPPABLE, default=[], help="leave these measurements out")
    parser.add_argument("--keep", action="store_true",
                        help="keep the last build's site (for benchmarks/search.py --site)")
    parser.add_argument("--bare-loop", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--bare-out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.bare_loop:
        count = bare_loop(args.bare_loop, args.bare_out, args.workers)
        print(f"{count} files")
        return 0

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    args.work.mkdir(parents=True, exist_ok=True)
    engine, revision = args.engine.resolve(), ""
    if args.rev:  # the commit named now: HEAD may move while a long run goes on
        engine, revision = export(args.rev, args.work), f"{args.rev} = {_revision(ROOT, args.rev)}"
    compiled(engine)
    load_before = os.getloadavg()[0]
    rows = [measure(size, max(1, args.runs), args.seed, args.work, engine, log, args.cold_only,
                    frozenset(args.skip), args.keep) for size in args.sizes]
    print(f"Machine: {machine()}")
    print(f"Engine: {engine} at {revision or _revision(engine)}; "
          f"corpus seed {args.seed}; median of {args.runs} run(s); {dt.date.today().isoformat()}; "
          f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    for row in rows:
        print(f"  {row.size:,}: corpus {row.corpus_mb:.0f} MB; last cold build said: {row.summary}")
    print()
    print(plain_table(rows))
    if args.markdown:
        print()
        print(markdown_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
