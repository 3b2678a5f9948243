"""Stage 4a: the model -> one context per page. All sorting, grouping and counting is here."""
from __future__ import annotations

from array import array
import zlib
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from itertools import groupby
from typing import Any, Container, Iterable, Iterator, Mapping, Sequence

from markupsafe import Markup

from . import formats, present, urls
from . import searchfields
from .link import RELATION_LABELS, Model
from .model import RELATIONS, Document, Post, by_date
from .status import LABELS as STATUS_TEXT
from .status import ORDER as STATUS_ORDER
from .rows import TargetRow, document_rows, row_order, target_rows
from .status import TargetStatus, evaluate
from .text import slugify, sort_key

TOC_MIN_HEADINGS = 3
HOME_ITEMS = 8
LIST_PAGE_SIZE = 200  # documents or posts per list page
ROW_PAGE_SIZE = 400  # target rows per dashboard or year page, on average (`row_chunks`)
RELATED_LIMIT = 50  # related documents listed in full on a document page
TREE_LIMIT = 150  # nodes of an implementation tree shown on a document page
CHAIN_TABLE_LIMIT = 3  # implementing documents whose full target tables are shown
CHAIN_LIST_LIMIT = 50  # implementing documents listed (with status counts) on a document page


def paginate(items: list, base: str, size: int) -> list[tuple[str, list, dict]]:
    """Split items into pages at base, base + 'trang-2/', …; each with its pager."""
    return pages_of([items[i:i + size] for i in range(0, len(items), size)], base, len(items))


def row_chunks(places: Sequence[int], ends: list[int]) -> list[Sequence[int]]:
    """Target rows (their `places`, in order) cut into pages: one when they are at most
    ROW_PAGE_SIZE, else each page ending with a row that may end one (`ends`, chosen by the row
    itself: `RowLayout.page_ends`) once it holds a quarter of ROW_PAGE_SIZE, or when it holds
    twice as many. A row moved, put in or taken out changes the pages around it, not every page
    after it (a document given another date moves its rows across many pages)."""
    if len(places) <= ROW_PAGE_SIZE:
        return [places]
    least, most = max(1, ROW_PAGE_SIZE // 4), 2 * ROW_PAGE_SIZE
    cuts, start = [], 0
    for end in ends:
        index = bisect_left(places, end)
        if index == len(places) or places[index] != end:
            continue  # (not among these rows)
        while index + 1 - start > most:
            start += most
            cuts.append(start)
        if index + 1 - start >= least:
            start = index + 1
            cuts.append(start)
    while len(places) - start > most:
        start += most
        cuts.append(start)
    return [places[a:b] for a, b in zip([0, *cuts], [*cuts, len(places)]) if a < b]


def pages_of(chunks: list, base: str, count: int) -> list[tuple[str, Any, dict]]:
    """The chunks of `count` items as pages at base, base + 'trang-2/', …; each with its pager."""
    chunks = chunks or [[]]
    paths = [base] + [f"{base}trang-{n}/" for n in range(2, len(chunks) + 1)]
    out = []
    for index, chunk in enumerate(chunks):
        pager = {"number": index + 1, "total": len(chunks), "count": count,
                 "pages": [{"number": n + 1, "url": u, "current": n == index} for n, u in enumerate(paths)],
                 "prev": paths[index - 1] if index else "", "next": paths[index + 1] if index + 1 < len(paths) else ""}
        out.append((paths[index], chunk, pager))
    return out


@dataclass(frozen=True)
class Settings:
    current_year: int
    base_url: str = ""


@dataclass
class Page:
    path: str
    template: str
    title: str
    context: dict[str, Any] = field(default_factory=dict)
    description: str = ""


class _Statuses(dict):
    """(document id, target id) -> the status of a published document's target, each worked out
    when first asked for: what a view restored from a saved state has (see `Views.__getstate__`).
    For lookups only (`[]`, `get`, `in`): iterating it or its length gives only those worked out."""

    def __init__(self, model: Model, current_year: int):
        super().__init__()
        self.model, self.current_year = model, current_year

    def __missing__(self, key: tuple[str, str]):
        doc = self.model.documents.get(key[0])
        target = next((t for t in doc.targets if t.id == key[1]), None) if doc is not None and doc.published else None
        if target is None:
            raise KeyError(key)
        status = self[key] = evaluate(target, doc.term, self.model.results.get(key, {}), self.current_year)
        return status

    def __contains__(self, key) -> bool:
        return self.get(key) is not None

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default


def _year_counts(row: TargetRow) -> Counter:
    """What a row adds to the counts of the year pages (`RowLayout.of`): a status for each year it
    has a result, and "no-data" for each year of its document's term it has none."""
    counts = Counter({(year, row.status.years.get(year, "")): 1 for year in row.results})
    start, end = row.doc.term
    counts.update((year, "no-data") for year in range(start, end + 1) if year not in row.results)
    return counts


@dataclass
class RowLayout:
    """Where every target row is, in short: what the dashboard and year pages show of all rows
    (their places, statuses and counts). A view restored from a saved state keeps it instead of
    the rows, and renders one of those pages working out that page's rows only."""

    docs: list[str]  # the published documents with targets, in row order
    starts: list[int]  # the place of each one's first row
    statuses: dict[str, array]  # status -> the places of the rows of that status, in order
    years: dict[int, array]  # year -> the places of the rows with a result that year, in order
    counts: list[dict]  # `Views.status_counts` of every row
    year_counts: dict[int, list[dict]]  # year -> the counts its year page shows
    issuers: dict[str, int]  # issuer -> the place of its first row
    total: int

    @classmethod
    def of(cls, rows: list[TargetRow]) -> "RowLayout":
        docs, starts = [], []
        statuses: dict[str, array] = {}
        years: dict[int, array] = {}
        missing: Counter = Counter()
        by_year: dict[int, Counter] = defaultdict(Counter)
        issuers: dict[str, int] = {}
        for index, r in enumerate(rows):
            if not docs or docs[-1] != r.doc.id:
                docs.append(r.doc.id)
                starts.append(index)
                issuers.setdefault(r.doc.issuer.value, index)
            statuses.setdefault(r.status.overall, array("l")).append(index)
            for year in r.results:
                years.setdefault(year, array("l")).append(index)
                by_year[year][r.status.years.get(year, "")] += 1
            start, end = r.doc.term
            for year in range(start, end + 1):
                if year not in r.results:
                    missing[year] += 1
        overall = Counter({code: len(places) for code, places in statuses.items()})
        year_counts = {}
        for year in years:
            found = by_year[year]
            found["no-data"] += missing[year]
            year_counts[year] = [{"status": s, "label": STATUS_TEXT[s], "count": found.get(s, 0)} for s in STATUS_ORDER]
        return cls(docs, starts, statuses, dict(sorted(years.items())),
                   [{"status": s, "label": STATUS_TEXT[s], "count": overall.get(s, 0)} for s in STATUS_ORDER],
                   year_counts, issuers, len(rows))

    def page_ends(self) -> list[int]:
        """The places of the rows a page may end with (`row_chunks`), in order: one row in
        ROW_PAGE_SIZE, chosen by its document and its place among that document's rows, so that
        it stays one wherever the document's rows go. Worked out once (and kept with the layout
        in a saved state, and by a layout of the same rows' other statuses: `replaced`)."""
        kept = self.__dict__.get("_ends")
        if kept is not None and kept[0] == ROW_PAGE_SIZE:
            return kept[1]
        ends, size = [], ROW_PAGE_SIZE
        for doc_id, start, end in zip(self.docs, self.starts, [*self.starts[1:], self.total]):
            crc = zlib.crc32(doc_id.encode("utf-8"))
            ends += (start + k for k in range(end - start) if zlib.crc32(b"/%d" % k, crc) % size == size - 1)
        self._ends = (size, ends)
        return ends

    def replaced(self, before: dict[str, list[TargetRow]], after: dict[str, list[TargetRow]]) -> RowLayout | None:
        """This layout with the rows of some documents made again: `before` and `after`, each
        document's rows as this layout has them and as they are now, as many, in the same places.
        None when a year gains its first result or loses its last (every year page changes)."""
        firsts = self.doc_starts()
        moved: dict[str, tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))  # status -> (out, in)
        reported: dict[int, tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))  # year -> (out, in)
        shown: dict[int, Counter] = defaultdict(Counter)  # year -> change of its page's counts
        for doc_id, rows in before.items():
            for index, (old, new) in enumerate(zip(rows, after[doc_id]), start=firsts[doc_id]):
                if old.status.overall != new.status.overall:
                    moved[old.status.overall][0].add(index)
                    moved[new.status.overall][1].add(index)
                for year in old.results.keys() - new.results.keys():
                    reported[year][0].add(index)
                for year in new.results.keys() - old.results.keys():
                    reported[year][1].add(index)
                for row, sign in ((old, -1), (new, 1)):
                    for (year, status), count in _year_counts(row).items():
                        shown[year][status] += sign * count
        statuses, years = dict(self.statuses), dict(self.years)
        for table, changes in ((statuses, moved), (years, reported)):
            for key, (out, into) in changes.items():
                places = sorted(set(table.get(key, ())) - out | into)
                if places:
                    table[key] = array("l", places)
                else:
                    table.pop(key, None)
        if years.keys() != self.years.keys():
            return None
        counts = [{**count, "count": len(statuses.get(count["status"], ()))} for count in self.counts]
        year_counts = {year: [{**count, "count": count["count"] + shown[year][count["status"]]} for count in counts_]
                       for year, counts_ in self.year_counts.items()}
        layout = RowLayout(self.docs, self.starts, statuses, years, counts, year_counts, self.issuers, self.total)
        if "_ends" in self.__dict__:  # (the same rows in the same places)
            layout._ends = self._ends
        return layout

    def reordered(self, docs: list[str], issuers: Mapping[str, str]) -> RowLayout | None:
        """This layout with the same documents' rows in the order `docs` (each document's rows
        as many as before); `issuers`: each document's issuer. None when `docs` are not this
        layout's documents."""
        if docs == self.docs:
            return self
        if len(docs) != len(self.docs) or set(docs) != set(self.docs):
            return None
        ends = dict(zip(self.docs, [*self.starts[1:], self.total]))
        firsts = self.doc_starts()
        starts, place = [], array("l", [0]) * self.total
        at = 0
        for doc_id in docs:
            starts.append(at)
            for old in range(firsts[doc_id], ends[doc_id]):  # (the new place of each old place)
                place[old] = at
                at += 1
        found: dict[str, int] = {}
        for doc_id, start in zip(docs, starts):
            found.setdefault(issuers[doc_id], start)

        def moved(table: dict) -> dict:
            return {key: array("l", sorted(place[i] for i in places)) for key, places in table.items()}

        return RowLayout(list(docs), starts, moved(self.statuses), moved(self.years), self.counts, self.year_counts,
                         found, self.total)

    def rearranged(self, order: list[str], before: dict[str, list[TargetRow]], after: dict[str, list[TargetRow]],
                   issuers: Mapping[str, str]) -> RowLayout | None:
        """This layout with the rows of the documents `before` (as this layout has them) taken
        out and those of `after` (as they are now) put in, in the order `order` (every document
        with rows now; each of the others with as many rows as before); `issuers`: each
        document's issuer. None when `order` names a document neither here nor in `after`, or one
        of `before` not in `after`, or leaves out one here that is not in `before` or one of
        `after`, or a year gains its first result or loses its last (every year page changes)."""
        firsts, ends = self.doc_starts(), dict(zip(self.docs, [*self.starts[1:], self.total]))
        if any(d not in after and (d not in firsts or d in before) for d in order) or \
                set(self.docs) - set(before) - set(order) or set(after) - set(order):
            return None
        place = array("l", [-1]) * self.total  # the new place of each row kept
        added: list[tuple[int, TargetRow]] = []
        starts, found, at = [], {}, 0
        for doc_id in order:
            starts.append(at)
            found.setdefault(issuers[doc_id], at)
            if doc_id in after:
                added += enumerate(after[doc_id], start=at)
                at += len(after[doc_id])
                continue
            for old in range(firsts[doc_id], ends[doc_id]):
                place[old] = at
                at += 1
        shown: dict[int, Counter] = defaultdict(Counter)  # year -> change of its page's counts
        for rows, sign in ((before.values(), -1), (after.values(), 1)):
            for row in (r for doc_rows in rows for r in doc_rows):
                for (year, status), count in _year_counts(row).items():
                    shown[year][status] += sign * count
        tables: list[dict] = []
        for table, keys in ((self.statuses, lambda r: [r.status.overall]), (self.years, lambda r: list(r.results))):
            moved: dict = defaultdict(list)
            for key, places in table.items():
                moved[key] += [place[i] for i in places if place[i] >= 0]
            for index, row in added:
                for key in keys(row):
                    moved[key].append(index)
            tables.append({key: array("l", sorted(places)) for key, places in moved.items() if places})
        statuses, years = tables
        if years.keys() != self.years.keys():
            return None
        counts = [{**count, "count": len(statuses.get(count["status"], ()))} for count in self.counts]
        year_counts = {year: [{**count, "count": count["count"] + shown[year][count["status"]]} for count in counts_]
                       for year, counts_ in self.year_counts.items()}
        return RowLayout(list(order), starts, statuses, dict(sorted(years.items())), counts, year_counts, found, at)

    def find(self, index: int) -> tuple[str, int]:
        """The document of the row at `index`, and the row's place among that document's rows."""
        at = bisect_right(self.starts, index) - 1
        return self.docs[at], index - self.starts[at]

    def owners(self) -> list[tuple[str, int]]:
        """`find` of every row, in order."""
        out: list[tuple[str, int]] = []
        for doc_id, start, end in zip(self.docs, self.starts, [*self.starts[1:], self.total]):
            out += [(doc_id, offset) for offset in range(end - start)]
        return out

    def doc_starts(self) -> dict[str, int]:
        if "_firsts" not in self.__dict__:
            self.__dict__["_firsts"] = dict(zip(self.docs, self.starts))
        return self.__dict__["_firsts"]


def history_path(doc: Document) -> str:
    """The document's file as the content's git history names it (history.py)."""
    return f"{urls.SECTION_FOLDER[doc.section]}/{doc.id}.md"


def redated(model: Model, old: Mapping[str, tuple], new: Mapping[str, tuple]) -> set[str]:
    """The published documents whose history differs between two readings of it: their own page
    is the only one that shows it ('Lịch sử cập nhật')."""
    return {d.id for d in model.documents.values()
            if d.published and old.get(history_path(d)) != new.get(history_path(d))}


class Views:
    """Builds page contexts from a linked model."""

    WHOLE_MODEL_SPECS = (("dashboard", ""), ("years", ""))  # specs whose pages show every target

    def __init__(self, model: Model, settings: Settings, history: Mapping[str, tuple] | None = None,
                 last: Views | None = None):
        """`last`: the views of an earlier model, whose target rows are taken where they hold."""
        self.model = model
        self.settings = settings
        self.history = history or {}  # content path -> git revisions, newest first (history.py)
        self.rows = target_rows(model, settings.current_year, last._rows_by_document(settings) if last else None)
        self.statuses: dict[tuple[str, str], TargetStatus] = {(r.doc.id, r.target.id): r.status for r in self.rows}
        self._tables: dict[str, dict] = {}  # document id -> its target table, made when first asked for
        self._refs: dict[str, dict] = {}  # document id -> its link (see `ref`)
        self._fixed: dict[tuple[str, str], dict] = {}  # (document, target) -> see `_row_fixed`

    def __getstate__(self) -> dict:
        """What an incremental build keeps (incremental.py): not the target rows and statuses, a
        third of the time to read a large site's state back, but their layout (`RowLayout`). A
        restored view works out all the rows when first asked for them, each status alone (a body
        edit needs only the edited page's), and a dashboard or year page's rows alone."""
        state = dict(self.__dict__)
        state["_layout"] = self.row_layout()
        for made in ("rows", "statuses", "_sections", "_page_ends"):
            state.pop(made, None)
        return state

    def __copy__(self) -> "Views":
        """A shallow copy with everything, the rows and statuses included."""
        twin = object.__new__(type(self))
        twin.__dict__.update(self.__dict__)
        return twin

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.statuses = _Statuses(self.model, self.settings.current_year)

    @staticmethod
    def statuses_of(model: Model, current_year: int, statuses: dict, changed: Mapping) -> dict:
        """`statuses` (a view's) for `model`, whose results of the targets `changed` are new."""
        if isinstance(statuses, _Statuses):  # worked out as asked for: from this model, from now on
            return _Statuses(model, current_year)
        kept = {key: status for key, status in statuses.items() if key not in changed}
        for key in changed:
            doc = model.documents[key[0]]
            if not doc.published:  # (a view has statuses of published documents only)
                continue
            target = next(t for t in doc.targets if t.id == key[1])
            kept[key] = evaluate(target, doc.term, model.results.get(key, {}), current_year)
        return kept

    @classmethod
    def derived(cls, model: Model, settings: Settings, history: Mapping[str, tuple] | None, last: Views,
                before: Model, changed: set[str]) -> Views | None:
        """A view of `model` made from `last`, the view of `before`, when the two models differ only
        by the records and results of the documents `changed` (added ones among them), none of
        which changes its issuer: its row layout is `last`'s with their rows made again, in the new
        order when they moved among the rows (`RowLayout.reordered`), put in or taken out when they
        came or went or have another number of targets (`RowLayout.rearranged`); its rows and
        statuses are worked out as they are asked for (as those of a restored view). None when
        that does not hold, or a year gains or loses its year page."""
        if settings != last.settings:
            return None
        layout, year = last.row_layout(), settings.current_year
        # The same documents (only results changed): the same rows in the same order, not sorted again.
        order = list(layout.docs) if model.documents is before.documents else \
            [d.id for d in row_order(model) if d.targets]
        if [d for d in order if d not in changed] != [d for d in layout.docs if d not in changed]:
            return None  # (documents other than the changed ones moved, came or went)
        firsts = layout.doc_starts()
        issuers = {d: model.documents[d].issuer.value for d in order}
        shown = [d for d in sorted(changed) if d in firsts]
        olds = {d: document_rows(before, before.documents[d], year) for d in shown}
        if any(d in issuers and before.documents[d].issuer.value != issuers[d] for d in shown):
            return None
        if set(order) == set(layout.docs):
            news = {d: document_rows(model, model.documents[d], year) for d in shown}
            if any(len(olds[d]) != len(news[d]) for d in shown):
                return None
            replaced = layout.replaced(olds, news)
            if replaced is not None:
                replaced = replaced.reordered(order, issuers)
        else:  # documents added, or published now, or no longer: their rows put in or taken out
            news = {d: document_rows(model, model.documents[d], year) for d in sorted(changed) if d in issuers}
            replaced = layout.rearranged(order, olds, news, issuers)
        if replaced is None:
            return None
        view = object.__new__(cls)
        view.__setstate__({"model": model, "settings": settings, "history": history or {}, "_tables": {},
                           "_refs": {}, "_fixed": {}, "_layout": replaced})
        return view

    def _rows_by_document(self, settings: Settings) -> dict[str, list[TargetRow]] | None:
        """This view's target rows by document, when it has them and was made with `settings`."""
        if "rows" not in self.__dict__ or settings != self.settings:
            return None
        return {doc_id: list(rows) for doc_id, rows in groupby(self.rows, key=lambda r: r.doc.id)}

    @cached_property
    def rows(self) -> list[TargetRow]:
        """Every target row (set by `__init__`; worked out again only in a restored view, whose
        statuses are then taken from the rows)."""
        rows = target_rows(self.model, self.settings.current_year)
        self.statuses.update(((r.doc.id, r.target.id), r.status) for r in rows)
        return rows

    # --- shared values ------------------------------------------------------------
    def doc_status(self, doc: Document) -> str:
        if self.model.incoming[doc.id]["replaces"]:
            return present.STATUS_LABELS["replaced"]
        return present.STATUS_LABELS[doc.status]

    def ref(self, doc_id: str) -> dict:
        """A link to a document; number only (no link, no title) when it is not published.
        Made once per document and shared: callers must not modify it."""
        ref = self._refs.get(doc_id)
        if ref is None:
            ref = self._refs[doc_id] = self._make_ref(doc_id)
        return ref

    def _make_ref(self, doc_id: str) -> dict:
        doc = self.model.documents[doc_id]
        if not doc.published:
            return {"url": "", "heading": doc.number or "Văn bản không công bố", "title": "", "date": ""}
        return {"url": self.model.url(doc), "heading": present.heading(doc), "title": doc.title,
                "date": formats.short_date(doc.issued), "kind": doc.kind, "number": doc.number,
                "issuer": self.org_name(doc.issuer.value)}

    def org_name(self, org_id: str) -> str:
        org = self.model.organisations.get(org_id)
        return org.name if org else org_id

    def post_ref(self, post: Post) -> dict:
        return {"url": urls.post(post.id), "title": post.title, "date": formats.short_date(post.date)}

    def newest(self, docs: list[Document]) -> list[Document]:
        """Documents by date then id, newest first (by each one's place, worked out once)."""
        places = self._newness()
        return sorted(docs, key=lambda d: places[d.id])

    def by_year(self, docs: list[Document]) -> list[dict]:
        groups: dict[int, list] = defaultdict(list)
        for doc in self.newest(docs):
            groups[doc.issued.year].append(self.ref(doc.id))
        return [{"year": y, "docs": groups[y]} for y in sorted(groups, reverse=True)]

    def section_docs(self, section: str) -> list[Document]:
        return [d for d in self.model.published() if d.section == section]

    # --- document page -----------------------------------------------------------
    def document(self, doc: Document) -> Page:
        model = self.model
        body = model.bodies[f"{doc.section}:{doc.id}"]
        meta = [
            ("Số ký hiệu", doc.number), ("Loại văn bản", doc.kind),
            ("Cơ quan ban hành", self.org_name(doc.issuer.value), urls.organisation(doc.issuer.value)),
            ("Ngày ban hành", formats.long_date(doc.issued)), ("Địa danh", doc.place),
            ("Người ký", doc.signer),
            ("Ngày có hiệu lực", formats.long_date(doc.effective) if doc.effective else ""),
            ("Ngày hết hiệu lực", formats.long_date(doc.expires) if doc.expires else ""),
            ("Tình trạng", self.doc_status(doc)),
            (present.term_label(doc), present.term_text(doc.term)),
        ]
        context = {
            "doc": doc, "heading": present.heading(doc),
            "meta": [{"label": m[0], "value": m[1], "url": m[2] if len(m) > 2 else ""} for m in meta if m[1]],
            "body": body.html,
            "toc": body.toc if len(body.toc) >= TOC_MIN_HEADINGS else (),
            "relations": self.relations(doc),
            "chain": self.chain(doc),
            "targets": self.target_table(doc),
            "chain_targets": self.chain_targets(doc),
            "attachments": [self.attachment(a) for a in doc.attachments],
            "tags": [{"name": model.tags[t].name, "url": urls.tag(t)} for t in self._tag_slugs(doc.tags)],
            "posts": [self.post_ref(model.posts[p]) for p in self._posts_of(doc.id)],
            "history": self.revisions(doc),
        }
        context["search_fields"] = searchfields.document_fields(self, doc)
        description = f"{present.heading(doc)}: {doc.title}"
        return Page(model.url(doc), "document.html", f"{present.heading(doc)} — {doc.title}", context, description)

    def _tag_slugs(self, names) -> list[str]:
        seen = []
        for name in names:
            slug = slugify(name)
            if slug in self.model.tags and slug not in seen:
                seen.append(slug)
        return seen

    def revisions(self, doc: Document) -> dict:
        """'Lịch sử cập nhật': the last change and every commit of the document's file; {} if unknown."""
        revisions = self.history.get(history_path(doc), ())
        if not revisions:
            return {}
        return {"updated": formats.long_date(revisions[0].date), "updated_iso": revisions[0].date.isoformat(),
                "revisions": [{"date": formats.short_date(r.date), "iso": r.date.isoformat(),
                               "message": r.message} for r in revisions]}

    def _posts_of(self, doc_id: str) -> list[str]:
        posts = [self.model.posts[p] for p in self.model.document_posts.get(doc_id, [])]
        return [p.id for p in sorted(posts, key=by_date, reverse=True)]

    def relations(self, doc: Document) -> list[dict]:
        rows = []
        for relation in RELATIONS:
            forward, inverse = RELATION_LABELS[relation]
            for label, ids in ((forward, self.model.outgoing[doc.id][relation]),
                               (inverse, self.model.incoming[doc.id][relation])):
                if ids:
                    newest = self._newest_ids(ids)
                    docs = [self.ref(i) for i in newest[:RELATED_LIMIT]]
                    rows.append({"label": label, "docs": docs, "more": len(newest) - len(docs)})
        return rows

    def _newest_ids(self, ids) -> list[str]:
        """`ids` in `newest` order (through a sort key worked out once for every document)."""
        return sorted(ids, key=self._newness().__getitem__)

    def _newness(self) -> dict[str, int]:
        """Each document's place among all documents in `newest` order. Only ids are kept, so a
        body edit swapped in (devbuild.py) leaves it true: it changes no id and no date."""
        if not hasattr(self, "_places"):
            docs = sorted(self.model.documents.values(), key=by_date, reverse=True)
            self._places = {doc.id: place for place, doc in enumerate(docs)}
        return self._places

    def ancestors(self, doc_id: str) -> list[str]:
        """Every document this one implements, transitively, nearest first."""
        seen, queue = [], list(self.model.outgoing[doc_id]["implements"])
        while queue:
            current = queue.pop(0)
            if current not in seen:
                seen.append(current)
                queue.extend(self.model.outgoing[current]["implements"])
        return seen

    def implementation_tree(self, doc_id: str, budget: list[int], seen: frozenset = frozenset()) -> list[dict]:
        """Documents implementing `doc_id`, recursively; at most budget[0] nodes in all."""
        nodes = []
        for child in self._newest_ids(self.model.incoming[doc_id]["implements"]):
            if child in seen:
                continue
            if budget[0] <= 0:
                break
            budget[0] -= 1
            nodes.append({"ref": self.ref(child), "children": self.implementation_tree(child, budget, seen | {doc_id})})
        return nodes

    def chain(self, doc: Document) -> dict:
        up = [self.ref(i) for i in reversed(self.ancestors(doc.id))]
        budget = [TREE_LIMIT]
        down = self.implementation_tree(doc.id, budget)
        if not (up or down):
            return {}
        return {"up": up, "down": down, "truncated": budget[0] <= 0,
                "self": {"heading": present.heading(doc), "title": doc.title}}

    def attachment(self, att) -> dict:
        info = self.model.files[att.file.lstrip("./")] if att.file in self.model.files else None
        return {"title": att.title or att.file.rsplit("/", 1)[-1], "url": "/" + att.file,
                "size": formats.file_size(info.size) if info else "", "type": present.file_type(att.file)}

    # --- targets -----------------------------------------------------------------
    def target_row(self, doc: Document, target) -> dict:
        status = self.statuses[(doc.id, target.id)]
        results = self.model.results.get((doc.id, target.id), {})
        cells = []
        for year in range(doc.term[0], doc.term[1] + 1):
            result = results.get(year)
            code = status.years[year]
            cells.append({
                "year": year, "status": code, "label": STATUS_TEXT.get(code, ""),
                "value": present.value_text(target, result) if result else "",
                "note": result.note if result else "", "source": result.source if result else "",
            })
        return {
            "id": target.id, "anchor": f"ct-{target.id}", "text": target.text, "group": target.group,
            "goal": present.goal_text(target) or "Định tính", "unit": target.unit,
            "period": present.PERIOD_LABELS[target.period], "cells": cells,
            "status": status.overall, "status_label": STATUS_TEXT[status.overall],
            "chart": present.chart_svg(target, doc.term, results, f"bd-{doc.id}-{target.id}"),
        }

    def target_table(self, doc: Document) -> dict:
        """A document's target table (rows, cells, charts), made once per process and then shared by
        its own page and its ancestors' pages; {} without targets. Callers must not modify it."""
        table = self._tables.get(doc.id)
        if table is None:
            table = self._tables[doc.id] = self._make_target_table(doc)
        return table

    def _make_target_table(self, doc: Document) -> dict:
        if not doc.targets:
            return {}
        groups: dict[str, list] = {}
        for target in doc.targets:
            groups.setdefault(target.group, []).append(self.target_row(doc, target))
        years = list(range(doc.term[0], doc.term[1] + 1))
        summary = []
        for year in years:
            if year > self.settings.current_year:
                continue
            met = sum(1 for t in doc.targets if self.statuses[(doc.id, t.id)].years[year] == "met")
            reported = sum(1 for t in doc.targets if year in self.model.results.get((doc.id, t.id), {}))
            if reported:
                summary.append(f"Năm {year}: {met}/{len(doc.targets)} chỉ tiêu đạt")
        sources = self._year_sources(groups, years)
        return {"years": years, "groups": [{"name": g, "rows": r} for g, r in groups.items()],
                "summary": summary, "counts": self.status_counts([(doc, t) for t in doc.targets]),
                "sources": [{"year": y, "source": sources[y]} for y in years if sources.get(y)]}

    @staticmethod
    def _year_sources(groups: dict[str, list], years: list[int]) -> dict[int, str]:
        """The source most values of each year share; cells keep only a source that differs."""
        common = {}
        for index, year in enumerate(years):
            found = Counter(row["cells"][index]["source"] for rows in groups.values() for row in rows
                            if row["cells"][index]["source"])
            if found:
                common[year] = sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        for rows in groups.values():
            for row in rows:
                for cell in row["cells"]:
                    if cell["source"] and cell["source"] == common.get(cell["year"]):
                        cell["source"] = ""
        return common

    def status_counts(self, pairs) -> list[dict]:
        counts = Counter(self.statuses[(d.id, t.id)].overall for d, t in pairs)
        return [{"status": s, "label": STATUS_TEXT[s], "count": counts.get(s, 0)} for s in STATUS_ORDER]

    def chain_targets(self, doc: Document) -> list[dict]:
        """Targets of every published programme below this document in the implementation chain."""
        below, queue = [], list(self.model.incoming[doc.id]["implements"])
        while queue:
            current = queue.pop(0)
            if current in below or current == doc.id:
                continue
            below.append(current)
            queue.extend(self.model.incoming[current]["implements"])
        out = []
        for doc_id in self._newest_ids(below):
            child = self.model.documents[doc_id]
            if len(out) >= CHAIN_LIST_LIMIT:
                break
            if child.published and child.targets:
                full = len(out) < CHAIN_TABLE_LIMIT
                out.append({"ref": self.ref(doc_id), "doc_id": doc_id,
                            "table": self.target_table(child) if full else {},
                            "counts": self.status_counts([(child, t) for t in child.targets])})
        return out

    # --- lists -------------------------------------------------------------------
    def section(self, section: str, paths: Container[str] | None = None) -> list[Page]:
        """The section's list pages (only those at `paths`, when given)."""
        title = {"resolution": "Nghị quyết", "programme": "Chương trình, kế hoạch"}[section]
        chunks = self._section_chunks(section)
        count = chunks[0][2]["count"]
        return [Page(url, "list.html", title if pager["number"] == 1 else f"{title} — trang {pager['number']}",
                     {"groups": self.by_year(chunk), "count": count, "pager": pager},
                     f"Danh sách {title.lower()} ({count} văn bản)")
                for url, chunk, pager in chunks if paths is None or url in paths]

    def _section_chunks(self, section: str) -> list[tuple[str, list, dict]]:
        """The section's list pages (made once per view: compared after an edit, then rendered)."""
        made = self.__dict__.setdefault("_sections", {})
        if section not in made:
            path = {"resolution": urls.RESOLUTIONS, "programme": urls.PROGRAMMES}[section]
            made[section] = paginate(self.newest(self.section_docs(section)), path, LIST_PAGE_SIZE)
        return made[section]

    def posts_page(self) -> list[Page]:
        posts = sorted(self.model.posts.values(), key=by_date, reverse=True)
        return [Page(url, "posts.html", "Tin tức" if pager["number"] == 1 else f"Tin tức — trang {pager['number']}",
                     {"posts": [self.post_ref(p) for p in chunk], "pager": pager},
                     "Tin tức về việc triển khai thực hiện nghị quyết")
                for url, chunk, pager in paginate(posts, urls.POSTS, LIST_PAGE_SIZE)]

    def post(self, post: Post) -> Page:
        body = self.model.bodies[f"post:{post.id}"]
        context = {
            "post": post, "date": formats.long_date(post.date), "body": body.html,
            "documents": [self.ref(d) for d in self.model.post_documents[post.id]],
            "tags": [{"name": self.model.tags[t].name, "url": urls.tag(t)} for t in self._tag_slugs(post.tags)],
        }
        context["search_fields"] = searchfields.post_fields(self, post)
        return Page(urls.post(post.id), "post.html", post.title, context, body.summary[:200])

    def organisations_page(self) -> Page:
        counts = Counter(d.issuer.value for d in self.model.published())
        orgs = sorted(self.model.organisations.values(), key=lambda o: sort_key(o.name))
        items = [{"url": urls.organisation(o.id), "name": o.name, "short": o.short, "count": counts[o.id]}
                 for o in orgs]
        return Page(urls.ORGANISATIONS, "organisations.html", "Cơ quan ban hành", {"items": items},
                    "Các cơ quan ban hành văn bản")

    def organisation(self, org, docs: list[Document], paths: Container[str] | None = None) -> list[Page]:
        """The organisation's pages (only those at `paths`, when given)."""
        children = sorted((o for o in self.model.organisations.values() if o.parent == org.id),
                          key=lambda o: sort_key(o.name))
        parent = self.model.organisations.get(org.parent)
        pages = []
        for url, chunk, pager in self._organisation_chunks(org.id, docs):
            if paths is not None and url not in paths:
                continue
            context = {
                "org": org, "groups": self.by_year(chunk), "count": len(docs), "pager": pager,
                "parent": {"url": urls.organisation(parent.id), "name": parent.name} if parent else None,
                "children": [{"url": urls.organisation(o.id), "name": o.name} for o in children],
            }
            title = org.name if pager["number"] == 1 else f"{org.name} — trang {pager['number']}"
            pages.append(Page(url, "organisation.html", title, context, f"Văn bản do {org.name} ban hành"))
        return pages

    def _organisation_chunks(self, org_id: str, docs: list[Document]) -> list[tuple[str, list, dict]]:
        return paginate(self.newest(docs), urls.organisation(org_id), LIST_PAGE_SIZE)

    def tags_page(self) -> Page:
        tags = sorted(self.model.tags.values(), key=lambda t: sort_key(t.name))
        items = [{"url": urls.tag(t.slug), "name": t.name, "count": len(t.documents) + len(t.posts)}
                 for t in tags]
        return Page(urls.TAGS, "tags.html", "Chủ đề", {"items": items}, "Văn bản và tin tức theo chủ đề")

    def tag(self, tag, paths: Container[str] | None = None) -> list[Page]:
        """The tag's pages (only those at `paths`, when given)."""
        pages = []
        for url, chunk, pager in self._tag_chunks(tag):
            if paths is not None and url not in paths:
                continue
            context = {"tag": tag, "pager": pager,
                       "documents": [self.ref(i) for kind, i in chunk if kind == "doc"],
                       "posts": [self.post_ref(p) for kind, p in chunk if kind == "post"]}
            title = f"Chủ đề: {tag.name}" + (f" — trang {pager['number']}" if pager["number"] > 1 else "")
            pages.append(Page(url, "tag.html", title, context, f"Văn bản và tin tức về {tag.name}"))
        return pages

    def _tag_chunks(self, tag) -> list[tuple[str, list, dict]]:
        """The tag's pages: its documents, then its posts, as ("doc", id) or ("post", Post)."""
        docs = self.newest([self.model.documents[d] for d in tag.documents])
        posts = sorted((self.model.posts[p] for p in tag.posts), key=by_date, reverse=True)
        items = [("doc", d.id) for d in docs] + [("post", p) for p in posts]
        return paginate(items, urls.tag(tag.slug), LIST_PAGE_SIZE)

    def home(self) -> Page:
        docs = self.newest(self.model.published())[:HOME_ITEMS]
        posts = sorted(self.model.posts.values(), key=by_date, reverse=True)[:HOME_ITEMS]
        layout = self.row_layout()
        context = {"documents": [self.ref(d.id) for d in docs], "posts": [self.post_ref(p) for p in posts],
                   "counts": layout.counts, "target_count": layout.total,
                   "sections": [
                       {"url": urls.RESOLUTIONS, "name": "Nghị quyết", "count": len(self.section_docs("resolution"))},
                       {"url": urls.PROGRAMMES, "name": "Chương trình, kế hoạch",
                        "count": len(self.section_docs("programme"))},
                       {"url": urls.TARGETS, "name": "Chỉ tiêu", "count": layout.total},
                       {"url": urls.POSTS, "name": "Tin tức", "count": len(self.model.posts)},
                       {"url": urls.ORGANISATIONS, "name": "Cơ quan ban hành", "count": len(self.model.organisations)},
                       {"url": urls.TAGS, "name": "Chủ đề", "count": len(self.model.tags)},
                   ]}
        return Page(urls.HOME, "home.html", self.model.site.title, context, self.model.site.description)

    def not_found(self) -> Page:
        return Page("/404.html", "404.html", "Không tìm thấy trang", {}, "")

    # --- target dashboard, year pages, methodology, data, search ------------------------
    def _dashboard_row(self, row: TargetRow, year: int | None = None) -> dict:
        """A target's row on the dashboard (latest result) or on a year page (that year's result)."""
        if year is None:
            status, result = row.status.overall, row.status.latest
        else:
            status, result = row.status.years.get(year, ""), row.results.get(year)
        return {
            **self._row_fixed(row),
            "value": present.value_text(row.target, result) if result else "",
            "year": result.year if result else "", "source": result.source if result else "",
            "status": status, "status_label": STATUS_TEXT.get(status, ""),
            "sort_value": formats.plain_number(result.value) if result and result.value is not None else "",
        }

    def _row_fixed(self, row: TargetRow) -> dict:
        """The part of a target's rows that no year changes, made once per target."""
        key = (row.doc.id, row.target.id)
        fixed = self._fixed.get(key)
        if fixed is None:
            fixed = self._fixed[key] = {
                "doc": self.ref(row.doc.id), "doc_id": row.doc.id, "issuer": row.issuer_name,
                "issuer_id": row.doc.issuer.value, "group": row.target.group, "text": row.target.text,
                "url": row.anchor_url, "goal": present.goal_text(row.target) or "Định tính",
                "period": present.PERIOD_LABELS[row.target.period],
                "years": " ".join(str(y) for y in sorted(row.results)),
            }
        return fixed

    def _page_menus(self, rows: list[TargetRow]) -> dict[str, Markup]:
        """The filter menus of one dashboard page: only values found in its rows (the filters act
        on the rows of the page being viewed), in Vietnamese order; of two equal names, the one
        whose first row comes first among all rows comes first."""
        layout = self.row_layout()
        firsts = layout.doc_starts()
        docs = {r.doc.id: present.heading(r.doc) + " — " + r.doc.title for r in rows}
        issuers = {r.doc.issuer.value: r.issuer_name for r in rows}
        groups = sorted({r.target.group for r in rows if r.target.group}, key=sort_key)
        years = sorted({y for r in rows for y in r.results}, reverse=True)
        documents = sorted(docs.items(), key=lambda kv: (sort_key(kv[1]), firsts[kv[0]]))
        issuer_items = sorted(issuers.items(), key=lambda kv: (sort_key(kv[1]), layout.issuers[kv[0]]))
        return {
            "documents": present.options(present.option(k, present.truncate(name, 70)) for k, name in documents),
            "issuers": present.options(present.option(k, name) for k, name in issuer_items),
            "groups": present.options(present.option(g, g) for g in groups),
            "years": present.options(present.option(y, y) for y in years),
        }

    def row_layout(self) -> "RowLayout":
        """Where every target row is (`RowLayout`): made from the rows once, or kept from the state
        this view was restored from."""
        if "_layout" not in self.__dict__:
            self._layout = RowLayout.of(self.rows)
        return self._layout

    def _row_pages(self, places: Sequence[int], base: str) -> list[tuple[str, Sequence[int], dict]]:
        """Target rows (their places) as pages at `base` (`row_chunks`)."""
        layout = self.row_layout()
        kept = self.__dict__.get("_page_ends")
        if kept is None or kept[0] is not layout or kept[3] != ROW_PAGE_SIZE:  # (once for each layout, and each list)
            kept = self._page_ends = (layout, layout.page_ends(), {}, ROW_PAGE_SIZE)
        made = kept[2].get(base)
        if made is None:
            made = kept[2][base] = pages_of(row_chunks(places, kept[1]), base, len(places))
        return made

    def rows_at(self, indices: Iterable[int], made: dict[str, list[TargetRow]] | None = None) -> list[TargetRow]:
        """The target rows at these places among all rows (worked out for these only in a view
        restored without its rows). `made`: document id -> its rows, made by calls before (the
        pages of one dashboard share the rows they show), added to."""
        if "rows" in self.__dict__:
            return [self.rows[i] for i in indices]
        layout, made = self.row_layout(), {} if made is None else made
        out = []
        for index in indices:
            doc_id, offset = layout.find(index)
            if doc_id not in made:
                made[doc_id] = document_rows(self.model, self.model.documents[doc_id], self.settings.current_year)
            out.append(made[doc_id][offset])
        return out

    def target_counts(self) -> list[dict]:
        """`status_counts` of every target of every published document."""
        return self.row_layout().counts

    def targets_dashboard(self, paths: Container[str] | None = None) -> Iterator[Page]:
        """The dashboard's pages (only those at `paths`, when given), each made as it is rendered:
        a page's rows are made for that page only, not for every target at once."""
        layout = self.row_layout()
        total, counts = layout.total, layout.counts
        years = sorted(layout.years, reverse=True)
        statuses = present.options(present.option(s, STATUS_TEXT[s]) for s in STATUS_ORDER)
        year_pages = [{"year": y, "url": urls.target_year(y)} for y in years]
        split = total > ROW_PAGE_SIZE
        status_pages = [{"label": STATUS_TEXT[s], "url": urls.TARGETS + f"trang-thai/{s}/"}
                        for s in STATUS_ORDER] if split else []
        made: dict[str, list[TargetRow]] = {}
        for url, chunk, pager, code in self.dashboard_chunks():
            if paths is not None and url not in paths:
                continue
            target_rows_ = self.rows_at(chunk, made)
            rows = [self._dashboard_row(r) for r in target_rows_]
            if code:
                yield Page(url, "targets_status.html", f"Chỉ tiêu: {STATUS_TEXT[code]}",
                           {"rows": rows, "pager": pager, "status": code, "label": STATUS_TEXT[code]},
                           f"Các chỉ tiêu có trạng thái {STATUS_TEXT[code]}")
                continue
            menus = {**self._page_menus(target_rows_), "statuses": statuses}
            context = {"rows": rows, "total": total, "counts": counts, "menus": menus, "pager": pager,
                       "year_pages": year_pages, "status_pages": status_pages, "by_status": []}
            if not split:  # one page: its rows are all the rows
                context["by_status"] = [{"status": s, "label": STATUS_TEXT[s],
                                         "rows": [r for r in rows if r["status"] == s]} for s in STATUS_ORDER]
            title = "Chỉ tiêu" if pager["number"] == 1 else f"Chỉ tiêu — trang {pager['number']}"
            yield Page(url, "targets.html", title, context, f"Theo dõi {total} chỉ tiêu và kết quả thực hiện")

    def dashboard_chunks(self) -> Iterator[tuple[str, Sequence[int], dict, str]]:
        """The dashboard's pages as (path, places of its rows among all rows, pager, status): every
        target, then, when that takes more than one page, the targets of each status ("" on the
        pages of every target)."""
        layout = self.row_layout()
        yield from ((url, chunk, pager, "")
                    for url, chunk, pager in self._row_pages(range(layout.total), urls.TARGETS))
        if layout.total > ROW_PAGE_SIZE:
            for code in STATUS_ORDER:
                chosen = layout.statuses.get(code, ())
                for url, chunk, pager in self._row_pages(chosen, urls.TARGETS + f"trang-thai/{code}/"):
                    yield url, chunk, pager, code

    def target_years(self, paths: Container[str] | None = None) -> Iterator[Page]:
        """The year pages (only those at `paths`, when given), each made as it is rendered (as the
        dashboard's)."""
        layout = self.row_layout()
        years = sorted(layout.years)
        made: dict[str, list[TargetRow]] = {}
        for year, url, chunk, pager in self.year_chunks():
            if paths is not None and url not in paths:
                continue
            others = [{"year": y, "url": urls.target_year(y)} for y in years if y != year]
            context = {"year": year, "rows": [self._dashboard_row(r, year) for r in self.rows_at(chunk, made)],
                       "counts": layout.year_counts[year], "other_years": others, "pager": pager}
            title = f"Kết quả thực hiện chỉ tiêu năm {year}"
            if pager["number"] > 1:
                title += f" — trang {pager['number']}"
            yield Page(url, "targets_year.html", title, context, f"Kết quả thực hiện các chỉ tiêu năm {year}")

    def year_chunks(self) -> Iterator[tuple[int, str, Sequence[int], dict]]:
        """The year pages as (year, path, places of its rows among all rows, pager)."""
        layout = self.row_layout()
        for year in sorted(layout.years):
            for url, chunk, pager in self._row_pages(layout.years[year], urls.target_year(year)):
                yield year, url, chunk, pager

    LIST_KINDS = ("section", "organisation", "tag")  # specs whose pages list documents (and posts)

    def list_chunks(self, spec: tuple[str, str]) -> list[tuple[str, list[tuple[str, str]], dict]] | None:
        """The pages of a list spec (`LIST_KINDS`) as (path, what it lists, pager), what it lists as
        ("doc", id) and ("post", id); None for another spec, or a tag not there.
        A list page shows nothing else that another document or post can change."""
        kind, key = spec
        if kind == "section" and key in ("resolution", "programme"):
            return [(url, [("doc", d.id) for d in chunk], pager) for url, chunk, pager in self._section_chunks(key)]
        if kind == "organisation":
            return [(url, [("doc", d.id) for d in chunk], pager)
                    for url, chunk, pager in self._organisation_chunks(key, self._by_issuer().get(key, []))]
        if kind == "tag" and key in self.model.tags:
            return [(url, [(k, i if k == "doc" else i.id) for k, i in chunk], pager)
                    for url, chunk, pager in self._tag_chunks(self.model.tags[key])]
        return None

    def listed_on(self) -> dict[str, set[tuple[tuple[str, str], str]]]:
        """Each published document -> the list pages that show it, as (spec, page path): its
        section's, its issuer's and its tags' lists, and the dashboard and year pages with a row of
        its targets. (A document whose shown fields alone changed is shown again on those only.)"""
        found: dict[str, set[tuple[tuple[str, str], str]]] = defaultdict(set)

        def add(spec: tuple[str, str], chunks, doc_id) -> None:
            for url, chunk, *_ in chunks:
                place = (spec, url)
                for doc in set(map(doc_id, chunk)):
                    found[doc].add(place)

        lists = [("section", "resolution"), ("section", "programme")]
        lists += [("organisation", org_id) for org_id in self._by_issuer()] + [("tag", slug) for slug in self.model.tags]
        for spec in lists:
            chunks = [(url, [i for kind, i in chunk if kind == "doc"]) for url, chunk, _ in self.list_chunks(spec) or ()]
            add(spec, chunks, str)
        owners = [doc for doc, _ in self.row_layout().owners()]  # the document of each row
        add(("dashboard", ""), self.dashboard_chunks(), owners.__getitem__)
        add(("years", ""), ((url, chunk) for _, url, chunk, _ in self.year_chunks()), owners.__getitem__)
        return dict(found)

    def method(self) -> Page:
        return Page(urls.METHOD, "method.html", "Cách tính trạng thái chỉ tiêu",
                    {"labels": STATUS_TEXT, "current_year": self.settings.current_year},
                    "Quy tắc đánh giá chỉ tiêu: Đạt, Chưa đạt, Đang thực hiện, Chưa có số liệu")

    def data(self) -> Page:
        return Page(urls.DATA, "data.html", "Dữ liệu mở", {}, "Tải dữ liệu văn bản, chỉ tiêu và kết quả")

    def search(self) -> Page:
        context = searchfields.search_page(self)
        return Page(urls.SEARCH, "search.html", "Tìm kiếm", context,
                    "Tìm văn bản, chỉ tiêu và tin tức")

    # --- page specs: cheap descriptors of every page group, expanded on demand -----------
    # The template(s) each kind of spec renders with (incremental rebuilds use this).
    SPEC_TEMPLATES = {
        "document": ("document.html",), "post": ("post.html",), "organisation": ("organisation.html",),
        "tag": ("tag.html",), "section": ("list.html",), "home": ("home.html",),
        "organisations": ("organisations.html",), "tags": ("tags.html",), "404": ("404.html",),
        "method": ("method.html",), "data": ("data.html",), "search": ("search.html",),
        "posts": ("posts.html",), "dashboard": ("targets.html", "targets_status.html"),
        "years": ("targets_year.html",),
    }

    def page_specs(self) -> list[tuple[str, str]]:
        """Every page group of the site as (kind, key), in a stable order."""
        model = self.model
        specs = [("home", ""), ("organisations", ""), ("tags", ""), ("404", ""), ("method", ""),
                 ("data", ""), ("search", ""), ("section", "resolution"), ("section", "programme"),
                 ("posts", ""), ("dashboard", ""), ("years", "")]
        specs += [("document", d.id) for d in sorted(model.published(), key=lambda d: d.id)]
        specs += [("post", p) for p in sorted(model.posts)]
        specs += [("organisation", o) for o in sorted(model.organisations)]
        specs += [("tag", t) for t in sorted(model.tags)]
        return specs

    def spec_groups(self, specs: list[tuple[str, str]], most: int) -> list[list[tuple[str, str]]]:
        """The specs in groups to render in one worker: the documents of one implementation tree
        together, at most `most` a group (a document's page shows the target tables of the
        documents below it, made and rendered once per worker); any other spec alone. Groups
        appear in the order of their first spec."""
        groups: list[list[tuple[str, str]]] = []
        open_groups: dict[str, list[tuple[str, str]]] = {}
        for spec in specs:
            if spec[0] != "document":
                groups.append([spec])
                continue
            root = self._tree_root(spec[1])
            group = open_groups.get(root)
            if group is None or len(group) >= most:
                group = open_groups[root] = []
                groups.append(group)
            group.append(spec)
        return groups

    def _tree_root(self, doc_id: str) -> str:
        """The top of a document's implementation tree, following the first document it implements."""
        seen = set()
        while doc_id not in seen:
            seen.add(doc_id)
            parents = sorted(self.model.outgoing[doc_id]["implements"])
            if not parents:
                break
            doc_id = parents[0]
        return doc_id

    def expand(self, spec: tuple[str, str], paths: Container[str] | None = None) -> Iterable[Page]:
        """The pages of one spec (made one by one where there can be many); with `paths`, only the
        pages at those paths."""
        kind, key = spec
        model = self.model
        if kind == "dashboard":
            return self.targets_dashboard(paths)
        if kind == "years":
            return self.target_years(paths)
        if kind == "organisation":
            return self.organisation(model.organisations[key], self._by_issuer().get(key, []), paths)
        if kind == "tag":
            return self.tag(model.tags[key], paths)
        if kind == "section":
            return self.section(key, paths)
        pages = self._expand(kind, key)
        return pages if paths is None else [page for page in pages if page.path in paths]

    def _expand(self, kind: str, key: str) -> Iterable[Page]:
        model = self.model
        if kind == "document":
            return [self.document(model.documents[key])]
        if kind == "post":
            return [self.post(model.posts[key])]
        single = {"home": self.home, "organisations": self.organisations_page, "tags": self.tags_page,
                  "404": self.not_found, "method": self.method, "data": self.data, "search": self.search}
        if kind in single:
            return [single[kind]()]
        return self.posts_page()

    def share(self) -> None:
        """Make now what many pages use, before pages are rendered in forked workers: each worker
        would make it again, and copy every document it touches to do so."""
        formats.prepare()
        self._by_issuer()
        self._newness()

    def _by_issuer(self) -> dict[str, list[Document]]:
        if not hasattr(self, "_issuer_docs"):
            self._issuer_docs: dict[str, list[Document]] = defaultdict(list)
            for doc in self.model.published():
                self._issuer_docs[doc.issuer.value].append(doc)
        return self._issuer_docs

    def pages(self) -> list[Page]:
        """Every HTML page of the site, in a stable order."""
        return [page for spec in self.page_specs() for page in self.expand(spec)]
