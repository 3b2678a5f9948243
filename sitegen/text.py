"""Vietnamese text helpers: NFC normalisation, folding, slugs, collation."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


_NON_SLUG = re.compile(r"[^a-z0-9]+")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


_TOKEN = re.compile(r"\w+(?:[-/.]\w+)*")
_PIECE = re.compile(r"[^\W_]+")


def _mixed_case(piece: str) -> bool:
    """'CTr', 'QĐi': Pagefind splits these at case changes and drops one-letter parts."""
    return piece not in (piece.lower(), piece.upper(), piece.capitalize())


def _needs_terms(token: str) -> bool:
    lowered = token.lower()
    if "đ" in lowered:
        return True
    if token == lowered or token == token.upper():  # most words: one case, no đ
        return False
    return any(_mixed_case(p) for p in _PIECE.findall(token))


def terms(*texts: str) -> str:
    """Search-only forms of the words Pagefind cannot match unaccented or whole by itself.

    'Đảng ủy' -> 'dang'; '12-CTr/ĐUK' -> '12 12-ctr/duk ctr duk'. Words that Pagefind already
    folds (tone marks, ă â ê ô ơ ư) are left out, so the field stays small."""
    # A word never spans white space, so the text is cut there first: a body repeats its words,
    # and each distinct piece is worked out once (`_piece_terms` is cached across files too).
    pieces = set(nfc(" ".join(text for text in texts if text)).split())
    return " ".join(sorted(set().union(*map(_piece_terms, pieces))))


@lru_cache(maxsize=1 << 17)
def _piece_terms(piece: str) -> tuple[str, ...]:
    """The search-only forms of the words in a piece of text without white space."""
    return tuple(term for token in _TOKEN.findall(piece) for term in _token_terms(token))


@lru_cache(maxsize=1 << 17)
def _token_terms(token: str) -> tuple[str, ...]:
    """The search-only forms of one word (cached: a corpus repeats a small vocabulary)."""
    if not _needs_terms(token):
        return ()
    return (fold(token), *(fold(p) for p in _PIECE.findall(token)))


def merge_terms(*lists: str) -> str:
    """Several `terms()` results as one, each word once, in order."""
    return " ".join(sorted({word for words in lists for word in words.split()}))


def fold(text: str) -> str:
    """Lower-case, strip diacritics, đ -> d: 'Đảng ủy' -> 'dang uy'."""
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return text.replace("đ", "d")


@lru_cache(maxsize=65536)
def slugify(text: str) -> str:
    """URL slug: folded, anything but [a-z0-9] becomes '-'."""
    return _NON_SLUG.sub("-", fold(text)).strip("-")


def is_slug(text: str) -> bool:
    return bool(SLUG_RE.match(text))


@lru_cache(maxsize=1)
def _collator():
    """ICU's Vietnamese collator; ICU is loaded by the first sort (30 ms: a build that only
    checks what changed, or renders one edited page, never sorts)."""
    import icu

    return icu.Collator.createInstance(icu.Locale("vi"))


def sort_key(text: str) -> bytes:
    """Vietnamese alphabetical order (a ă â b c d đ e ê ...), tones after letters."""
    return _collator().getSortKey(text)
