"""Stage 5b ("index"): the site search, built with Pagefind from the staged pages.

What is indexed, and how Vietnamese is made to work, is described in docs/search.md. In short:
- document and post pages mark their main content with `data-pagefind-body`; every other page is
  left out. Their metadata and filters are `<data>` elements rendered from `document_fields()`
  and `post_fields()`;
- targets are rows of their document's page: each row heading has an id, which Pagefind records
  as an anchor with its text and word position, and the search page lists the matching rows under
  the document;
- Pagefind folds tone marks by itself but not đ → d, and drops one-letter pieces of mixed-case
  numbers ("CTr"), so each record carries a search-only metadata field `fold` with those forms
  (`terms()`): searchable, never shown, never in an excerpt.
A large site is indexed in shards, each a Pagefind bundle of its own, merged by the search page
(see "shards" below); a small one is one shard. Each shard is one run of Pagefind's command line
over a folder of links to its pages (`_index`).
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import urls
from .searchfields import BUNDLE, LANGUAGE, SEARCH_WORKERS, terms  # noqa: F401  (terms: the folded forms, described above)

# Only document and post pages carry content for search; Pagefind is not given the others to parse
# (lists and dashboards are most of the site's bytes). Pages in these folders without
# `data-pagefind-body` (the paginated lists) are read and skipped by Pagefind itself.
_INDEXED_FOLDERS = sorted(urls.SECTION_PATH.values())
INDEXED_PAGES = "{" + ",".join(_INDEXED_FOLDERS) + "}/*/index.html"


def may_index(rel: str) -> bool:
    """True for a site path INDEXED_PAGES matches ("nghi-quyet/58-nq-tw/index.html")."""
    folder, _, rest = rel.partition("/")
    return folder in _INDEXED_FOLDERS and rest.count("/") == 1 and rest.endswith("/index.html")
INDEX_SECONDS = 3600  # for one shard: a Pagefind that never ends is stopped
UNUSED_BUNDLE_FILES = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
                       "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")


# What reading a half-written or damaged bundle can raise.
_UNREADABLE = (OSError, EOFError, ValueError, IndexError, zlib.error)


class SearchIndexError(RuntimeError):
    """Pagefind could not index the staged site."""



# --- deterministic bundle -------------------------------------------------------------------
# Pagefind 1.5 writes each filter's values, and the list of filters, in hash-map order, which
# changes from run to run (so do the file names, which are content hashes). The rest of its output
# is stable. `_canonical_bundle` re-encodes those files in sorted order and renames them, so that
# the same sources give byte-identical output. The files are gzip + "pagefind_dcd" + CBOR.

_SIGNATURE = b"pagefind_dcd"


def _cbor_decode(data: bytes, pos: int = 0):
    """Decode the CBOR subset Pagefind writes (integers, strings, arrays, maps); return (value, end)."""
    head = data[pos]
    major, info = head >> 5, head & 31
    pos += 1
    if info < 24:
        arg = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        arg = int.from_bytes(data[pos:pos + size], "big")
        pos += size
    else:
        raise ValueError(f"unsupported CBOR item {head:#x}")
    if major == 0:
        return arg, pos
    if major == 1:
        return -1 - arg, pos
    if major in (2, 3):
        raw = data[pos:pos + arg]
        return (raw if major == 2 else raw.decode("utf-8")), pos + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, pos = _cbor_decode(data, pos)
            items.append(item)
        return items, pos
    if major == 5:
        pairs = []
        for _ in range(arg):
            key, pos = _cbor_decode(data, pos)
            value, pos = _cbor_decode(data, pos)
            pairs.append((key, value))
        return dict(pairs), pos
    raise ValueError(f"unsupported CBOR item {head:#x}")


def _cbor_head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * size):
            return bytes([major << 5 | info]) + arg.to_bytes(size, "big")
    raise ValueError("integer too large")


def _cbor_encode(value) -> bytes:
    """Shortest-form CBOR, as Pagefind writes it."""
    if isinstance(value, bool) or value is None:
        raise ValueError("unsupported value")
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(_cbor_encode(v) for v in value)
    if isinstance(value, dict):
        return _cbor_head(5, len(value)) + b"".join(_cbor_encode(k) + _cbor_encode(v) for k, v in value.items())
    raise ValueError(f"unsupported value {value!r}")


def _read_chunk(file: Path):
    raw = gzip.decompress(file.read_bytes())
    if not raw.startswith(_SIGNATURE):
        raise ValueError(f"{file.name}: not a Pagefind file")
    value, end = _cbor_decode(raw, len(_SIGNATURE))
    if end != len(raw):
        raise ValueError(f"{file.name}: trailing data")
    return value


def _write_chunk(folder: Path, prefix: str, suffix: str, value, digits: int) -> str:
    """Write a chunk under a name made from its content hash, as Pagefind does; return the hash."""
    raw = _SIGNATURE + _cbor_encode(value)
    name = f"{prefix}_{hashlib.sha256(raw).hexdigest()[:digits]}"
    (folder / f"{name}{suffix}").write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
    return name


def _canonical_bundle(bundle: Path, shard: int, names: dict[str, str], source: "_Pages",
                      kept: Path | None = None) -> None:
    """Sort the filter values and the filter list, rename the changed files, update the entry;
    give each fragment its page's URL (`names`: the URL Pagefind saw -> site path) and its name
    (`_fragment_name`), linked from the folder `kept` when it has that fragment already (`_fix_fragment`)."""
    entry_file = bundle / "pagefind-entry.json"
    entry = json.loads(entry_file.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        meta_file = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read_chunk(meta_file)
        filters = meta[3]  # [[filter name, chunk hash], ...]
        renamed = []
        for name, chunk_hash in filters:
            chunk_file = bundle / "filter" / f"{chunk_hash}.pf_filter"
            key, values = _read_chunk(chunk_file)
            chunk_file.unlink()
            values = sorted(values, key=lambda pair: pair[0])
            renamed.append([name, _write_chunk(bundle / "filter", language, ".pf_filter", [key, values], 7)])
        meta[3] = sorted(renamed)
        for page in meta[1]:  # [page hash, word count]: the fragment is fragment/{hash}.pf_fragment
            page[0] = _fix_fragment(bundle / "fragment", page[0], shard, names, source, kept)
        meta_file.unlink()
        info["hash"] = _write_chunk(bundle, f"pagefind.{language}", ".pf_meta", meta, 10).split(".", 1)[1]
    entry_file.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


_FRAGMENT_URL = re.compile(rb'^pagefind_dcd\{"url":"([^"]*)"')


def _fix_fragment(folder: Path, name: str, shard: int, names: dict[str, str], source: "_Pages",
                  kept: Path | None = None) -> str:
    """Put the page's site URL in the fragment `name` (Pagefind saw a flat file name) and rename
    it (`_fragment_name`); return the new name.

    When `kept` (the same shard's fragments, published before) has a fragment of the new name with
    exactly these bytes, that file is linked instead of compressing them again: an edit re-indexes
    a shard of thousands of pages, nearly all of them unchanged."""
    file = folder / f"{name}.pf_fragment"
    raw = gzip.decompress(file.read_bytes())
    match = _FRAGMENT_URL.match(raw)
    if match is None:
        raise ValueError(f"{file.name}: no URL")
    rel = names[match.group(1).decode("utf-8")]
    url = "/" + rel[: -len("index.html")]
    raw = raw[: match.start(1)] + url.encode("utf-8") + raw[match.end(1):]
    new = _fragment_name(name, rel, source.read(rel), shard)
    if kept is not None and _holds(kept / f"{new}.pf_fragment", raw):
        file.unlink()
        _link(str(kept / f"{new}.pf_fragment"), str(folder / f"{new}.pf_fragment"))
        return new
    with file.open("r+b") as handle:  # rewritten in place and renamed: creating a file costs more
        handle.write(gzip.compress(raw, compresslevel=6, mtime=0))
        handle.truncate()
    os.rename(file, folder / f"{new}.pf_fragment")
    return new


def _holds(file: Path, raw: bytes) -> bool:
    """Whether the gzipped file `file` is there and holds exactly `raw` (the same bytes are
    compressed to the same file: fixed level, no time stamp)."""
    try:
        return gzip.decompress(file.read_bytes()) == raw
    except _UNREADABLE:
        return False


def _read_fragment(file: Path) -> dict:
    raw = gzip.decompress(file.read_bytes())
    if not raw.startswith(_SIGNATURE):
        raise ValueError(f"{file.name}: not a Pagefind file")
    return json.loads(raw[len(_SIGNATURE):])


# A page's sort key, as the page gives it to Pagefind (`searchfields`: "2021-04-07").
_SORT_FIELD = re.compile(rb'<data\b[^>]*\bdata-pagefind-sort="date\[value\]"[^>]*>')
_VALUE = re.compile(rb'\bvalue="([0-9-]*)"')


def _fragment_name(name: str, rel: str, page: bytes, shard: int) -> str:
    """The new name of a page's fragment "vi_6745531": "vi_20210407_5f0c2a91_3_6745531", with
    the page's date, a key of its path and its shard. A page id is then unique across shards
    (Pagefind keeps them unique within one bundle), and the search page can order a search by
    filters alone newest first, pages of the same date by that key, whichever shards hold them."""
    field = _SORT_FIELD.search(page)
    value = _VALUE.search(field.group(0)) if field else None
    date = value.group(1).decode().replace("-", "") if value else ""
    key = hashlib.blake2b(rel.encode("utf-8"), digest_size=4).hexdigest()
    language, digest = name.split("_", 1)
    return f"{language}_{date}_{key}_{shard}_{digest}"


# --- shards ---------------------------------------------------------------------------------
# A large site is indexed as several Pagefind bundles, "shards", which the search page merges
# (`pagefind.mergeIndex`). A page's shard is a hash of its path, so an edit never moves a page to
# another shard; the number of shards is a power of two that grows with the number of pages, so
# it changes rarely. Pagefind runs once per shard, two shards at a time (its memory is that of two
# shards), and a build runs it only for the shards whose pages changed. Shard 0 is
# site/pagefind/ and shard i site/pagefind/s{i}/; site/pagefind/shards.json lists the folders of
# shards 1 and up (empty with one shard). The search page searches them in up to SEARCH_WORKERS
# web workers at once, each started from one of the first shards, which therefore keep Pagefind's
# pagefind.js, worker and WebAssembly; the others keep only what a merged index is read from (their
# entry, metadata, index, filter and fragment files).

# Measured on the 10,000-document corpus (docs/performance.md, "Search"): fewer pages a shard use less
# memory and re-index an edit faster; more download less for a query.
PAGES_PER_SHARD = 4096
PARALLEL_SHARDS = 2  # Pagefind processes at a time (docs/performance.md, "Search")
SHARD_LIST = "shards.json"
_RUNTIME = ("pagefind.js", "pagefind-worker.js")  # and the WebAssembly: only in the shards `_runs_search`
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


def _runs_search(shard: int) -> bool:
    """Whether the shard keeps Pagefind's script, worker and WebAssembly (a search page's worker
    starts from it)."""
    return shard < SEARCH_WORKERS


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


_MARK = b"data-pagefind-body"


class _Pages:
    """The site's pages as they are to be indexed: the files of `site`, except those `changed`
    gives (new bytes, or None for a page removed)."""

    def __init__(self, site: Path, changed: dict[str, bytes | None] | None = None):
        self.site, self.changed = site, changed or {}

    def read(self, rel: str) -> bytes:
        data = self.changed.get(rel)
        return data if data is not None else (self.site / rel).read_bytes()

    def place(self, rel: str, target: Path) -> None:
        """Put the page at `target`: a hard link to the site's file, or its new bytes."""
        data = self.changed.get(rel)
        if data is not None:
            target.write_bytes(data)
            return
        try:
            os.link(self.site / rel, target)
        except OSError:
            shutil.copyfile(self.site / rel, target)


# A part of a document page that Pagefind never reads: "Lịch sử cập nhật", outside every
# `data-pagefind-body` element, with no `data-pagefind-` attribute, heading h1 or image (checked
# by tests/test_history.py). A commit changes it on the pages of the files it touched; left out of
# a page's digest, it does not make the page's shard be indexed again.
_UNREAD = (b'<section class="history"', b"</section>")


def _page_digest(data: bytes) -> str | None:
    """A digest of what Pagefind reads from a page; None for a page without content to index."""
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
    """What Pagefind indexes: every page of INDEXED_PAGES with content marked for search, by site
    path, with a digest of its bytes. With `changed` (site path -> new bytes or None), those pages
    are taken as changed; with `known` (this function's result for the site as it is), only the
    changed pages are read."""
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


def _shard_digest(pages: dict[str, str], rels: list[str], shards: int, shard: int) -> str:
    """A digest of what Pagefind reads for a shard: its pages (path and bytes), the number of
    shards, the Pagefind version and the language."""
    from importlib.metadata import version

    digest = hashlib.blake2b(f"{version('pagefind')}|{LANGUAGE}|{shard}/{shards}".encode(), digest_size=20)
    for rel in rels:
        digest.update(f"{rel}\0{pages[rel]}\n".encode("utf-8"))
    return digest.hexdigest()


# --- indexing -------------------------------------------------------------------------------

@dataclass(frozen=True)
class IndexStats:
    pages: int
    bytes: int
    shards: int = 1
    reused_shards: tuple[int, ...] = ()  # kept from the previous bundle: Pagefind did not run for them

    @property
    def reused(self) -> bool:
        """Every shard was kept from the previous bundle."""
        return len(self.reused_shards) == self.shards


def _index(pages: Path, output: Path) -> None:
    """Run Pagefind's command line over the pages of the folder `pages` (flat: NNNNNN.html); it
    writes its bundle to `output` and exits once every file is written.

    The command line, not Pagefind's service (its Python API): the same bundle in about 12% less
    time, and no wait for writes the service acknowledges before they land. It runs in `pages`
    with no PAGEFIND_ settings from the environment, so that no configuration file or variable of
    the editor's can change the index."""
    from pagefind.service import get_executable  # imported here: only the build needs Pagefind

    program = get_executable()
    if program is None:
        raise SearchIndexError("không tìm thấy chương trình Pagefind (cài lại các gói của dự án)")
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PAGEFIND_")}
    command = [str(program), "--site", ".", "--glob", "*.html", "--force-language", LANGUAGE,
               "--output-path", str(output.resolve()), "--silent"]
    done = subprocess.run(command, cwd=pages, env=environment, stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=INDEX_SECONDS)
    if done.returncode != 0 or not (output / "pagefind-entry.json").is_file():
        said = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()[-3:]
        raise SearchIndexError(f"Pagefind dừng với mã {done.returncode}: {' '.join(said)}")


_GZIPPED = (".pf_meta", ".pf_fragment", ".pf_index", ".pf_filter", ".pagefind")


def _bundle_files(bundle: Path, runtime: bool = True) -> list[Path]:
    """Every file the search page needs, from the entry and the metadata (which must be whole);
    a shard that does not `_runs_search` (`runtime` false) has no script and no WebAssembly."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    files = [bundle / name for name in _RUNTIME] if runtime else []
    for info in entry["languages"].values():
        meta = _read_chunk(bundle / f"pagefind.{info['hash']}.pf_meta")
        if runtime:
            files.append(bundle / f"wasm.{info['wasm'] or 'unknown'}.pagefind")
        files += [bundle / "fragment" / f"{page[0]}.pf_fragment" for page in meta[1]]
        files += [bundle / "index" / f"{chunk[-1]}.pf_index" for chunk in meta[2]]
        files += [bundle / "filter" / f"{chunk[-1]}.pf_filter" for chunk in meta[3]]
    return files


def _whole(file: Path) -> bool:
    try:
        if file.suffix in _GZIPPED:
            return len(gzip.decompress(file.read_bytes())) > 0  # checks length and CRC
        return file.stat().st_size > 0
    except _UNREADABLE:
        return False


def _index_shard(source: _Pages, rels: list[str], shard: int, work: Path, previous: Path | None = None) -> Path:
    """Index one shard's pages (`rels`) in the new folder `work`; return the bundle written there.
    `previous`: the site published before, whose fragments are reused where they are the same.

    The pages are given to Pagefind as one flat folder of numbered links (a folder per page costs
    far more to make and remove than the links), and each fragment is then given its page's URL."""
    runtime = _runs_search(shard)
    pages = work / "pages"
    pages.mkdir(parents=True)
    names = {}
    for number, rel in enumerate(rels):
        name = f"{number:06d}.html"
        source.place(rel, pages / name)
        names["/" + name] = rel
    output = work / "bundle"
    try:
        _index(pages, output)
        for name in UNUSED_BUNDLE_FILES + (() if runtime else _RUNTIME):
            (output / name).unlink(missing_ok=True)
        if not runtime:
            for wasm in output.glob("wasm.*.pagefind"):
                wasm.unlink()
        kept = previous / shard_folder(shard) / "fragment" if previous is not None else None
        _canonical_bundle(output, shard, names, source, kept)
    finally:
        shutil.rmtree(pages, ignore_errors=True)
    return output


def _index_shards(source: _Pages, groups: list[list[str]], todo: list[int], work: Path,
                  previous: Path | None = None) -> dict[int, Path]:
    """Run Pagefind for the shards `todo`, PARALLEL_SHARDS at a time; their bundles, by shard."""
    pool = ThreadPoolExecutor(max_workers=PARALLEL_SHARDS, thread_name_prefix="search-index")
    try:
        jobs = {shard: pool.submit(_index_shard, source, groups[shard], shard, work / f"s{shard}", previous)
                for shard in todo}
        return {shard: job.result() for shard, job in jobs.items()}
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# --- keeping the shards whose pages have not changed ----------------------------------------------

def _entry_digest(bundle: Path) -> str | None:
    try:
        return hashlib.blake2b((bundle / "pagefind-entry.json").read_bytes(), digest_size=20).hexdigest()
    except OSError:
        return None


def _read_record(record: Path | None) -> dict:
    """What the previous build recorded: its shards' inputs and entries, and its indexed pages."""
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
    record.write_text(json.dumps({"shards": shards, "inputs": inputs, "entries": entries, "pages": pages}),
                      encoding="utf-8")


def _reusable(previous: Path, inputs: str, known: dict, shard: int) -> bool:
    """Whether the previous shard was made from the same inputs (as the record says) and is still whole."""
    return inputs == known["inputs"][shard] and _recorded_whole(previous, known, shard)


def _recorded_whole(folder: Path, known: dict, shard: int) -> bool:
    """Whether the shard's bundle in `folder` has the entry the record says and every file it names whole."""
    if known["entries"][shard] != _entry_digest(folder):
        return False
    try:
        return all(_whole(f) for f in _bundle_files(folder, runtime=_runs_search(shard)))
    except (*_UNREADABLE, KeyError, TypeError):
        return False


def bundle_whole(site: Path, record: Path) -> bool:
    """Whether the site's search bundle is the one the build that wrote `record` left: each shard's
    entry the recorded one, every file it names whole, the list of shards the one their number
    gives. For a bundle whose files' times changed while their bytes should not have (restored
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


def _stats(bundle: Path, groups: list[list[str]], reused: list[int]) -> IndexStats:
    pages = 0
    for shard in range(len(groups)):
        entry = json.loads((_shard_bundle(bundle, shard) / "pagefind-entry.json").read_text(encoding="utf-8"))
        pages += sum(info.get("page_count", 0) for info in entry["languages"].values())
    size = sum(f.stat().st_size for f in bundle.rglob("*") if f.is_file())
    return IndexStats(pages, size, len(groups), tuple(reused))


def index(site: Path, previous: Path | None = None, record: Path | None = None,
          bundle: Path | None = None, per_shard: int | None = None) -> IndexStats:
    """Index the pages of a written site folder; write site/pagefind/ (or `bundle`), the other
    shards inside it.

    With `previous` (the published site) and `record` (a file in the build cache), a shard made
    from exactly the same pages is linked from the previous site instead of running Pagefind again."""
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
        made = _index_shards(_Pages(site), groups, [shard for shard in range(shards) if shard not in reused], work,
                             previous)
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
    return _stats(bundle, groups, reused)


def _shard_list(shards: int) -> list[str]:
    """What SHARD_LIST holds: the folders of the shards but the first."""
    return [f"s{shard}/" for shard in range(1, shards)]


def _write_shard_list(bundle: Path, shards: int) -> None:
    (bundle / SHARD_LIST).write_text(json.dumps(_shard_list(shards)), encoding="utf-8")


class Update:
    """Shards indexed again for an incremental build (`update`), not yet in the site: `apply` puts
    them in place once the pages are written; `discard` removes what is left."""

    def __init__(self, site: Path, work: Path, made: dict[int, Path], shards: int,
                 record: Path, inputs: list[str], pages: dict[str, str]):
        self.site, self.work, self.made, self.shards = site, work, made, shards
        self.record, self.inputs, self.pages = record, inputs, pages

    def apply(self) -> list[str]:
        """Swap the new shards in; the others stay where they are. A new shard 0 takes the other
        shards' folders into it before it is swapped in (they live inside it). Returns the folders
        changed, as site paths ending in "/"."""
        bundle = self.site / BUNDLE
        trash = self.work / "old"
        trash.mkdir()
        if 0 in self.made:
            new = self.made[0]
            for shard in range(1, self.shards):
                os.rename(self.made.get(shard) or _shard_bundle(bundle, shard), _shard_bundle(new, shard))
            _write_shard_list(new, self.shards)
            if bundle.exists():
                os.rename(bundle, trash / "s0")
            os.rename(new, bundle)
            changed = [f"{BUNDLE}/"]
        else:
            for shard, new in sorted(self.made.items()):
                os.rename(_shard_bundle(bundle, shard), _shard_bundle(trash, shard))
                os.rename(new, _shard_bundle(bundle, shard))
            changed = [f"{shard_folder(shard)}/" for shard in sorted(self.made)]
        _write_record(self.record, self.shards, self.inputs, bundle, self.pages)
        return changed

    def discard(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)


def update(site: Path, changed: dict[str, bytes | None], record: Path,
           per_shard: int | None = None) -> Update | None:
    """Index again, beside the published `site`, the shards whose pages `changed` (site path -> new
    bytes, or None for a page removed) changes; None when no shard's pages changed.

    The published site must be exactly as the build that wrote `record` left it: the pages it
    recorded are taken as they were, only the changed ones are read. When the record is missing
    or the number of shards changes, every shard is indexed again."""
    saved = _read_record(record)
    known_pages = saved.get("pages") if isinstance(saved.get("pages"), dict) else None
    pages = indexed_pages(site, changed, known_pages)
    groups = shard_pages(pages, per_shard)
    shards = len(groups)
    inputs = [_shard_digest(pages, rels, shards, shard) for shard, rels in enumerate(groups)]
    known = _record(saved, shards) if known_pages is not None else {}
    bundle = site / BUNDLE
    kept = [shard for shard in range(shards) if known and inputs[shard] == known["inputs"][shard]
            and known["entries"][shard] == _entry_digest(_shard_bundle(bundle, shard))]
    if len(kept) == shards:
        return None
    work = Path(tempfile.mkdtemp(prefix=f"{site.name}.search-", dir=site.parent))
    try:
        made = _index_shards(_Pages(site, changed), groups, [s for s in range(shards) if s not in kept], work, site)
    except Exception as error:
        shutil.rmtree(work, ignore_errors=True)
        if isinstance(error, SearchIndexError):
            raise
        raise SearchIndexError(f"không lập được chỉ mục tìm kiếm: {error}") from error
    return Update(site, work, made, shards, record, inputs, pages)
