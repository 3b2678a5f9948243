"""Rebuilds for the preview server: re-read only changed files, re-render only the pages
that show what changed, write only files whose bytes differ. The last good site stays."""
from __future__ import annotations

import jinja2
import jinja2.meta
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import urls
from .data import exports
from .affected import affected_specs
from .cache import FileCache
from .diagnostics import ContentError, Diagnostic
from .history import load_history
from .link import Model
from .pipeline import assets, check, published_files, render_all, render_pages, site_files, write_indexed
from .pipeline import digest as _digest
from .render import environment
from .views import Settings, Views
from .write import fill, staged


@dataclass
class Outcome:
    ok: bool
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list = field(default_factory=list)
    ms: float = 0.0
    pages: int = 0  # pages rendered again


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temp.write_bytes(data)
    os.replace(temp, path)


def _templates_stamp(template_dir: Path) -> dict[str, bytes]:
    """Each template file's digest (assets/ included), by its name in the template folder."""
    return {path.relative_to(template_dir).as_posix(): _digest(path.read_bytes())
            for path in sorted(template_dir.rglob("*")) if path.is_file()}


def _template_closure(env, name: str) -> set[str]:
    """A template and every template it extends, includes or imports, recursively."""
    seen, queue = set(), [name]
    while queue:
        current = queue.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            source = env.loader.get_source(env, current)[0]
        except jinja2.TemplateNotFound:
            continue
        queue.extend(t for t in jinja2.meta.find_referenced_templates(env.parse(source)) if t)
    return seen


def _specs_using(env, changed: set[str], specs: list) -> list:
    """The specs whose templates (with what they extend or import) include a changed template."""
    kinds = {kind for kind, names in Views.SPEC_TEMPLATES.items()
             if any(_template_closure(env, n) & changed for n in names)}
    return [spec for spec in specs if spec[0] in kinds]


class DevBuilder:
    """Keeps the last good model and what each page spec wrote, between rebuilds."""

    def __init__(self, content: Path, out: Path, templates: Path, settings: Settings):
        self.content, self.out, self.templates, self.settings = content, out, templates, settings
        self.errors: list[Diagnostic] = []
        self.cache = FileCache(None)
        self.model: Model | None = None
        self.history: dict = {}
        self.stamp: dict[str, bytes] = {}
        self.spec_paths: dict[tuple, list[str]] = {}
        self.digests: dict[str, bytes] = {}
        self.env = None
        self._env_stamp: dict[str, bytes] = {}
        self._data_due = None

    def _environment(self, stamp: dict):
        """The template environment, compiled again only when a template changed."""
        if self.env is None or stamp != self._env_stamp:
            self.env, self._env_stamp = environment(self.templates), stamp
        return self.env

    def _prepare(self) -> tuple[Model, Views, dict, dict]:
        cache = self.cache.carry()
        model = check(self.content, self.settings.current_year, cache)
        self.cache = cache
        history = load_history(self.content)
        return model, Views(model, self.settings, history), _templates_stamp(self.templates), history

    def _checked(self, start: float) -> tuple | Outcome:
        """The prepared model and views, or a failed Outcome listing the content's errors."""
        try:
            return self._prepare()
        except ContentError as error:
            self.errors = error.diagnostics
            return Outcome(False, errors=self.errors, ms=_ms(start))

    def initial(self) -> Outcome:
        """A full build, staged and swapped in whole (with the search index)."""
        start = time.perf_counter()
        prepared = self._checked(start)
        if isinstance(prepared, Outcome):
            return prepared
        model, views, stamp, history = prepared
        base_url = self.settings.base_url or model.site.base_url
        copies = assets(self.templates) | published_files(model, self.content)
        with staged(self.out) as staging:
            rendered = render_all(views, self._environment(stamp), base_url, staging, digests=True)
            fill(staging, {}, copies)
            write_indexed(staging, self.out)
        self.model, self.history, self.stamp, self.errors = model, history, stamp, []
        self.spec_paths = dict(rendered.pages)
        self.digests = dict(rendered.digests)
        self.digests |= {rel: _digest(src.read_bytes()) for rel, src in copies.items()}
        return Outcome(True, written=sorted(self.digests), ms=_ms(start), pages=len(rendered.pages))

    def rebuild(self) -> Outcome:
        """Validate again (changed files only) and write what changed."""
        start = time.perf_counter()
        prepared = self._checked(start)
        if isinstance(prepared, Outcome):
            return prepared
        model, views, stamp, history = prepared
        specs = views.page_specs()
        changed_templates = {n for n in set(stamp) | set(self.stamp)
                             if stamp.get(n) != self.stamp.get(n) and not n.startswith("assets/")}
        wanted = None if history != self.history else affected_specs(self.model, model)
        todo = specs if wanted is None else [s for s in specs if s in wanted]
        if changed_templates:
            env = self._environment(stamp)
            again = set(_specs_using(env, changed_templates, specs))
            todo = [s for s in specs if s in again or s in set(todo)]
        base_url = self.settings.base_url or model.site.base_url
        rendered = render_pages(views, self._environment(stamp), base_url, todo) if todo else {}
        written, removed = [], []
        for spec, pages in rendered.items():
            for path, html in pages:
                written += self._put(urls.output_file(path), html)
            kept = {p for p, _ in pages}
            removed += self._drop([urls.output_file(p) for p in self.spec_paths.get(spec, []) if p not in kept])
            self.spec_paths[spec] = sorted(kept)
        gone = set(self.spec_paths) - set(specs)
        for spec in gone:
            removed += self._drop([urls.output_file(p) for p in self.spec_paths.pop(spec)])
        if rendered or gone:
            paths = [p for paths in self.spec_paths.values() for p in paths]
            for rel, data in site_files(model, views, base_url, paths, data=False).items():
                written += self._put(rel, data)
            self._data_due = (model, views, base_url)
        for rel, source in (assets(self.templates) | published_files(model, self.content)).items():
            written += self._put(rel, source.read_bytes())
        self.model, self.history, self.stamp, self.errors = model, history, stamp, []
        return Outcome(True, sorted(written), sorted(removed), ms=_ms(start), pages=len(rendered))

    @property
    def data_due(self) -> bool:
        return self._data_due is not None

    def refresh_data(self) -> list[str]:
        """Write the data downloads (CSV, JSON, XLSX) of the last rebuild, if it changed anything.

        Kept out of `rebuild` so the browser reloads first: the downloads of a large site take
        seconds to write, and the pages do not depend on them."""
        due, self._data_due = self._data_due, None
        if due is None:
            return []
        model, views, base_url = due
        return [rel for name, data in exports(model, views.rows, base_url).items() for rel in self._put(name, data)]

    def _put(self, rel: str, data: bytes) -> list[str]:
        digest = _digest(data)
        if self.digests.get(rel) == digest:
            return []
        _write_atomic(self.out / rel, data)
        self.digests[rel] = digest
        return [rel]

    def _drop(self, rels: list[str]) -> list[str]:
        for rel in rels:
            (self.out / rel).unlink(missing_ok=True)
            self.digests.pop(rel, None)
        return rels


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000
