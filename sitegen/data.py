"""Stage 5b: data downloads — targets.csv, results.csv, documents.json, chi-tieu.xlsx."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any, Callable, Container, Iterable, Iterator, Mapping

from . import present, urls, xlsx
from .link import Model
from .model import RELATIONS
from .rows import TargetRow
from .status import LABELS

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LINE_BREAK = b"\r\n"  # ends each CSV line; begins each run of lines in `document_parts`
FOLLOWING_MOST = 64  # documents looked at for the lines a moved document's lines go before (`lines_moved`)
OPERATOR_CODES = {"=": "eq", ">=": "ge", ">": "gt", "<=": "le", "<": "lt"}  # CSV-safe: no cell starts with "="

TARGET_COLUMNS = ["document_id", "document_number", "document_title", "issuer", "target_id", "group",
                  "target", "goal_operator", "goal_value", "goal", "unit", "period", "term_start",
                  "term_end", "latest_year", "latest_value", "status", "status_label", "url"]
RESULT_COLUMNS = ["document_id", "document_number", "target_id", "target", "unit", "year", "value",
                  "done", "status", "status_label", "note", "source"]


def _plain(value) -> str:
    return "" if value is None else str(value)


def target_records(rows: list[TargetRow], base_url: str) -> list[list]:
    """One row per target, its values in TARGET_COLUMNS' order (lists, not dicts: 48,000 rows at
    10,000 documents)."""
    prefix = base_url.rstrip("/") if base_url else ""
    out = []
    for r in rows:
        doc, target, goal, latest = r.doc, r.target, r.target.goal, r.status.latest
        out.append([
            doc.id, doc.number, doc.title, r.issuer_name, target.id, target.group, target.text,
            OPERATOR_CODES[goal.op] if goal else "", _plain(goal.value) if goal else "", present.goal_text(target),
            target.unit, target.period, doc.term[0], doc.term[1],
            latest.year if latest else "",
            (_plain(latest.value) if latest.value is not None
             else ("done" if latest.done else "not-done")) if latest else "",
            r.status.overall, LABELS[r.status.overall], prefix + r.anchor_url,
        ])
    return out


def result_records(rows: list[TargetRow]) -> list[list]:
    """One row per reported year of a target, its values in RESULT_COLUMNS' order."""
    out = []
    for r in rows:
        doc, target, years = r.doc, r.target, r.status.years
        for year in sorted(r.results):
            result = r.results[year]
            code = years[year]
            out.append([
                doc.id, doc.number, target.id, target.text, target.unit, year,
                _plain(result.value), "" if result.done is None else str(result.done).lower(),
                code, LABELS[code], result.note, result.source,
            ])
    return out


def _encode_csv(table: tuple[list[str], list[list]]) -> bytes:
    columns, values = table
    return _csv_lines([columns], "\ufeff") + _csv_lines(values)


def _csv_lines(values: list[list], start: str = "") -> bytes:
    """CSV lines (each ending in CRLF) of the given rows, after `start`."""
    buffer = io.BytesIO()
    # Encoded as it is written: the whole file as one str would take twice its size in memory.
    text = io.TextIOWrapper(buffer, encoding="utf-8", newline="", write_through=False)
    text.write(start)
    writer = csv.writer(text, lineterminator="\r\n")
    # A text starting as a formula would (FORMULA_START) gets a leading quote. Checked inline: a call
    # per cell would cost more than the check (2 million cells at 10,000 documents).
    writer.writerows([("'" + v if v.startswith(FORMULA_START) else v) if isinstance(v, str) else v for v in row]
                     for row in values)
    text.flush()
    data = buffer.getvalue()
    text.detach()
    return data


def document_records(model: Model, rows: list[TargetRow]) -> tuple[str, Iterator[dict]]:
    """The site's title and one plain dict per published document, for documents.json: made one at
    a time as they are encoded (all at once, they took about 70 MB at 10,000 documents)."""
    by_doc: dict[str, list[TargetRow]] = {}
    for r in rows:
        by_doc.setdefault(r.doc.id, []).append(r)

    def records() -> Iterator[dict]:
        for doc in sorted(model.published(), key=lambda d: d.id):
            yield _document_record(model, doc, by_doc.get(doc.id, []))

    return model.site.title, records()


def _document_record(model: Model, doc, rows: list[TargetRow]) -> dict:
    """One published document's entry in documents.json, with its target rows."""

    def ref(doc_id: str) -> dict:
        other = model.documents[doc_id]
        if other.published:
            return {"id": other.id, "number": other.number, "url": model.url(other)}
        return {"number": other.number} if other.number else {"number": ""}

    return {
        "id": doc.id, "url": model.url(doc), "section": doc.section, "number": doc.number,
        "title": doc.title, "kind": doc.kind,
        "issuer": {"id": doc.issuer.value, "name": model.organisations[doc.issuer.value].name},
        "issued": doc.issued.isoformat(), "place": doc.place, "signer": doc.signer,
        "effective": doc.effective.isoformat() if doc.effective else None,
        "expires": doc.expires.isoformat() if doc.expires else None,
        "status": "replaced" if model.incoming[doc.id]["replaces"] else doc.status,
        "term": list(doc.term) if doc.term else None,
        "relations": {rel: [ref(i) for i in model.outgoing[doc.id][rel]] for rel in RELATIONS},
        "inverse_relations": {rel: [ref(i) for i in model.incoming[doc.id][rel]] for rel in RELATIONS},
        "tags": list(doc.tags),
        "attachments": [{"file": a.file, "title": a.title} for a in doc.attachments],
        "targets": [_target_json(r) for r in rows],
    }


# One encoder for every line: `json.dumps` with options builds a new encoder on each call.
_DOC_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode_documents(records: tuple[str, Iterable[dict]]) -> bytes:
    """documents.json from `document_records`."""
    title, docs = records
    out = io.BytesIO()
    out.write(('{"site":' + json.dumps(title, ensure_ascii=False) + ',"documents":[\n').encode("utf-8"))
    # One document per line: readable and diffable, and each line uses json's fast C encoder.
    # Encoded line by line: the whole file as one str would take twice its size in memory.
    for index, doc in enumerate(docs):
        if index:
            out.write(b",\n")
        out.write(_DOC_JSON.encode(doc).encode("utf-8"))
    out.write(b"\n]}\n")
    return out.getvalue()


def _target_json(r: TargetRow) -> dict:
    goal = r.target.goal
    return {
        "id": r.target.id, "text": r.target.text, "group": r.target.group,
        "goal": {"operator": goal.op, "value": float(goal.value)} if goal else None,
        "unit": r.target.unit, "period": r.target.period, "status": r.status.overall,
        "results": {str(y): {"value": float(res.value) if res.value is not None else None,
                             "done": res.done, "note": res.note, "source": res.source,
                             "status": r.status.years[y]} for y, res in sorted(r.results.items())},
    }


def workbook(rows: list[TargetRow], title: str) -> bytes:
    """An Excel workbook formatted for printing: one sheet of targets, one of yearly results."""
    return encode_workbook(workbook_cells(rows, title))


def workbook_cells(rows: list[TargetRow], title: str) -> tuple:
    """Everything the workbook shows, as plain values: (title, years, target rows, result rows)."""
    years = workbook_years(rows)
    return title, years, target_cells(rows, years), result_cells(rows)


def workbook_years(rows: list[TargetRow]) -> list[int]:
    """The years of the target sheet's columns: every year of every term."""
    return sorted({y for r in rows for y in range(r.doc.term[0], r.doc.term[1] + 1)})


def target_cells(rows: list[TargetRow], years: list[int]) -> list[list]:
    """The target sheet's rows."""
    targets = []
    for r in rows:
        cells = [present.heading(r.doc) + " — " + r.doc.title, r.target.group, r.target.text,
                 present.goal_text(r.target) or "Định tính", present.PERIOD_LABELS[r.target.period]]
        cells += [present.value_text(r.target, r.results[y]) if y in r.results else "" for y in years]
        cells.append(LABELS[r.status.overall])
        targets.append(cells)
    return targets


def result_cells(rows: list[TargetRow]) -> list[list]:
    """The result sheet's rows: of `result_records`' values, those RESULT_SHEET shows (made
    directly: 96,000 rows at 10,000 documents)."""
    cells = []
    for r in rows:
        doc, target, years = r.doc, r.target, r.status.years
        for year in sorted(r.results):
            result = r.results[year]
            value = _plain(result.value)
            cells.append([doc.id, doc.number, target.text, year,
                          float(value) if value else ("Đã hoàn thành" if result.done is True else "Chưa hoàn thành"),
                          target.unit, LABELS[years[year]], result.note, result.source])
    return cells


TARGET_SHEET = ("Chỉ tiêu", ["Văn bản", "Nhóm", "Chỉ tiêu", "Mục tiêu", "Thời hạn"], [28, 20, 40, 16, 12])
RESULT_SHEET = ("Kết quả", ["Mã văn bản", "Số ký hiệu", "Chỉ tiêu", "Năm", "Giá trị", "Đơn vị", "Trạng thái",
                            "Ghi chú", "Nguồn số liệu"], [16, 16, 40, 12, 12, 12, 12, 30, 30])


def encode_workbook(cells: tuple) -> bytes:
    """The workbook's bytes from `workbook_cells`."""
    title, years, targets, results = cells
    name, headers, widths = TARGET_SHEET
    target_sheet = xlsx.Sheet(name, headers + [str(y) for y in years] + ["Trạng thái"],
                              widths + [14] * len(years) + [16], targets)
    result_sheet = xlsx.Sheet(*RESULT_SHEET, results)
    return xlsx.workbook(title, [target_sheet, result_sheet], header_text=title)


@dataclass(frozen=True)
class RowPlaces:
    """Where each published document's rows are in the workbook, to patch them (`patch_workbook`)."""
    targets: dict[str, int]  # document -> index of its first row on the target sheet (0: the first row)
    results: dict[str, int]  # document -> index of its first row on the result sheet
    target_rows: int
    years: list[int]  # `workbook_years`


def places_after(places: RowPlaces, before: Model, after: Model, layouts: tuple, docs: Iterable[str]) -> RowPlaces:
    """`row_places` of `after`, from `places`, those of `before`, when the documents other than
    `docs` (those edited, added or removed) are the same records with the same results in both;
    `layouts`: the two models' row layouts. Only the reported counts of `docs` are worked out: the
    others' are those `places` holds, in whatever order the rows are now."""
    old, new = layouts
    years = sorted({y for doc_id in new.docs for y in range(after.documents[doc_id].term[0],
                                                            after.documents[doc_id].term[1] + 1)})
    if places.targets.keys() != set(old.docs):
        return row_places(after, new)
    edited = {d for d in docs if d in places.targets}
    if old.docs == new.docs and old.starts == new.starts and \
            all(_reported(before, d) == _reported(after, d) for d in edited):
        return RowPlaces(places.targets, places.results, places.target_rows, years)
    # Each other document's results take as many rows as before (those of one added or edited are counted).
    reported = _reported_before(places, old.docs, after)
    results, at = {}, 0
    for doc_id in new.docs:
        results[doc_id] = at
        at += reported(doc_id) if doc_id in places.targets and doc_id not in edited else _reported(after, doc_id)
    return RowPlaces(dict(zip(new.docs, new.starts)), results, new.total, years)


def _reported(model: Model, doc_id: str) -> int:
    """How many results a published document's rows have (the rows it takes on the results sheet)."""
    return sum(len(model.results.get((doc_id, target.id), ())) for target in model.documents[doc_id].targets)


def row_places(model: Model, layout) -> RowPlaces:
    """Where each document's rows are in the workbook, from the model and its rows' layout
    (`views.RowLayout`), without making the rows."""
    results: dict[str, int] = {}
    reported = 0
    years: set[int] = set()
    for doc_id in layout.docs:
        results[doc_id] = reported
        reported += _reported(model, doc_id)
        term = model.documents[doc_id].term
        years.update(range(term[0], term[1] + 1))
    return RowPlaces(dict(zip(layout.docs, layout.starts)), results, layout.total, sorted(years))


def workbook_changes(places: RowPlaces, documents: list[tuple[list[TargetRow], list[TargetRow]]]) -> dict | None:
    """The workbook's rows to write again ((sheet, columns) -> [(row number, cells written, new
    cells)]) when documents' rows, as the first of each pair wrote them, are written as the second
    (as many, in the same places); None when as many rows would not do."""
    changes: dict[tuple[int, int], list] = {}
    for old_rows, new_rows in documents:
        if not old_rows and not new_rows:
            continue
        doc_id = old_rows[0].doc.id if old_rows else ""
        if doc_id not in places.targets or \
                not _row_changes(changes, places, (places.targets[doc_id], places.results[doc_id]), old_rows, new_rows):
            return None
    return changes


def patch_workbook(data: bytes, changes: dict) -> bytes | None:
    """The workbook `data` with `changes` (`workbook_changes`) written, in one pass over each sheet;
    None when it does not hold the rows as written."""
    for (sheet, columns), rows in sorted(changes.items()):
        data = xlsx.patched(data, sheet, columns, rows) if data is not None else None
    return data


def moved_span(layouts: tuple, docs: Container[str]) -> tuple[int, int] | None:
    """The places of the target rows that can differ when the documents `docs` (`views.RowLayout`s
    of before and after, `layouts`) changed or moved among the rows: from the first place one of
    them takes in either layout to the end of the last. None when the other documents are not in
    the same order, or the rows are not as many."""
    old, new = layouts
    if old.total != new.total or [d for d in old.docs if d not in docs] != [d for d in new.docs if d not in docs]:
        return None
    spans = [(start, end) for layout in layouts
             for doc_id, start, end in zip(layout.docs, layout.starts, [*layout.starts[1:], layout.total])
             if doc_id in docs]
    if not spans:
        return (0, 0)
    first, last = min(s for s, _ in spans), max(e for _, e in spans)
    before = dict(zip(old.docs, old.starts))
    if any(before[doc_id] != start for doc_id, start in zip(new.docs, new.starts)
           if doc_id not in docs and not first <= start < last):
        return None  # (another document's rows are not as many)
    return first, last


def patch_workbook_span(data: bytes, model: Model, places: tuple[RowPlaces, RowPlaces], layouts: tuple,
                        span: tuple[int, int], changed: Mapping[str, list[TargetRow]]) -> bytes | None:
    """The workbook `data` with the target rows at the places `span` (`moved_span`), and their
    results, in the order of the new layout: an unchanged document's rows taken from where the
    workbook holds them, those of the `changed` documents (their new rows) written anew. `model`:
    the model after; `places`, `layouts`: the rows' places and layouts before and after. None when
    rows outside the span would move (other years, more or fewer results) or the sheets are split."""
    (before, after), (old, new) = places, layouts
    if span[0] == span[1]:
        return data
    if before.years != after.years or before.target_rows != after.target_rows:
        return None
    inside = [(doc_id, start, end) for doc_id, start, end in zip(new.docs, new.starts, [*new.starts[1:], new.total])
              if span[0] <= start < span[1]]
    if not inside:
        return None
    first_result = after.results[inside[0][0]]
    if before.results.get(old.docs[old.starts.index(span[0])] if span[0] in old.starts else "") != first_result:
        return None
    targets, results = _row_sources(inside, changed, model, (before, after), old)
    if len(targets) != span[1] - span[0] or first_result + len(results) >= xlsx.MAX_ROWS - 1 or \
            after.target_rows >= xlsx.MAX_ROWS - 1:
        return None
    data = xlsx.moved(data, 1, len(TARGET_SHEET[1]) + len(after.years) + 1, span[0] + 2, targets)
    if data is None or not results:
        return data
    return xlsx.moved(data, 2, len(RESULT_SHEET[1]), first_result + 2, results)


def shifted_start(layouts: tuple, docs: Container[str]) -> int | None:
    """The first place of the target rows that can differ when the documents `docs` were added,
    taken out, changed or moved among the rows (`views.RowLayout`s before and after, `layouts`),
    every row after it shifted: the first place one of them takes in either layout. None when
    the other documents are not in the same order, or not each with as many rows."""
    old, new = layouts
    spans = [{doc_id: (start, end) for doc_id, start, end in zip(layout.docs, layout.starts,
                                                                  [*layout.starts[1:], layout.total])}
             for layout in layouts]
    others = [[d for d in layout.docs if d not in docs] for layout in layouts]
    if others[0] != others[1] or any(spans[0][d][1] - spans[0][d][0] != spans[1][d][1] - spans[1][d][0]
                                     for d in others[0]):
        return None
    starts = [span[d][0] for span in spans for d in span if d in docs]
    return min(starts) if starts else None


def patch_workbook_shifted(data: bytes, model: Model, places: tuple[RowPlaces, RowPlaces], layouts: tuple,
                           first: int, changed: Mapping[str, list[TargetRow]]) -> bytes | None:
    """The workbook `data` with the target rows from the place `first` (`shifted_start`) to the
    end, and their results, in the order of the new layout: an unchanged document's rows taken
    from where the workbook holds them, those of the `changed` documents (their new rows; none
    for a document taken out) written anew; each sheet's rows as many as they now are. `model`:
    the model after; `places`, `layouts`: the rows' places and layouts before and after. None
    when the years shown changed, or a sheet is split or would be."""
    (before, after), (old, new) = places, layouts
    if before.years != after.years:
        return None
    kept_old = next((i for i, start in enumerate(old.starts) if start >= first), len(old.docs))
    kept_new = next((i for i, start in enumerate(new.starts) if start >= first), len(new.docs))
    result_at = [_results_from(p, layout.docs, k, m) for p, layout, k, m in
                 ((before, old, kept_old, None), (after, new, kept_new, model))]
    if None in result_at or (result_at[0] != result_at[1] and kept_old < len(old.docs)):
        return None  # (the rows before `first` are not the same)
    inside = list(zip(new.docs, new.starts, [*new.starts[1:], new.total]))[kept_new:]
    targets, results = _row_sources(inside, changed, model, (before, after), old)
    if len(targets) != new.total - first:
        return None
    data = xlsx.moved(data, 1, len(TARGET_SHEET[1]) + len(after.years) + 1, first + 2, targets, to_end=True)
    return xlsx.moved(data, 2, len(RESULT_SHEET[1]), result_at[1] + 2, results, to_end=True) if data else None


def _row_sources(inside: list[tuple[str, int, int]], changed: Mapping[str, list[TargetRow]], model: Model,
                 places: tuple[RowPlaces, RowPlaces], old) -> tuple[list[int | list], list[int | list]]:
    """The sources (`xlsx.moved`) of the target and result rows of the documents `inside` (id,
    first and end place in the new layout): a `changed` document's new cells, else the numbers of
    the rows the workbook holds for it (`old`: the layout the places before were worked out for)."""
    (before, after), old_starts = places, dict(zip(old.docs, old.starts))
    reported = _reported_before(before, old.docs, model)
    targets: list[int | list] = []
    results: list[int | list] = []
    for doc_id, start, end in inside:
        if doc_id in changed:
            targets += target_cells(changed[doc_id], after.years)
            results += result_cells(changed[doc_id])
        else:  # (row numbers: the header is row 1)
            targets += range(old_starts[doc_id] + 2, old_starts[doc_id] + 2 + end - start)
            results += range(before.results[doc_id] + 2, before.results[doc_id] + 2 + reported(doc_id))
    return targets, results


def _reported_before(places: RowPlaces, docs: list[str], model: Model) -> Callable[[str], int]:
    """The number of result rows of an unchanged document (`docs`: those of the layout `places`
    were worked out for, in order): up to the next document's first row, as `places` holds them
    (the results of every document are not read), or counted in `model` for the last."""
    following = dict(zip(docs, docs[1:]))

    def reported(doc_id: str) -> int:
        after = following.get(doc_id)
        return places.results[after] - places.results[doc_id] if after is not None else _reported(model, doc_id)

    return reported


def _results_from(places: RowPlaces, docs: list[str], index: int, model: Model | None) -> int | None:
    """Where on the result sheet the results of the documents from `docs[index]` on start: that
    document's first row, or after the last document's results (counted in `model`, when given)."""
    if index < len(docs):
        return places.results[docs[index]]
    if not docs:
        return 0
    return places.results[docs[-1]] + _reported(model, docs[-1]) if model is not None else None


def _row_changes(changes: dict[tuple[int, int], list], places: RowPlaces, firsts: tuple[int, int],
                 old_rows: list[TargetRow], new_rows: list[TargetRow]) -> bool:
    """Add to `changes` ((sheet, columns) -> [(row number, cells written, new cells)]) the rows from
    `firsts` (the first target row's and the first result row's places) that differ between
    `old_rows` and `new_rows`. False when as many rows would not do (every later row would move)."""
    if len(old_rows) != len(new_rows) or sum(len(r.results) for r in old_rows) != sum(len(r.results) for r in new_rows):
        return False
    per_sheet = xlsx.MAX_ROWS - 1
    target_sheets = max(1, -(-places.target_rows // per_sheet))  # (`xlsx._parts`)
    target_columns = len(TARGET_SHEET[1]) + len(places.years) + 1
    sheets = (
        (firsts[0], 1, target_columns, target_cells(old_rows, places.years), target_cells(new_rows, places.years)),
        (firsts[1], 1 + target_sheets, len(RESULT_SHEET[1]), result_cells(old_rows), result_cells(new_rows)),
    )
    for first, first_sheet, columns, old, new in sheets:
        for index, (before, after) in enumerate(zip(old, new), start=first):
            if before != after:
                changes.setdefault((first_sheet + index // per_sheet, columns), []).append(
                    (2 + index % per_sheet, before, after))
    return True


@dataclass(frozen=True)
class Export:
    """One data download: `inputs` gives plain values (str, numbers, None, lists, dicts with str keys:
    what JSON takes, so they can be digested for the export cache); `encode` turns them into the file's
    bytes. An export not `cached` is encoded every time, since digesting its inputs would cost about as
    much; its inputs may then be made lazily, as they are encoded."""
    name: str  # path inside site/
    inputs: Callable[[Model, list[TargetRow], str], Any]
    encode: Callable[[Any], bytes]
    cached: bool = True


_PREFIX = urls.DATA.lstrip("/")
WORKBOOK = _PREFIX + "chi-tieu.xlsx"
DOCUMENTS = _PREFIX + "documents.json"

# In the order one render worker makes them, before the pages (`pipeline.work_chunks`).
EXPORTS = (
    Export(WORKBOOK, lambda model, rows, base_url: workbook_cells(rows, model.site.title),
           encode_workbook),
    Export(DOCUMENTS, lambda model, rows, base_url: document_records(model, rows),
           encode_documents, cached=False),
    Export(_PREFIX + "targets.csv",
           lambda model, rows, base_url: (TARGET_COLUMNS, target_records(rows, base_url)), _encode_csv),
    Export(_PREFIX + "results.csv", lambda model, rows, base_url: (RESULT_COLUMNS, result_records(rows)),
           _encode_csv),
)


# The downloads of lines in row order (documents.json is in the documents' order, which no edit moves).
ROW_ORDERED = frozenset({_PREFIX + "targets.csv", _PREFIX + "results.csv"})


def exports(model: Model, rows: list[TargetRow], base_url: str, names: Container[str] | None = None) -> dict[str, bytes]:
    """Every data file (or those named), keyed by its path inside site/."""
    return {e.name: e.encode(e.inputs(model, rows, base_url)) for e in sorted(EXPORTS, key=lambda e: e.name)
            if names is None or e.name in names}


def document_parts(model: Model, doc, rows: list[TargetRow], base_url: str) -> dict[str, bytes]:
    """What each download of lines holds for one published document (`rows`: its target rows), by
    name: whole lines, with the line break before them (the workbook: `patch_workbook`)."""
    return {
        _PREFIX + "targets.csv": LINE_BREAK + _csv_lines(target_records(rows, base_url)),
        _PREFIX + "results.csv": LINE_BREAK + _csv_lines(result_records(rows)),
        DOCUMENTS: b"\n" + _DOC_JSON.encode(_document_record(model, doc, rows)).encode("utf-8"),
    }


def lines_moved(data: bytes, order: list[str], moved: dict[str, tuple[bytes, bytes]],
                lines_of: Callable[[str], bytes]) -> bytes | None:
    """A CSV download `data` with the `moved` documents' lines (document -> the run of lines
    `document_parts` gave before and gives now) taken out, then put back where `order`, the new
    row order, places them: before the lines of the next document that has some (`lines_of`: an
    unmoved document's run), or at the end. None when a run is not found exactly once."""
    for old, _ in moved.values():
        if old != LINE_BREAK:  # (a document with no lines here)
            data = splice(data, old, LINE_BREAK) if data is not None else None
    place = {doc_id: index for index, doc_id in enumerate(order)}
    if data is None or any(new != LINE_BREAK and doc_id not in place for doc_id, (_, new) in moved.items()):
        return None
    for doc_id in sorted((d for d in moved if d in place), key=place.__getitem__, reverse=True):
        new = moved[doc_id][1]
        if new == LINE_BREAK:
            continue
        following = order[place[doc_id] + 1:place[doc_id] + 1 + FOLLOWING_MOST]
        runs = (moved[d][1] if d in moved else lines_of(d) for d in following)
        anchor = next((run for run in runs if run != LINE_BREAK), None)
        if anchor is None and len(following) == FOLLOWING_MOST:
            return None
        at = len(data) - len(LINE_BREAK) if anchor is None else data.find(anchor)
        if at < 0 or (anchor is not None and data.find(anchor, at + 1) >= 0):
            return None
        data = _joined(data, (at, at + len(LINE_BREAK), new))
    return data


_LAST_DOCUMENT = b"\n]}\n"  # what follows the last document's line in documents.json


def documents_lines(data: bytes, ids: list[str], runs: Mapping[str, tuple[bytes | None, bytes | None]]) -> bytes | None:
    """documents.json `data` with each document's line (`document_parts`: b"\\n" and its JSON; None
    for a document it does not list) as `runs` gives it before and now: replaced, taken out, or
    put in where `ids` (the listed documents now, in the file's order: by id) places it. None
    when a line is not found exactly once, or the file would list no document."""
    replaced = [(old, new) for old, new in runs.values() if old is not None and new is not None]
    data = spliced(data, replaced) if data is not None else None
    for old, new in runs.values():
        if old is not None and new is None and data is not None:  # with the comma joining it to the next line, or to the one before
            data = splice(data, old + b",", b"") if data.count(old + b",") == 1 else splice(data, b"," + old, b"")
    place = {doc_id: index for index, doc_id in enumerate(ids)}
    added = sorted((d for d, (old, new) in runs.items() if old is None and new is not None), key=place.get, reverse=True)
    for doc_id in added:  # the last first: the line each goes before is in the file already
        if data is None or doc_id not in place:
            return None
        following = ids[place[doc_id] + 1] if place[doc_id] + 1 < len(ids) else None
        if following is None:
            if not data.endswith(_LAST_DOCUMENT) or data.endswith(b"[" + _LAST_DOCUMENT):
                return None
            data = _joined(data, (len(data) - len(_LAST_DOCUMENT), len(data) - len(_LAST_DOCUMENT), b"," + runs[doc_id][1]))
            continue
        anchor = b"\n" + _DOC_JSON.encode({"id": following})[:-1].encode("utf-8") + b","
        at = data.find(anchor)
        if at < 0 or data.find(anchor, at + 1) >= 0:
            return None
        data = _joined(data, (at, at, runs[doc_id][1] + b","))
    return data


def spliced(data: bytes, runs: Iterable[tuple[bytes, bytes]]) -> bytes | None:
    """`splice` of each (old, new) run in turn, the bytes copied once: None when an old run is
    not found exactly once, or two overlap."""
    found = []
    for old, new in runs:
        if old == new:
            continue
        at = data.find(old)
        if at < 0 or data.find(old, at + 1) >= 0:
            return None
        found.append((at, at + len(old), new))
    found.sort()
    if any(end > start for (_, end, _), (start, _, _) in zip(found, found[1:])):
        return None
    return _joined(data, *found) if found else data


def _joined(data: bytes, *cuts: tuple[int, int, bytes]) -> bytes:
    """`data` with each (start, end, new) cut, in order and not overlapping, giving way to `new`:
    copied once, through views of its runs between the cuts (a download is tens of megabytes)."""
    view, parts, at = memoryview(data), [], 0
    for start, end, new in cuts:
        parts += (view[at:start], new)
        at = end
    parts.append(view[at:])
    return b"".join(parts)


def splice(data: bytes, old: bytes, new: bytes) -> bytes | None:
    """`data` with its one run of the bytes `old` replaced by `new`; None when `old` is not found
    exactly once."""
    return spliced(data, [(old, new)])
