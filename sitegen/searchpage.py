"""What the search index takes from one rendered page: its words, their weights and positions,
and the fragment the search page shows (docs/search.md, "What is indexed").

A page marks its searchable parts with `data-search-body` and leaves parts of them out with
`data-search-ignore`; its metadata, filters and sort key are `<data value="…"
data-search-{role}="{key}">` elements. Our templates write well-formed HTML (Markdown bodies allow
no raw HTML), so one pass over the tags is enough: no HTML parser is needed.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from html import unescape

BODY = "data-search-body"
IGNORE = "data-search-ignore"
# Weights of a word, by where it stands: a word of the title (h1) counts five times a word of the
# text, one of the number twenty times; the date's words (searchable: "2021") count half.
# Kept as integers: twice the weight.
WEIGHT_TEXT, WEIGHT_TITLE, WEIGHT_NUMBER, WEIGHT_DATE = 2, 10, 40, 1
META_WEIGHTS = {"number": WEIGHT_NUMBER, "date": WEIGHT_DATE}
MAX_POSITION = 65535  # words further into a page are indexed without a position (no phrase)

_TAG = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>", re.S)
_DATA = re.compile(r'<data value="([^"]*)" data-search-(filter|meta|sort)="([a-z_]+)"></data>')
_ID = re.compile(r'\bid="([^"]*)"')
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
# Tags that do not separate words ("Đ<strong>ảng</strong>" is one word); every other tag does.
_INLINE = frozenset("a abbr b bdi bdo cite code data dfn em i kbd mark q s samp small span strong sub sup "
                    "time u var".split())
_MARKS = re.compile("[\u0300-\u036f]")
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower-case, no tone or vowel marks, đ -> d: the form every word is indexed and searched in
    (the search page folds a query the same way)."""
    return _MARKS.sub("", unicodedata.normalize("NFD", text.lower())).replace("đ", "d")


def words(text: str) -> list[str]:
    """The folded words of a text: '12-CTr/ĐUK' -> ['12', 'ctr', 'duk']."""
    return _WORD.findall(fold(text))


@dataclass
class Record:
    """One page as the index holds it."""

    rel: str  # site path: nghi-quyet/58-nq-tw/index.html
    fragment: bytes  # JSON: url, meta, filters, content, anchors (what a result shows)
    date: str  # sort key, "20210407" ("" when the page has none)
    filters: dict[str, list[str]]
    words: dict[str, tuple[int, list[int]]]  # word -> (weight, positions in the text)
    length: int  # words of the text

    @property
    def fragment_name(self) -> str:
        return hashlib.blake2b(self.fragment, digest_size=8).hexdigest()


def has_content(page: bytes) -> bool:
    return BODY.encode() in page


def _text_runs(html: str) -> tuple[list[tuple[int, str]], list[tuple[str, int, int]]]:
    """The searchable text as runs of (weight, text) in page order, and the anchors: (id, start,
    end) as offsets into the runs' joined text (an element with an id inside a searchable part).
    Only the searchable parts are read: each from its opening tag to its closing one."""
    runs: list[tuple[int, str]] = []
    pieces: list[str] = []
    anchors: list[tuple[str, int, int]] = []
    size = 0
    weight = WEIGHT_TEXT
    at = html.find(BODY)
    while at >= 0:
        stack: list[tuple[str, int]] = []  # (tag, flags) of the open elements: 1 searchable, 2 ignored, 4 title
        open_anchors: list[tuple[int, str, int]] = []  # (depth, id, start)
        position = html.rfind("<", 0, at)
        for match in _TAG.finditer(html, position):
            flags = stack[-1][1] if stack else 0
            if flags == 1 or flags == 5:  # searchable, not ignored
                text = html[position:match.start()]
                if text:
                    text = unescape(text) if "&" in text else text
                    want = WEIGHT_TITLE if flags & 4 else WEIGHT_TEXT
                    if want != weight and pieces:
                        runs.append((weight, "".join(pieces)))
                        pieces = []
                    weight = want
                    pieces.append(text)
                    size += len(text)
            position = match.end()
            tag = match.group(2)
            if tag is None:
                continue  # a comment
            tag = tag.lower()
            separates = tag not in _INLINE
            if match.group(1):  # closing
                if stack and stack[-1][0] == tag:
                    stack.pop()
                    if open_anchors and open_anchors[-1][0] == len(stack):
                        _, anchor, start = open_anchors.pop()
                        anchors.append((anchor, start, size))
                if separates and (flags == 1 or flags == 5):
                    pieces.append(" ")
                    size += 1
                if not stack:
                    break
                continue
            attributes = match.group(3)
            if separates and (flags == 1 or flags == 5):
                pieces.append(" ")
                size += 1
            if tag in _VOID or attributes.endswith("/"):
                if not stack:
                    break
                continue
            new = flags | 1
            if IGNORE in attributes:
                new |= 2
            if tag == "h1":
                new |= 4
            if not new & 2 and 'id="' in attributes:
                found = _ID.search(attributes)
                if found:
                    open_anchors.append((len(stack), unescape(found.group(1)), size))
            stack.append((tag, new))
        at = html.find(BODY, position)
    if pieces:
        runs.append((weight, "".join(pieces)))
    return runs, anchors


def _anchor_list(text: str, anchors: list[tuple[str, int, int]]) -> list[dict]:
    """Each anchor with its text and its location: the number of words of the text before it
    (an anchor starts after a space, so the text is cut between words)."""
    out = []
    count = previous = 0
    for anchor, start, end in sorted(anchors, key=lambda a: a[1]):
        count += len(text[previous:start].split())
        previous = start
        out.append({"id": anchor, "location": count, "text": " ".join(text[start:end].split())})
    return out


def record(rel: str, page: bytes) -> Record | None:
    """The page's record; None for a page with nothing marked for search."""
    if BODY.encode() not in page:
        return None
    html = page.decode("utf-8")
    runs, anchor_spans = _text_runs(html)
    text = "".join(run for _, run in runs)
    fields: dict[str, dict] = {"filter": {}, "meta": {}, "sort": {}}
    for value, role, key in _DATA.findall(html):
        fields[role].setdefault(key, []).append(unicodedata.normalize("NFC", unescape(value)))
    found: dict[str, list] = {}
    position = 0
    for weight, run in runs:
        for word in _WORD.findall(fold(run)):
            entry = found.get(word)
            if entry is None:
                entry = found[word] = [0, []]
            entry[0] += weight
            if position <= MAX_POSITION:
                entry[1].append(position)
            position += 1
    for key, weight in META_WEIGHTS.items():
        for value in fields["meta"].get(key, ()):
            for word in _WORD.findall(fold(value)):
                found.setdefault(word, [0, []])[0] += weight
    meta = {key: values[0] for key, values in fields["meta"].items()}
    url = "/" + rel[: -len("index.html")] if rel.endswith("index.html") else "/" + rel
    fragment = {"url": url, "meta": meta, "filters": fields["filter"], "content": " ".join(text.split()),
                "anchors": _anchor_list(text, anchor_spans)}
    data = json.dumps(fragment, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    date = fields["sort"].get("date", [""])[0].replace("-", "")
    return Record(rel, data, date, fields["filter"], {w: (e[0], e[1]) for w, e in found.items()}, position)
