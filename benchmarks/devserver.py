"""Save-to-rebuilt time of the preview server: edit one document, wait until the page shows it.

    python3 benchmarks/devserver.py CONTENT_DIR [--runs 5] [--doc programmes/x.md] [--edit goal]

Starts `python build.py serve` on a free loopback port, then for each run appends a
marker to one document's body and polls its page until the marker is served; before the next
run it waits until the server has done its idle-time work (data downloads, search index) and says
nothing for a few seconds. Prints the
server's own rebuild time (from its log line) and the end-to-end time seen by a client.

With `--edit title|tags|date|goal|relation|status`, each run makes that edit of a front matter
(or, `status`, of a value in a results file) instead, as `benchmarks/edits.py` does, done and undone
in turns, and polls the edited document's page until it is no longer the page served before the save.
"""
from __future__ import annotations

import argparse
import re
import select
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.edits import edit_date, edit_goal, edit_relation, edit_status  # noqa: E402
from benchmarks.run import edit_tags, edit_title  # noqa: E402

FRONT_MATTER_EDITS = {"title": edit_title, "tags": edit_tags, "date": edit_date, "goal": edit_goal,
                      "relation": edit_relation, "status": edit_status}
IDLE_SECONDS = 3.0  # no output for this long: the server is idle


def first_document(content: Path) -> Path:
    return sorted((content / "programmes").glob("*.md"))[0]


def page_path(doc: Path) -> str:
    section = {"programmes": "chuong-trinh", "resolutions": "nghi-quyet"}[doc.parent.name]
    return f"/{section}/{doc.stem}/"


def edited_document(content: Path, edit) -> tuple[Path, Path]:
    """The document `edit` changes, or whose result it changes, and the file it changes (found by
    making the edit and undoing it)."""
    files = sorted((content / "programmes").glob("*.md")) + sorted((content / "results").glob("*.yaml"))
    before = {path: path.read_bytes() for path in files}
    edit(content, 0)
    changed = [path for path, data in before.items() if path.read_bytes() != data]
    after = {path: path.read_text(encoding="utf-8") for path in changed}
    for path in changed:
        path.write_bytes(before[path])
    if len(changed) != 1:
        raise SystemExit(f"the edit changed {len(changed)} files, not one")
    path = changed[0]
    if path.suffix == ".md":
        return path, path
    old, new = before[path].decode("utf-8").splitlines(), after[path].splitlines()
    line = next(index for index, (a, b) in enumerate(zip(old, new)) if a != b)
    doc_id = next(m[1] for text in reversed(old[:line]) if (m := re.match(r"^  (\S+):$", text)))
    return next(found for folder in ("programmes", "resolutions")
                if (found := content / folder / f"{doc_id}.md").is_file()), path


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url) as response:
        return response.read()


def save_to_served(content: Path, runs: int = 5, doc: Path | None = None, engine: Path = ROOT,
                   edit=None) -> dict:
    """Start the preview server on `content`, save `doc` `runs` times (or make `edit(content, run)`,
    a front-matter edit of one document); the timings in ms and s."""
    content = content.resolve()
    doc, edited = edited_document(content, edit) if edit is not None else (doc or first_document(content), None)
    original = doc.read_text(encoding="utf-8")
    edited_before = edited.read_bytes() if edited is not None else b""
    out = Path(tempfile.mkdtemp()) / "site"
    proc = subprocess.Popen([sys.executable, str(engine / "build.py"), "serve", "--port", "0", "--content",
                             str(content), "--out", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, bufsize=1)
    try:
        url = ""
        start = time.perf_counter()
        while not url:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError("server stopped")
            match = re.search(r"http://127\.0\.0\.1:\d+/", line)
            url = match[0].rstrip("/") if match else ""
        startup = time.perf_counter() - start
        client, server = [], []
        for run in range(runs):
            marker = f"Dấu đo thời gian {run} {time.time_ns()}"
            time.sleep(0.5)
            page = url + page_path(doc)
            served = _fetch(page)
            saved = time.perf_counter()
            if edit is not None:
                edit(content, run)
            else:
                doc.write_text(original + f"\n\n{marker}\n", encoding="utf-8")
            while not (_fetch(page) != served if edit is not None else marker.encode() in _fetch(page)):
                time.sleep(0.005)
            client.append((time.perf_counter() - saved) * 1000)
            line = proc.stdout.readline()
            match = re.search(r"trong (\d+) ms", line)
            if match:
                server.append(float(match[1]))
            # let the idle-time work (data downloads, the search index) finish, as between real
            # saves: until the server says nothing for IDLE_SECONDS
            while select.select([proc.stdout], [], [], IDLE_SECONDS)[0]:
                line = proc.stdout.readline()
                if not line:
                    break
        return {"startup s": startup, "client ms": client, "server ms": server}
    finally:
        doc.write_text(original, encoding="utf-8")
        if edited is not None:
            edited.write_bytes(edited_before)
        proc.terminate()
        proc.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("content", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--doc", default="")
    parser.add_argument("--edit", choices=["body", *FRONT_MATTER_EDITS], default="body")
    args = parser.parse_args()
    content = args.content.resolve()
    doc = content / args.doc if args.doc else first_document(content)
    result = save_to_served(content, args.runs, doc, edit=FRONT_MATTER_EDITS.get(args.edit))
    client, server = result["client ms"], result["server ms"]
    print(f"content: {content} ({sum(1 for _ in content.rglob('*.md'))} Markdown files)")
    print(f"server start (initial build + index): {result['startup s']:.1f} s")
    print(f"save -> page served, median of {args.runs}: {statistics.median(client):.0f} ms "
          f"(min {min(client):.0f}, max {max(client):.0f})")
    if server:
        print(f"server's rebuild time, median: {statistics.median(server):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
