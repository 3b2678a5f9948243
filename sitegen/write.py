"""Stage 6: write the site into a staging folder, then swap it in atomically."""
from __future__ import annotations

import ctypes
import os
import shutil
from pathlib import Path

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


def stage(out: Path, files: dict[str, bytes], copies: dict[str, Path]) -> Path:
    """Write `files` (relative path -> bytes) and `copies` (relative path -> source)
    into a fresh staging folder beside `out`; return it."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    staging.mkdir()
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
    return staging


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
