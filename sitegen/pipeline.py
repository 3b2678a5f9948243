"""The build, step by step: load -> validate -> link -> render -> export -> write.

Templates (Jinja) and the search index are imported by the steps that use
them, so an unchanged build, which only compares stamps, does not load them."""
from __future__ import annotations

import gc
import hashlib
import os
import pickle
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from . import feeds, urls
from .data import EXPORTS, Export, exports
from .history import History, head, load_history
from .cache import (ExportCache, FileCache, LastBuild, cache_folder, data_digest, engine_version, file_digest,
                    inputs_digest)
from .link import Model, body_key, link, render_body
from .load import Source, display_path, list_sources, read_source, scan_files
from .model import Document, Post
from .parallel import Forked, chunked, chunked_groups, cpu_count
from .records import Loader
from .stamps import RACY, content_stamps, template_stamps
from .validate import assemble, validate_record
from .views import Settings, Views
from .write import clean_leftovers, fill, staged, write_file

if TYPE_CHECKING:
    from .render import Job


@dataclass
class Summary:
    documents: int = 0
    targets: int = 0
    pages: int = 0
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    unchanged: bool = False  # nothing read had changed: the previous output was kept as it is
    rendered: int | None = None  # in an incremental build: the page specs rendered again
    written: int = 0  # in an incremental build: the files written or removed


STAGES = ("kiểm tra", "lịch sử", "dựng trang", "ghi", "tìm kiếm")  # a full build's stages, in order


class Timer:
    """Times each stage; tells `on_stage` (if given) the name of each stage as it ends."""

    def __init__(self, on_stage=None) -> None:
        self.stages: dict[str, float] = {}
        self._last = time.perf_counter()
        self.on_stage = on_stage

    def mark(self, stage: str) -> None:
        now = time.perf_counter()
        self.stages[stage] = self.stages.get(stage, 0.0) + now - self._last
        self._last = now
        if self.on_stage:
            self.on_stage(stage)


FRONT_PARALLEL_MIN = 200  # files; below this one process is quicker


def _front(shared: tuple[int | None, bool], sources: list[Source]) -> list:
    """Per-file work, independent of other files: read, check, render the body.

    With `shared` = (current year, pickled) and pickled true, each result comes pickled on its own,
    as the file cache stores it. Each comes as (the cache key of the bytes read, result): a file
    saved again after the caller worked out its key is kept under the key of what was read."""
    current_year, pickled = shared
    out: list = []
    for source in sources:
        data = _read_bytes(source)  # read once, for the key and the record
        key = _front_key(source, current_year, data) if data is not None else None
        record, found = read_source(source, data)
        item, more = validate_record(record, current_year)
        shown = (isinstance(item, Document) and item.published) or (isinstance(item, Post) and not item.draft)
        body = render_body(item) if shown else None
        if body is not None:  # the model keeps the rendered body, not its Markdown source as well
            item = replace(item, body="")
        if item is not None:  # later stages need only the record's kind, path and stem
            record = replace(record, data=None, body="")
        result = (record, item, body, found + more)
        result = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL) if pickled else result
        out.append((key, result))
    return out


def _read_bytes(source: Source) -> bytes | None:
    """The file's bytes; None when it cannot be read (`read_source` then reports why)."""
    try:
        return source.path.read_bytes() if source.readable else None
    except OSError:
        return None


def _front_key(source: Source, current_year: int | None, data: bytes | None = None) -> tuple | None:
    """The file's cache key; `data`: its bytes, when read already."""
    if not source.readable:
        return None
    try:
        digest = data_digest(data) if data is not None else file_digest(source.path)
    except OSError:
        return None
    return (display_path(source.path), source.kind, digest, current_year if source.kind == "results" else None)


def read_all(sources: list[Source], current_year: int | None, cache: FileCache | None) -> list[tuple]:
    """Run the per-file work for every source: from the cache, else over all cores.

    Each file's cache key holds a digest of its bytes. With entries to look up, the keys are worked
    out here first; the workers key what they make by the bytes they read (a file may have been
    saved again meanwhile), and those keys are the ones kept and put in `cache.digests`."""
    keyed = cache is not None and cache.empty
    keys = [_front_key(s, current_year) if cache and not keyed else None for s in sources]
    results: list[tuple | None] = [cache.get(k) if cache and k else None for k in keys]
    todo = [i for i, r in enumerate(results) if r is None]
    processes = cpu_count() if len(todo) >= FRONT_PARALLEL_MIN else 1
    chunks = chunked(todo, processes * 8)  # the results of each are unpickled while the next are made
    job = [[sources[i] for i in chunk] for chunk in chunks]
    # Workers' results come pickled (as the cache stores them) to be read by one `Loader`, which
    # keeps a single object per value repeated across files.
    pickled = processes > 1 or (cache is not None and cache.persistent)
    loader = cache.loader if cache is not None else Loader()
    done = Forked(_front, (current_year, pickled), job, processes).start().each()
    for outputs, chunk in zip(done, chunks):
        for index, output in zip(chunk, outputs):
            keys[index], output = output  # the key of the bytes read (not always those digested above)
            raw = output if pickled else None
            results[index] = output = loader.loads(raw) if raw is not None else output
            if cache and keys[index]:
                cache.put(keys[index], output, raw)
    if cache is not None:
        cache.digests.update((str(source.path), key[2]) for source, key in zip(sources, keys) if key)
    return results


def check(content_dir: Path, current_year: int | None = None, cache: FileCache | None = None) -> Model:
    """Load, validate and link; raise ContentError with every problem found.

    With `current_year`, results reported for a later year are an error too."""
    with collector_paused():
        return _check(content_dir, current_year, cache)


@contextmanager
def collector_paused():
    """Cyclic garbage collection off for the block: assembling the model allocates millions of
    objects that all live on, and every collection walks them again (half of `check`'s time at
    10,000 documents). The model holds no cycles that would need collecting."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check(content_dir: Path, current_year: int | None, cache: FileCache | None) -> Model:
    sources, problems = list_sources(content_dir)
    pairs, bodies = [], {}
    for record, item, body, found in read_all(sources, current_year, cache):
        problems.extend(found)
        pairs.append((record, item))
        if body is not None:
            bodies[body_key(getattr(item, "section", "post"), item.id)] = body
    files, found = scan_files(content_dir)
    problems.extend(found.items)
    model = link(assemble(pairs, files), problems, bodies)
    problems.raise_if_any()
    return model


def published_files(model: Model, content_dir: Path) -> dict[str, Path]:
    """Attachments to copy: every file except those only unpublished documents use."""
    hidden = {a.file for d in model.documents.values() if not d.published for a in d.attachments}
    shown = {a.file for d in model.documents.values() if d.published for a in d.attachments}
    return {rel: content_dir / rel for rel in model.files if rel not in hidden - shown}


PARALLEL_MIN_SPECS = 300  # below this, forking costs more than it saves (a build's page specs)
PARALLEL_MIN_PAGES = 100  # pages to render again (a rebuild's: dashboard and year pages cost most)
PARALLEL_MIN_PAGES_BESIDE = 10  # the same while the caller has other work (a rebuild's downloads)
RENDER_CHUNKS = 16  # page chunks per core in a build; each runs in a newly forked worker


class PageRender:
    """Pages being rendered in memory (over all cores when there are many); collect with `results()`.

    For the preview's small re-renders and `check`; a build writes its pages with `render_all`."""

    def __init__(self, views: Views, env, base_url: str, specs: list, finish: Callable[[str], Any] | None = None,
                 only: dict[tuple, set[str]] | None = None, beside: bool = False):
        """`beside`: the caller works meanwhile (on the data downloads), so that workers pay off
        for fewer pages: rendered in this process, they would wait for that work."""
        from .render import Job, Part, render_specs

        only = only or {}
        pages = sum(len(only[spec]) if spec in only else 1 for spec in specs)
        processes = cpu_count() if pages >= (PARALLEL_MIN_PAGES_BESIDE if beside else PARALLEL_MIN_PAGES) else 1
        chunks = _page_chunks(views, [spec for spec in specs if spec not in only], processes * 4)
        if processes > 1:  # the pages of the specs rendered in part (dashboard and year pages) in turns
            parts = processes * 4
            for spec in (spec for spec in specs if spec in only):
                paths = sorted(only[spec])
                chunks += [[Part(spec, frozenset(paths[i::parts]))] for i in range(max(1, min(parts, len(paths))))]
        else:
            chunks += [[spec for spec in specs if spec in only]]
        chunks = [chunk for chunk in chunks if chunk]
        self._pool = Forked(render_specs, Job(views, env, base_url, finish, only), chunks, processes).start()

    def results(self) -> dict[tuple, list[tuple[str, Any]]]:
        """spec -> [(site path, HTML bytes, or what `finish` made of the HTML)]."""
        found: dict[tuple, list[tuple[str, Any]]] = {}
        for chunk in self._pool.results():
            for spec, pages in chunk:
                found.setdefault(spec, []).extend(pages)
        return found


def _page_chunks(views: Views, specs: list, parts: int) -> list[list]:
    """The specs in about `parts` chunks of similar cost, each implementation tree's documents in
    one chunk (`Views.spec_groups`)."""
    most = max(1, len(specs) // max(1, parts))
    return chunked_groups(views.spec_groups(specs, most), parts)


def digest(data: bytes) -> bytes:
    """The digest the preview keeps of each file it wrote (SHA-256, which processors compute in
    hardware: a third quicker than BLAKE2 on the 600 MB a build writes at 10,000 documents)."""
    return hashlib.sha256(data).digest()[:16]


@dataclass
class Rendered:
    """What `render_all` wrote into the staging folder."""
    pages: dict[tuple, list[str]]  # page spec -> the site paths of its pages
    digests: dict[str, bytes]  # output file -> `digest` of its bytes (when asked for)
    export_keys: set[str]  # the export cache entries the data downloads came from or went to


class _Work:
    """What every worker inherits: the page job, where to write, the export cache."""

    def __init__(self, job: Job, staging: Path, exports: ExportCache, digests: bool):
        self.job, self.staging, self.exports, self.digests = job, staging, exports, digests


def _site_work(work: _Work, items: list[tuple[str, Any]]) -> list[tuple]:
    """Render pages (("page", spec)) or make data downloads (("export", index in EXPORTS)), writing each
    file straight into the staging folder; return only what was written: ("page", spec, [(path, digest)])
    or ("export", name, cache key, digest)."""
    from .render import render_specs  # already loaded by the parent: workers are forked after it

    out = []
    for kind, item in items:
        if kind == "page":
            written = []
            for spec, pages in render_specs(work.job, [item]):
                for path, html in pages:
                    write_file(work.staging, urls.output_file(path), html)
                    written.append((path, digest(html) if work.digests else b""))
            out.append(("page", item, written))
        else:
            export = EXPORTS[item]
            out.append(("export", export.name, *_export(work, export)))
    return out


def work_chunks(views: Views, specs: list, parts: int) -> tuple[list[list[tuple[str, Any]]], int]:
    """`render_all`'s work in chunks of ("export", index in EXPORTS) and ("page", spec) items, and
    how many of the first chunks must run one at a time (`Forked`'s `solo`).

    Those first chunks read every target: the downloads, the dashboard, the year pages. A worker
    copies each inherited memory page it touches, so two of them running at once would each hold a
    copy of most of the model; each in its own worker, one after another, a worker holds only what
    one of them needs. The other pages follow in `_page_chunks`."""
    whole = [[("export", index) for index in range(len(EXPORTS))]]
    whole += [[("page", spec)] for spec in specs if spec in views.WHOLE_MODEL_SPECS]
    rest = [spec for spec in specs if spec not in views.WHOLE_MODEL_SPECS]
    return whole + [[("page", spec) for spec in chunk] for chunk in _page_chunks(views, rest, parts)], len(whole)


def _export(work: _Work, export: Export) -> tuple[str, bytes]:
    """Write one data download into the staging folder."""
    views = work.job.views
    key, data = export_bytes(export, views.model, views.rows, work.job.base_url, work.exports)
    write_file(work.staging, export.name, data)
    return key, digest(data) if work.digests else b""


def export_bytes(export: Export, model: Model, rows: list, base_url: str, cache: ExportCache) -> tuple[str, bytes]:
    """A data download's cache key and bytes: read from the export cache when its inputs did not
    change, else encoded and stored there (no key: an export that is not cached)."""
    inputs = export.inputs(model, rows, base_url)
    if not export.cached:
        return "", export.encode(inputs)
    key = cache.key(export.name, inputs)
    cached = cache.get(key)
    if cached is not None:
        return key, cached.read_bytes()
    data = export.encode(inputs)
    cache.put(key, data)
    return key, data


def cached_exports(model: Model, views: Views, base_url: str, cache: ExportCache) -> tuple[dict[str, bytes], set[str]]:
    """Every data download's bytes (`export_bytes`), and the cache entries used."""
    made = {export.name: export_bytes(export, model, views.rows, base_url, cache) for export in EXPORTS}
    return {name: data for name, (_, data) in made.items()}, {key for key, _ in made.values() if key}


def site_files(model: Model, views: Views, base_url: str, paths: list[str] | None = None,
               data: bool = True) -> dict[str, bytes]:
    """Everything but the pages: feed, robots.txt, (given page paths) the sitemap and, unless
    `data` is False, the data downloads."""
    files = {"feed.xml": feeds.feed(model, base_url).encode("utf-8"),
             "robots.txt": feeds.robots(base_url).encode("utf-8")}
    if paths is not None:
        files["sitemap.xml"] = sitemap(paths, base_url)
    if data:
        files.update(exports(model, views.rows, base_url))
    return files


def sitemap(paths: list[str], base_url: str) -> bytes:
    return feeds.sitemap(sorted(p for p in paths if p != "/404.html"), base_url).encode("utf-8")


def assets(template_dir: Path) -> dict[str, Path]:
    return {f"assets/{p.name}": p for p in sorted((template_dir / "assets").glob("*")) if p.is_file()}


def render_site(model: Model, template_dir: Path, settings: Settings, finish: Callable[[str], Any],
                history: History | None = None) -> tuple[dict[str, Any], set[str]]:
    """Every page rendered in memory, and turned by `finish(HTML)` where it was rendered (a worker
    process): site path -> what `finish` made; and the paths of the other files a build writes
    (feed, sitemap, data downloads, assets; not made). For `check`, which writes nothing."""
    from .render import environment

    views = Views(model, settings, history)
    base_url = settings.base_url or model.site.base_url
    rendered = PageRender(views, environment(template_dir), base_url, views.page_specs(), finish).results()
    pages = {urls.output_file(path): made for spec_pages in rendered.values() for path, made in spec_pages}
    others = set(site_files(model, views, base_url, [], data=False)) | {export.name for export in EXPORTS}
    return pages, others | set(assets(template_dir))


def render_all(views: Views, env, base_url: str, staging: Path, exports_cache: ExportCache | None = None,
               digests: bool = False) -> Rendered:
    """Write every page, feed, sitemap and data download into `staging`: the pages and the
    downloads are independent work items of one pool of workers, each writing its own files, so
    no page crosses a process boundary and this process never holds the site."""
    from .render import Job

    specs = views.page_specs()
    processes = cpu_count() if len(specs) >= PARALLEL_MIN_SPECS else 1
    items, solo = work_chunks(views, specs, processes * RENDER_CHUNKS)
    views.share()
    work = _Work(Job(views, env, base_url), staging, exports_cache or ExportCache(None), digests)
    pool = Forked(_site_work, work, items, processes, fresh=True, solo=solo).start()  # a new worker per chunk
    files = site_files(views.model, views, base_url, data=False)  # while the workers run
    pages: dict[tuple, list[str]] = {}
    found: dict[str, bytes] = {}
    keys: set[str] = set()
    for chunk in pool.results():
        for result in chunk:
            if result[0] == "page":
                _, spec, written = result
                pages[spec] = [path for path, _ in written]
                found.update((urls.output_file(path), d) for path, d in written)
            else:
                _, name, key, d = result
                if key:  # a download that is not cached has none
                    keys.add(key)
                found[name] = d
    files["sitemap.xml"] = sitemap([path for paths in pages.values() for path in paths], base_url)
    fill(staging, files, {})
    if digests:
        found.update((rel, digest(data)) for rel, data in files.items())
    return Rendered({spec: pages[spec] for spec in specs}, found if digests else {}, keys)


def input_stamps(content_dir: Path, template_dir: Path) -> tuple[dict, dict]:
    """The stamps of what a build reads, content and templates (stamps.py), taken before reading."""
    return content_stamps(content_dir), template_stamps(template_dir)


def build_inputs(content_dir: Path, template_dir: Path, settings: Settings,
                 stamps: tuple[dict, dict] | None = None) -> str:
    """A digest of everything a build reads: file stamps (`input_stamps`, unless given), settings,
    engine, git commit. A file saved just before the stamps were taken (stamps.RACY) may change
    again without changing its stamp: the digest is then one no other build has, so that the next
    build looks at the file again rather than skip."""
    content, templates = stamps if stamps is not None else input_stamps(content_dir, template_dir)
    racy = os.urandom(16) if RACY in content.values() or RACY in templates.values() else b""
    return inputs_digest(sorted(content.items()), sorted(templates.items()), settings, engine_version(),
                         head(content_dir), str(content_dir.resolve()), racy)


def unchanged_summary(previous: Summary, out_dir: Path, timer: Timer) -> Summary:
    clean_leftovers(out_dir.resolve())
    timer.mark("kiểm tra thay đổi")
    return Summary(previous.documents, previous.targets, previous.pages, sum(timer.stages.values()),
                   timer.stages, unchanged=True)


def build(content_dir: Path, out_dir: Path, template_dir: Path, settings: Settings,
          use_cache: bool = True, on_stage=None) -> Summary:
    """A full build; skipped when no file it reads, no setting and no engine code has changed
    since the last build into the same folder, and that folder is as that build left it.

    `on_stage(name)` is called as each stage of STAGES ends (for a progress display)."""
    timer = Timer(on_stage)
    last = LastBuild(cache_folder(out_dir) / "last.pickle")
    inputs = build_inputs(content_dir, template_dir, settings) if use_cache else None
    previous = last.unchanged(inputs, out_dir) if inputs is not None else None
    if previous is not None:
        return unchanged_summary(previous, out_dir, timer)
    last.forget()
    summary = full_build(content_dir, out_dir, template_dir, settings, use_cache, timer).summary
    if inputs is not None:
        last.record(inputs, out_dir, summary)
    return summary


def write_indexed(staging: Path, out_dir: Path, timer: Timer | None = None,
                  search_record: Path | None = None) -> None:
    """Index the staged pages for search. Runs inside `staged`: a failed index removes the
    staging folder and leaves the published site as it was.

    With `search_record`, the published search bundle is kept when no indexed page changed."""
    from . import search  # loaded only by builds that index

    search.index(staging, out_dir if out_dir.is_dir() else None, search_record)
    if timer:
        timer.mark("tìm kiếm")


@dataclass
class FullBuild:
    """What a full build made: the summary, and what an incremental build starts from."""
    summary: Summary
    model: Model
    views: Views
    history: History
    rendered: Rendered
    copies: dict[str, Path]


def checked(content_dir: Path, current_year: int | None, cache_file: Path | None) -> tuple[Model, dict[str, str]]:
    """`check` with the per-file cache in `cache_file`, saved and let go of before anything is
    rendered: the render workers inherit neither its pickled entries nor the files' raw records.
    Also returns the digest of each file read, by path (`FileCache.digests`)."""
    cache = FileCache(cache_file)
    model = check(content_dir, current_year, cache)
    cache.save()
    return model, cache.digests


def full_build(content_dir: Path, out_dir: Path, template_dir: Path, settings: Settings,
               use_cache: bool, timer: Timer, digests: bool = False, on_rendered=None) -> FullBuild:
    """Build every page into a staging folder and swap it in; `digests`: keep each output's digest.
    `on_rendered(model, views, history, rendered, copies, read)` is called once the pages are
    written, before the search index is made (`read`: the digests of the files read, by path)."""
    from .render import environment

    # The model lives as long as the build. Made with the collector paused (`check`), its objects
    # are all still young: the first collections afterwards would walk every one of them (1.7 s of
    # the views' 2.9 s at 10,000 documents), so they are left out of all collections from here on,
    # frozen before the collector is back (the first allocation after it would start a collection
    # of every object made while it was paused: 0.2 s at 10,000 documents, all cores but one idle).
    with collector_paused():
        model, read = checked(content_dir, settings.current_year,
                              cache_folder(out_dir) / "front.pickle" if use_cache else None)
        gc.freeze()
    timer.mark("kiểm tra")
    history = load_history(content_dir)
    timer.mark("lịch sử")
    views = Views(model, settings, history)
    exports_cache = ExportCache(cache_folder(out_dir) / "exports" if use_cache else None)
    with staged(out_dir) as staging:
        compiled = cache_folder(out_dir) / "templates" if use_cache else None
        rendered = render_all(views, environment(template_dir, compiled), settings.base_url or model.site.base_url,
                              staging, exports_cache, digests)
        timer.mark("dựng trang")
        copies = assets(template_dir) | published_files(model, content_dir)
        fill(staging, {}, copies)
        timer.mark("ghi")
        if on_rendered is not None:
            on_rendered(model, views, history, rendered, copies, read)
        write_indexed(staging, out_dir, timer, cache_folder(out_dir) / "search.json" if use_cache else None)
    exports_cache.keep_only(rendered.export_keys)
    return FullBuild(summarise(model, rendered.pages, timer), model, views, history, rendered, copies)


def summarise(model: Model, spec_paths: dict[tuple, list[str]], timer: Timer) -> Summary:
    docs = model.published()
    return Summary(len(docs), sum(len(d.targets) for d in docs),
                   sum(1 for paths in spec_paths.values() for p in paths if urls.output_file(p).endswith(".html")),
                   sum(timer.stages.values()), timer.stages)
