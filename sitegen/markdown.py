"""Markdown bodies -> HTML, table of contents and the links they contain.

Rendering returns data; it never writes. Raw HTML is escaped, links are passed
through a resolver so internal links are checked and made relative. markdown-it-py is imported
when the first body is rendered, not with this module (a build with nothing to parse never needs it).
"""
from __future__ import annotations

import re
import zlib
from functools import lru_cache
from typing import TYPE_CHECKING, Callable

from .records import record
from .text import slugify

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@record(shared=True)
class Heading:
    level: int
    id: str
    text: str


@record
class Body:
    packed: bytes  # the rendered HTML: UTF-8 (a str of Vietnamese text takes twice the memory), compressed
    toc: tuple[Heading, ...]
    summary: str  # the start of its paragraphs' plain text (SUMMARY_CHARS), for descriptions and feeds
    links: tuple[tuple[str, int], ...] = ()  # (href as written, line) for the link stage to check

    @property
    def html(self) -> str:
        return zlib.decompress(self.packed).decode("utf-8")


_TEXT_TOKENS = ("text", "code_inline", "softbreak")
_LINK_ATTRIBUTES = {"link_open": "href", "image": "src"}  # the tokens that link, and their attribute
SUMMARY_CHARS = 300  # a body keeps this much plain text, not all of it: 10,000 bodies' text is 90 MB

# rewrite(href) -> the href to write in the page (pure: checking is the link stage's job)
Rewrite = Callable[[str], str]


def _slug(text: str) -> str:
    return slugify(text) or "muc"


# Rules that can match only where a body holds certain text: a body without it is parsed with them
# off, which gives the same tokens. markdown-it tries its block rules at every line (and, to end a
# paragraph, at every line of it), so each rule that cannot match costs time for nothing: with these
# off where they cannot apply, the corpus's bodies parse in about a fifth less time.
_UNDERLINE = re.compile(r"^[ \t>]*(?:=+|-+)[ \t]*$", re.MULTILINE)  # could end a setext heading
_RULE_LINE = re.compile(r"([-*_])[ \t]*(?:\1[ \t]*){2,}$", re.MULTILINE)  # could be a thematic break
_NEEDED: tuple[tuple[tuple[str, ...], Callable[[str], bool]], ...] = (
    (("table",), lambda text: "|" in text),
    (("strikethrough",), lambda text: "~" in text),
    (("footnote_def", "footnote_ref", "footnote_inline", "footnote_tail"), lambda text: "^" in text),
    (("blockquote",), lambda text: ">" in text),
    (("fence",), lambda text: "```" in text or "~~~" in text),
    (("code",), lambda text: "    " in text or "\t" in text),
    (("reference",), lambda text: "]:" in text),
    (("lheading",), lambda text: _UNDERLINE.search(text) is not None),
    (("hr",), lambda text: _RULE_LINE.search(text) is not None),
    (("entity",), lambda text: "&" in text),
    (("autolink",), lambda text: "<" in text),
    (("backticks",), lambda text: "`" in text),
    (("escape",), lambda text: "\\" in text),
)


def _parser_for(source: str) -> MarkdownIt:
    """The parser for one body: `_parser` with the rules that cannot match in it turned off."""
    return _parser(frozenset(rule for rules, needed in _NEEDED if not needed(source) for rule in rules))


@lru_cache(maxsize=None)
def _parser(off: frozenset[str] = frozenset()) -> MarkdownIt:
    """The Markdown parser, with the rules `off` turned off (and raw HTML's, which do nothing here:
    raw HTML is not allowed, so it is text)."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.anchors import anchors_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.enable("table").enable("strikethrough")
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=2, max_level=4, slug_func=_slug)
    md.disable(["html_block", "html_inline", *sorted(off)])
    md.validateLink = _safe_link
    return md


_UNSAFE = ("javascript:", "vbscript:", "data:", "file:")
# A link Markdown refused to make (its scheme is unsafe): kept as text, but reported to the editor.
_REFUSED = re.compile(r"(?:\]\(\s*<?|<)\s*((?:javascript|vbscript|data|file):(?:[^\s()<>]|\([^\s()<>]*\))*)", re.IGNORECASE)


def _safe_link(url: str) -> bool:
    lowered = url.strip().lower()
    return not lowered.startswith(_UNSAFE)


def render(source: str, first_line: int, rewrite: Rewrite) -> Body:
    """Render Markdown; `first_line` is the body's line in its file."""
    md = _parser_for(source)
    tokens = md.parse(source)
    toc: list[Heading] = []
    text_parts: list[str] = []  # paragraphs, until SUMMARY_CHARS are reached
    text_length = 0
    links: list[tuple[str, int]] = []
    line = first_line
    for index, token in enumerate(tokens):
        if token.map:
            line = first_line + token.map[0]
        if token.type == "heading_open" and token.attrGet("id"):
            inline = tokens[index + 1]
            toc.append(Heading(int(token.tag[1]), str(token.attrGet("id")), inline.content))
        if token.type != "inline" or not token.children:
            continue
        if ":" in token.content:  # a refused link has a scheme
            links.extend((match[1], line) for match in _REFUSED.finditer(token.content))
        if tokens[index - 1].type == "paragraph_open" and text_length < SUMMARY_CHARS:
            words = "".join(" " if c.type == "softbreak" else c.content for c in token.children
                            if c.type in _TEXT_TOKENS)
            text_parts.append(words)
            text_length += len(words) + 1
        for child in token.children:
            attr = _LINK_ATTRIBUTES.get(child.type)
            if attr and child.attrGet(attr) is not None:
                written = str(child.attrGet(attr))
                links.append((written, line))
                child.attrSet(attr, rewrite(written))
            if child.type == "link_open" and str(child.attrGet("href")).startswith(("http://", "https://")):
                child.attrSet("rel", "noopener noreferrer")
    html = md.renderer.render(tokens, md.options, {})
    summary = " ".join(text_parts)[:SUMMARY_CHARS]
    return Body(pack(html), tuple(toc), summary, tuple(links))


def pack(html: str) -> bytes:
    """HTML as a `Body` keeps it: the model holds every body while pages are rendered, and HTML
    compresses to a third (the fastest level: 0.1 ms a body to pack, 0.03 ms to unpack)."""
    return zlib.compress(html.encode("utf-8"), 1)
