"""What the search index takes from one rendered page: its words, their weights and positions,
and the fragment the search page shows (docs/search.md, "What is indexed").

A page marks its searchable parts with `data-search-body` and leaves parts of them out with
`data-search-ignore`; its metadata, filters and sort key are `<data value="…"
data-search-{role}="{key}">` elements. Our templates write well-formed HTML (Markdown bodies allow
no raw HTML), so string searches and a few regular expressions find the parts and strip their
tags: no HTML parser is needed (a walk over the tags in Python cost twice as much).
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
import unicodedata
from array import array
from collections import Counter
from dataclasses import dataclass
from html import unescape

BODY = "data-search-body"
IGNORE = "data-search-ignore"
# Weights of a word, by where it stands: a word of the title (h1) counts five times a word of the
# text, one of the number twenty times; the date's words (searchable: "2021") count half.
# Kept as integers: twice the weight.
WEIGHT_TEXT, WEIGHT_TITLE, WEIGHT_NUMBER, WEIGHT_DATE = 2, 10, 40, 1
META_WEIGHTS = {"number": WEIGHT_NUMBER, "date": WEIGHT_DATE}
MAX_WEIGHT = 65535  # weights are 16-bit: a word used tens of thousands of times in a page counts this
MAX_POSITION = 65534  # words further into a page are indexed without a position (no phrase): 16-bit positions and counts

_DATA = re.compile(r'<data value="([^"]*)" data-search-(filter|meta|sort)="([a-z_]+)"></data>')
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
# Tags that do not separate words ("Đ<strong>ảng</strong>" is one word); every other tag does.
_INLINE = frozenset("a abbr b bdi bdo cite code data dfn em i kbd mark q s samp small span strong sub sup "
                    "time u var".split())
_MARKS = re.compile("[\u0300-\u036f]")
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower-case, no tone or vowel marks, đ -> d: the form every word is indexed and searched in.
    Not `text.fold` (which drops every combining mark, for slugs): this drops exactly what the
    search page's script drops from a query (U+0300-U+036F), so both sides fold alike."""
    return _MARKS.sub("", unicodedata.normalize("NFD", text.lower())).replace("đ", "d")


class _WordTable(dict):
    """For `words`: a character's folded form, with a space for every character that is not a
    letter or digit (a combining mark folds to nothing), worked out the first time the character
    is met (a table of the whole Basic Multilingual Plane would take 0.15 s to make)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = char if 0xD800 <= code < 0xE000 else fold(char)
        value = self[code] = "".join(c if c.isalnum() else " " for c in folded)
        return value


_TABLE = _WordTable()
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def words(text: str) -> list[str]:
    """The folded words of a text: '12-CTr/ĐUK' -> ['12', 'ctr', 'duk']. A translation table
    does in one pass what folding and cutting do (`fold`, then runs of letters and digits)."""
    if _ASTRAL.search(text):  # beyond the table: folded and cut the slow way
        return _WORD.findall(fold(text))
    return text.lower().translate(_TABLE).split()


@dataclass
class Record:
    """One page as the index holds it."""

    rel: str  # site path: nghi-quyet/58-nq-tw/index.html
    fragment: bytes  # JSON: url, meta, filters, content, anchors (what a result shows)
    date: str  # sort key, "20210407" ("" when the page has none)
    filters: dict[str, list[str]]
    words: dict[str, tuple[int, bytes]]  # word -> (weight, its positions in the text: `packed`)
    length: int  # words of the text

    @property
    def fragment_name(self) -> str:
        return hashlib.blake2b(self.fragment, digest_size=8).hexdigest()


_SAME_TAG: dict[str, re.Pattern] = {}


def _skip(html: str, tag: str, position: int) -> int:
    """Where the element `tag` opened just before `position` ends (after its closing tag)."""
    pattern = _SAME_TAG.get(tag)
    if pattern is None:
        pattern = _SAME_TAG[tag] = re.compile(rf"<(/?){tag}\b[^>]*>", re.I)
    depth = 1
    for match in pattern.finditer(html, position):
        if match.group(1):
            depth -= 1
            if not depth:
                return match.end()
        elif not match.group(0).endswith("/>"):
            depth += 1
    return len(html)


_OPEN = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*>")
_WITH_ID = re.compile(r'<([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*\bid="([^"]*)"[^>]*>')
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_INLINE_TAG = re.compile(r"</?(?:%s)\b[^>]*>" % "|".join(sorted(_INLINE, key=len, reverse=True)), re.I)
_ANY_TAG = re.compile(r"<[^>]*>")
_TITLE = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S | re.I)
_SENTINEL = re.compile("\x00([0-9]+)([AE])\x00")


def _element_at(html: str, at: int, within: int = 0) -> tuple[str, int, int] | None:
    """The element whose opening tag holds position `at`: (tag, start, end after its closing tag)."""
    start = html.rfind("<", within, at)
    match = _OPEN.match(html, start) if start >= 0 else None
    if match is None or match.end() <= at:
        return None
    tag = match.group(1).lower()
    end = match.end() if tag in _VOID or match.group(0).endswith("/>") else _skip(html, tag, match.end())
    return tag, start, end


def _parts(html: str) -> str:
    """The searchable parts of the page, one after another, the elements left out cut from them
    (a space for each, unless it is inline)."""
    kept: list[str] = []
    at = html.find(BODY)
    while at >= 0:
        part = _element_at(html, at)
        if part is None:
            at = html.find(BODY, at + 1)
            continue
        tag, position, end = part
        if IGNORE in html[position:html.find(">", position)]:
            at = html.find(BODY, end)
            continue
        ignored = html.find(IGNORE, position, end)
        while ignored >= 0:
            cut = _element_at(html, ignored, position)
            if cut is None:
                ignored = html.find(IGNORE, ignored + 1, end)
                continue
            kept.append(html[position:cut[1]])
            kept.append("" if cut[0] in _INLINE else " ")
            position = cut[2]
            ignored = html.find(IGNORE, position, end)
        kept.append(html[position:end])
        kept.append(" ")
        at = html.find(BODY, end)
    return "".join(kept)


def _text(html: str) -> tuple[str, list[str], list[tuple[str, int, int]]]:
    """The searchable text, the titles' texts, and the anchors: (id, start, end) as offsets into
    the text (an element with an id inside a searchable part). Tags separate words, except inline
    ones; entities are decoded."""
    parts = _parts(html)
    ids: list[str] = []
    if 'id="' in parts:
        marked, position = [], 0
        for match in _WITH_ID.finditer(parts):
            tag, end = match.group(1).lower(), None
            if tag not in _VOID and not match.group(0).endswith("/>"):
                end = _skip(parts, tag, match.end())
            ids.append(unescape(match.group(2)))
            marked.append((match.start(), f"\x00{len(ids) - 1}A\x00"))
            if end is not None:
                close = parts.rfind("<", 0, end)
                marked.append((close, f"\x00{len(ids) - 1}E\x00"))
            else:
                marked.append((match.end(), f"\x00{len(ids) - 1}E\x00"))
        marked.sort(key=lambda m: m[0])
        pieces = []
        for offset, sentinel in marked:
            pieces.append(parts[position:offset])
            pieces.append(sentinel)
            position = offset
        pieces.append(parts[position:])
        parts = "".join(pieces)
    titles = [_strip(t) for t in _TITLE.findall(parts)] if "<h1" in parts else []
    text = _strip(parts)
    anchors: list[tuple[str, int, int]] = []
    if ids:
        starts: dict[int, int] = {}
        clean, position, removed = [], 0, 0
        for match in _SENTINEL.finditer(text):
            clean.append(text[position:match.start()])
            offset = match.start() - removed
            number = int(match.group(1))
            if match.group(2) == "A":
                starts[number] = offset
            else:
                anchors.append((ids[number], starts[number], offset))
            removed += match.end() - match.start()
            position = match.end()
        clean.append(text[position:])
        text = "".join(clean)
        titles = [_SENTINEL.sub("", t) for t in titles]
    return text, titles, anchors


def _strip(html: str) -> str:
    if "<!--" in html:
        html = _COMMENT.sub("", html)
    text = _ANY_TAG.sub(" ", _INLINE_TAG.sub("", html))
    return unescape(text) if "&" in text else text


def _lead(html: str) -> int:
    """How many words the page's heading has, when it is a searchable part of its own (the first,
    holding the h1) and others follow: an excerpt is taken after it, where it can be."""
    first = _element_at(html, html.find(BODY))
    if first is None or "<h1" not in html[first[1]:first[2]] or html.find(BODY, first[2]) < 0:
        return 0
    return len(_strip(html[first[1]:first[2]]).split())


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


U16, U32 = "H", "I" if array("I").itemsize == 4 else "L"  # array type codes


def packed(numbers, code: str = U16) -> bytes:
    """Numbers as the index keeps them: unsigned little-endian integers, 16-bit unless `code` says
    otherwise (positions, page numbers, weights; dates are U32)."""
    values = array(code, numbers)
    if sys.byteorder != "little":
        values.byteswap()
    return values.tobytes()


def numbers(data: bytes, code: str = U16) -> array:
    """What `packed` made, as an array."""
    values = array(code, data)
    if sys.byteorder != "little":
        values.byteswap()
    return values


def unpacked(data: bytes) -> list[int]:
    return numbers(data).tolist()


def _positions(tokens: list[str]) -> dict[str, tuple[int, bytes]]:
    """Each word's weight in the text and its positions (`packed`). The positions are sorted by
    word in one go and cut, word by word, from one packed string: packing each word's list
    apart would cost most of an index's time."""
    order = packed(sorted(range(len(tokens)), key=tokens.__getitem__))
    counts = Counter(tokens)
    out = {}
    start = 0
    for word in sorted(counts):
        end = start + 2 * counts[word]
        out[word] = (counts[word] * WEIGHT_TEXT, order[start:end])
        start = end
    return out


def record(rel: str, page: bytes) -> Record | None:
    """The page's record; None for a page with nothing marked for search."""
    if BODY.encode() not in page:
        return None
    html = page.decode("utf-8")
    text, titles, anchor_spans = _text(html)
    fields: dict[str, dict] = {"filter": {}, "meta": {}, "sort": {}}
    for value, role, key in _DATA.findall(html):
        fields[role].setdefault(key, []).append(unicodedata.normalize("NFC", unescape(value)))
    tokens = words(text)
    extra: dict[str, int] = {}  # weight beyond a word of the text's, by word
    for title in titles:
        for word in words(title):
            extra[word] = extra.get(word, 0) + WEIGHT_TITLE - WEIGHT_TEXT
    for key, weight in META_WEIGHTS.items():
        for value in fields["meta"].get(key, ()):
            for word in words(value):
                extra[word] = extra.get(word, 0) + weight
    found_words = _positions(tokens[:MAX_POSITION + 1] if len(tokens) > MAX_POSITION + 1 else tokens)
    counts = Counter(tokens[MAX_POSITION + 1:]) if len(tokens) > MAX_POSITION + 1 else {}  # words without a position
    for word in counts.keys() | extra.keys():
        weight, where = found_words.get(word, (0, b""))
        found_words[word] = (weight + counts.get(word, 0) * WEIGHT_TEXT + extra.get(word, 0), where)
    if len(tokens) * WEIGHT_TEXT + sum(extra.values()) > MAX_WEIGHT:  # only then can a weight be too large
        found_words = {word: (min(weight, MAX_WEIGHT), where) for word, (weight, where) in found_words.items()}
    meta = {key: values[0] for key, values in fields["meta"].items()}
    url = "/" + rel[: -len("index.html")] if rel.endswith("index.html") else "/" + rel
    fragment = {"url": url, "meta": meta, "filters": fields["filter"], "content": " ".join(text.split()),
                "anchors": _anchor_list(text, anchor_spans), "lead": _lead(html)}
    data = json.dumps(fragment, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    date = fields["sort"].get("date", [""])[0].replace("-", "")
    return Record(rel, data, date, fields["filter"], found_words, len(tokens))
