"""Where a build's time goes: wall time per pipeline stage, and a cProfile of the whole build.

    python3 benchmarks/profile_build.py CONTENT [--rev HEAD | --engine DIR] [--serial] [--cprofile FILE] [--memory]
    python3 benchmarks/profile_build.py --spy RAW [--rate 20]

The second form summarises a py-spy recording of a real build, all processes included:
    py-spy record --idle --subprocesses --nonblocking -r 20 --format raw -o RAW -- python3 build.py build ...

Stage times are inclusive wall-clock seconds measured in the main process by wrapping the
pipeline's functions (names that an engine version does not have are skipped). With forked
render workers the main process only waits for them, so "render pages" is their wall time.
--serial keeps all work in one process (cpu_count patched to 1) so that cProfile sees the
template rendering too; --cprofile FILE writes the raw profile and prints the top functions
and the time per module.
"""
from __future__ import annotations

import argparse
import cProfile
import functools
import importlib
import os
import pstats
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.run import TODAY, _memory_kb, _tree, export  # noqa: E402

# (module, attribute, label); an attribute "Class.method" wraps a method
STAGES = [
    ("sitegen.pipeline", "check", "check (load + validate + link)"),
    ("sitegen.pipeline", "load", "  load: read files, YAML"),
    ("sitegen.pipeline", "read_all", "  read + parse every file (cached, parallel)"),
    ("sitegen.pipeline", "validate", "  validate"),
    ("sitegen.pipeline", "link", "  link"),
    ("sitegen.link", "_render_bodies", "    link: Markdown bodies"),
    ("sitegen.link", "_link_results", "    link: results"),
    ("sitegen.link", "_link_tags", "    link: tags"),
    ("sitegen.link", "_link_relations", "    link: relations"),
    ("sitegen.pipeline", "load_history", "history (git log)"),
    ("sitegen.pipeline", "render_site", "render_site (views + pages + exports)"),
    ("sitegen.pipeline", "render_all", "render_all (pages + exports, written by workers)"),
    ("sitegen.views", "Views.__init__", "  views: target rows, statuses"),
    ("sitegen.pipeline", "site_files", "  feeds + data exports (main process)"),
    ("sitegen.pipeline", "PageRender.results", "  render pages (waiting for workers)"),
    ("sitegen.views", "Views.page_specs", "  views: page list"),
    ("sitegen.views", "Views.pages", "  views: page contexts"),
    ("sitegen.render", "render_specs", "  render pages (in this process)"),
    ("sitegen.parallel", "Forked.results", "  (forked workers, any stage: waiting)"),
    ("sitegen.feeds", "feed", "  feeds: Atom"),
    ("sitegen.feeds", "sitemap", "  feeds: sitemap"),
    ("sitegen.data", "exports", "  data: CSV, JSON, XLSX"),
    ("sitegen.pipeline", "published_files", "attachments list"),
    ("sitegen.pipeline", "stage", "write staging folder"),
    ("sitegen.pipeline", "fill", "write feeds, sitemap, copies"),
    ("sitegen.search", "index", "search index"),
    ("sitegen.pipeline", "publish", "publish (swap folders)"),
]


class MemoryPeaks:
    """Peak summed PSS of this process and its children while each wrapped stage runs."""

    def __init__(self, interval: float = 0.1) -> None:
        self.active: list[str] = []
        self.peaks: dict[str, float] = defaultdict(float)
        self.overall = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(interval,), daemon=True)
        self._thread.start()

    def _sample(self, interval: float) -> None:
        while not self._done.is_set():
            mb = sum(_memory_kb(p) for p in _tree(os.getpid())) / 1024
            self.overall = max(self.overall, mb)
            for label in list(self.active):
                self.peaks[label] = max(self.peaks[label], mb)
            self._done.wait(interval)

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def instrument(times: dict[str, float], counts: dict[str, int], memory: MemoryPeaks | None = None) -> list[str]:
    wrapped = []
    for module_name, attr, label in STAGES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        owner, name = module, attr
        if "." in attr:
            cls_name, name = attr.split(".", 1)
            owner = getattr(module, cls_name, None)
        original = getattr(owner, name, None) if owner is not None else None
        if original is None or isinstance(original, type):
            continue

        def make(original=original, label=label):
            @functools.wraps(original)
            def timed(*args, **kwargs):
                start = time.perf_counter()
                if memory:
                    memory.active.append(label)
                try:
                    return original(*args, **kwargs)
                finally:
                    times[label] += time.perf_counter() - start
                    counts[label] += 1
                    if memory:
                        memory.active.remove(label)
            return timed

        setattr(owner, name, make())
        wrapped.append(label)
    return wrapped


def serialise() -> None:
    """Keep every step in this process, so the profiler sees it."""
    for module_name in ("sitegen.parallel", "sitegen.pipeline", "sitegen.render", "sitegen.check"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if hasattr(module, "cpu_count"):
            module.cpu_count = lambda: 1


def by_module(stats: pstats.Stats, engine: Path) -> list[tuple[str, float]]:
    totals: dict[str, float] = defaultdict(float)
    for (filename, _line, _func), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        if "site-packages/" in filename:
            name = filename.split("site-packages/", 1)[1].split("/", 1)[0]
        elif filename.startswith(str(engine)):
            name = filename[len(str(engine)) + 1:]
        elif filename.startswith("<") or filename == "~":
            name = "built-in functions (C)"
        else:
            name = "stdlib: " + Path(filename).stem
        totals[name] += tottime
    return sorted(totals.items(), key=lambda kv: kv[1], reverse=True)


WAITING = ("wait", "select", "poll", "_recv", "recv_bytes", "recv (", "acquire", "communicate",
           "_wait_for_tstate_lock", "get (multiprocessing", "join", "sleep", "read (", "waitpid")
PIPELINE_TOP = ("build (sitegen/pipeline.py", "full_build (sitegen/pipeline.py")


def _name(frame: str) -> str:
    return frame.split(" (", 1)[0]


def summarise_spy(raw: Path, rate: float, top: int) -> None:
    """Main process: wall time per stage (two levels under the pipeline's build function).
    All processes: where the CPU goes (leaf functions and modules, waiting frames left out)."""
    stages: dict[tuple[str, str], int] = defaultdict(int)
    workers: dict[tuple[str, bool], int] = defaultdict(int)  # (task, busy) -> samples
    leaves: dict[str, int] = defaultdict(int)
    modules: dict[str, int] = defaultdict(int)
    main_pid, busy = None, 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        frames = stack.split(";")
        process = frames[0] if frames[0].startswith("process ") else ""
        frames = frames[1:] if process else frames
        if main_pid is None:
            main_pid = process  # the first line comes from the process py-spy started
        leaf = frames[-1] if frames else "?"
        if not any(w in leaf for w in WAITING):
            busy += count
            leaves[leaf] += count
            path = leaf.rsplit("(", 1)[-1].split(":", 1)[0]
            if "site-packages/" in path:  # py-spy shortens most paths to the import path already
                path = path.split("site-packages/", 1)[1]
            module = (path if path.startswith(("sitegen/", "templates/")) or path.endswith(".html")
                      else path.split("/", 1)[0] if "/" in path and not path.startswith("<")
                      else "stdlib: " + Path(path).stem)
            modules[module] += count
        if process != main_pid:
            continue
        forked = [i for i, f in enumerate(frames) if f.startswith("BaseProcess._bootstrap")]
        if forked:  # a forked worker: its stack continues the parent's below the fork
            below = [f for f in frames[forked[-1]:] if "sitegen/" in f and "sitegen/parallel.py" not in f]
            task = _name(below[0]) if below else "(worker start-up, idle)"
            workers[(task, not any(w in leaf for w in WAITING))] += count
            continue
        if frames and frames[0].startswith("Thread._bootstrap"):
            stages[("(helper threads: pool, child watcher)", "")] += count
            continue
        tops = [i for i, f in enumerate(frames) if f.startswith(PIPELINE_TOP)]
        if not tops:
            stages[("(start-up, imports, exit)", "")] += count
            continue
        below = frames[tops[-1] + 1:]
        first = _name(below[0]) if below else "(in build itself)"
        second = _name(below[1]) if len(below) > 1 else ""
        stages[(first, second)] += count
    total = sum(c for (first, _), c in stages.items() if not first.startswith("(helper"))
    print(f"Main thread of the main process: {total / rate:.1f} s sampled (wall time, waiting included)\n")
    firsts: dict[str, int] = defaultdict(int)
    for (first, _second), count in stages.items():
        firsts[first] += count
    for first, count in sorted(firsts.items(), key=lambda kv: kv[1], reverse=True):
        if first.startswith("(helper"):
            print(f"{first:50} {count / rate:8.1f} s (other threads, mostly idle; not in the total)")
            continue
        print(f"{first:50} {count / rate:8.1f} s {count / total:6.1%}")
        seconds = sorted(((s2, c) for (f, s2), c in stages.items() if f == first and s2), key=lambda kv: kv[1],
                         reverse=True)
        for second, c in seconds[:6]:
            print(f"    {second:46} {c / rate:8.1f} s")
    if workers:
        print("\nForked workers (all of them; busy = on CPU or ready to run):")
        for task in sorted({t for t, _ in workers}, key=lambda t: -(workers[(t, True)] + workers[(t, False)])):
            print(f"    {task:46} {workers[(task, True)] / rate:8.1f} s busy, "
                  f"{workers[(task, False)] / rate:6.1f} s waiting")
    print(f"\nAll processes, busy samples: {busy / rate:.1f} CPU-seconds\n\nBy module:")
    for module, count in sorted(modules.items(), key=lambda kv: kv[1], reverse=True)[:top]:
        print(f"  {count / rate:8.1f} s {count / busy:6.1%}  {module}")
    print("\nBy function (own time):")
    for leaf, count in sorted(leaves.items(), key=lambda kv: kv[1], reverse=True)[:top]:
        print(f"  {count / rate:8.1f} s {count / busy:6.1%}  {leaf}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Profile one build of a content folder.")
    parser.add_argument("content", type=Path, nargs="?")
    parser.add_argument("--spy", type=Path, help="summarise this py-spy raw recording instead")
    parser.add_argument("--rate", type=float, default=20, help="py-spy's samples per second")
    parser.add_argument("--engine", type=Path, default=HERE.parent)
    parser.add_argument("--rev", help="profile this commit (exported into --work)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "sitegen-bench")
    parser.add_argument("--out", type=Path, help="site folder (default: a new temporary folder)")
    parser.add_argument("--serial", action="store_true", help="no worker processes")
    parser.add_argument("--cprofile", type=Path, help="write a cProfile file and print the top functions")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--memory", action="store_true",
                        help="also sample the peak memory (PSS, all processes) during each stage")
    args = parser.parse_args(argv)
    if args.spy:
        summarise_spy(args.spy, args.rate, args.top)
        return 0
    if args.content is None:
        parser.error("CONTENT is required")

    engine = export(args.rev, args.work) if args.rev else args.engine.resolve()
    sys.path.insert(0, str(engine))
    for name in [m for m in sys.modules if m == "sitegen" or m.startswith("sitegen.")]:
        del sys.modules[name]
    import sitegen.cli

    times: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    memory = MemoryPeaks() if args.memory else None
    instrument(times, counts, memory)
    if args.serial:
        serialise()
    out = args.out or Path(tempfile.mkdtemp(dir=args.work if args.work.exists() else None)) / "site"
    argv_build = ["build", "--content", str(args.content.resolve()), "--out", str(out), "--today", TODAY]
    # CPU time, not wall time: other work on the machine then does not inflate the figures
    profiler = cProfile.Profile(time.process_time) if args.cprofile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    code = sitegen.cli.main(argv_build, engine)
    if profiler:
        profiler.disable()
    total = time.perf_counter() - start
    if memory:
        memory.stop()
    if code != 0:
        print(f"build failed with exit code {code}", file=sys.stderr)
        return code

    print(f"\nTotal {total:.2f} s ({'serial' if args.serial else 'default parallelism'}"
          f"{', under cProfile' if profiler else ''})\n")
    print("Stage (inclusive wall time, main process)            seconds   share  calls"
          + ("  peak MB" if memory else ""))
    for _module, _attr, label in STAGES:
        if label in times:
            peak = f" {memory.peaks.get(label, 0):8.0f}" if memory else ""
            print(f"{label:52} {times[label]:8.2f} {times[label] / total:6.0%} {counts[label]:6}{peak}")
    if memory:
        print(f"Peak memory of the whole build (PSS, all processes): {memory.overall:.0f} MB")
    if profiler:
        profiler.dump_stats(str(args.cprofile))
        stats = pstats.Stats(str(args.cprofile))
        print("\nTime per module (own time, all functions in it):")
        for name, seconds in by_module(stats, engine)[:args.top]:
            print(f"  {seconds:8.2f} s  {name}")
        print(f"\nTop {args.top} functions by own time:")
        stats.sort_stats("tottime").print_stats(args.top)
        print(f"Top {args.top} functions by cumulative time:")
        stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
