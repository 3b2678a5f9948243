"""One-edit builds of several engines, taken in turns, so that they can be compared on a machine
whose speed drifts.

    python3 benchmarks/edits.py CORPUS --rev 39c9a99 --rev HEAD [--edits 8] [--edit KIND] [--work DIR]

Each commit is exported (git archive) and builds its own copy of the corpus into its own site
folder (a cold build, not timed). Then, in turns, one programme's body (or with `--edit title`, its
title; with `--edit tags`, a tag given and taken away again; `date`, `goal`, `relation`, `status`,
`add` (a programme added, then removed): see `EDITS`, each done and undone in turn) is edited in each copy and that
engine's build is timed from outside (wall clock, interpreter start included), with the
interpreter this script runs on. The first edit of each engine is left out of the figures (it also
reads what the cold build left to read). Prints, for each engine, the median and range, and the
stages the last build reported.
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import TODAY, build_cmd, compiled, edit_one, edit_tags, edit_title, export, last_line  # noqa: E402


def _programme(content: Path, pattern: str) -> Path:
    """The first programme from the sixth on (the same in every run) with a line matching `pattern`."""
    paths = sorted((content / "programmes").glob("*.md"))
    found = next((p for p in paths[5:] + paths[:5] if re.search(pattern, p.read_text(encoding="utf-8"), re.M)), None)
    if found is None:
        raise SystemExit(f"{content}: no programme to edit ({pattern})")
    return found


def _toggle(path: Path, run: int, pattern: str, there, back) -> None:
    """On even runs the first match of `pattern` becomes `there(match)`, on odd runs `back(match)`."""
    text = path.read_text(encoding="utf-8")
    changed = re.sub(pattern, there if run % 2 == 0 else back, text, count=1, flags=re.M)
    if changed == text:
        raise SystemExit(f"{path}: nothing to edit ({pattern})")
    path.write_text(changed, encoding="utf-8")


def edit_date(content: Path, run: int) -> None:
    """Move one programme's issue date a year back, then forward again: it moves among the rows of
    every list, the dashboard and the downloads."""
    pattern = r"^issued: (\d{4})-"
    _toggle(_programme(content, pattern), run, pattern,
            lambda m: f"issued: {int(m[1]) - 1}-", lambda m: f"issued: {int(m[1]) + 1}-")


def edit_goal(content: Path, run: int) -> None:
    """Raise one programme's first numeric goal, then lower it again: its targets' statuses change."""
    pattern = r'^    goal: "(.*?)(\d+)"$'
    _toggle(_programme(content, pattern), run, pattern,
            lambda m: f'    goal: "{m[1]}{int(m[2]) + 7}"', lambda m: f'    goal: "{m[1]}{int(m[2]) - 7}"')


def edit_relation(content: Path, run: int) -> None:
    """Take out what one programme implements, then put it back: its chain and neighbours change."""
    path = _programme(content, r"^(# )?implements: \[.+\]$")
    _toggle(path, run, r"^(implements: \[\]\n)?(# )?implements: (\[.+\])$",
            lambda m: f"implements: []\n# implements: {m[3]}", lambda m: f"implements: {m[3]}")


def edit_status(content: Path, run: int) -> None:
    """Report 0 for one value of the second-latest year's results, then the value again: the
    target's status changes, and the counts on the dashboard and that year's pages."""
    path = sorted((content / "results").glob("*.yaml"))[-2]
    _toggle(path, run, r"^(    [a-z0-9-]+: )(\d+)( # (\d+))?$",
            lambda m: f"{m[1]}0 # {m[2]}", lambda m: f"{m[1]}{m[4]}")


def edit_add(content: Path, run: int) -> None:
    """Add a new programme (a copy of one, issued in the year the builds take as today: it comes first in every list, the
    dashboard and the downloads), then remove it again: what an editor does most often."""
    added = content / "programmes" / "zz-ctr-moi-them.md"
    if run % 2:
        added.unlink()
        return
    text = _programme(content, r"^issued: ").read_text(encoding="utf-8")
    text = re.sub(r"^number: .*$", "number: 999-CTr/ĐUK", text, count=1, flags=re.M)
    text = re.sub(r"^issued: .*$", f"issued: {TODAY[:4]}-01-02", text, count=1, flags=re.M)
    added.write_text(re.sub(r"^title: (.*)$", r"title: \1 (bổ sung)", text, count=1, flags=re.M), encoding="utf-8")


EDITS = {"body": edit_one, "title": edit_title, "tags": edit_tags, "date": edit_date, "goal": edit_goal,
         "relation": edit_relation, "status": edit_status, "add": edit_add}


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
