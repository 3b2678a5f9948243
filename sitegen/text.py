"""Vietnamese text helpers: NFC normalisation, folding, slugs, collation."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


_NON_SLUG = re.compile(r"[^a-z0-9]+")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


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
