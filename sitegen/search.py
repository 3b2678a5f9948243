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
The whole staged folder is indexed in one call (Pagefind's per-file calls are slow).
"""
from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import os
import shutil
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from . import urls
from .searchfields import BUNDLE, LANGUAGE, terms  # noqa: F401  (terms: the folded forms, described above)

# Only document and post pages carry content for search; Pagefind is not given the others to parse
# (lists and dashboards are most of the site's bytes). Pages in these folders without
# `data-pagefind-body` (the paginated lists) are read and skipped by Pagefind itself.
_INDEXED_FOLDERS = sorted(urls.SECTION_PATH.values())
INDEXED_PAGES = "{" + ",".join(_INDEXED_FOLDERS) + "}/*/index.html"
WRITE_SECONDS = 300  # for Pagefind's last writes to land
SHUTDOWN_SECONDS = 60  # for Pagefind to exit once its input is closed
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


def _canonical_bundle(bundle: Path) -> None:
    """Sort the filter values and the filter list, rename the changed files, update the entry."""
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
        meta_file.unlink()
        info["hash"] = _write_chunk(bundle, f"pagefind.{language}", ".pf_meta", meta, 10).split(".", 1)[1]
    entry_file.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


# --- indexing -------------------------------------------------------------------------------

@dataclass(frozen=True)
class IndexStats:
    pages: int
    bytes: int
    reused: bool = False  # the previous bundle, made from the same pages, was kept


async def _index(site: Path, bundle: Path) -> int:
    from pagefind.index import IndexConfig  # imported here: only the build needs Pagefind
    from pagefind.service import PagefindService

    service = await PagefindService().launch()
    try:
        index = await service.create_index(IndexConfig(force_language=LANGUAGE))
        pages = await index.add_directory(str(site), glob=INDEXED_PAGES)
        await index.write_files(output_path=str(bundle))
        await _written(bundle)
    finally:
        await _shutdown(service)
    return pages["page_count"]


async def _shutdown(service) -> None:
    """Close Pagefind's input and let it exit by itself (the client's close() kills it)."""
    service._poll_task.cancel()
    if service._backend.stdin is not None:
        service._backend.stdin.close()
    try:
        await asyncio.wait_for(service._backend.wait(), timeout=SHUTDOWN_SECONDS)
    except asyncio.TimeoutError:
        service._backend.kill()
        await service._backend.wait()


_GZIPPED = (".pf_meta", ".pf_fragment", ".pf_index", ".pf_filter", ".pagefind")


def _bundle_files(bundle: Path) -> list[Path]:
    """Every file the search page needs, from the entry and the metadata (which must be whole)."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    files = [bundle / "pagefind.js", bundle / "pagefind-worker.js"]
    for info in entry["languages"].values():
        meta = _read_chunk(bundle / f"pagefind.{info['hash']}.pf_meta")
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


async def _written(bundle: Path) -> None:
    """Wait until every file is whole. Pagefind answers 'written' while its last writes still
    run in the background; killed or read too early, it leaves empty or short files."""
    deadline = time.monotonic() + WRITE_SECONDS
    pending: list[Path] | None = None
    while True:
        try:
            if pending is None:
                pending = _bundle_files(bundle)
            pending = [f for f in pending if not _whole(f)]
            if not pending:
                return
        except _UNREADABLE:
            pending = None
        if time.monotonic() > deadline:
            raise SearchIndexError("Pagefind chưa ghi xong các tệp của chỉ mục")
        await asyncio.sleep(0.02)


def _run(coroutine):
    """asyncio.run, also from code that already runs an event loop (a dev server)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    box: dict = {}

    def target():
        try:
            box["value"] = asyncio.run(coroutine)
        except BaseException as error:  # re-raised in the caller's thread
            box["error"] = error

    thread = threading.Thread(target=target, name="search-index")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


# --- skipping the index when nothing it reads has changed ------------------------------------------

_MARK = b"data-pagefind-body"


def indexed_digest(site: Path) -> str:
    """A digest of what Pagefind reads: every page of INDEXED_PAGES with content marked for search
    (path and bytes), the Pagefind version and the language."""
    from importlib.metadata import version

    digest = hashlib.blake2b(f"{version('pagefind')}|{LANGUAGE}".encode(), digest_size=20)
    files = [f for folder in _INDEXED_FOLDERS for f in site.glob(f"{folder}/*/index.html")]
    for file in sorted(files):
        data = file.read_bytes()
        if _MARK in data:
            rel = file.relative_to(site).as_posix().encode()
            digest.update(len(rel).to_bytes(4, "big") + rel + len(data).to_bytes(8, "big"))
            digest.update(data)
    return digest.hexdigest()


def _entry_digest(bundle: Path) -> str | None:
    try:
        return hashlib.blake2b((bundle / "pagefind-entry.json").read_bytes(), digest_size=20).hexdigest()
    except OSError:
        return None


def _reuse(previous: Path, bundle: Path, record: Path, inputs: str) -> bool:
    """Hard-link the previous bundle into place when it was made from the same inputs (as the
    record says) and is still whole; False when it cannot be reused."""
    try:
        known = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if known.get("inputs") != inputs or known.get("entry") != _entry_digest(previous):
        return False
    try:
        files = _bundle_files(previous)
        if not all(_whole(f) for f in files):
            return False
        shutil.copytree(previous, bundle, copy_function=os.link)
    except _UNREADABLE:
        shutil.rmtree(bundle, ignore_errors=True)
        return False
    return True


def _stats(bundle: Path, reused: bool) -> IndexStats:
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    pages = sum(info.get("page_count", 0) for info in entry["languages"].values())
    size = sum(f.stat().st_size for f in bundle.rglob("*") if f.is_file())
    return IndexStats(pages, size, reused)


def index(site: Path, previous: Path | None = None, record: Path | None = None,
          bundle: Path | None = None) -> IndexStats:
    """Index the pages of a written site folder; write site/pagefind/ (or `bundle`).

    With `previous` (the published site) and `record` (a file in the build cache), a bundle made
    from exactly the same indexed pages is reused instead of running Pagefind again."""
    bundle = bundle or site / BUNDLE
    if bundle.exists():
        shutil.rmtree(bundle)
    inputs = indexed_digest(site) if record is not None else None
    if inputs and previous is not None and _reuse(previous / BUNDLE, bundle, record, inputs):
        return _stats(bundle, reused=True)
    try:
        _run(_index(site, bundle))
        for name in UNUSED_BUNDLE_FILES:
            (bundle / name).unlink(missing_ok=True)
        _canonical_bundle(bundle)
    except Exception as error:
        raise SearchIndexError(f"không lập được chỉ mục tìm kiếm: {error}") from error
    if inputs:
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps({"inputs": inputs, "entry": _entry_digest(bundle)}), encoding="utf-8")
    return _stats(bundle, reused=False)
