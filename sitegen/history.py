"""Load-stage input: the git history of every content file, read with ONE `git log` call.

Returns {path inside the content folder: revisions, newest first}. When the content is not in a
git repository, when git is missing or fails, or when the clone is shallow (its oldest commit
would look as if it had added every file), the mapping is empty and pages show no history.
The result depends only on the repository's state, never on the clock or the time zone.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .text import nfc

RECORD, UNIT = "\x1e", "\x1f"
FORMAT = f"--format={RECORD}%H{UNIT}%cI{UNIT}%s"
TIMEOUT = 120  # seconds; a history that takes longer is left out rather than stalling a build
# Variables that would point git at another repository than the content folder's (a git hook sets them).
_REDIRECTS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY")


@dataclass(frozen=True)
class Revision:
    commit: str
    date: dt.date  # the commit's date, in the committer's own time zone
    message: str  # the commit message's first line


History = dict[str, tuple[Revision, ...]]


def _git(content_dir: Path, *args: str) -> str | None:
    """Run git in the content folder; its output, or None on any failure."""
    git = shutil.which("git")
    if git is None:
        return None
    env = {k: v for k, v in os.environ.items() if k not in _REDIRECTS}
    env["LC_ALL"] = "C"
    config = ["-c", "core.quotepath=off", "-c", "log.showSignature=false", "-c", "i18n.logOutputEncoding=UTF-8"]
    try:
        proc = subprocess.run([git, "-C", str(content_dir), *config, *args], capture_output=True, env=env,
                              timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", errors="replace")


def parse(output: str) -> History:
    """Parse `git log --name-only` output in FORMAT into path -> revisions (in log order)."""
    found: dict[str, list[Revision]] = {}
    for record in output.split(RECORD)[1:]:
        header, _, names = record.partition("\n")
        commit, date, message = (header.split(UNIT, 2) + ["", ""])[:3]
        try:
            day = dt.date.fromisoformat(date[:10])
        except ValueError:
            continue
        revision = Revision(commit, day, message.strip())
        for name in names.splitlines():
            name = name.strip()
            if name:
                found.setdefault(nfc(name), []).append(revision)
    return {path: tuple(revisions) for path, revisions in sorted(found.items())}


def head(content_dir: Path) -> str:
    """The commit the content folder's repository is at, and whether the clone is shallow ('' outside
    git): the history depends on both (a shallow clone shows none)."""
    return (_git(content_dir, "rev-parse", "HEAD", "--is-shallow-repository") or "").strip()


def load_history(content_dir: Path) -> History:
    """Every content file's revisions, newest first; {} when git cannot tell."""
    if not content_dir.is_dir():
        return {}
    state = _git(content_dir, "rev-parse", "--is-inside-work-tree", "--is-shallow-repository")
    if state is None or state.split() != ["true", "false"]:
        return {}
    output = _git(content_dir, "log", "--no-renames", "--no-color", "--relative", "--name-only", FORMAT,
                  "--", ".")
    return parse(output) if output else {}
