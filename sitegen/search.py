"""Stage 5b ("index"): the site search, built with Pagefind from the staged pages.

What is indexed, and how Vietnamese is made to work, is described in docs/search.md. In short:
- document and post pages mark their main content with `data-pagefind-body`; every other page is
  left out. Their metadata and filters are `<data>` elements rendered from `document_fields()`
  and `post_fields()`;
- every target gets a small index-only record (never written to the site) whose `url` points at
  its row on the document page;
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
import re
import shutil
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass
from html import escape
from pathlib import Path

from . import formats, present, urls
from .rows import target_rows
from .status import LABELS as TARGET_STATUS
from .text import fold, nfc, sort_key

LANGUAGE = "vi"
BUNDLE = "pagefind"  # folder of the search bundle inside the site
SECTIONS = {"document": "Văn bản", "target": "Chỉ tiêu", "post": "Tin tức"}
# (filter key, URL parameter, label) in the order the search page shows them.
FACETS = (("section", "muc", "Mục"), ("kind", "loai", "Loại văn bản"), ("issuer", "co-quan", "Cơ quan ban hành"),
          ("year", "nam", "Năm ban hành"), ("status", "tinh-trang", "Tình trạng"))
# Pagefind searches every metadata field, so only what a reader would search for is metadata; kind,
# issuer and status are filters (returned with each result, never matched as words): otherwise
# "thanh hoa" would match every document of a Thanh Hóa body and "chuong trinh hanh dong" every
# target of a programme, which is also what makes a search slow on a large site.
# Ranking: a document number (`numfold`: its unaccented forms) counts most, the number a target
# borrows from its document (`docnumber`, `docnumfold`) little, so a number finds its document
# first; a lower pageLength keeps the short target records from outranking whole documents.
RANKING = {"pageLength": 0.3, "metaWeights": {"title": 5, "number": 20, "numfold": 20, "fold": 1, "date": 0.5,
                                              "docnumber": 0.5, "docnumfold": 0.5}}
EXAMPLE_NUMBERS = 2
EXAMPLE_TAGS = 3
# Files of Pagefind's own UIs: this site has its own (templates/assets/search.js).
WRITE_SECONDS = 300  # for Pagefind's last writes to land
SHUTDOWN_SECONDS = 60  # for Pagefind to exit once its input is closed
UNUSED_BUNDLE_FILES = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
                       "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")

_TOKEN = re.compile(r"\w+(?:[-/.]\w+)*")
_PIECE = re.compile(r"[^\W_]+")


class SearchIndexError(RuntimeError):
    """Pagefind could not index the staged site."""


@dataclass(frozen=True)
class Field:
    """One `data-pagefind-{role}="{key}[value]"` attribute with its value."""

    role: str  # filter | meta | sort
    key: str
    value: str


def _mixed_case(piece: str) -> bool:
    """'CTr', 'QĐi': Pagefind splits these at case changes and drops one-letter parts."""
    return piece not in (piece.lower(), piece.upper(), piece.capitalize())


def terms(*texts: str) -> str:
    """Search-only forms of the words Pagefind cannot match unaccented or whole by itself.

    'Đảng ủy' -> 'dang'; '12-CTr/ĐUK' -> '12 12-ctr/duk ctr duk'. Words that Pagefind already
    folds (tone marks, ă â ê ô ơ ư) are left out, so the field stays small."""
    found: set[str] = set()
    for text in texts:
        for token in _TOKEN.findall(nfc(text or "")):
            pieces = _PIECE.findall(token)
            if "đ" in token.lower() or any(_mixed_case(p) for p in pieces):
                found.add(fold(token))
                found.update(fold(p) for p in pieces)
    return " ".join(sorted(found))


def _sort_date(day) -> str:
    """'2021-04-07'; a partly known date sorts first in its year or month ('2020-00-00')."""
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def _fields(filters: dict[str, str], meta: dict[str, str], date: str) -> list[Field]:
    """Non-empty values only, NFC-normalised (an NFD value would become a second facet)."""
    out = [Field("filter", k, nfc(v)) for k, v in filters.items() if v]
    out += [Field("meta", k, nfc(v)) for k, v in meta.items() if v]
    out.append(Field("sort", "date", date))
    return out


def document_fields(views, doc) -> list[Field]:
    model = views.model
    issuer = views.org_name(doc.issuer.value)
    body = model.bodies[f"{doc.section}:{doc.id}"]
    targets = [t.text for t in doc.targets] + [t.group for t in doc.targets]
    filters = {"section": SECTIONS["document"], "kind": doc.kind, "issuer": issuer,
               "year": str(doc.issued.year), "status": views.doc_status(doc)}
    meta = {"number": doc.number, "numfold": terms(doc.number), "date": formats.short_date(doc.issued),
            "fold": terms(present.heading(doc), doc.title, body.text, *targets)}
    return _fields(filters, meta, _sort_date(doc.issued))


def post_fields(views, post) -> list[Field]:
    body = views.model.bodies[f"post:{post.id}"]
    filters = {"section": SECTIONS["post"], "year": str(post.date.year)}
    meta = {"date": formats.short_date(post.date), "fold": terms(post.title, body.text)}
    return _fields(filters, meta, _sort_date(post.date))


def facets(views) -> list[dict]:
    """Filter choices for the search page: exactly the values the index holds, in Vietnamese order."""
    docs = views.model.published()
    rows = views.rows
    kinds = {d.kind for d in docs}
    issuers = {views.org_name(d.issuer.value) for d in docs}
    years = {d.issued.year for d in docs} | {p.date.year for p in views.model.posts.values()}
    doc_statuses = {views.doc_status(d) for d in docs}
    target_statuses = {TARGET_STATUS[r.status.overall] for r in rows}
    sections = [label for key, label in SECTIONS.items()
                if {"document": docs, "target": rows, "post": views.model.posts}[key]]
    options = {
        "section": sections,
        "kind": sorted(kinds, key=sort_key),
        "issuer": sorted(issuers, key=sort_key),
        "year": [str(y) for y in sorted(years, reverse=True)],
        "status": sorted(doc_statuses, key=sort_key) + sorted(target_statuses, key=sort_key),
    }
    return [{"key": key, "param": param, "label": label, "options": [nfc(v) for v in options[key]]}
            for key, param, label in FACETS if options[key]]


def examples(views) -> list[str]:
    """Queries to suggest: the newest document numbers, then the most used topics, unaccented."""
    docs = sorted((d for d in views.model.published() if d.number), key=lambda d: (d.issued, d.id), reverse=True)
    numbers = [d.number for d in docs[:EXAMPLE_NUMBERS]]
    tags = sorted(views.model.tags.values(), key=lambda t: (-(len(t.documents) + len(t.posts)), sort_key(t.name)))
    return numbers + [fold(t.name) for t in tags[:EXAMPLE_TAGS]]


def search_page(views) -> dict:
    """Extra values for the search page: filter choices, example queries, ranking, status styles."""
    return {"search_facets": facets(views), "search_examples": examples(views), "search_ranking": RANKING,
            "search_status_classes": {label: code for code, label in TARGET_STATUS.items()},
            "search_target_section": SECTIONS["target"]}


# --- target records -------------------------------------------------------------------------

def _record_html(title: str, lines: list[str], fields: list[Field]) -> str:
    data = "".join(f'<data value="{escape(f.value)}" data-pagefind-{f.role}="{f.key}[value]"></data>'
                   for f in fields)
    body = "".join(f"<p>{escape(line)}</p>" for line in lines if line)
    return (f'<!doctype html><html lang="{LANGUAGE}"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'</head><body><main data-pagefind-body><h1>{escape(title)}</h1>{body}</main>{data}</body></html>\n')


def target_records(model, current_year: int) -> dict[str, str]:
    """One index-only HTML record per target of a published document: relative path -> HTML.

    A record lives at '<document path><row id>/': the search page links it to '<document path>#<row id>'
    (Pagefind would index a `url` metadata field as words, so the address is kept in the path)."""
    records = {}
    for row in target_rows(model, current_year):
        doc, target = row.doc, row.target
        goal = present.goal_text(target) or "Định tính"
        filters = {"section": SECTIONS["target"], "kind": doc.kind, "issuer": row.issuer_name,
                   "year": str(doc.issued.year), "status": TARGET_STATUS[row.status.overall]}
        meta = {"title": target.text, "docnumber": doc.number, "docnumfold": terms(doc.number),
                "date": formats.short_date(doc.issued), "fold": terms(target.text, target.group, goal)}
        lines = [target.group, f"Mục tiêu: {goal} ({present.PERIOD_LABELS[target.period].lower()}).",
                 f"Kết quả mới nhất: {row.latest_text}." if row.latest_text else ""]
        page, _, anchor = row.anchor_url.partition("#")
        path = urls.output_file(f"{page}{anchor}/")
        records[path] = _record_html(target.text, lines, _fields(filters, meta, _sort_date(doc.issued)))
    return records


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
    records: int
    bytes: int


async def _index(site: Path, records: dict[str, str]) -> int:
    from pagefind.index import IndexConfig  # imported here: only the build needs Pagefind
    from pagefind.service import PagefindService

    with tempfile.TemporaryDirectory(prefix="sitegen-search-", dir=_scratch()) as extra:
        for rel, html in sorted(records.items()):
            file = Path(extra) / rel
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(html, encoding="utf-8")
        service = await PagefindService().launch()
        try:
            index = await service.create_index(IndexConfig(force_language=LANGUAGE))
            pages = await index.add_directory(str(site))
            if records:
                await index.add_directory(extra)
            await index.write_files(output_path=str(site / BUNDLE))
            await _written(site / BUNDLE)
        finally:
            await _shutdown(service)
    return pages["page_count"]


def _scratch() -> str | None:
    """Memory-backed /dev/shm for the record files when there is one: tens of thousands of small
    files are created and deleted there about ten times faster than on disk."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


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
            gzip.decompress(file.read_bytes())  # checks length and CRC
            return True
        return file.stat().st_size > 0
    except (OSError, EOFError, ValueError, zlib.error):
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
        except (OSError, EOFError, ValueError, IndexError, zlib.error):
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


def index(site: Path, records: dict[str, str]) -> IndexStats:
    """Index the pages of a written site folder plus the target records; write site/pagefind/."""
    bundle = site / BUNDLE
    if bundle.exists():
        shutil.rmtree(bundle)
    try:
        pages = _run(_index(site, records))
        for name in UNUSED_BUNDLE_FILES:
            (bundle / name).unlink(missing_ok=True)
        _canonical_bundle(bundle)
    except Exception as error:
        raise SearchIndexError(f"không lập được chỉ mục tìm kiếm: {error}") from error
    size = sum(f.stat().st_size for f in bundle.rglob("*") if f.is_file())
    return IndexStats(pages, len(records), size)
