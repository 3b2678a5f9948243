"""Stage 5b ("index"): the site search's index, in a format of our own, read by the search page's
script (templates/assets/search.js). docs/search.md describes both; in short:

- a page gives its words (folded: no tone or vowel marks, đ -> d), each with a weight and its
  positions, and a fragment, what a result shows (`searchpage.record`);
- the index is in shards, a hash of a page's path picking its shard. A shard's folder holds
  `index.json` (its pages, their filter values, and the list of its buckets), `b/` (a bucket: the
  pages and weights of the words that start with the same three letters), `p/` (the same words'
  positions, read only for a quoted phrase) and `f/` (the fragments). The names of the files in
  `b/`, `p/` and `f/` carry a digest of their bytes, so a browser never mixes old and new files;
- a full build writes the shards whose pages changed and links the others from the published
  site; an incremental build rewrites only the buckets holding the words of a page it edited.
The same pages give the same bytes, whichever way they were indexed.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import tempfile
from array import array
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

from . import urls
from .parallel import Forked
from .searchfields import BUNDLE
from .searchpage import BODY, U16, U32, Record, numbers, packed, record as page_record, words as text_words

FORMAT = 2  # in every shard's digest and manifest: a change of format indexes every shard again
KEY_LENGTH = 3  # a bucket holds the words starting with the same KEY_LENGTH letters
MANIFEST = "index.json"
SHARD_LIST = "shards.json"

# Only document and post pages carry content for search.
_INDEXED_FOLDERS = sorted(urls.SECTION_PATH.values())


def may_index(rel: str) -> bool:
    """True for a page of a document or post folder ("nghi-quyet/58-nq-tw/index.html")."""
    folder, _, rest = rel.partition("/")
    return folder in _INDEXED_FOLDERS and rest.count("/") == 1 and rest.endswith("/index.html")


class SearchIndexError(RuntimeError):
    """The search index could not be made."""


# --- encoding -------------------------------------------------------------------------------
# A bucket is two JSON objects with the same keys, its words; each value is a pair of strings, each
# the base64 of unsigned 16-bit little-endian integers (`searchpage.packed`): in b/, [the numbers
# of the pages holding the word, ascending, and its weight in each]; in p/, [how many positions
# the word has in each of those pages, and those positions one after another]. Page numbers are the
# shard's own (its pages in the order of their paths; a shard holds at most MAX_PAGES). Packed
# integers, not JSON arrays: they are read and written at C speed, and a patch (below) finds a
# page in a word's list by bisection and splices bytes, leaving the other words' strings as
# they were.

MAX_PAGES = 65536  # pages a shard: numbers are 16-bit (shards hold about PAGES_PER_SHARD)

Postings = dict[str, tuple[list[int], list[int], list[bytes]]]  # word -> (pages, weights, packed positions)
_PLAIN_KEY = re.compile(r"[a-z0-9]+")


def bucket_key(word: str) -> str:
    return word[:KEY_LENGTH]


def file_key(key: str) -> str:
    """A bucket key as a file name: itself when plain letters and digits, else '_' and its hex."""
    return key if _PLAIN_KEY.fullmatch(key) else "_" + key.encode("utf-8").hex()


def _dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _bucket_json(entries: dict[str, list[str]]) -> bytes:
    """`_dumps` of a bucket's object (word -> two base64 strings), written out directly: a JSON
    encoder looks at every character of the strings for one to escape, and base64 has none
    (a fifth of the time for the same bytes)."""
    return ("{" + ",".join(f'{json.dumps(word, ensure_ascii=False)}:["{pair[0]}","{pair[1]}"]'
                           for word, pair in sorted(entries.items())) + "}").encode("utf-8")


def _text(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _array(text: str, code: str = U16) -> array:
    return numbers(base64.b64decode(text), code)


def _pages_value(pages, weights) -> list[str]:
    """A word's value in b/."""
    return [_text(packed(pages)), _text(packed(weights))]


def _positions_value(counts, blob: bytes) -> list[str]:
    """A word's value in p/: `blob` is its pages' positions (each `searchpage.packed`) joined."""
    return [_text(packed(counts)), _text(blob)]


def _bucket_files(key: str, digest: str) -> tuple[str, str]:
    name = f"{file_key(key)}.{digest}.json"
    return f"b/{name}", f"p/{name}"


def _bucket_digest(pages: bytes, positions: bytes) -> str:
    digest = hashlib.blake2b(pages, digest_size=6)
    digest.update(b"\0")
    digest.update(positions)
    return digest.hexdigest()


def _encode_bucket(key: str, postings: Postings, files: dict[str, bytes]) -> str:
    """Put the bucket's two files in `files`; return its digest."""
    pages = _bucket_json({w: _pages_value(e[0], e[1]) for w, e in postings.items()})
    positions = _bucket_json({w: _positions_value([len(p) // 2 for p in e[2]], b"".join(e[2]))
                              for w, e in postings.items()})
    digest = _bucket_digest(pages, positions)
    b, p = _bucket_files(key, digest)
    files[b], files[p] = pages, positions
    return digest


def _raw_bucket(folder: Path, key: str, digest: str | None) -> tuple[dict, dict]:
    """A bucket's two files as read (word -> its stored value); empty for a bucket not there."""
    if not digest:
        return {}, {}
    b, p = _bucket_files(key, digest)
    return json.loads((folder / b).read_bytes()), json.loads((folder / p).read_bytes())


def _put_entry(raw_pages: dict, raw_positions: dict, word: str, entry: "_Entry") -> None:
    """A word's patched entry put in a bucket read by `_raw_bucket`; the word goes when it has no page left."""
    if entry.pages:
        raw_pages[word], raw_positions[word] = entry.encoded()
    else:
        raw_pages.pop(word, None)
        raw_positions.pop(word, None)


def _put_bucket(key: str, raw_pages: dict, raw_positions: dict, buckets: dict[str, str], files: dict[str, bytes]) -> None:
    """A patched bucket's files put in `files` and its digest in `buckets`, unless it has no word left."""
    if raw_pages:
        encoded_pages, encoded_positions = _bucket_json(raw_pages), _bucket_json(raw_positions)
        buckets[key] = digest = _bucket_digest(encoded_pages, encoded_positions)
        b, p = _bucket_files(key, digest)
        files[b], files[p] = encoded_pages, encoded_positions


def _read_manifest(folder: Path) -> tuple["_Listing", dict[str, str]]:
    """A published shard's listing and buckets, for a patch; ValueError when of another format."""
    manifest = json.loads((folder / MANIFEST).read_bytes())
    if manifest.get("format") != FORMAT:
        raise ValueError(f"{folder / MANIFEST}: another format")
    return _Listing.read(manifest), dict(manifest["buckets"])


def _decode_bucket(folder: Path, key: str, digest: str) -> Postings:
    """A bucket as `shard_files` held it (the search page's script reads the same files)."""
    pages, positions = _raw_bucket(folder, key, digest)
    out = {}
    for word, entry in pages.items():
        entry = _Entry(entry, positions[word])
        starts = list(accumulate([0] + [2 * c for c in entry.counts]))
        out[word] = (entry.pages.tolist(), entry.weights.tolist(),
                     [entry.blob[a:b] for a, b in zip(starts, starts[1:])])
    return out


_NAME_LENGTH = 16  # hex digits of a fragment's name (`Record.fragment_name`)
@dataclass
class _Listing:
    """A shard's pages as its manifest lists them (by number): their fragments' names, words and
    dates (yyyymmdd, 0 when none), and the pages of each filter value."""

    names: list[str]
    lengths: list[int]
    dates: list[int]
    filters: dict[str, dict[str, list[int]]]

    @classmethod
    def of(cls, records: list[Record]) -> "_Listing":
        filters: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for number, rec in enumerate(records):
            for key, values in rec.filters.items():
                for value in dict.fromkeys(values):
                    filters[key][value].append(number)
        return cls([r.fragment_name for r in records], [min(r.length, 65535) for r in records],
                    [int(r.date or 0) for r in records], filters)

    @classmethod
    def read(cls, manifest: dict) -> "_Listing":
        pages = manifest["pages"]
        names = pages["fragments"]
        return cls([names[i:i + _NAME_LENGTH] for i in range(0, len(names), _NAME_LENGTH)],
                   _array(pages["words"]).tolist(), _array(pages["dates"], U32).tolist(),
                   {key: {value: _array(members).tolist() for value, members in values.items()}
                    for key, values in manifest["filters"].items()})

    def put(self, number: int, rec: Record) -> None:
        """Page `number` becomes `rec`."""
        self.names[number], self.lengths[number] = rec.fragment_name, min(rec.length, 65535)
        self.dates[number] = int(rec.date or 0)
        for values in self.filters.values():
            for members in values.values():
                if number in members:
                    members.remove(number)
        for key, values in rec.filters.items():
            for value in dict.fromkeys(values):
                members = self.filters.setdefault(key, {}).setdefault(value, [])
                members.insert(bisect_left(members, number), number)

    def manifest(self, buckets: dict[str, str]) -> bytes:
        """The shard's index.json: its pages, filters (values without pages left out) and buckets."""
        pages = {"count": len(self.names), "fragments": "".join(self.names), "words": _text(packed(self.lengths)),
                 "dates": _text(packed(self.dates, U32))}
        filters = {key: {value: _text(packed(members)) for value, members in values.items() if members}
                   for key, values in self.filters.items()}
        return _dumps({"format": FORMAT, "pages": pages, "filters": {k: v for k, v in filters.items() if v},
                       "buckets": buckets})


def shard_files(records: list[Record]) -> dict[str, bytes]:
    """Every file of a shard holding these pages (in this order), by path inside its folder."""
    if len(records) > MAX_PAGES:
        raise SearchIndexError(f"một phần chỉ mục có {len(records)} trang, quá {MAX_PAGES}")
    postings: Postings = {}
    for number, rec in enumerate(records):
        for word, (weight, positions) in rec.words.items():
            entry = postings.get(word)
            if entry is None:
                entry = postings[word] = ([], [], [])
            entry[0].append(number)
            entry[1].append(weight)
            entry[2].append(positions)
    by_key: dict[str, Postings] = defaultdict(dict)
    for word, entry in postings.items():
        by_key[bucket_key(word)][word] = entry
    files: dict[str, bytes] = {}
    buckets = {key: _encode_bucket(key, by_key[key], files) for key in sorted(by_key)}
    for rec in records:
        files[f"f/{rec.fragment_name}.json"] = rec.fragment
    files[MANIFEST] = _Listing.of(records).manifest(buckets)
    return files


def _fragment_words(fragment: dict) -> set[str]:
    """The words a page's record had, from its fragment: those of its text, number and date."""
    meta = fragment.get("meta", {})
    return set(text_words(" ".join([fragment.get("content", ""), meta.get("number", ""), meta.get("date", "")])))


@dataclass
class Patch:
    """A shard's changes for pages edited in place: files to add, the new manifest, files to remove."""

    files: dict[str, bytes]
    manifest: bytes
    obsolete: set[str]


class _Entry:
    """One word's entry in a bucket, decoded from its stored form for a patch. Of its positions,
    only the base64 text from the first page a patch changes is decoded (and encoded again): the
    text before it stays as it is, cut at a whole group of four characters (three bytes)."""

    def __init__(self, pages: list[str] | None, positions: list[str] | None):
        self.pages = _array(pages[0]) if pages else array(U16)
        self.weights = _array(pages[1]) if pages else array(U16)
        self.counts = _array(positions[0]) if positions else array(U16)
        self._text = positions[1] if positions else ""  # the positions' base64, as stored
        self._head_bytes = 2 * sum(self.counts) // 3 * 3  # bytes of it kept as they are: whole groups
        self._head = self._head_bytes // 3 * 4  # the characters that hold them
        self._tail = base64.b64decode(self._text[self._head:])  # the positions after them, decoded (and changed)

    @property
    def blob(self) -> bytes:
        """Every position of the word (each page's packed, one after another)."""
        return base64.b64decode(self._text[:self._head]) + self._tail

    def _decoded_from(self, offset: int) -> int:
        """Decode the positions from byte `offset` on (from the start of its group); return
        where that byte is in `_tail`."""
        if offset < self._head_bytes:
            head = offset // 3 * 4
            self._tail = base64.b64decode(self._text[head:self._head]) + self._tail
            self._head, self._head_bytes = head, offset // 3 * 3
        return offset - self._head_bytes

    def replace(self, number: int, new: tuple[int, bytes] | None) -> None:
        """Page `number`'s entry becomes `new` (weight, packed positions), or goes."""
        i = bisect_left(self.pages, number)
        start = self._decoded_from(2 * sum(self.counts[:i]))
        if i < len(self.pages) and self.pages[i] == number:
            self._tail = self._tail[:start] + self._tail[start + 2 * self.counts[i]:]
            del self.pages[i], self.weights[i], self.counts[i]
        if new is not None:
            weight, where = new
            self.pages.insert(i, number)
            self.weights.insert(i, weight)
            self.counts.insert(i, len(where) // 2)
            self._tail = self._tail[:start] + where + self._tail[start:]

    def encoded(self) -> tuple[list[str], list[str]]:
        """As `_encode_bucket` writes it."""
        positions = [_text(packed(self.counts)), self._text[:self._head] + _text(self._tail)]
        return _pages_value(self.pages, self.weights), positions


def patch_shard(folder: Path, changes: dict[int, Record], previous: dict[int, Record] | None = None) -> Patch:
    """The changes to the shard in `folder` that replace its pages numbered as in `changes` with
    these records, its other pages unchanged. Only the buckets holding words of the old or new
    pages are read and written again, and in them only those words' entries are decoded; the
    result equals `shard_files` of the new pages. `previous`: the records the shard holds of some
    of those pages; of these, only the words whose weight or positions differ are written again
    (an edit near a page's end, or one that keeps its words' places, touches a few buckets)."""
    listing, buckets = _read_manifest(folder)
    previous = previous or {}
    # bucket key -> page number -> the words of the page there whose entries are written again
    touched: dict[str, dict[int, set[str]]] = defaultdict(dict)
    obsolete: set[str] = set()
    for number, rec in changes.items():
        before = previous.get(number)
        if before is not None:
            words = {word for word in before.words.keys() | rec.words.keys()
                     if before.words.get(word) != rec.words.get(word)}
        else:
            words = _fragment_words(json.loads((folder / "f" / f"{listing.names[number]}.json").read_bytes()))
            words |= rec.words.keys()
        for word in words:
            touched[bucket_key(word)].setdefault(number, set()).add(word)
        obsolete.add(f"f/{listing.names[number]}.json")
        listing.put(number, rec)
    files: dict[str, bytes] = {}
    for key in sorted(touched):
        digest = buckets.pop(key, None)
        raw_pages, raw_positions = _raw_bucket(folder, key, digest)
        if digest:
            obsolete.update(_bucket_files(key, digest))
        for word in sorted(set().union(*touched[key].values())):
            entry = _Entry(raw_pages.get(word), raw_positions.get(word))
            for number, words in touched[key].items():
                if word in words:  # (another page's word: this page's entry, if any, stays)
                    entry.replace(number, changes[number].words.get(word))
            _put_entry(raw_pages, raw_positions, word, entry)
        _put_bucket(key, raw_pages, raw_positions, buckets, files)
    for rec in changes.values():
        files[f"f/{rec.fragment_name}.json"] = rec.fragment
    return Patch(files, listing.manifest(dict(sorted(buckets.items()))), obsolete - set(files))


def regroup_shard(folder: Path, old: list[str], new: list[str], records: dict[str, Record]) -> Patch:
    """The changes that make the shard in `folder`, holding the pages `old` (site paths, in their
    order), hold the pages `new`: those in `records` (pages added or edited) as these records
    give them, the others as the shard has them. No page is read again: each word's pages are
    numbered anew in its packed entry, and the entries of the pages gone or edited are cut out.
    Buckets whose entries all stay as they were are not written. The result equals
    `shard_files` of the new pages."""
    if len(new) > MAX_PAGES:
        raise SearchIndexError(f"một phần chỉ mục có {len(new)} trang, quá {MAX_PAGES}")
    listing, buckets = _read_manifest(folder)
    if len(listing.names) != len(old):
        raise ValueError(f"{folder / MANIFEST}: {len(listing.names)} pages, {len(old)} recorded")
    at = {rel: number for number, rel in enumerate(new)}
    renumber = [None if rel in records else at.get(rel) for rel in old]  # None: its entries go
    # pages numbered below `first` keep their numbers: a word found only there is left as it is
    first = next((n for n, m in enumerate(renumber) if m != n), len(old))
    added: dict[str, dict[str, list[tuple[int, tuple[int, bytes]]]]] = defaultdict(lambda: defaultdict(list))
    for rel, rec in records.items():
        first = min(first, at[rel])
        for word, entry in rec.words.items():
            added[bucket_key(word)][word].append((at[rel], entry))
    files: dict[str, bytes] = {}
    obsolete = {f"f/{listing.names[n]}.json" for n, m in enumerate(renumber) if m is None}
    for key in sorted(buckets.keys() | added.keys()):
        words = added.get(key, {})
        digest = buckets.pop(key, None)
        raw_pages, raw_positions = _raw_bucket(folder, key, digest)
        changed = False
        for word in sorted(raw_pages.keys() | words.keys()):
            value = raw_pages.get(word)
            if value is not None and word not in words and _array(value[0])[-1] < first:
                continue
            changed = True
            entry = _Entry(value, raw_positions.get(word))
            for number in reversed([n for n in entry.pages if renumber[n] is None]):
                entry.replace(number, None)
            entry.pages = array(U16, [renumber[n] for n in entry.pages])
            for number, new_entry in words.get(word, ()):
                entry.replace(number, new_entry)
            _put_entry(raw_pages, raw_positions, word, entry)
        if not changed:
            buckets[key] = digest
            continue
        _put_bucket(key, raw_pages, raw_positions, buckets, files)
        if digest:
            obsolete.update(_bucket_files(key, digest))
    for rec in records.values():
        files[f"f/{rec.fragment_name}.json"] = rec.fragment
    return Patch(files, _regrouped_listing(listing, old, new, at, renumber, records).manifest(dict(sorted(buckets.items()))),
                 obsolete - set(files))


def _regrouped_listing(listing: _Listing, old: list[str], new: list[str], at: dict[str, int],
                       renumber: list[int | None], records: dict[str, Record]) -> _Listing:
    """The listing of the pages `new` (`at`: their numbers), from the listing of the pages `old`
    (`regroup_shard`)."""
    was = {rel: number for number, rel in enumerate(old)}
    names, lengths, dates = [], [], []
    for rel in new:
        rec = records.get(rel)
        if rec is not None:
            names.append(rec.fragment_name)
            lengths.append(min(rec.length, 65535))
            dates.append(int(rec.date or 0))
        else:
            names.append(listing.names[was[rel]])
            lengths.append(listing.lengths[was[rel]])
            dates.append(listing.dates[was[rel]])
    filters = {key: {value: [renumber[n] for n in members if renumber[n] is not None] for value, members in values.items()}
               for key, values in listing.filters.items()}
    for rel, rec in records.items():
        for key, values in rec.filters.items():
            for value in dict.fromkeys(values):
                members = filters.setdefault(key, {}).setdefault(value, [])
                members.insert(bisect_left(members, at[rel]), at[rel])
    return _Listing(names, lengths, dates, filters)


# --- shards ---------------------------------------------------------------------------------
# A page's shard is a hash of its path, so an edit never moves a page to another shard; the
# number of shards is a power of two that grows with the number of pages, so it changes rarely.
# Shard 0 is site/chi-muc/ and shard i site/chi-muc/s{i}/; site/chi-muc/shards.json lists the
# folders of shards 1 and up (empty with one shard).

PAGES_PER_SHARD = 4096  # docs/performance.md, "Search"
PARALLEL_SHARDS = 2  # processes indexing shards at a time
INDEXER_NAME = "sitegen-index"  # the name those processes take (as `ps` and `top` show them)
_SHARD_FOLDER = re.compile(r"s[0-9]+")


def shard_count(pages: int, per_shard: int | None = None) -> int:
    """The power of two that keeps shards at `per_shard` pages or fewer on average (1 up to
    `per_shard` pages)."""
    per_shard = per_shard or PAGES_PER_SHARD
    shards = 1
    while shards * per_shard < pages:
        shards *= 2
    return shards


def shard_of(rel: str, shards: int) -> int:
    """The shard of the page at site path `rel` ("nghi-quyet/58-nq-tw/index.html")."""
    return int.from_bytes(hashlib.blake2b(rel.encode("utf-8"), digest_size=8).digest(), "big") % shards


def shard_folder(shard: int) -> str:
    """The shard's folder inside the site."""
    return BUNDLE if shard == 0 else f"{BUNDLE}/s{shard}"


def _shard_bundle(bundle: Path, shard: int) -> Path:
    """The shard's folder, for a first shard written to `bundle`."""
    return bundle if shard == 0 else bundle / f"s{shard}"


def shard_pages(pages, per_shard: int | None = None) -> list[list[str]]:
    """The pages of each shard, by `shard_count` and `shard_of`. Should a shard be empty (a few
    pages, a small `per_shard`), the count is halved, which joins shards s and s + count/2."""
    shards = shard_count(len(pages), per_shard)
    while True:
        groups: list[list[str]] = [[] for _ in range(shards)]
        for rel in sorted(pages):
            groups[shard_of(rel, shards)].append(rel)
        if shards == 1 or all(groups):
            return groups
        shards //= 2


class _Pages:
    """The site's pages as they are to be indexed: the files of `site`, except those `changed`
    gives (new bytes, or None for a page removed)."""

    def __init__(self, site: Path, changed: dict[str, bytes | None] | None = None):
        self.site, self.changed = site, changed or {}

    def read(self, rel: str) -> bytes:
        data = self.changed.get(rel)
        return data if data is not None else (self.site / rel).read_bytes()

    def published(self, rel: str, digest: str) -> Record | None:
        """The record of the page the site holds at `rel` (not its new bytes), when that page is
        the one whose `_page_digest` is `digest`; else None (the site holds another by now)."""
        try:
            data = (self.site / rel).read_bytes()
        except OSError:
            return None
        return page_record(rel, data) if _page_digest(data) == digest else None

    def record(self, rel: str) -> Record:
        rec = page_record(rel, self.read(rel))
        if rec is None:
            raise SearchIndexError(f"{rel}: trang không còn phần nội dung để tìm kiếm")
        return rec


# A part of a document page the index never reads: "Lịch sử cập nhật", outside every part marked
# for search (checked by tests/test_history.py). A commit changes it on the pages of the files it
# touched; left out of a page's digest, it does not make the page be indexed again.
_MARK = BODY.encode()
_UNREAD = (b'<section class="history"', b"</section>")


def _page_digest(data: bytes) -> str | None:
    """A digest of what the index reads from a page; None for a page without content to index."""
    if _MARK not in data:
        return None
    digest = hashlib.blake2b(digest_size=20)
    start = data.rfind(_UNREAD[0])  # near the end: found from there
    end = data.find(_UNREAD[1], start) if start >= 0 else -1
    if end < 0:
        digest.update(data)
    else:
        digest.update(memoryview(data)[:start])
        digest.update(memoryview(data)[end + len(_UNREAD[1]):])
    return digest.hexdigest()


def indexed_pages(site: Path, changed: dict[str, bytes | None] | None = None,
                  known: dict[str, str] | None = None) -> dict[str, str]:
    """What is indexed: every page of a document or post folder with content marked for search,
    by site path, with a digest of its bytes. With `changed` (site path -> new bytes or None),
    those pages are taken as changed; with `known` (this function's result for the site as it
    is), only the changed pages are read."""
    changed = changed or {}
    if known is not None:
        pages = dict(known)
    else:
        pages = {}
        for folder in _INDEXED_FOLDERS:
            for file in site.glob(f"{folder}/*/index.html"):
                rel = file.relative_to(site).as_posix()
                digest = None if rel in changed else _page_digest(file.read_bytes())
                if digest:
                    pages[rel] = digest
    for rel, data in changed.items():
        digest = _page_digest(data) if data is not None and may_index(rel) else None
        if digest:
            pages[rel] = digest
        else:
            pages.pop(rel, None)
    return dict(sorted(pages.items()))


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """A digest of the code that makes the index (this module and `searchpage`): a shard made by
    other code is never kept, whether or not FORMAT was changed with it."""
    from . import searchpage

    digest = hashlib.blake2b(digest_size=16)
    for module in (__file__, searchpage.__file__):
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()


def _shard_digest(pages: dict[str, str], rels: list[str], shards: int, shard: int) -> str:
    """A digest of what a shard is made from: its pages (path and bytes), the number of shards
    and the code that makes it."""
    digest = hashlib.blake2b(f"{FORMAT}|{_code_digest()}|{shard}/{shards}".encode(), digest_size=20)
    for rel in rels:
        digest.update(f"{rel}\0{pages[rel]}\n".encode("utf-8"))
    return digest.hexdigest()


# --- indexing -------------------------------------------------------------------------------

@dataclass(frozen=True)
class IndexStats:
    pages: int
    bundle: Path
    shards: int = 1
    reused_shards: tuple[int, ...] = ()  # kept from the previous bundle

    @property
    def bytes(self) -> int:
        """The index's size on disk (worked out when asked: a build does not need it)."""
        return sum(f.stat().st_size for f in self.bundle.rglob("*") if f.is_file())

    @property
    def reused(self) -> bool:
        """Every shard was kept from the previous bundle."""
        return len(self.reused_shards) == self.shards


def _holds(path: Path, data: bytes) -> bool:
    """Whether the file at `path` is there with exactly these bytes."""
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _write_files(folder: Path, files: dict[str, bytes]) -> None:
    for sub in {name.rpartition("/")[0] for name in files}:
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        with open(folder / name, "wb") as handle:
            handle.write(data)


def _name_process(name: str) -> None:
    """Give this process a name of its own (Linux): the benchmarks tell the indexer's memory apart."""
    try:
        with open("/proc/self/comm", "w") as handle:
            handle.write(name)
    except OSError:
        pass


def _build_shards(job: tuple[_Pages, list[list[str]], Path, int], todo: list[int]) -> None:
    source, groups, work, parent = job
    if os.getpid() != parent:  # a worker of its own, not the build's process
        _name_process(INDEXER_NAME)
    for shard in todo:
        folder = work / f"s{shard}"
        folder.mkdir(parents=True)
        _write_files(folder, shard_files([source.record(rel) for rel in groups[shard]]))


def _index_shards(source: _Pages, groups: list[list[str]], todo: list[int], work: Path) -> dict[int, Path]:
    """Index the shards `todo` (PARALLEL_SHARDS processes at a time) into folders of `work`."""
    chunks = [[shard] for shard in todo]
    Forked(_build_shards, (source, groups, work, os.getpid()), chunks, PARALLEL_SHARDS, fresh=True).start().results()
    return {shard: work / f"s{shard}" for shard in todo}


# --- keeping the shards whose pages have not changed ----------------------------------------------

def _entry_digest(folder: Path) -> str | None:
    try:
        return hashlib.blake2b((folder / MANIFEST).read_bytes(), digest_size=20).hexdigest()
    except OSError:
        return None


def _read_record(record: Path | None) -> dict:
    """What the previous build recorded: its shards' inputs and manifests, and its indexed pages."""
    if record is None:
        return {}
    try:
        known = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return known if isinstance(known, dict) else {}


def _record(known: dict, shards: int) -> dict:
    """The previous build's record (`_read_record`), when it had as many shards."""
    if known.get("shards") != shards:
        return {}
    inputs, entries = known.get("inputs"), known.get("entries")
    if not (isinstance(inputs, list) and isinstance(entries, list) and len(inputs) == len(entries) == shards):
        return {}
    return known


def _write_record(record: Path, shards: int, inputs: list[str], bundle: Path, pages: dict[str, str]) -> None:
    record.parent.mkdir(parents=True, exist_ok=True)
    entries = [_entry_digest(_shard_bundle(bundle, s)) for s in range(shards)]
    record.write_text(json.dumps({"shards": shards, "code": _code_digest(), "inputs": inputs, "entries": entries,
                                  "pages": pages}), encoding="utf-8")


def _reusable(previous: Path, inputs: str, known: dict, shard: int) -> bool:
    """Whether the previous shard was made from the same inputs (as the record says) and is still whole."""
    return inputs == known["inputs"][shard] and _recorded_whole(previous, known, shard)


def _shard_whole(folder: Path) -> bool:
    """Whether every file the shard's manifest names is there with the bytes its name's digest says."""
    try:
        manifest = json.loads((folder / MANIFEST).read_bytes())
        for key, digest in manifest["buckets"].items():
            b, p = _bucket_files(key, digest)
            if _bucket_digest((folder / b).read_bytes(), (folder / p).read_bytes()) != digest:
                return False
        for name in _Listing.read(manifest).names:
            if hashlib.blake2b((folder / "f" / f"{name}.json").read_bytes(), digest_size=8).hexdigest() != name:
                return False
        return manifest.get("format") == FORMAT
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return False


def _recorded_whole(folder: Path, known: dict, shard: int) -> bool:
    """Whether the shard in `folder` has the manifest the record says and every file it names whole."""
    return known["entries"][shard] == _entry_digest(folder) and _shard_whole(folder)


def bundle_whole(site: Path, record: Path) -> bool:
    """Whether the site's search index is the one the build that wrote `record` left: each shard's
    manifest the recorded one, every file it names whole, the list of shards the one their number
    gives. For an index whose files' times changed while their bytes should not have (restored
    from a CI service's cache)."""
    known = _read_record(record)
    shards = known.get("shards")
    if not isinstance(shards, int) or shards < 1 or not _record(known, shards):
        return False
    bundle = site / BUNDLE
    try:
        if json.loads((bundle / SHARD_LIST).read_text(encoding="utf-8")) != _shard_list(shards):
            return False
    except (OSError, ValueError):
        return False
    return all(_recorded_whole(_shard_bundle(bundle, shard), known, shard) for shard in range(shards))


def _link(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _link_bundle(previous: Path, bundle: Path) -> None:
    """Hard-link a previous shard into place. Shard 0 holds the other shards' folders and the list
    of them: those are not its own."""
    skip = (lambda folder, names: [n for n in names if n == SHARD_LIST or _SHARD_FOLDER.fullmatch(n)]
            if Path(folder) == previous else [])
    shutil.copytree(previous, bundle, copy_function=_link, ignore=skip)


def index(site: Path, previous: Path | None = None, record: Path | None = None,
          bundle: Path | None = None, per_shard: int | None = None) -> IndexStats:
    """Index the pages of a written site folder; write site/chi-muc/ (or `bundle`), the other
    shards inside it.

    With `previous` (the published site) and `record` (a file in the build cache), a shard made
    from exactly the same pages is linked from the previous site instead of being made again."""
    bundle = bundle or site / BUNDLE
    if bundle.exists():
        shutil.rmtree(bundle)
    pages = indexed_pages(site)
    groups = shard_pages(pages, per_shard)
    shards = len(groups)
    inputs = [_shard_digest(pages, rels, shards, shard) for shard, rels in enumerate(groups)]
    known = _record(_read_record(record), shards) if previous is not None else {}
    reused = [shard for shard in range(shards)
              if known and _reusable(previous / shard_folder(shard), inputs[shard], known, shard)]
    work = Path(tempfile.mkdtemp(prefix=f"{site.name}.search-", dir=site.parent))
    try:
        made = _index_shards(_Pages(site), groups, [shard for shard in range(shards) if shard not in reused], work)
        for shard in range(shards):  # shard 0 first: it holds the others
            if shard in made:
                shutil.move(made[shard], _shard_bundle(bundle, shard))  # a rename beside the site
            else:
                _link_bundle(previous / shard_folder(shard), _shard_bundle(bundle, shard))
        _write_shard_list(bundle, shards)
    except SearchIndexError:
        raise
    except Exception as error:
        raise SearchIndexError(f"không lập được chỉ mục tìm kiếm: {error}") from error
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if record is not None:
        _write_record(record, shards, inputs, bundle, pages)
    return IndexStats(len(pages), bundle, shards, tuple(reused))


def _shard_list(shards: int) -> list[str]:
    """What SHARD_LIST holds: the folders of the shards but the first."""
    return [f"s{shard}/" for shard in range(1, shards)]


def _write_shard_list(bundle: Path, shards: int) -> None:
    (bundle / SHARD_LIST).write_text(json.dumps(_shard_list(shards)), encoding="utf-8")


class Update:
    """Shards changed for an incremental build (`update`), not yet in the site: `apply` puts them
    in place once the pages are written; `discard` removes what is left."""

    def __init__(self, site: Path, work: Path, made: dict[int, Path], patches: dict[int, Patch], shards: int,
                 record: Path, inputs: list[str], pages: dict[str, str]):
        self.site, self.work, self.made, self.patches, self.shards = site, work, made, patches, shards
        self.record, self.inputs, self.pages = record, inputs, pages

    def _patch(self, folder: Path, patch: Patch) -> None:
        """Add the new files, swap the manifest in, remove the files no longer named. Each file is
        written beside its place and renamed into it, so a file of the index is never half
        written under its final name; one already there with the same bytes is left as it is."""
        for name, data in [*patch.files.items(), (MANIFEST, patch.manifest)]:
            path = folder / name
            if name != MANIFEST and _holds(path, data):
                continue
            temp = path.with_name(f".{path.name}.{os.getpid()}")
            try:
                temp.write_bytes(data)
                os.replace(temp, path)
            except BaseException:
                temp.unlink(missing_ok=True)
                raise
        for name in patch.obsolete:
            (folder / name).unlink(missing_ok=True)

    def apply(self) -> list[str]:
        """Patch the shards edited in place and swap the new shards in; the others stay where
        they are. A new shard 0 takes the other shards' folders into it before it is swapped in
        (they live inside it). Returns the site paths changed: the files of a patched shard
        written or removed, the folder of a shard made again (ending in "/")."""
        bundle = self.site / BUNDLE
        changed = []
        for shard, patch in sorted(self.patches.items()):
            self._patch(_shard_bundle(bundle, shard), patch)
            changed += [f"{shard_folder(shard)}/{name}" for name in {*patch.files, MANIFEST, *patch.obsolete}]
        # A shard made again: moved into place, the published one aside (shard 0 holds the others)
        trash = self.work / "old"
        trash.mkdir()
        moves: list[tuple[Path, Path]] = []  # done so far, undone if a later step fails

        def move(source: Path, target: Path) -> None:
            os.rename(source, target)
            moves.append((source, target))

        try:
            if 0 in self.made:
                new = self.made[0]
                for shard in range(1, self.shards):
                    move(self.made.get(shard) or _shard_bundle(bundle, shard), _shard_bundle(new, shard))
                _write_shard_list(new, self.shards)
                if bundle.exists():
                    move(bundle, trash / "s0")
                move(new, bundle)
                changed = [f"{BUNDLE}/"]
            else:
                for shard, new in sorted(self.made.items()):
                    if _shard_bundle(bundle, shard).exists():
                        move(_shard_bundle(bundle, shard), _shard_bundle(trash, shard))
                    move(new, _shard_bundle(bundle, shard))
                changed += [f"{shard_folder(shard)}/" for shard in sorted(self.made)]
        except BaseException:
            for source, target in reversed(moves):  # the published shards back where they were
                os.rename(target, source)
            raise
        _write_record(self.record, self.shards, self.inputs, bundle, self.pages)
        return sorted(set(changed))

    def discard(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)


def _shard_patch(folder: Path, source: _Pages, group: list[str], pages: dict[str, str], known: dict[str, str],
                 regrouped: bool, shards: int, shard: int) -> Patch:
    """The patch of a published shard whose pages were `known` (path -> digest) and are now `group`."""
    if not regrouped:
        edited = {n: rel for n, rel in enumerate(group) if pages[rel] != known[rel]}
        previous = {n: rec for n, rel in edited.items() if (rec := source.published(rel, known[rel])) is not None}
        return patch_shard(folder, {n: source.record(rel) for n, rel in edited.items()}, previous)
    old = sorted(rel for rel in known if shard_of(rel, shards) == shard)
    return regroup_shard(folder, old, group, {rel: source.record(rel) for rel in group if known.get(rel) != pages[rel]})


def update(site: Path, changed: dict[str, bytes | None], record: Path,
           per_shard: int | None = None) -> Update | None:
    """Index again, beside the published `site`, the shards whose pages `changed` (site path -> new
    bytes, or None for a page removed) changes; None when no shard's pages changed.

    The published site's index must be exactly as the build that wrote `record` left it: the pages
    it recorded are taken as they were, only the changed ones are read. A shard whose pages are the
    same ones, some edited, is patched (`patch_shard`); one that gained or lost pages is numbered
    anew (`regroup_shard`); all are made again when the record is missing or the number of shards
    changes, and a shard whose published files cannot be read as recorded is made again."""
    saved = _read_record(record)
    known_pages = saved.get("pages") if isinstance(saved.get("pages"), dict) else None
    pages = indexed_pages(site, changed, known_pages)
    groups = shard_pages(pages, per_shard)
    shards = len(groups)
    inputs = [_shard_digest(pages, rels, shards, shard) for shard, rels in enumerate(groups)]
    # a shard is patched only where the same code made it: another version's index is made again
    known = _record(saved, shards) if known_pages is not None and saved.get("code") == _code_digest() else {}
    bundle = site / BUNDLE
    # which published shards are still the ones recorded (each manifest read once)
    recorded = [bool(known) and known["entries"][shard] == _entry_digest(_shard_bundle(bundle, shard))
                for shard in range(shards)]
    kept = [shard for shard in range(shards) if recorded[shard] and inputs[shard] == known["inputs"][shard]]
    if len(kept) == shards:
        return None
    # shards that gained or lost a page (the others hold the same pages, some of them edited)
    regrouped = {shard_of(rel, shards) for rel in changed
                 if (rel in pages) != (rel in known_pages)} if known else set()
    source = _Pages(site, changed)
    patches, todo = {}, []
    try:
        for shard in range(shards):
            if shard in kept:
                continue
            folder = _shard_bundle(bundle, shard)
            if recorded[shard]:
                try:
                    patches[shard] = _shard_patch(folder, source, groups[shard], pages, known_pages,
                                                  shard in regrouped, shards, shard)
                    continue
                except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError):
                    pass  # a published shard that cannot be read as expected is made again
            todo.append(shard)
    except SearchIndexError:
        raise
    except Exception as error:
        raise SearchIndexError(f"không lập được chỉ mục tìm kiếm: {error}") from error
    work = Path(tempfile.mkdtemp(prefix=f"{site.name}.search-", dir=site.parent))
    try:
        made = _index_shards(source, groups, todo, work)
    except Exception as error:
        shutil.rmtree(work, ignore_errors=True)
        if isinstance(error, SearchIndexError):
            raise
        raise SearchIndexError(f"không lập được chỉ mục tìm kiếm: {error}") from error
    return Update(site, work, made, patches, shards, record, inputs, pages)
