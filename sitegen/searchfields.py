"""What each page tells the search index: fields and facets; the search page's settings.

Render-stage helpers (pages carry these as `<data data-search-{role}>` elements, read by
`searchpage`); `search` makes the index.
Targets are not records of their own: they are rows of their document's page, each row heading
carrying an id, and the search page lists the rows that match under the document (see
docs/search.md). A document with targets is also in the section "Chỉ tiêu" and carries the
statuses of its targets as the filter "Đánh giá chỉ tiêu", so both filters narrow to documents
whose rows the search page then shows.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import formats, present
from .model import by_date
from .status import LABELS as TARGET_STATUS, ORDER as TARGET_STATUS_ORDER
from .text import fold, nfc, sort_key

BUNDLE = "chi-muc"  # folder of the search index inside the site
SECTIONS = {"document": "Văn bản", "target": "Chỉ tiêu", "post": "Tin tức"}
# (filter key, URL parameter, label) in the order the search page shows them.
FACETS = (("section", "muc", "Mục"), ("kind", "loai", "Loại văn bản"), ("issuer", "co-quan", "Cơ quan ban hành"),
          ("year", "nam", "Năm ban hành"), ("status", "tinh-trang", "Tình trạng hiệu lực"),
          ("target_status", "danh-gia", "Đánh giá chỉ tiêu"))
# Filters that count documents holding matching targets, not targets: the page says so.
TARGET_FACETS = ("target_status",)
# Metadata is what a result shows; of it, the number and the date are searched too (the title is
# the page's h1). Kind, issuer and status are filters, never matched as words: otherwise "thanh
# hoa" would match every document of a Thanh Hóa body. How a word's place weighs: `searchpage`.
# Ranking, in the search page: BM25 over the weighted counts, `pageLength` its b (how much a
# long page is marked down: low, so that short posts do not outrank whole documents), `prefix`
# what a word matched only by its start counts against the whole word.
RANKING = {"pageLength": 0.3, "saturation": 1.2, "prefix": 0.5}
EXAMPLE_NUMBERS = 2
EXAMPLE_TAGS = 3


@dataclass(frozen=True)
class Field:
    """One `<data value="{value}" data-search-{role}="{key}">` element."""

    role: str  # filter | meta | sort
    key: str
    value: str


def _sort_date(day) -> str:
    """'2021-04-07'; a partly known date sorts first in its year or month ('2020-00-00')."""
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def _fields(filters: dict[str, str | list[str]], meta: dict[str, str], date: str) -> list[Field]:
    """Non-empty values only, NFC-normalised (an NFD value would become a second facet); a filter
    given a list gets one field per value."""
    out = [Field("filter", k, nfc(v)) for k, values in filters.items()
           for v in (values if isinstance(values, list) else [values]) if v]
    out += [Field("meta", k, nfc(v)) for k, v in meta.items() if v]
    out.append(Field("sort", "date", date))
    return out


def document_fields(views, doc) -> list[Field]:
    issuer = views.org_name(doc.issuer.value)
    sections = [SECTIONS["document"]] + ([SECTIONS["target"]] if doc.targets else [])
    filters = {"section": sections, "kind": doc.kind, "issuer": issuer,
               "year": str(doc.issued.year), "status": views.doc_status(doc),
               "target_status": target_statuses(views, doc)}
    meta = {"title": doc.title, "number": doc.number, "date": formats.short_date(doc.issued)}
    return _fields(filters, meta, _sort_date(doc.issued))


def target_statuses(views, doc) -> list[str]:
    """The statuses of a document's targets, each once, in the order of the status rules."""
    found = {views.statuses[(doc.id, t.id)].overall for t in doc.targets if (doc.id, t.id) in views.statuses}
    return [TARGET_STATUS[code] for code in TARGET_STATUS_ORDER if code in found]


def post_fields(views, post) -> list[Field]:
    filters = {"section": SECTIONS["post"], "year": str(post.date.year)}
    meta = {"title": post.title, "date": formats.short_date(post.date)}
    return _fields(filters, meta, _sort_date(post.date))


def facets(views) -> list[dict]:
    """Filter choices for the search page: exactly the values the index holds, in Vietnamese order."""
    docs = views.model.published()
    kinds = {d.kind for d in docs}
    issuers = {views.org_name(d.issuer.value) for d in docs}
    years = {d.issued.year for d in docs} | {p.date.year for p in views.model.posts.values()}
    doc_statuses = {views.doc_status(d) for d in docs}
    found_statuses = {count["status"] for count in views.target_counts() if count["count"]}
    sections = [label for key, label in SECTIONS.items()
                if {"document": docs, "target": found_statuses, "post": views.model.posts}[key]]
    options = {
        "section": sections,
        "kind": sorted(kinds, key=sort_key),
        "issuer": sorted(issuers, key=sort_key),
        "year": [str(y) for y in sorted(years, reverse=True)],
        "status": sorted(doc_statuses, key=sort_key),
        "target_status": [TARGET_STATUS[code] for code in TARGET_STATUS_ORDER if code in found_statuses],
    }
    return [{"key": key, "param": param, "label": label, "options": [nfc(v) for v in options[key]],
             "counts_documents": key in TARGET_FACETS}
            for key, param, label in FACETS if options[key]]


def examples(views) -> list[str]:
    """Queries to suggest: the newest document numbers, then the most used topics, unaccented."""
    docs = sorted((d for d in views.model.published() if d.number), key=by_date, reverse=True)
    numbers = [d.number for d in docs[:EXAMPLE_NUMBERS]]
    tags = sorted(views.model.tags.values(), key=lambda t: (-(len(t.documents) + len(t.posts)), sort_key(t.name)))
    return numbers + [fold(t.name) for t in tags[:EXAMPLE_TAGS]]


def search_page(views) -> dict:
    """Extra values for the search page: filter choices, example queries, ranking, status styles."""
    return {"search_facets": facets(views), "search_examples": examples(views), "search_ranking": RANKING,
            "search_status_classes": {label: code for code, label in TARGET_STATUS.items()},
            "search_target_section": SECTIONS["target"], "search_document_section": SECTIONS["document"]}
