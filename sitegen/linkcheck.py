"""Checks a built site: every internal link and anchor must resolve to a file and an id."""
from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.ids.add(values["name"])
        for attr in ("href", "src"):
            if values.get(attr) and tag in ("a", "link", "script", "img", "source"):
                self.links.append(values[attr])


def _target_file(site: Path, page_dir: str, path: str) -> tuple[str, Path]:
    joined = posixpath.normpath(posixpath.join(page_dir, path)) if not path.startswith("/") else path.lstrip("/")
    rel = joined.lstrip("/")
    candidate = site / rel
    if path.endswith("/") or candidate.is_dir():
        candidate = candidate / "index.html"
        rel = posixpath.join(rel, "index.html")
    return rel, candidate


def check_site(site: Path, skip_prefixes: tuple[str, ...] = ()) -> list[str]:
    """Return 'page: broken link' lines for every internal link that does not resolve."""
    pages = sorted(p for p in site.rglob("*.html"))
    parsed: dict[str, _Collector] = {}
    for file in pages:
        collector = _Collector()
        collector.feed(file.read_text(encoding="utf-8"))
        parsed[file.relative_to(site).as_posix()] = collector
    problems = []
    for rel, collector in parsed.items():
        if rel == "404.html":
            continue  # its links are absolute to the deployed root
        page_dir = posixpath.dirname(rel)
        for link in collector.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//") or any(link.startswith(p) for p in skip_prefixes):
                continue
            if not parts.path:
                if parts.fragment and unquote(parts.fragment) not in collector.ids:
                    problems.append(f"{rel}: thiếu neo #{parts.fragment}")
                continue
            target_rel, target = _target_file(site, page_dir, unquote(parts.path))
            if target_rel.startswith("..") or not target.is_file():
                problems.append(f"{rel}: liên kết hỏng {link}")
            elif parts.fragment and target_rel in parsed and unquote(parts.fragment) not in parsed[target_rel].ids:
                problems.append(f"{rel}: liên kết hỏng {link} (không có neo)")
    return problems
