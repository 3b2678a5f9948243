"""What a build reads, stamped before it is read: the content's and the templates' entries with
their inode, modification time and size. The preview and incremental builds compare stamps to
find what changed; a command-line build also digests them to tell whether anything did."""
from __future__ import annotations

import os
import time
from pathlib import Path

from .load import SECTIONS

RACY = "racy"  # a stamp too recent to trust: the file may change again within the same clock tick
RACY_NS = 100_000_000  # files modified this close to the scan are read again at the next rebuild
# What the build reads in a content folder (load.list_sources and load.scan_files).
TOP_ENTRIES = ("site.yaml", "organisations.yaml", *SECTIONS, "results", "files")


def content_stamps(root: Path) -> dict[str, tuple | str]:
    """Each entry the build reads below `root` (relative path) with its stamp: a folder's is
    (link, inode), a file's (link, inode, modification time, size). A file modified just before
    the scan gets RACY instead, so that an edit within the same clock tick (same time and size)
    is not missed next time. Dot files are left out except below files/, as the build does."""
    stamps: dict[str, tuple | str] = {}
    for name in TOP_ENTRIES:
        _scan(os.path.join(root, name), name, stamps, name == "files")
    return mark_racy(stamps)


def template_stamps(folder: Path) -> dict[str, tuple | str]:
    """Every entry below the template folder, stamped as `content_stamps` does."""
    stamps: dict[str, tuple | str] = {}
    _scan(str(folder), "", stamps, True)
    return mark_racy(stamps)


def mark_racy(stamps: dict) -> dict:
    """`stamps` with those of files modified less than RACY_NS ago replaced by RACY."""
    now = time.time_ns()
    for rel, stamp in stamps.items():
        if len(stamp) > 2 and now - stamp[2] < RACY_NS:
            stamps[rel] = RACY
    return stamps


def _scan(path: str, rel: str, stamps: dict, dotted: bool) -> None:
    """One entry and, for a folder, what is inside it. As the build: a link to a folder is followed
    at the top (a section folder) but not below files/."""
    try:
        stat = os.stat(path)
    except OSError:
        return
    link = os.path.islink(path)
    if not os.path.isdir(path):
        stamps[rel] = (link, stat.st_ino, stat.st_mtime_ns, stat.st_size)
        return
    stamps[rel] = (link, stat.st_ino)
    if not link or "/" not in rel:
        _scan_folder(path, rel, stamps, dotted)


def _scan_folder(path: str, rel: str, stamps: dict, dotted: bool) -> None:
    """A folder's entries (one stat call per file: this runs over the whole content on each save).
    A folder's own time changes with its entries, which are compared one by one: it is left out."""
    try:
        entries = list(os.scandir(path))
    except OSError:
        return
    prefix = f"{rel}/" if rel else ""
    for entry in entries:
        if not dotted and entry.name.startswith("."):
            continue
        try:
            link = entry.is_symlink()
            if entry.is_dir():
                stamps[prefix + entry.name] = (link, entry.inode() if not link else entry.stat().st_ino)
                if not link:
                    _scan_folder(entry.path, prefix + entry.name, stamps, dotted)
                continue
            stat = entry.stat()
        except OSError:
            continue
        stamps[prefix + entry.name] = (link, stat.st_ino, stat.st_mtime_ns, stat.st_size)
