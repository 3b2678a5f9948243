"""Stage 4b: page contexts -> HTML strings, through Jinja templates (presentation only)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, NamedTuple
from urllib.parse import urlsplit

import jinja2
import jinja2.bccache
import jinja2.compiler
import markupsafe

from . import urls
from .diagnostics import ContentError, Diagnostic
from .load import display_path
from .views import Page

NAV = [("/nghi-quyet/", "Nghị quyết"), ("/chuong-trinh/", "Chương trình, kế hoạch"),
       ("/chi-tieu/", "Chỉ tiêu"), ("/tin-tuc/", "Tin tức"), ("/co-quan/", "Cơ quan"),
       ("/chu-de/", "Chủ đề")]


_DICT_ATTRIBUTES = frozenset(dir(dict))

try:  # markupsafe's escaping of a plain string, giving a plain string
    from markupsafe import _escape_inner as _escape_text
except ImportError:  # a markupsafe without it: the same escaping, through Markup
    def _escape_text(text: str) -> str:
        return str(markupsafe.escape(text))


def _escape_output(value: Any) -> str:
    """What `{{ value }}` writes, exactly as `markupsafe.escape` but as a plain string: Jinja joins
    what a page writes into one string, so wrapping every piece in Markup first is wasted work."""
    if type(value) is str:
        return _escape_text(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape_text(str(value))


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's code generator, writing `{{ value }}` in autoescaped templates with `_escape_output`."""

    def _output_child_pre(self, node, frame, finalize) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile and finalize.src is None:
            self.write("environment.escape_output(")
        else:
            super()._output_child_pre(node, frame, finalize)


class _Environment(jinja2.Environment):
    """Jinja's environment with quicker `{{ value }}` and `x.key` (for the dicts that page contexts
    are made of); the pages are the same bytes."""

    code_generator_class = _CodeGenerator
    escape_output = staticmethod(_escape_output)

    def make_globals(self, d: dict | None) -> dict:
        """A template's globals as one plain dict, where Jinja chains the template's to the
        environment's: every page render and every import copies or compares them, and a chain
        does that in Python. The environment's globals are all set before any template is loaded."""
        return {**self.globals, **(d or {})}

    def getattr(self, obj: Any, attribute: str) -> Any:
        """As Jinja's: an attribute first, then an item. A plain dict has no attributes but its
        methods, so for any other name the item is looked up at once (Jinja would first raise and
        catch an AttributeError)."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


def environment(template_dir: Path, compiled: Path | None = None) -> jinja2.Environment:
    """The template environment, every template compiled. Templates are never reloaded: the
    preview makes a new environment when a template changes (devbuild.py).

    `compiled`: a folder in the build cache where compiled templates are kept for the next build
    (Jinja compiles a template again when its source changed; the folder is per engine version,
    as our code generator is part of what a template compiles to)."""
    env = _Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        autoescape=True, trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.StrictUndefined, auto_reload=False,
        bytecode_cache=_bytecode_cache(compiled) if compiled is not None else None,
    )
    env.filters["href"] = _href
    env.globals["once"] = _once
    try:
        for name in env.list_templates(extensions=["html"]):
            env.get_template(name)  # compile once here, so forked workers inherit compiled templates
    except jinja2.TemplateSyntaxError as error:
        shown = display_path(Path(error.filename)) if error.filename else display_path(template_dir / str(error.name))
        raise ContentError([Diagnostic(shown, error.lineno, f"lỗi cú pháp trong mẫu trang: {error.message}")]) from None
    return env


def missing_template(template_dir: Path, error: jinja2.TemplateNotFound) -> str:
    """What the editor is told when a page template is missing (Jinja's TemplateNotFound is an
    OSError without a file name)."""
    return f"{display_path(template_dir / str(error.name))}: không tìm thấy mẫu trang"


def _bytecode_cache(folder: Path) -> jinja2.BytecodeCache | None:
    """Jinja's cache of compiled templates in `folder`/<engine version>; the folders of other
    versions are removed. None when the folder cannot be made (the templates are then compiled)."""
    import shutil

    from .cache import engine_version

    mine = folder / engine_version()
    try:
        if folder.is_dir():
            for old in folder.iterdir():
                if old != mine:
                    shutil.rmtree(old) if old.is_dir() else old.unlink()
        mine.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _KeptTemplates(str(mine))


class _KeptTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates, where a template that cannot be saved (a full disk, its
    folder removed by a build of another engine version meanwhile) is only not kept."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


@jinja2.pass_context
def _href(context, path: str, root: str | None = None) -> str:
    """`{{ path | href }}`: a link from the current page to a site path, relative so sub-paths work.
    `{{ path | href(root) }}` gives the root itself (in macros imported without context).
    A filter, because Jinja calls a filter directly but a function through `Context.call`."""
    if root is None:
        root = context["root"]
    return root + path.lstrip("/") if path != "/" else (root or "./")


@jinja2.pass_context
def _once(context, key: str, macro, *args) -> str:
    """`macro(*args)`, rendered the first time a page of this render job asks for it under `key`
    and then reused: the same HTML for every page at the same depth (relative links differ)."""
    shared = context["shared"]
    full = (macro.name, key, context["root"])
    html = shared.get(full)
    if html is None:
        html = shared[full] = macro(*args)
    return html


def nav_current(page_path: str) -> tuple[str, ...]:
    """The menu entries a page belongs to (those whose path starts its own)."""
    return tuple(path for path, _ in NAV if page_path.startswith(path))


def page_root(page_path: str, base_url: str) -> str:
    """Prefix that leads from a page to the site root."""
    if page_path == "/404.html":  # served at any depth: needs an absolute root
        return urlsplit(base_url).path or "/" if base_url else "/"
    rel = urls.relative("/", page_path)
    return "" if rel == "./" else rel


class Job:
    """What a renderer needs: the views, the template environment, site settings."""

    def __init__(self, views, env: jinja2.Environment, base_url: str, finish: Callable[[str], Any] | None = None,
                 only: dict[tuple, set[str]] | None = None):
        self.views, self.env, self.base_url = views, env, base_url
        self.finish = finish  # what a page's HTML becomes in the worker (default: its UTF-8 bytes)
        self.only = only or {}  # spec -> the paths of the only pages of it to render
        self.shared: dict[tuple, str] = {}  # fragments rendered once (see `_once`); each worker fills its own


class Part(NamedTuple):
    """Some pages of a spec, to render apart from its others (in another worker)."""
    spec: tuple
    paths: frozenset


def render_specs(job: Job, specs: list) -> list[tuple[tuple, list[tuple[str, Any]]]]:
    """Render every page of the given specs (or of a `Part`, its pages only): [(spec, [(site path,
    HTML bytes, or `job.finish(HTML)`)])]."""
    out = []
    site = job.views.model.site
    finish = job.finish or _encoded
    for item in specs:
        spec, paths = (item.spec, item.paths) if isinstance(item, Part) else (item, job.only.get(item))
        pages = [(page.path, finish(render_page(job.env, page, site, job.base_url, {"shared": job.shared})))
                 for page in job.views.expand(spec, paths)]
        out.append((spec, pages))
    return out


def _encoded(html: str) -> bytes:
    return html.encode("utf-8")


def render_page(env: jinja2.Environment, page: Page, site, base_url: str, extra: dict) -> str:
    """One page's HTML; `extra` must hold `shared`, the render job's fragments (a dict)."""
    root = page_root(page.path, base_url)
    template = env.get_template(page.template)
    return template.render(
        page=page, site=site, root=root, nav=NAV, nav_current=nav_current(page.path), **page.context, **extra,
        canonical=(base_url.rstrip("/") + page.path) if base_url else "",
    )
