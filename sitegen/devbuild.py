"""Rebuilds for the preview server: keep the last good site, write only what changed."""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import ContentError, Diagnostic
from .pipeline import build, check, published_files, render_site
from .views import Settings


@dataclass
class Outcome:
    ok: bool
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    ms: float = 0.0


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _file_digest(path: Path) -> bytes:
    return _digest(path.read_bytes())


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temp.write_bytes(data)
    os.replace(temp, path)


class DevBuilder:
    """Holds what is in the output folder so each rebuild writes only changed files."""

    def __init__(self, content: Path, out: Path, templates: Path, settings: Settings):
        self.content, self.out, self.templates, self.settings = content, out, templates, settings
        self.digests: dict[str, bytes] = {}
        self.errors: list[Diagnostic] = []

    def initial(self) -> Outcome:
        """A full, staged build; on invalid content the previous output stays."""
        start = time.perf_counter()
        try:
            build(self.content, self.out, self.templates, self.settings)
        except ContentError as error:
            self.errors = error.diagnostics
            return Outcome(False, errors=self.errors, ms=_ms(start))
        self.errors = []
        self.digests = {p.relative_to(self.out).as_posix(): _file_digest(p)
                        for p in self.out.rglob("*") if p.is_file()}
        return Outcome(True, written=sorted(self.digests), ms=_ms(start))

    def rebuild(self) -> Outcome:
        """Validate and render again; write the files whose bytes changed, remove stale ones."""
        start = time.perf_counter()
        try:
            model = check(self.content)
        except ContentError as error:
            self.errors = error.diagnostics
            return Outcome(False, errors=self.errors, ms=_ms(start))
        files, copies = render_site(model, self.templates, self.settings)
        copies.update(published_files(model, self.content))
        wanted: dict[str, bytes] = {}
        written = []
        for rel, data in files.items():
            wanted[rel] = _digest(data)
            if self.digests.get(rel) != wanted[rel]:
                _write_atomic(self.out / rel, data)
                written.append(rel)
        for rel, source in copies.items():
            wanted[rel] = _file_digest(source)
            if self.digests.get(rel) != wanted[rel]:
                _write_atomic(self.out / rel, source.read_bytes())
                written.append(rel)
        removed = [rel for rel in self.digests if rel not in wanted and not rel.startswith("pagefind/")]
        for rel in removed:
            (self.out / rel).unlink(missing_ok=True)
        self.digests = {rel: d for rel, d in self.digests.items() if rel.startswith("pagefind/")} | wanted
        self.errors = []
        return Outcome(True, sorted(written), sorted(removed), ms=_ms(start))


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000
