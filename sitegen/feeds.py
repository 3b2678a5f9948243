"""Stage 5a: sitemap.xml, the Atom feed and robots.txt."""
from __future__ import annotations

import datetime as dt
from functools import partial
from html import escape as _html_escape

from . import present, urls
from .link import Model
from .model import Post

FEED_ITEMS = 100

escape = partial(_html_escape, quote=False)  # & < > only, as XML text needs (xml.sax.saxutils loads urllib.request)


def _absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path if base_url else path.lstrip("/") or "./"


def sitemap(paths: list[str], base_url: str) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path in sorted(paths):
        lines.append(f"<url><loc>{escape(_absolute(base_url, path))}</loc></url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _entry(model: Model, item) -> tuple[str, str]:
    """A feed entry's title and summary (the first 300 characters of the body's text)."""
    if isinstance(item, Post):
        return item.title, model.bodies[f"post:{item.id}"].summary
    return f"{present.heading(item)} — {item.title}", model.bodies[f"{item.section}:{item.id}"].summary


def feed(model: Model, base_url: str) -> str:
    """Atom feed of the newest documents and posts; `updated` is the newest entry's date."""
    newest = [(d.issued.date, urls.document(d.section, d.id), d) for d in model.published()]
    newest += [(p.date.date, urls.post(p.id), p) for p in model.posts.values()]
    newest.sort(key=lambda e: (e[0], e[1]), reverse=True)
    entries = [(day, url, *_entry(model, item)) for day, url, item in newest[:FEED_ITEMS]]
    updated = entries[0][0] if entries else dt.date(2000, 1, 1)
    site = model.site
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="vi">',
           f"<title>{escape(site.title)}</title>",
           f"<subtitle>{escape(site.description)}</subtitle>" if site.description else "",
           f'<link rel="alternate" href="{escape(_absolute(base_url, "/"))}"/>',
           f'<link rel="self" href="{escape(_absolute(base_url, "/feed.xml"))}"/>',
           f"<id>{escape(_absolute(base_url, '/') if base_url else 'urn:sitegen:' + site.title)}</id>",
           f"<updated>{_stamp(updated)}</updated>"]
    for day, path, title, summary in entries:
        link = _absolute(base_url, path)
        out += ["<entry>", f"<title>{escape(title)}</title>", f'<link href="{escape(link)}"/>',
                f"<id>{escape(link if base_url else 'urn:sitegen:' + path)}</id>",
                f"<updated>{_stamp(day)}</updated>",
                f"<author><name>{escape(site.title)}</name></author>",
                f"<summary>{escape(summary)}</summary>", "</entry>"]
    out.append("</feed>")
    return "\n".join(line for line in out if line) + "\n"


def robots(base_url: str) -> str:
    lines = ["User-agent: *", "Allow: /"]
    if base_url:
        lines.append(f"Sitemap: {base_url.rstrip('/')}/sitemap.xml")
    return "\n".join(lines) + "\n"
