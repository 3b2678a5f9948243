"""Rebuilds for the preview server: re-read only changed files, re-render only the pages
that show what changed, write only files whose bytes differ. The last good site stays."""
from __future__ import annotations

import copy

import jinja2
import jinja2.meta
import os
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from . import feeds, urls
from .data import (DOCUMENTS, EXPORTS, LINE_BREAK, ROW_ORDERED, WORKBOOK, RowPlaces, document_parts, documents_lines,
                   exports, lines_moved, moved_span, patch_workbook, patch_workbook_shifted, patch_workbook_span,
                   places_after, row_places, shifted_start, splice, spliced, workbook_changes)
from .affected import (affected_specs, changed_items, changed_list_pages, changed_row_pages, revalued_specs,
                       row_changed, shown_fields_specs)
from .cache import ExportCache, FileCache, cache_folder, file_digest
from .diagnostics import Collector, ContentError, Diagnostic
from .history import _git, load_history
from .link import (Model, as_read, body_checker, body_key, content_of, keeps_results, link, link_results,
                   read_otherwise, results_read_from, same_results)
from .load import SECTIONS, Source, display_path
from .model import Document, Unread
from .records import Deferred
from .rows import document_rows
from .status import evaluate
from .pipeline import (PageRender, Rendered, assets, cached_exports, check, collector_paused, published_files, read_all,
                       render_all, site_files, write_indexed)
from .pipeline import digest as _digest
from .render import environment, page_root
from .stamps import RACY, TOP_ENTRIES, content_stamps, mark_racy, template_stamps
from .views import Settings, Views, redated
from .write import fill, staged


@dataclass
class Outcome:
    ok: bool
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list = field(default_factory=list)
    ms: float = 0.0
    pages: int = 0  # pages rendered again
    full: bool = False  # the whole content was read and linked again


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


def _changed(before: dict, now: dict) -> set[str] | None:
    """Paths whose stamp changed (or was racy); None when an entry was added or removed."""
    if before.keys() != now.keys():
        return None
    return {rel for rel, stamp in now.items() if stamp == RACY or before[rel] != stamp}


def _entries_changed(before: dict, now: dict) -> tuple[set[str], set[str], set[str]] | None:
    """The content entries whose stamp changed (or was racy), those added and those removed, when
    each entry added or removed is a document or post file (a Markdown file right in its
    section's folder); None when another entry came or went."""
    changed = _changed(before, now)
    if changed is not None:
        return changed, set(), set()
    added, removed = now.keys() - before.keys(), before.keys() - now.keys()
    for rel in added | removed:
        folder, _, name = rel.partition("/")
        if folder not in SECTIONS or "/" in name or not name.endswith(".md") or name.startswith("."):
            return None
    changed = {rel for rel, stamp in now.items() if rel not in added and (stamp == RACY or before[rel] != stamp)}
    return changed, added, removed


class _Later:
    """The `_digest` of bytes, worked out when first compared or pickled: a command-line build saves
    its state in a child process once its site is written (`incremental._save_behind`), which then
    digests the large downloads the build patched (about 70 MB at 10,000 documents)."""

    __slots__ = ("_data", "_digest")

    def __init__(self, data: bytes):
        self._data, self._digest = data, b""

    def value(self) -> bytes:
        if not self._digest:
            self._digest, self._data = _digest(self._data), b""
        return self._digest

    def __eq__(self, other) -> bool:
        return self.value() == (other.value() if isinstance(other, _Later) else other)

    __hash__ = None

    def __reduce__(self):
        return bytes, (self.value(),)  # pickled as the digest itself


def _published(model: Model, doc_id: str) -> Document | None:
    """The model's document `doc_id` when it is published (listed in the downloads), else None."""
    doc = model.documents.get(doc_id)
    return doc if doc is not None and doc.published else None


# A document's part of each download of lines (`document_parts`) when it is not listed there.
_NO_LINES = {name: LINE_BREAK for name in ROW_ORDERED} | {DOCUMENTS: None}


def _read_order(item) -> tuple:
    """Where a document or post comes in the content as `load.list_sources` lists it: by section
    folder, then by file name (its path as shown: "/" between folders)."""
    return _FOLDERS.index(_FOLDER[item.section if isinstance(item, Document) else "post"]), item.path.rpartition("/")[2]


_FOLDER = {kind: folder for folder, kind in SECTIONS.items()}
_FOLDERS = list(SECTIONS)


def _same(before, after) -> bool:
    """Equal records that also print the same: decimals written differently compare equal (91 and
    91.0), and the data downloads show them as written."""
    return before == after and repr(before) == repr(after)


def _feed_paths(model: Model) -> set[str]:
    """The page paths the feed lists (feeds.feed: newest first, FEED_ITEMS of them)."""
    entries = [(d.issued.date, urls.document(d.section, d.id)) for d in model.published()]
    entries += [(p.date.date, urls.post(p.id)) for p in model.posts.values()]
    entries.sort(reverse=True)
    return {path for _, path in entries[:feeds.FEED_ITEMS]}


class DevBuilder:
    """Keeps the last good model and what each page spec wrote, between rebuilds."""

    dry = False  # when true, nothing is written but `pending`: no file cache saved, no compiled templates kept
    # True when the output folder is known to hold what this builder last wrote (a command-line build
    # compared it with its record): a file is then not digested again before it is patched.
    output_checked = False
    # Set by a command-line build: the data downloads are made while the workers render the pages,
    # with this cache (`refresh_data`). The preview makes them after, so that the browser reloads first.
    data_beside_pages: ExportCache | None = None

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
        # What a body-only edit needs (see `_body_edit`); set by every successful full rebuild.
        self.views: Views | None = None
        self._tree: dict | None = None  # content_stamps when the model was read
        self._template_tree: dict | None = None
        self._head = ""
        self._checker = None  # link.body_checker of the model, made when first needed
        self._feed: set[str] = set()  # page paths the feed lists
        self._listed: Deferred | None = None  # Views.listed_on of the model, made when first needed
        self._places: RowPlaces | None = None  # data.row_places of the model, made when first needed
        # results file -> (the model's results, `results_read_from` them for that file): the next edit
        # of the same file finds them here, in a preview or from the saved state (`_read_before`, `_carry_read`)
        self._read_from: dict[str, tuple[Any, dict]] = {}
        self._history: dict = {}  # the history last read, and the _git_state it was read at
        self._history_state: str | None = None
        self._copied: dict[str, tuple] = {}  # attachment or asset -> its stamp when last written
        self._copies: set[str] = set()  # the attachments and assets the output holds copies of
        self._read: dict[str, str] = {}  # content file -> `file_digest` of the bytes the model was made from
        self.build_id = ""  # the command-line build that saved this builder (incremental.py)
        self.edits: dict[str, Any] = {}  # body and history edits since the last full rebuild (`_swap`, `_redate`)
        self.pending: dict[str, bytes | None] | None = None  # see `hold_writes`
        self._search_due: set[str] = set()  # pages written or removed since the index was last brought up to date
        self._search_lock = threading.Lock()  # `refresh_search` runs beside rebuilds (serve.py)
        # Told the site paths of the edited documents' own pages as soon as a full rebuild has
        # written them, before the other pages it renders (the preview reloads those browsers first).
        self.on_first_pages: Callable[[list[str]], Any] | None = None
        self._search_failed = False  # the last update failed: tried again after the next write

    def _environment(self, stamp: dict):
        """The template environment, compiled again only when a template changed."""
        if self.env is None or stamp != self._env_stamp:
            compiled = None if self.dry else cache_folder(self.out) / "templates"
            self.env, self._env_stamp = environment(self.templates, compiled), stamp
        return self.env

    def _prepare(self) -> tuple[Model, Views, dict, dict, dict[str, str]]:
        """The model, its views, the templates' digests, the history, and the digests of the
        content files read, by path (`FileCache.digests`)."""
        cache = self.cache if self.cache.persistent else self.cache.carry()
        cache.digests = {}
        model = check(self.content, self.settings.current_year, cache)
        if not self.dry:
            cache.save()
        self.cache = cache.carry() if cache.persistent else cache  # the next rebuild reads it in memory
        history = self._load_history()
        return model, Views(model, self.settings, history), _templates_stamp(self.templates), history, cache.digests, None

    def _content_digests(self, digests: dict[str, str]) -> dict[str, str]:
        """`FileCache.digests` by path inside the content folder (as `content_stamps` names them)."""
        root = os.path.join(os.path.abspath(self.content), "")
        found = {}
        for path, digest in digests.items():
            if not path.startswith(root) or f"{os.sep}." in path:  # (most are joined to that root already)
                path = os.path.abspath(path)
            if path.startswith(root):
                found[path[len(root):].replace(os.sep, "/")] = digest
        return found

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
        sources = self.sources()
        prepared = self._checked(start)
        if isinstance(prepared, Outcome):
            return prepared
        model, views, stamp, history, read, _ = prepared
        base_url = self.settings.base_url or model.site.base_url
        copies = assets(self.templates) | published_files(model, self.content)
        with staged(self.out) as staging:
            rendered = render_all(views, self._environment(stamp), base_url, staging, digests=True)
            fill(staging, {}, copies)
            write_indexed(staging, self.out, search_record=self.search_record)
        self.adopt(model, views, history, rendered, copies, sources, stamp, read)
        with self._search_lock:  # the index was just made from every page
            self._search_due = set()
        return Outcome(True, written=sorted(self.digests), ms=_ms(start), pages=len(rendered.pages))

    def adopt(self, model: Model, views: Views, history: dict, rendered: Rendered, copies: dict[str, Path],
              sources: tuple, stamp: dict | None = None, read: dict[str, str] | None = None) -> None:
        """Take what a full build made (with the digests of its outputs) as the last good build.
        `sources`: the stamps `_sources` took before that build read anything; `read`: the digests
        of the content files it read, by path (`FileCache.digests`)."""
        self.model, self.history, self.errors = model, history, []
        self._read_from = {}
        self._read = self._content_digests(read) if read is not None else {}
        self.stamp = stamp if stamp is not None else _templates_stamp(self.templates)
        if self._history_state is None:
            self._history, self._history_state = history, sources[2]
        self._settle(model, views, sources)
        self.spec_paths = dict(rendered.pages)
        self.digests = dict(rendered.digests)
        self.digests |= {rel: _digest(src.read_bytes()) for rel, src in copies.items()}
        self._copies = set(copies)

    def __getstate__(self) -> dict:
        """What is kept between command-line builds (see incremental.py): not the compiled templates
        or the file cache, which are made again when needed. The body checker is kept, made now if
        it was not yet: a set of the site's pages, quicker to read than to work out again (the next
        body edit needs it)."""
        if self._checker is None and self.model is not None:
            self._checker = body_checker(self.model)
        if self._listed is None and self.views is not None:  # (read back only by an edit of shown fields)
            self._listed = Deferred(self.views.listed_on())
        if self._places is None and self.views is not None:
            self._places = row_places(self.model, self.views.row_layout())
        state = dict(self.__dict__)
        # (what was read from a results file is kept with the very results it was read from: one
        # pickle keeps them one object; it is unpickled only by the next edit of that file)
        read_from = {path: (results, read if isinstance(read, Deferred) else Deferred(read))
                     for path, (results, read) in self._read_from.items()}
        state.update(env=None, _env_stamp={}, cache=None, _data_due=None, pending=None, output_checked=False,
                     _read_from=read_from,
                     data_beside_pages=None, on_first_pages=None,
                     _search_due=set(), _search_failed=False, _search_lock=None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.cache = FileCache(None)
        self._search_lock = threading.Lock()
        self.on_first_pages = None  # (a state saved before there was one)

    def sources(self, changed=None, stamps: tuple[dict, dict] | None = None) -> tuple:
        """The stamps of what a build reads (content, templates, the content's git state), taken
        before reading it: a file saved during a build is seen as changed by the next one.

        `changed` (paths a file watcher reported) lets the content's stamps be taken for those
        files only (and those that were too recent to trust), the others kept from the last scan.
        `stamps`: the content's and templates' stamps, when the caller took them already (before
        reading anything; pipeline.input_stamps)."""
        if stamps is not None:
            return stamps[0], stamps[1], self._git_state()
        tree = self._stamps_of(changed) if changed is not None else None
        return tree or content_stamps(self.content), template_stamps(self.templates), self._git_state()

    def _stamps_of(self, changed) -> dict | None:
        """The last scan's content stamps with the given files stamped again; None (scan it all)
        when one is outside the content, a folder, or was added or removed."""
        if self._tree is None:
            return None
        root = os.path.abspath(self.content)
        rels = {rel for rel, stamp in self._tree.items() if stamp == RACY}
        for path in changed:
            rel = os.path.relpath(os.path.abspath(path), root)
            if rel.startswith(".."):
                if os.path.relpath(os.path.abspath(path), os.path.abspath(self.templates)).startswith(".."):
                    return None  # a path named otherwise (through a link?): scan everything
                continue  # a template: scanned whole
            parts = Path(rel).parts
            if not parts or parts[0] not in TOP_ENTRIES or \
                    (parts[0] != "files" and any(part.startswith(".") for part in parts)):
                continue  # nothing the build reads
            rels.add("/".join(parts))
        found: dict = {}
        for rel in rels:
            if len(self._tree.get(rel) or ()) != 4 and self._tree.get(rel) != RACY:
                return None  # added, or a folder
            try:
                stat, link = os.stat(root + os.sep + rel), os.path.islink(root + os.sep + rel)
            except OSError:
                return None  # removed
            if os.path.isdir(root + os.sep + rel):
                return None
            found[rel] = (link, stat.st_ino, stat.st_mtime_ns, stat.st_size)
        return {**self._tree, **mark_racy(found)}

    def _git_state(self) -> str | None:
        """The commit the content's repository is at and whether it is shallow (None outside git):
        the history pages show depends on nothing else."""
        return _git(self.content, "rev-parse", "HEAD", "--is-shallow-repository")

    def commit_moved(self) -> bool:
        """Whether the content's repository moved (a commit, a checkout) since the pages were made."""
        return self.model is not None and not self.errors and self._git_state() != self._head

    def _load_history(self) -> dict:
        """The content's git history, read again (one `git log` over the whole repository) only
        when the repository's commit or depth changed since it was last read."""
        return self._history_at(self._git_state())

    def _history_at(self, state: str | None) -> dict:
        """`_load_history` when the git state (`_git_state`) is known already."""
        if state is None or state != self._history_state:
            self._history, self._history_state = load_history(self.content), state
        return self._history

    def _settle(self, model: Model, views: Views, sources: tuple) -> None:
        """Keep what the next body-only edit starts from (after a successful full rebuild)."""
        self.views = views
        self.edits = {}
        self._tree, self._template_tree, self._head = sources
        self._checker = None
        self._listed = None
        self._places = None
        self._feed = _feed_paths(model)

    def rebuild(self, changed=None, stamps: tuple[dict, dict] | None = None) -> Outcome:
        """Validate again (changed files only) and write what changed.

        `changed`: the paths a file watcher reported since the last rebuild, if it is trusted to
        report every change; without it the whole content folder's stamps are compared (or
        `stamps`, when the caller took them: see `sources`)."""
        start = time.perf_counter()
        sources = self.sources(changed if not self.errors else None, stamps)
        # what this rebuild read and worked out from the edited files, for both paths to use: their
        # records (`_read_edited`), the results last read from them and how those changed
        # (`_read_before`, `_results_changed`), and the changes `_relinked` put in place
        reads: dict = {}
        with collector_paused():  # (what a rebuild makes mostly lives on: see `check`)
            quick = self._body_edit(sources, start, reads)
            if quick is not None:
                return quick
            return self._full_rebuild(sources, changed, start, reads)

    def _full_rebuild(self, sources: tuple, changed, start: float, reads: dict) -> Outcome:
        """`rebuild` when it is not only edits of bodies or shown fields (`_body_edit`)."""
        prepared = self._relinked(sources, reads)
        if prepared is None:
            if changed is not None:
                sources = self.sources()  # the full rebuild starts again from a scan of everything
            prepared = self._checked(start)
        if isinstance(prepared, Outcome):
            return prepared
        model, views, stamp, history, read, edited = prepared
        specs = views.page_specs()
        changed_templates = {n for n in set(stamp) | set(self.stamp)
                             if stamp.get(n) != self.stamp.get(n) and not n.startswith("assets/")}
        base_url = self.settings.base_url or model.site.base_url
        first, written_first = self._pages_first(model, views, stamp, base_url, specs, edited) \
            if not changed_templates else ({}, [])
        changed = changed_items(self.model, model) if self.model is not None else (set(), set())
        wanted = affected_specs(self.model, model, changed)
        # The downloads may change with any content file, even where records compare equal: they
        # print values as written (91 and 91.0 are equal decimals). They are made again from a cache.
        data_due = sources[0] != self._tree
        if wanted is not None and history != self.history:  # a commit: the pages showing its files' history
            wanted |= {("document", d) for d in redated(model, self.history, history)}
        todo = specs if wanted is None else [s for s in specs if s in wanted]
        again_all: set = set()  # specs whose every page is rendered again (a template they use changed)
        if changed_templates:
            env = self._environment(stamp)
            again_all = set(_specs_using(env, changed_templates, specs))
            todo = [s for s in specs if s in again_all or s in set(todo)]
        only: dict[tuple, set[str]] = {}
        recount: dict[str, tuple] = {}
        rows_changed: set[str] | None = None  # the documents whose target rows changed (None: not worked out)
        if wanted is not None and self.views is not None:  # of the pages of every target row, those that changed
            shown = {spec for spec in Views.WHOLE_MODEL_SPECS if spec in todo and spec not in again_all}
            rows_changed = row_changed(self.views, views, changed[0])
            only, recount = changed_row_pages(self.views, views, rows_changed, shown)
            lists = [spec for spec in todo if spec[0] in Views.LIST_KINDS and spec not in again_all]
            only |= changed_list_pages(self.views, views, changed, lists)
        written, removed = [], []
        for path, data in self._recounted(recount, stamp, base_url).items():
            if data is None:  # a page not as it was written: rendered
                only[recount[path][0]].add(path)
            else:
                written += self._put(urls.output_file(path), data)
        gone = set(self.spec_paths) - set(specs)
        new_places = None  # the new rows' places, when worked out here (kept for the next edit)
        if todo or gone or data_due:  # (the downloads show what the pages do, and the content)
            new_places = self._data_planned(sources[0], model, views, wanted, changed[0], base_url)
        # Workers pay off for fewer pages when the downloads take long meanwhile: made again whole,
        # with rows moved, or with target rows replaced (the workbook and both CSV files patched,
        # each a copy of tens of megabytes at 10,000 documents; not documents.json alone).
        due = self._data_due
        beside = self.data_beside_pages is not None and due is not None and \
            (due[3] is None or due[3][3] is not None or rows_changed is None or bool(rows_changed))
        rest = [spec for spec in todo if spec not in first]
        pool = PageRender(views, self._environment(stamp), base_url, rest, only=only, beside=beside) if rest else None
        try:
            if self.data_beside_pages is not None:  # made here while the workers render
                written += self.refresh_data(self.data_beside_pages)
        finally:
            rendered = first | (pool.results() if pool is not None else {})
        written += written_first
        paged = False  # whether the site's pages are other paths than before (the sitemap lists them)
        for spec, pages in rendered.items():
            for path, html in pages:
                written += self._put(urls.output_file(path), html)
            if spec in only:  # rendered in part: the same pages as before
                continue
            kept = {p for p, _ in pages}
            removed += self._drop([urls.output_file(p) for p in self.spec_paths.get(spec, []) if p not in kept])
            paged = paged or sorted(kept) != self.spec_paths.get(spec)
            self.spec_paths[spec] = sorted(kept)
        for spec in gone:
            removed += self._drop([urls.output_file(p) for p in self.spec_paths.pop(spec)])
        if rendered or gone:
            paths = [p for paths in self.spec_paths.values() for p in paths] if paged or gone else None
            for rel, data in site_files(model, views, base_url, paths, data=False).items():
                written += self._put(rel, data)
        shown, published = assets(self.templates), published_files(model, self.content)
        gone_copies = sorted(self._copies - shown.keys() - published.keys())  # deleted, or no longer published
        removed += self._drop(gone_copies)
        for rel in gone_copies:
            self._copied.pop(rel, None)
        written += self._copy(shown, sources[1])
        written += self._copy(published, sources[0])
        self._copies = set(shown) | set(published)
        before, self.model, self.history, self.stamp, self.errors = self.model, model, history, stamp, []
        if before is not None and "changed in place" in reads:  # (the model `_relinked` put them into)
            self._carry_read(before.results, reads["changed in place"].keys())
        else:
            self._read_from = {}
        self._read = self._content_digests(read)
        self._settle(model, views, sources)
        self._places = new_places
        return Outcome(True, sorted(written), sorted(removed), ms=_ms(start), pages=len(rendered), full=True)

    def _pages_first(self, model: Model, views: Views, stamp: dict, base_url: str, specs: list,
                     edited: set[str] | None) -> tuple[dict, list[str]]:
        """The edited documents' own pages, rendered and written before the others, then
        `on_first_pages` told their paths: (spec -> pages, the files written). Only for a few
        documents edited (those whose records are not the last model's, or with results that
        are not: `edited`, when the caller worked them out); the caller leaves out template changes."""
        if self.on_first_pages is None or self.model is None or self.pending is not None:
            return {}, []
        if edited is None:
            last = self.model.documents
            edited = {doc_id for doc_id, doc in model.documents.items() if last.get(doc_id) is not doc}
            if len(edited) <= FIRST_PAGES_MOST and model.results is not self.model.results:
                edited |= {key[0] for key in self.model.results.changed_keys(model.results)}
        specs = [spec for spec in specs if spec[0] == "document" and spec[1] in edited]
        if not specs or len(edited) > FIRST_PAGES_MOST:
            return {}, []
        rendered = PageRender(views, self._environment(stamp), base_url, specs).results()
        paths = [path for pages in rendered.values() for path, _ in pages]
        written = [rel for pages in rendered.values() for path, html in pages
                   for rel in self._put(urls.output_file(path), html)]
        if written:
            self.on_first_pages(paths)
        return rendered, written

    def _data_planned(self, tree: dict, model: Model, views: Views, wanted: set | None,
                      changed_docs: set[str], base_url: str) -> RowPlaces | None:
        """Mark the data downloads as due for `refresh_data` (`_due`): the changed documents' lines
        patched in where they can be. Returns the new rows' places in the workbook when worked out
        here (kept for the next edit), else None. Reads only the models and views, not the pages."""
        relined = self._relined(tree, model, views, wanted)
        patch, new_places = None, None
        if relined is not None:
            layouts = (self.views.row_layout(), views.row_layout())
            places = self._places or row_places(self.model, layouts[0])
            new_places = places_after(places, self.model, model, layouts, changed_docs)
            came_went = any(not _published(self.model, d) or not _published(model, d) for d in relined)
            if layouts[0].docs == layouts[1].docs and not came_went:
                same = places if places == new_places else None  # (rows added or removed: not the workbook)
                patch = (self.model, relined, same, None)
            else:  # documents moved among the rows, or added or removed
                patch = (self.model, relined, None, (self.views, places, new_places))
        self._due(model, views, base_url, patch)
        return new_places

    def _recounted(self, recount: dict[str, tuple], stamp: dict, base_url: str) -> dict[str, bytes | None]:
        """The dashboard and year pages whose counts alone changed (`changed_row_pages`: path ->
        (spec, counts before, after)), with the counts list the `counts` macro writes for the new
        counts in place of the old one's; None for a page that does not hold it as written."""
        if not recount:
            return {}
        counts = self._environment(stamp).get_template("macros.html").module.counts
        out: dict[str, bytes | None] = {}
        for path, (_, before, after) in recount.items():
            data = self._output(urls.output_file(path))
            root = page_root(path, base_url)
            out[path] = None if data is None else \
                splice(data, str(counts(before, root)).encode("utf-8"), str(counts(after, root)).encode("utf-8"))
        return out

    def _body_edit(self, sources: tuple, start: float, reads: dict) -> Outcome | None:
        """The rebuild after edits that change only the bodies of published documents or posts,
        the fields of published documents that are shown as written (`_shown_fields_only`), or
        reported values in place (`_results_in_place`), with no file added or removed and no
        template changed; or after commits. None when the change is anything else (or finds a
        problem): then the full rebuild runs.

        Each edited file is read and checked alone, its body's links checked against the pages of
        the last good model, and the new documents, bodies and results swapped into that model;
        only their own pages (and the feed, when it lists them) are rendered again, with those of
        the documents whose git history changed. A document whose shown fields changed is shown
        again on every page that shows it; one whose values changed, on the pages showing its
        target table or rows; both are patched into the data downloads."""
        tree, template_tree, commit = sources
        if self.model is None or self.views is None or self.errors or self._tree is None \
                or not self._same_templates(template_tree) or (commit is None) != (self._head is None):
            return None
        changed = _changed(self._tree, tree)
        if changed is None:
            return None
        changed = self._rewritten(changed, tree)
        # A commit (or any move of the repository) changes the history shown on the pages of the
        # documents whose files it touched: those pages are rendered again, and only those.
        history = self.history if commit == self._head else self._history_at(commit)
        redated_ids = redated(self.model, self.history, history) if history is not self.history else set()
        if not changed and not redated_ids:
            self._tree = tree
            self._redate(history, commit, _showing(self.views, history))
            return Outcome(True, ms=_ms(start))
        edited = self._read_edited(changed, tree, reads)
        if edited is None:
            return None
        fronts, read = edited
        model = self.model
        new_docs: dict = {}
        new_posts: dict = {}
        new_bodies: dict = {}
        refielded: set[str] = set()  # documents whose shown fields changed
        filters = False  # whether one's kind or status changed (the search page's filters list them)
        new_results: dict = {}  # (document, target) -> year -> result, for results changed in place
        problems = Collector()
        for record, item, body, found in fronts:
            if record.kind == "results":
                changes = None if found else self._results_in_place(record.path, item, reads)
                if changes is None or changes.keys() & new_results.keys():
                    return None  # (a target whose values two files edited at once change: linked whole)
                new_results.update(changes)
                continue
            shown, edited = (model.posts, new_posts) if record.kind == "post" else (model.documents, new_docs)
            before = edited.get(getattr(item, "id", None)) or shown.get(getattr(item, "id", None))
            section = getattr(item, "section", "post")
            if before is not None and _same(item, before) and body is not None and \
                    new_bodies.get(body_key(section, item.id), model.bodies.get(body_key(section, item.id))) == body:
                continue  # saved again unchanged (items hold no Markdown source: their bodies are compared)
            if found or type(item) is not type(before) or body is None:
                return None  # (`before` is None for an unpublished document or a draft post)
            if not _same(replace(before, body=""), replace(item, body="")):
                if not _shown_fields_only(before, item):
                    return None
                refielded.add(item.id)
                filters |= (before.kind, before.status) != (item.kind, item.status)
            if isinstance(item, Document) and not item.published:
                return None
            if self._checker is None:
                self._checker = body_checker(model)
            self._checker.check(body, urls.SECTION_FOLDER[section], item.path, problems)
            if problems.items:
                return None
            edited[item.id] = item
            new_bodies[body_key(section, item.id)] = body
        before = model
        if new_docs or new_posts or new_results:
            self._swap(new_docs, new_posts, new_bodies, new_results)
        views = _showing(self.views, history)
        model = self.model
        base_url = self.settings.base_url or model.site.base_url
        specs = [("document", i) for i in sorted(set(new_docs) | redated_ids)]
        specs += [("post", i) for i in sorted(new_posts)]
        only: dict[tuple, set[str]] = {}
        if refielded:
            more, only = shown_fields_specs(model, refielded, self._listed_on(), filters)
            specs += sorted(more - set(specs))
        revalued = {doc_id for doc_id, _ in new_results if model.documents[doc_id].published}
        if revalued:
            more, shown_rows = revalued_specs(model, revalued, self._listed_on())
            specs += sorted(more - set(specs))
            for spec, paths_ in shown_rows.items():
                only[spec] = only.get(spec, set()) | paths_
        written = []
        rendered = PageRender(views, self._environment(self._env_stamp), base_url, specs, only=only).results() \
            if specs else {}
        for pages in rendered.values():
            for path, html in pages:
                written += self._put(urls.output_file(path), html)
        listed = [model.url(d) for d in new_docs.values()] + [urls.post(i) for i in new_posts]
        if any(path in self._feed for path in listed):
            written += self._put("feed.xml", feeds.feed(model, base_url).encode("utf-8"))
        if refielded or revalued:
            if self._places is None:
                self._places = row_places(model, views.row_layout())
            self._due(model, views, base_url, (before, refielded | revalued, self._places, None))
        self._redate(history, commit, views)
        self._tree, self._template_tree = tree, template_tree  # the data downloads show no body nor history: kept
        self._read.update(self._content_digests(read.digests))
        return Outcome(True, sorted(written), ms=_ms(start), pages=len(specs))

    def _relinked(self, sources: tuple, reads: dict) -> tuple | None:
        """`_prepare` after edits of documents, posts or results files only (none added or
        removed): the edited files are read and checked alone, then linked with the rest of the
        last good model's content, as `check` would link the whole content read again. None when
        anything else changed or a problem was found: the full check then runs (and reports it)."""
        tree = sources[0]
        if self.model is None or self.errors or self._tree is None:
            return None
        entries = _entries_changed(self._tree, tree)
        if entries is None or (entries[1] or entries[2]) and self.model.content.unread != Unread():
            return None
        changed, added, removed = entries
        edited = self._read_edited(self._rewritten(changed, tree) | added, tree, reads)
        if edited is None:
            return None
        fronts, read = edited
        items, results, bodies = {}, {}, {}
        read_lists: dict[str, list] = {}  # each results file's results as `_read_edited` read them
        for record, item, body, found in fronts:
            if found or item is None:
                return None
            if record.kind == "results":
                results[record.path] = tuple(item)
                read_lists[record.path] = item
                continue
            items[item.path] = item
            if body is not None:
                bodies[body_key(getattr(item, "section", "post"), item.id)] = body
        model = self.model
        gone = frozenset(display_path(self.content / rel) for rel in removed)
        gone_ids = {doc.id for doc in model.documents.values() if doc.path in gone} if gone else set()
        keep = keeps_results(model, items.values(), gone_ids)  # (then the other results are not linked again)
        in_place = self._all_in_place(read_lists, reads) if results and not (items or added or removed) else None
        if in_place is not None:  # values changed in place only: what `link` would give, without linking all
            model = replace(model, results=model.results.updated(in_place)) if in_place else model
            reads["changed in place"] = in_place
        elif items or results or removed:
            new = frozenset(display_path(self.content / rel) for rel in added)
            content = content_of(model, items, results, whole=not keep, added=new, removed=gone, order=_read_order)
            if content is None:
                return None
            problems = Collector()
            files = frozenset(results)
            model = link(content, problems, bodies, model, keep_results=keep, edited_results=files,
                         read_before=self._read_before(files, reads) if keep and files else None)
            if problems.items:
                return None
        history = self._load_history()
        views, edited = None, None
        if keep and self.views is not None:  # only the edited, added or removed documents' records and some results differ
            if in_place is not None:  # (the same documents; the results of these targets changed)
                edited = {key[0] for key in in_place}
            else:
                edited = {doc_id for doc_id, doc in model.documents.items() if self.model.documents.get(doc_id) is not doc}
                if results:
                    edited |= {key[0] for key in self.model.results.changed_keys(model.results)}
            views = Views.derived(model, self.settings, history, self.views, self.model, edited | gone_ids)
        if views is None:
            views = Views(model, self.settings, history, self.views)
        root = os.path.join(os.path.abspath(self.content), "")  # (joined by hand: 10,000 joins take 8 ms)
        digests = {root + rel: digest for rel, digest in self._read.items() if rel not in removed}
        return model, views, _templates_stamp(self.templates), history, digests | read.digests, edited

    def _all_in_place(self, results: dict[str, list], reads: dict) -> dict | None:
        """`_results_changed` of every results file read again (`results`: by path), together;
        None when one's results do not change in place."""
        changes: dict = {}
        for path, found in results.items():
            changed = self._results_changed(path, found, reads)
            if changed is None or changes.keys() & changed.keys():
                return None  # (a target with results in two files edited at once: linked whole)
            changes.update(changed)
        return changes

    def _read_edited(self, changed: set[str], tree: dict, reads: dict) -> tuple[list, FileCache] | None:
        """The changed content files read and checked alone (`read_all`'s results), with the cache
        that holds their digests; None when one is not a document, post or results file, or was
        removed or replaced while being read (the full rebuild will tell). `reads`: what this
        rebuild read already, by the files' names (a large results file is read once)."""
        key = frozenset(changed)
        if key not in reads:
            paths = self._edited_sources(changed, tree)
            read = FileCache(None)
            try:
                reads[key] = None if paths is None else (read_all(paths, self.settings.current_year, read), read)
            except OSError:
                reads[key] = None
        return reads[key]

    def _edited_sources(self, changed: set[str], tree: dict) -> list[Source] | None:
        """The changed content entries as sources to read, when each is a document, a post or a
        results file (regular files); None when one is anything else."""
        paths = []
        for rel in sorted(changed):
            folder, _, name = rel.partition("/")
            kind = SECTIONS.get(folder) if name.endswith(".md") else "results" if folder == "results" and \
                name.endswith((".yaml", ".yml")) else None
            if kind is None or "/" in name or (tree[rel] != RACY and (tree[rel][0] or len(tree[rel]) == 2)):
                return None
            path = self.content / folder / name
            if not path.is_file():  # not a regular file (the full rebuild reports it)
                return None
            paths.append(Source(path, kind))
        return paths

    def _relined(self, tree: dict, model: Model, views: Views, wanted: set | None) -> set[str] | None:
        """After a full rebuild, the published documents whose lines in the downloads may differ
        from the last model's: the documents whose pages are rendered again (`wanted`: the changed
        ones and their neighbours, whose lines name them), those whose files changed (a value
        written otherwise, 91.0 for 91, prints otherwise), those with a result printed otherwise.
        None when the downloads must be made again whole: documents published or withdrawn, others
        than these moved among the rows, files added or removed, or too many documents to patch one
        by one."""
        old, old_views = self.model, self.views
        if wanted is None or old is None or old_views is None or self._tree is None:
            return None
        published, was_published = {d.id for d in model.published()}, {d.id for d in old.published()}
        came_went = published ^ was_published  # documents published or withdrawn, added or removed
        entries = _entries_changed(self._tree, tree)
        if entries is None:
            return None
        changed = set().union(*entries)
        docs = {key for kind, key in wanted if kind == "document"} | came_went
        docs |= {name[:-3] for folder, _, name in (rel.partition("/") for rel in changed)
                 if folder in SECTIONS and name.endswith(".md")}
        if any(rel.startswith("results/") for rel in changed):
            docs |= {key[0] for key in old.results.changed_keys(model.results, lambda a, b: _printed(a) != _printed(b))}
        docs &= published | was_published
        layouts = (old_views.row_layout(), views.row_layout())
        if not came_went and layouts[0].docs != layouts[1].docs and moved_span(layouts, docs) is None:
            return None  # (documents moved among the rows, besides those patched)
        return docs if len(docs) <= PATCH_MOST else None

    def _results_in_place(self, path: str, results: list, reads: dict) -> dict | None:
        """The results of the results file `path` read again, when they change values in place
        (`_results_changed`) and keep each target's statuses (so every count, list and page of
        rows stays as it is). Returns (document, target) -> year -> result for the targets whose
        values, notes or sources changed; None when anything else changed or a result has a
        problem (then the full rebuild runs, and reports it)."""
        changed = self._results_changed(path, results, reads)
        if changed is None:
            return None
        changes = {}
        for key, now in changed.items():
            if _printed(self.model.results[key]) == _printed(now):
                continue  # (read on another line, or a number written otherwise: the model keeps the one it has)
            doc = self.model.documents[key[0]]
            if doc.published:
                status = evaluate(_target(doc, key[1]), doc.term, now, self.settings.current_year)
                was = self.views.statuses[key]
                if (status.overall, status.years) != (was.overall, was.years):
                    return None
            changes[key] = now
        return changes

    def _results_changed(self, path: str, results: list, reads: dict) -> dict | None:
        """The results of the results file `path` read again, linked, when each result read
        otherwise than before is of the same target and year as one no longer read: (document,
        target) -> year -> result for the targets whose results `link` would take as changed
        (`same_results`). None when a result is added or taken out, or moved to another target or
        year (the counts change), or has a problem. Worked out once per rebuild (kept in `reads`)."""
        key = ("results changed", path, id(results))  # (the list as read: a file read again gives another)
        if key not in reads:
            reads[key] = self._linked_in_place(path, results, reads)
        return reads[key]

    def _linked_in_place(self, path: str, results: list, reads: dict) -> dict | None:
        model = self.model
        old = self._read_before(frozenset({path}), reads)
        fresh, gone = read_otherwise(old, results)
        problems = Collector()
        linked = link_results(model, fresh, problems)
        if problems.items or sorted((old[read][0], old[read][1].year) for read in gone) != \
                sorted((key, year) for key, by_year in linked.items() for year in by_year):
            return None
        changes = {}
        for key, by_year in linked.items():
            before = model.results[key]
            now = {**before, **by_year}
            if not same_results(before, now):
                changes[key] = now
        return changes

    def _read_before(self, files: frozenset[str], reads: dict) -> dict:
        """`results_read_from` the last good model, made once per rebuild (kept in its `reads`), and
        kept for the next rebuild while the model's results stay those they were made from."""
        key = ("results read from", files)
        if key not in reads:
            path = next(iter(files)) if len(files) == 1 else None
            kept = self._read_from.get(path)
            if kept is not None and kept[0] is self.model.results:
                reads[key] = kept[1].get() if isinstance(kept[1], Deferred) else kept[1]
            else:
                reads[key] = results_read_from(self.model, files)
                if path is not None:
                    self._read_from = {path: (self.model.results, reads[key])}
        return reads[key]

    def _carry_read(self, before, changed) -> None:
        """The model's results are now `before` (the last ones) with the targets `changed` (keys)
        changed: `_read_from` made for them, from what it held for `before`."""
        results = self.model.results
        carried = {}
        for path, (made_for, read) in self._read_from.items():
            if made_for is before:
                read = read.get() if isinstance(read, Deferred) else read
                read = {r: found for r, found in read.items() if found[0] not in changed}
                read.update((as_read(result), (key, result)) for key in changed
                            for result in results.get(key, {}).values() if result.path == path)
                carried[path] = (results, read)
        self._read_from = carried

    def _listed_on(self) -> dict:
        """`Views.listed_on` of the last good model (kept while only shown fields change)."""
        if self._listed is None:
            self._listed = Deferred(self.views.listed_on())
        return self._listed.get()

    def _due(self, model: Model, views: Views, base_url: str, patch: tuple | None) -> None:
        """Mark the data downloads as to be made for `model` by `refresh_data`: patched, with `patch`
        = (the model they show now, the documents whose lines may differ, the workbook's row
        places when the same in both, else None, and when those documents moved among the rows
        (the last views, the row places before and after), else None), or else made
        again whole. Joined with what an earlier rebuild left to do, if `refresh_data` has not run
        since."""
        if self._data_due is not None:
            earlier = self._data_due[3]
            if earlier is None or patch is None or earlier[3] is not None or patch[3] is not None:
                patch = None  # (moves are not joined)
            else:
                places = earlier[2] if earlier[2] is not None and earlier[2] == patch[2] else None
                patch = (earlier[0], earlier[1] | patch[1], places, None)
        self._data_due = (model, views, base_url, patch)

    def _patched(self, before: Model, after: Model, views: Views, doc_ids: list[str], base_url: str,
                 places: RowPlaces | None, moved: tuple | None = None) -> dict[str, bytes | None]:
        """The data downloads with the documents' lines patched in, from what the model `before`
        showed of them to what `after` (with its `views`) shows; the workbook only with `places`
        (its rows' places, the same in both) or `moved` (when the documents moved among the rows:
        the views before, the row places before and after). None for a download that cannot be
        patched; a download that shows nothing that changed is left out."""
        year = self.settings.current_year
        docs = [(_published(before, d), _published(after, d)) for d in doc_ids]  # None: not listed
        rows = [(document_rows(before, old, year) if old else [], document_rows(after, new, year) if new else [])
                for old, new in docs]
        parts = [(document_parts(before, old, old_rows, base_url) if old else _NO_LINES,
                  document_parts(after, new, new_rows, base_url) if new else _NO_LINES)
                 for (old, new), (old_rows, new_rows) in zip(docs, rows)]
        order = views.row_layout().docs
        files: dict[str, bytes | None] = {}
        for export in EXPORTS:
            changes = workbook_changes(places, rows) if places and export.name == WORKBOOK else None
            if moved is None and (changes == {} if export.name == WORKBOOK else
                                  all(old[export.name] == new[export.name] for old, new in parts)):
                continue  # what it shows of the documents is as it was: not read
            data = last = self._output(export.name)
            if data is None:
                pass
            elif export.name == WORKBOOK and moved is not None:
                data = self._workbook_moved(data, moved, after, views, {d: new for d, (_, new) in zip(doc_ids, rows)})
            elif export.name == WORKBOOK:
                data = patch_workbook(data, changes) if changes is not None else None
            elif moved is not None and export.name in ROW_ORDERED:
                runs = {d: (old[export.name], new[export.name]) for d, (old, new) in zip(doc_ids, parts)}
                data = lines_moved(data, order, runs, lambda d, name=export.name: document_parts(
                    after, after.documents[d], document_rows(after, after.documents[d], year), base_url)[name])
            elif export.name == DOCUMENTS:
                listed = sorted(d.id for d in after.published()) if moved is not None else []
                data = documents_lines(data, listed, {d: (old[DOCUMENTS], new[DOCUMENTS]) for d, (old, new) in zip(doc_ids, parts)})
            else:
                data = spliced(data, [(old[export.name], new[export.name]) for old, new in parts])
            if data is not None and data == last:
                continue  # patched, the same bytes
            files[export.name] = data
        return files

    @staticmethod
    def _workbook_moved(data: bytes, moved: tuple, after: Model, views: Views,
                        changed: dict[str, list]) -> bytes | None:
        """The workbook with the rows that the documents' move shifted written again; `changed`:
        the moved or changed documents' rows now."""
        old_views, old_places, new_places = moved
        layouts = (old_views.row_layout(), views.row_layout())
        span = moved_span(layouts, set(changed))
        if span is not None:
            return patch_workbook_span(data, after, (old_places, new_places), layouts, span, changed)
        first = shifted_start(layouts, set(changed))  # (documents added or taken out: rows shifted to the end)
        if first is None:
            return None
        return patch_workbook_shifted(data, after, (old_places, new_places), layouts, first, changed)

    def _output(self, rel: str) -> bytes | None:
        """The output file `rel`, if it holds what this builder last wrote there."""
        try:
            data = (self.out / rel).read_bytes()
        except OSError:
            return None
        if rel not in self.digests:
            return None
        return data if self.output_checked or self.digests[rel] == _digest(data) else None

    def template_digests(self) -> dict[str, bytes]:
        """Each template and asset file's digest, now (what `adopt` is given before a build)."""
        return _templates_stamp(self.templates)

    def templates_changed(self) -> bool:
        """Whether a template or asset holds other bytes than the pages were made with."""
        return self.template_digests() != self.stamp

    def _same_templates(self, template_tree: dict) -> bool:
        """Whether the templates and assets hold what the pages were made with: the same stamps,
        or other stamps (a checkout, a CI cache restored) on the same bytes."""
        if template_tree == self._template_tree:
            return RACY not in template_tree.values()
        return self._template_tree is not None and template_tree.keys() == self._template_tree.keys() \
            and _templates_stamp(self.templates) == self.stamp

    def _rewritten(self, changed: set[str], tree: dict) -> set[str]:
        """Of the content entries whose stamp changed, those whose bytes may have. Left out: a file
        that still holds the bytes the model was made from (a checkout or a copy gives it another
        time and inode), an attachment that is not published and kept its size (the build uses no
        more of it), and a folder that is still one, with the same entries (`_changed` compared
        them)."""
        kept = set()
        for rel in changed:
            old, new = self._tree[rel], tree[rel]
            if new != RACY and old != RACY and len(new) == len(old) == 2 and new[0] == old[0]:
                continue  # a folder (stamped as (link, inode))
            if not (new == RACY or len(new) == 4 and not new[0]) or not self._holds_read(rel, old):
                kept.add(rel)
        return kept

    def _holds_read(self, rel: str, old) -> bool:
        """Whether the content file `rel` (not a link; `old`: its stamp when last read) holds what
        the model was made from."""
        path = self.content / rel
        try:
            if not rel.startswith("files/"):
                return rel in self._read and file_digest(path) == self._read[rel]
            if rel in self.digests:  # published: the same bytes as its copy
                return _digest(path.read_bytes()) == self.digests[rel]
            return old != RACY and len(old) == 4 and not old[0] and not path.is_symlink() \
                and path.stat().st_size == old[3]
        except OSError:
            return False

    def _redate(self, history: dict, commit: str | None, views: Views) -> None:
        """Take the history read at `commit`, and `views` showing it, as the ones pages show (once
        `_body_edit` rendered the pages it changes); remember what changed in the history as an
        edit, as `_swap` does for bodies."""
        if commit == self._head:
            return
        if history is not self.history:
            changes = {path: history.get(path) for path in self.history.keys() | history.keys()
                       if self.history.get(path) != history.get(path)}
            self.edits.setdefault("history", {}).update(changes)
            self.views, self.history = views, history
        self._head = self.edits["head"] = commit

    def _swap(self, new_docs: dict, new_posts: dict, new_bodies: dict, new_results: dict | None = None) -> None:
        """Put documents and posts whose body or shown fields changed, their bodies, and results
        changed in place ((document, target) -> year -> result), into the last good model and its
        views; remember them as edits made since the last full rebuild."""
        new_results = new_results or {}
        model = self.model
        content = replace(model.content,
                          documents=tuple(new_docs.get(d.id, d) for d in model.content.documents),
                          posts=tuple(new_posts.get(p.id, p) if not p.draft else p for p in model.content.posts))
        model = replace(model, content=content, documents={**model.documents, **new_docs},
                        posts={**model.posts, **new_posts}, bodies=model.bodies.updated(new_bodies),
                        results=model.results.updated(new_results) if new_results else model.results)
        # Statuses do not depend on bodies nor on shown fields, and results change in place only
        # when their targets' statuses stay: those of their targets are worked out again.
        views = copy.copy(self.views)
        views.model = model
        year = self.settings.current_year
        if new_results:
            views.statuses = Views.statuses_of(model, year, views.statuses, new_results)
        if "rows" in views.__dict__:  # else worked out from this model when first asked for
            rows = []
            for row in views.rows:
                key = (row.doc.id, row.target.id)
                if row.doc.id in new_docs:
                    row = replace(row, doc=new_docs[row.doc.id], target=_target(new_docs[row.doc.id], row.target.id))
                if key in new_results:
                    row = replace(row, results=new_results[key], status=views.statuses[key])
                rows.append(row)
            views.rows = rows
        changed = set(new_docs) | {doc_id for doc_id, _ in new_results}  # (unpublished ones have none)
        if changed:  # what was made from their fields or results is made again when next needed
            views._refs = {k: v for k, v in views._refs.items() if k not in changed}
            views._tables = {k: v for k, v in views._tables.items() if k not in changed}
            views._fixed = {k: v for k, v in views._fixed.items() if k[0] not in changed}
        views.__dict__.pop("_issuer_docs", None)
        views.__dict__.pop("_sections", None)  # (their pages hold the documents' records)
        before, self.model, self.views = self.model.results, model, views
        if new_results:
            self._carry_read(before, new_results.keys())
        for name, items in zip(("documents", "posts", "bodies", "results"), (new_docs, new_posts, new_bodies, new_results)):
            if items:
                self.edits.setdefault(name, {}).update(items)

    def holds_output(self, rels: list[str]) -> bool:
        """Whether the output files `rels` (files this builder writes: not the search bundle's)
        hold the bytes it last wrote there."""
        for rel in rels:
            try:
                if self.digests.get(rel) != _digest((self.out / rel).read_bytes()):
                    return False
            except OSError:
                return False
        return True

    def edits_state(self) -> dict:
        """The body and history edits made since the last full rebuild, with what the builder
        compares next time (content stamps, output digests) and the build's id: small, to save
        beside the state of that rebuild."""
        return {"edits": self.edits, "tree": self._tree, "templates": self._template_tree, "read": self._read,
                "digests": self.digests, "build": self.build_id}

    def apply_edits(self, saved: dict) -> None:
        """Bring a builder restored from a full rebuild's state up to date with `edits_state()`."""
        edits = saved["edits"]
        if any(edits.get(name) for name in ("documents", "posts", "bodies", "results")):
            self._swap(edits.get("documents", {}), edits.get("posts", {}), edits.get("bodies", {}),
                       edits.get("results", {}))
        if "head" in edits:
            history = {path: revisions for path, revisions in {**self.history, **edits.get("history", {})}.items()
                       if revisions is not None}
            self._redate(history, edits["head"], _showing(self.views, history))
            self._history, self._history_state = self.history, None  # read again when next needed
        self._tree, self.digests, self.build_id = saved["tree"], saved["digests"], saved["build"]
        self._template_tree, self._read = saved["templates"], saved["read"]

    @property
    def data_due(self) -> bool:
        return self._data_due is not None

    @property
    def search_record(self) -> Path:
        """What the search index of the output folder was made from (see `search.update`)."""
        return cache_folder(self.out) / "search.json"

    @property
    def search_due(self) -> bool:
        """Pages the search indexes were written or removed since the index was last updated."""
        from .search import may_index

        with self._search_lock:
            return not self._search_failed and any(may_index(rel) for rel in self._search_due)

    def refresh_search(self) -> list[str]:
        """Bring the search index up to date with the pages written since it was made (the shards
        holding them are patched or made again); the paths changed under the index's folder.

        Kept out of `rebuild`, like the downloads: the page does not wait for the index.
        May run in another thread while rebuilds write pages: a page written meanwhile is indexed
        by the next refresh."""
        from . import search

        with self._search_lock:
            due, self._search_due = self._search_due, set()
        changed = {}
        for rel in sorted(due):
            if search.may_index(rel):
                path = self.out / rel
                changed[rel] = path.read_bytes() if path.is_file() else None
        try:
            update = search.update(self.out, changed, self.search_record) if changed else None
        except Exception:
            with self._search_lock:
                self._search_due |= due
                self._search_failed = True
            raise
        if update is None:
            return []
        try:
            return update.apply()
        except Exception:
            with self._search_lock:  # indexed again after the next save, as when `update` fails
                self._search_due |= due
                self._search_failed = True
            raise
        finally:
            update.discard()

    def refresh_data(self, cache: ExportCache | None = None) -> list[str]:
        """Write the data downloads (CSV, JSON, XLSX) of the last rebuild, if it changed anything:
        the lines of the documents that changed patched in where they can be (`_due`), else made
        again; with `cache`, a download whose inputs did not change is read from it instead of
        encoded.

        Kept out of `rebuild` so the browser reloads first: the downloads of a large site take
        seconds to write, and the pages do not depend on them."""
        due, self._data_due = self._data_due, None
        if due is None:
            return []
        model, views, base_url, patch = due
        written, names = [], None
        if patch is not None:  # the documents' lines patched in; what cannot be is made again below
            before, doc_ids, places, moved = patch
            patched = self._patched(before, model, views, sorted(doc_ids), base_url, places, moved)
            # (each patched one holds other bytes than the file it was patched from, the last written)
            written = [rel for name, data in patched.items() if data is not None
                       for rel in self._put(name, data, changed=True)]
            names = [name for name, data in patched.items() if data is None]
            if not names:
                return written
        if cache is None or names is not None:  # (a download patched in part would not be found)
            files = exports(model, views.rows, base_url, names)
        else:
            files, keys = cached_exports(model, views, base_url, cache)
            cache.keep_only(keys)
        return written + [rel for name, data in files.items() for rel in self._put(name, data)]

    def _copy(self, copies: dict[str, Path], stamps: dict) -> list[str]:
        """Put the files to copy (assets/…, files/…: the same paths as in `stamps`, the template or
        content folder's); one whose stamp has not changed since it was put is not read again
        (attachments can be large)."""
        written = []
        for rel, source in copies.items():
            stamp = stamps.get(rel)
            if stamp is not None and stamp != RACY and self._copied.get(rel) == stamp and rel in self.digests:
                continue
            written += self._put(rel, source.read_bytes())
            if stamp is not None and stamp != RACY:
                self._copied[rel] = stamp
        return written

    def _put(self, rel: str, data: bytes, changed: bool = False) -> list[str]:
        """Write `data` to the output file `rel` unless it holds it (by digest); `changed`: known to
        hold other bytes (its digest is then worked out only when needed, if the write is held)."""
        digest = _Later(data) if changed and self.pending is not None else _digest(data)
        if not changed and self.digests.get(rel) == digest:
            return []
        if self.pending is not None:
            self.pending[rel] = data
        else:
            _write_atomic(self.out / rel, data)
            self._search_wrote(rel)
        self.digests[rel] = digest
        return [rel]

    def _drop(self, rels: list[str]) -> list[str]:
        for rel in rels:
            if self.pending is not None:
                self.pending[rel] = None
            else:
                _remove(self.out, rel)
                self._search_wrote(rel)
            self.digests.pop(rel, None)
        return rels

    def _search_wrote(self, rel: str) -> None:
        with self._search_lock:
            self._search_due.add(rel)
            self._search_failed = False

    def hold_writes(self) -> None:
        """Keep the files rebuilds write (bytes) or remove (None) in `pending`, by path, instead of
        changing the output folder, until `flush`."""
        self.pending = {}

    def flush(self) -> None:
        """Write and remove the pending files in the output folder, each replaced whole."""
        pending, self.pending = self.pending or {}, None
        for rel, data in sorted(pending.items()):
            if data is None:
                _remove(self.out, rel)
            else:
                _write_atomic(self.out / rel, data)


FIRST_PAGES_MOST = 5  # documents edited at once whose pages are written first (`_pages_first`)
PATCH_MOST = 2000  # documents patched into the downloads one by one; more, and they are made again whole


def _printed(results: dict | None) -> tuple:
    """What the downloads print of a target's results."""
    return tuple((year, str(r.value), r.done, r.note, r.source) for year, r in sorted((results or {}).items()))


SHOWN_FIELDS = ("title", "kind", "place", "signer", "status", "effective", "expires")
SHOWN_TARGET_FIELDS = ("text", "group", "unit")


def _shown_fields_only(before, after) -> bool:
    """Whether two versions of a published document differ only in fields shown as written
    (SHOWN_FIELDS, and SHOWN_TARGET_FIELDS of each target) and in the lines things are written on:
    no id, date, relation, tag, issuer, term, goal or result changed, so every list, dashboard and
    status keeps its order and its counts."""
    if not isinstance(after, Document) or not after.published or len(before.targets) != len(after.targets):
        return False
    targets = tuple(replace(new, **{name: getattr(old, name) for name in SHOWN_TARGET_FIELDS})
                    for old, new in zip(before.targets, after.targets))
    kept = replace(after, targets=targets, **{name: getattr(before, name) for name in SHOWN_FIELDS})
    return _same(_unlined(kept), _unlined(before))


def _unlined(doc: Document) -> Document:
    """The document without its body and without the line of anything in it (for comparisons)."""
    return replace(doc, body="", body_line=0, issuer=replace(doc.issuer, line=0),
                   relations={name: tuple(replace(ref, line=0) for ref in refs) for name, refs in doc.relations.items()},
                   attachments=tuple(replace(a, line=0) for a in doc.attachments),
                   targets=tuple(replace(t, line=0) for t in doc.targets))


def _target(doc: Document, target_id: str):
    return next(t for t in doc.targets if t.id == target_id)


def _showing(views: Views, history: dict) -> Views:
    """`views` with `history` as the one document pages show (statuses, rows and tables do not
    depend on it: kept)."""
    if views.history is history:
        return views
    shown = copy.copy(views)
    shown.history = history
    return shown


def _remove(out: Path, rel: str) -> None:
    """Remove an output file, and the folders that leaves empty: a clean build would not make them."""
    (out / rel).unlink(missing_ok=True)
    folder = Path(rel).parent
    while folder != Path("."):
        try:
            (out / folder).rmdir()
        except OSError:  # not empty
            return
        folder = folder.parent


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000
