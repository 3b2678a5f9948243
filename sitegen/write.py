"""Stage 6: write the site into a staging folder, then swap it in atomically."""
from __future__ import annotations

import ctypes
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False when unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def clean_leftovers(out: Path) -> None:
    """Remove staging or old folders that an interrupted build left beside `out`."""
    for stale in out.parent.glob(f".{out.name}.staging-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in out.parent.glob(f".{out.name}.old-*"):
        shutil.rmtree(stale, ignore_errors=True)


def new_staging(out: Path) -> Path:
    """A fresh, empty staging folder beside `out` (what earlier builds left there is removed)."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    staging.mkdir()
    return staging


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A staging folder for the block to fill: swapped in whole as `out` when the block succeeds,
    removed when it fails (the previous `out` is then untouched)."""
    staging = new_staging(out)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    publish(staging, out)


def write_file(root: Path, rel: str, data: bytes) -> None:
    """Write `data` as `root/rel`, making its folder if needed."""
    target = root / rel
    try:
        target.write_bytes(data)
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def fill(staging: Path, files: dict[str, bytes], copies: dict[str, Path]) -> None:
    """Write `files` (relative path -> bytes) and `copies` (relative path -> source) into `staging`."""
    made: set[Path] = set()
    for rel in sorted(set(files) | set(copies)):
        target = staging / rel
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if rel in files:
            target.write_bytes(files[rel])
        else:
            shutil.copyfile(copies[rel], target)


def publish(staging: Path, out: Path) -> None:
    """Swap a complete staging folder in as `out`; the previous `out` stays whole until then."""
    out = out.resolve()
    if out.exists() and _exchange(staging, out):
        shutil.rmtree(staging)
        return
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        os.rename(out, old)
        os.rename(staging, out)
        shutil.rmtree(old)
    else:
        os.rename(staging, out)
