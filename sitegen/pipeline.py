"""The build, step by step: load -> validate -> link -> render -> export -> write."""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import data, feeds, urls
from . import search
from .diagnostics import Collector
from .history import History, load_history
from .link import Model, link
from .load import load
from .parallel import Forked, chunked, cpu_count
from .render import Job, environment, render_specs
from .validate import validate
from .views import Settings, Views
from .write import publish, stage


@dataclass
class Summary:
    documents: int = 0
    targets: int = 0
    pages: int = 0
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)


class _Timer:
    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self._last = time.perf_counter()

    def mark(self, stage: str) -> None:
        now = time.perf_counter()
        self.stages[stage] = self.stages.get(stage, 0.0) + now - self._last
        self._last = now


def check(content_dir: Path, current_year: int | None = None) -> Model:
    """Load, validate and link; raise ContentError with every problem found.

    With `current_year`, results reported for a later year are an error too."""
    problems = Collector()
    raw, load_problems = load(content_dir)
    problems.extend(load_problems.items)
    content = validate(raw, problems, current_year)
    model = link(content, problems)
    problems.raise_if_any()
    return model


def published_files(model: Model, content_dir: Path) -> dict[str, Path]:
    """Attachments to copy: every file except those only unpublished documents use."""
    hidden = {a.file for d in model.documents.values() if not d.published for a in d.attachments}
    shown = {a.file for d in model.documents.values() if d.published for a in d.attachments}
    return {rel: content_dir / rel for rel in model.files if rel not in hidden - shown}


PARALLEL_MIN_SPECS = 300  # below this, forking costs more than it saves


def render_site(model: Model, template_dir: Path, settings: Settings,
                history: History | None = None) -> tuple[dict[str, bytes], dict[str, Path]]:
    """Every output file as bytes (pages, feeds, data) plus files to copy (assets)."""
    env = environment(template_dir)
    views = Views(model, settings, history)
    base_url = settings.base_url or model.site.base_url
    specs = views.page_specs()
    processes = cpu_count() if len(specs) >= PARALLEL_MIN_SPECS else 1
    chunks = chunked(specs, processes * 4)
    pool = Forked(render_specs, Job(views, env, base_url), chunks, processes).start()
    files: dict[str, bytes] = {}
    files["feed.xml"] = feeds.feed(model, base_url).encode("utf-8")
    files["robots.txt"] = feeds.robots(base_url).encode("utf-8")
    files.update(data.exports(model, views.rows, base_url))
    paths = []
    for rendered in pool.results():
        for path, html in rendered:
            files[urls.output_file(path)] = html
            paths.append(path)
    files["sitemap.xml"] = feeds.sitemap([p for p in paths if p != "/404.html"], base_url).encode("utf-8")
    copies = {f"assets/{p.name}": p for p in sorted((template_dir / "assets").glob("*")) if p.is_file()}
    return files, copies


def build(content_dir: Path, out_dir: Path, template_dir: Path, settings: Settings) -> Summary:
    timer = _Timer()
    model = check(content_dir, settings.current_year)
    timer.mark("kiểm tra")
    history = load_history(content_dir)
    timer.mark("lịch sử")
    files, copies = render_site(model, template_dir, settings, history)
    copies.update(published_files(model, content_dir))
    timer.mark("dựng trang")
    staging = stage(out_dir, files, copies)
    timer.mark("ghi")
    try:  # between stage and publish: a failed index leaves the published site as it was
        search.index(staging, search.target_records(model, settings.current_year))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    timer.mark("tìm kiếm")
    publish(staging, out_dir)
    docs = model.published()
    return Summary(len(docs), sum(len(d.targets) for d in docs),
                   sum(1 for name in files if name.endswith(".html")),
                   sum(timer.stages.values()), timer.stages)
