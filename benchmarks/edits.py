"""One-edit builds of several engines, taken in turns, so that they can be compared on a machine
whose speed drifts.

    python3 benchmarks/edits.py CORPUS --rev 39c9a99 --rev HEAD [--edits 8] [--edit title|tags] [--work DIR]

Each commit is exported (git archive) and builds its own copy of the corpus into its own site
folder (a cold build, not timed). Then, in turns, one programme's body (or with `--edit title`, its
title; with `--edit tags`, a tag given and taken away again) is edited in each copy and that
engine's build is timed from outside (wall clock, interpreter start included), with the
interpreter this script runs on. The first edit of each engine is left out of the figures (it also
reads what the cold build left to read). Prints, for each engine, the median and range, and the
stages the last build reported.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import build_cmd, compiled, edit_one, edit_tags, edit_title, export, last_line  # noqa: E402

EDITS = {"body": edit_one, "title": edit_title, "tags": edit_tags}


def _build(engine: Path, content: Path, out: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(build_cmd(engine, content, out), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{engine}: the build failed:\n{done.stderr}")
    return seconds, last_line(done.stdout)


def compare(corpus: Path, revs: list[str], edits: int, work: Path, log, edit=edit_one) -> dict[str, list[float]]:
    """Each engine's one-edit build times (the first of each left out)."""
    sides = []
    for rev in revs:
        engine = compiled(export(rev, work))
        folder = work / f"edits-{engine.name}"
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(corpus, folder / "content")
        log(f"{rev}: cold build in {folder}")
        _build(engine, folder / "content", folder / "site")
        sides.append((rev, engine, folder))
    times: dict[str, list[float]] = {rev: [] for rev in revs}
    said: dict[str, str] = {}
    for turn in range(edits + 1):
        for rev, engine, folder in sides:
            edit(folder / "content", turn)
            seconds, said[rev] = _build(engine, folder / "content", folder / "site")
            log(f"{rev}: edit {turn + 1}: {seconds:.3f} s")
            if turn:
                times[rev].append(seconds)
    for rev, _, folder in sides:
        shutil.rmtree(folder, ignore_errors=True)
        log(f"{rev}: last build said: {said[rev]}")
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time one-edit builds of several commits, in turns.")
    parser.add_argument("corpus", type=Path, help="a corpus made by benchmarks/corpus.py")
    parser.add_argument("--rev", action="append", required=True, help="a commit to time (repeat for each)")
    parser.add_argument("--edits", type=int, default=8, help="timed edits per engine")
    parser.add_argument("--edit", choices=sorted(EDITS), default="body", help="what each edit changes")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "sitegen-bench")
    args = parser.parse_args(argv)
    times = compare(args.corpus, args.rev, args.edits, args.work, lambda line: print(line, flush=True),
                    EDITS[args.edit])
    print("\n| engine | median | range |\n| --- | ---: | ---: |")
    for rev, values in times.items():
        print(f"| {rev} | {statistics.median(values):.2f} s | {min(values):.2f}–{max(values):.2f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
