"""Checks built pages: every internal link and anchor must resolve to a file and an id."""
from __future__ import annotations

import concurrent.futures
import posixpath
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from .parallel import Forked, chunked, cpu_count


@dataclass(frozen=True)
class Broken:
    page: str  # file inside the site, e.g. "nghi-quyet/58-nq-tw/index.html"
    link: str
    reason: str

    def __str__(self) -> str:
        return f"{self.page}: {self.reason} {self.link}"


# The pages this generator writes quote every attribute with '"' (or, for JSON, "'"), put one
# space before each, and escape '"', '<' and '>' in text and in attribute values (Jinja,
# markdown-it, `tojson`): '"' appears only around attribute values, and '<' only at the start of a
# tag. So ' id="' is an attribute where the quotes before it in its tag are paired (else it is the
# end of another attribute's value: alt="Sơ đồ id="), and the tag is the last '<' before it.
# Found that way, links and ids come about 30 times faster than with `HTMLParser`, the same on
# these pages (tests/test_site.py compares both).
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ATTRIBUTE = re.compile(r' (id|href|src|name)="')
_TAG_NAME = re.compile(r"<([a-zA-Z][^\s/>]*)")
_LINKING = frozenset(("a", "link", "script", "img", "source"))


@dataclass
class Found:
    """A page's ids and links (`scan`)."""

    ids: set[str]
    links: list[str]


def scan(html: str) -> Found:
    """The ids and links of a page this generator wrote, as an HTML parser finds them."""
    if "<!--" in html:
        html = _COMMENT.sub("", html)
    found = Found(set(), [])
    tag_start, tag, values = -1, "", {}
    for match in _ATTRIBUTE.finditer(html):
        start = html.rfind("<", 0, match.start())
        if html.count('"', start, match.start()) % 2:
            continue  # the end of another attribute's value
        if start != tag_start:
            _take(tag, values, found)
            tag_start, tag, values = start, _TAG_NAME.match(html, start)[1].lower(), {}
        values[match[1]] = html[match.end():html.index('"', match.end())]
    _take(tag, values, found)
    return found


SCAN_PARALLEL_MIN = 500  # pages; below this one process is quicker


def scan_all(read: Callable[[str], bytes], rels: list[str]) -> dict[str, Found]:
    """`scan` each page (`read(rel)`: its bytes), over all cores when there are many."""
    processes = cpu_count() if len(rels) >= SCAN_PARALLEL_MIN else 1
    chunks = chunked(rels, processes * 4)
    found: dict[str, Found] = {}
    for chunk in Forked(_scan_chunk, read, chunks, processes).start().each():
        found.update(chunk)
    return found


def _scan_chunk(read: Callable[[str], bytes], rels: list[str]) -> list[tuple[str, Found]]:
    found = [(rel, scan(read(rel).decode("utf-8"))) for rel in rels]
    kept: dict[str, str] = {}  # one object per link: pickled once (most links are on many pages)
    for _, page in found:
        page.links = [kept.setdefault(link, link) for link in page.links]
    return found


def _take(tag: str, values: dict[str, str], found: Found) -> None:
    """Add the ids and links of one tag (its attributes `values`) to `found`: every id, the name
    of an anchor, the links of the tags that load or lead somewhere."""
    if values.get("id"):
        found.ids.add(_text(values["id"]))
    if tag == "a" and values.get("name"):
        found.ids.add(_text(values["name"]))
    if tag in _LINKING:
        found.links += [_text(values[name]) for name in ("href", "src") if values.get(name)]


def _text(value: str) -> str:
    return unescape(value) if "&" in value else value


def _resolve(page_dir: str, path: str, exists) -> str:
    joined = path if path.startswith("/") else posixpath.join("/", page_dir, path)
    rel = posixpath.normpath(joined).lstrip("/")
    if path.endswith("/") or exists(rel + "/index.html") and not exists(rel):
        rel = posixpath.join(rel, "index.html") if rel not in ("", ".") else "index.html"
    return rel


def check_files(files: dict[str, bytes], extra: set[str] = frozenset()) -> list[Broken]:
    """Check the links of every HTML file in `files` (site path -> bytes); `extra` are
    other files that exist in the site (copied assets and attachments)."""
    parsed = {rel: scan(data.decode("utf-8")) for rel, data in files.items() if rel.endswith(".html")}
    return check_pages(parsed, set(files) | set(extra))


def check_pages(parsed: dict[str, Found], names: set[str]) -> list[Broken]:
    """Check the links of every page (site path -> what `scan` found in it) against the site's
    files (`names`: every site path, the pages' included); over all cores when there are many."""
    rels = [rel for rel in sorted(parsed) if rel != "404.html"]  # 404's links are absolute to the deployed root
    processes = cpu_count() if len(rels) >= SCAN_PARALLEL_MIN else 1
    # Runs of neighbouring pages: pages of one folder share most links, and each worker resolves a
    # link once for each folder.
    size = -(-len(rels) // (processes * 2)) or 1
    runs = [rels[start:start + size] for start in range(0, len(rels), size)]
    pool = Forked(_check_run, (parsed, names), runs, processes).start()
    return [broken for run in pool.each() for broken in run]


def _check_run(shared: tuple[dict[str, Found], set[str]], rels: list[str]) -> list[Broken]:
    parsed, names = shared
    broken = []
    split: dict[str, tuple[bool, str, str]] = {}  # link -> (external, path, fragment): pages share most links
    resolved: dict[tuple[str, str], str] = {}  # (page folder, path) -> site path
    for rel in rels:
        collector, page_dir = parsed[rel], posixpath.dirname(rel)
        for link in collector.links:
            if link not in split:
                parts = urlsplit(link)
                external = bool(parts.scheme) or link.startswith("//")
                split[link] = (external, unquote(parts.path), unquote(parts.fragment))
            external, path, fragment = split[link]
            if external:
                continue
            if not path:
                if fragment and fragment not in collector.ids:
                    broken.append(Broken(rel, link, "không có mục (neo) trên trang"))
                continue
            target = resolved.get((page_dir, path))
            if target is None:
                target = resolved[page_dir, path] = _resolve(page_dir, path, names.__contains__)
            if target.startswith("..") or target not in names:
                broken.append(Broken(rel, link, "liên kết hỏng"))
            elif fragment and target in parsed and fragment not in parsed[target].ids:
                broken.append(Broken(rel, link, "liên kết tới mục (neo) không tồn tại"))
    return broken


def check_site(site: Path) -> list[str]:
    """Return 'page: problem link' lines for a built site folder."""
    files, extra = {}, set()
    for path in site.rglob("*"):
        if path.is_file():
            rel = path.relative_to(site).as_posix()
            if rel.endswith(".html"):
                files[rel] = path.read_bytes()
            else:
                extra.add(rel)
    return [str(b) for b in check_files(files, extra)]


def external_links(parsed: dict[str, Found]) -> dict[str, list[str]]:
    """External http(s) links -> pages that contain them (site path -> what `scan` found in it)."""
    found: dict[str, list[str]] = {}
    for rel, page in sorted(parsed.items()):
        for link in page.links:
            if link.startswith(("http://", "https://")):
                found.setdefault(link.split("#")[0], []).append(rel)
    return found


def check_external(urls: list[str], timeout: float = 10.0) -> dict[str, str]:
    """Try each URL (HEAD, then GET); return url -> problem for those that fail."""
    def probe(url: str) -> tuple[str, str]:
        for method in ("HEAD", "GET"):
            request = urllib.request.Request(url, method=method, headers={"User-Agent": "sitegen-linkcheck"})
            try:
                with urllib.request.urlopen(request, timeout=timeout):
                    return url, ""
            except urllib.error.HTTPError as error:
                if method == "GET" or error.code not in (405, 403):
                    return url, f"trả về mã {error.code}"
            except (urllib.error.URLError, OSError, ValueError) as error:
                return url, f"không truy cập được ({getattr(error, 'reason', error)})"
        return url, ""

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        return {url: problem for url, problem in pool.map(probe, sorted(urls)) if problem}
