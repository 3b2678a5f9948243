"""Stage 2: raw records -> typed, checked model records (every problem at once)."""
from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from . import schema, urls
from .diagnostics import Collector, suggest
from .load import RawContent, Record
from .model import (RELATIONS, AttachmentRef, Content, Day, Document, Goal, Organisation,
                    Post, Ref, Result, Site, Target, Unread)
from .schema import Field
from .text import is_slug, slugify
from .yamlsource import YList, YMap

INVALID = object()
# [0-9], not \d: \d also matches other scripts' digits ("२०२१"), which Decimal and int accept.
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_TERM_RE = re.compile(r"^([0-9]{4})\s*[-–]\s*([0-9]{4})$")
_GOAL_RE = re.compile(r"^(>=|<=|=|>|<|≥|≤)?\s*(-?[0-9]+(?:\.[0-9]+)?)\s*%?$")
_NUMBER_RE = re.compile(r"^-?[0-9]+(?:\.[0-9]+)?$")
YEARS = (1900, 2200)
_OPS = {"≥": ">=", "≤": "<="}
_TYPE_NAMES = {"text": "một đoạn chữ", "bool": "true hoặc false", "refs": "một danh sách",
               "words": "một danh sách", "year": "một năm (số)"}


class _Checker:
    """Converts one mapping's fields by their schema; reports into `problems`."""

    def __init__(self, path: str, problems: Collector):
        self.path = path
        self.problems = problems

    def error(self, line: int, message: str) -> object:
        self.problems.add(self.path, line, message)
        return INVALID

    def fields(self, data: Any, fields: tuple[Field, ...], line: int, what: str) -> dict | None:
        if not isinstance(data, YMap):
            self.error(getattr(data, "line", line), f"{what} phải là các cặp 'tên: giá trị'")
            return None
        names = [f.name for f in fields]
        for key in data:
            if key not in names:
                self.error(data.line_of(key), f'trường không hợp lệ "{key}"{suggest(key, names)}')
        out: dict[str, Any] = {}
        for f in fields:
            raw = data.get(f.name)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if f.required:
                    where = data.line_of(f.name) if f.name in data else data.line
                    self.error(where, f'thiếu trường bắt buộc "{f.name}" ({f.help[:1].lower() + f.help[1:]})')
                    out[f.name] = INVALID
                else:
                    out[f.name] = f.default
                continue
            out[f.name] = self.convert(f, raw, data.line_of(f.name))
        return out

    def convert(self, f: Field, raw: Any, line: int) -> Any:
        return getattr(self, "_" + f.type)(f, raw, line)

    # --- converters, one per field type ------------------------------------------
    def _text(self, f: Field, raw: Any, line: int) -> Any:
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            return self.error(line, f'trường "{f.name}" phải là một đoạn chữ')
        return str(raw).strip()

    def _slug(self, f: Field, raw: Any, line: int) -> Any:
        value = self._text(f, raw, line)
        if value is not INVALID and not is_slug(value):
            return self.error(line, f'"{value}" không phải mã hợp lệ ở trường "{f.name}": '
                                    "chỉ dùng chữ thường không dấu, số và dấu -")
        return value

    def _url(self, f: Field, raw: Any, line: int) -> Any:
        value = self._text(f, raw, line)
        if value is not INVALID and not re.match(r"^https?://[^\s<>\"]+$", value):
            return self.error(line, f'trường "{f.name}" phải là địa chỉ bắt đầu bằng http:// hoặc https://')
        return value

    def _date(self, f: Field, raw: Any, line: int) -> Any:
        text = str(raw).strip() if isinstance(raw, (str, int)) and not isinstance(raw, bool) else ""
        if _DATE_RE.match(text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                pass
        return self.error(line, f'ngày không hợp lệ "{raw}" ở trường "{f.name}": '
                                "viết theo dạng NNNN-TT-NN, ví dụ 2021-04-07, và là một ngày có thật")

    def _day(self, f: Field, raw: Any, line: int) -> Any:
        text = str(raw).strip() if isinstance(raw, (str, int)) and not isinstance(raw, bool) else ""
        if re.match(r"^[0-9]{4}(-[0-9]{2})?$", text):
            year, _, month = text.partition("-")
            if not month or 1 <= int(month) <= 12:
                return Day(int(year), int(month or 0))
        elif _DATE_RE.match(text) and self._date(f, raw, line) is not INVALID:
            year, month, day = (int(p) for p in text.split("-"))
            return Day(year, month, day)
        else:
            self._date(f, raw, line)
            return INVALID
        return self.error(line, f'ngày không hợp lệ "{raw}" ở trường "{f.name}": '
                                "viết theo dạng NNNN-TT-NN (hoặc NNNN-TT, NNNN khi chỉ biết tháng, năm)")

    def _bool(self, f: Field, raw: Any, line: int) -> Any:
        if not isinstance(raw, bool):
            return self.error(line, f'trường "{f.name}" chỉ nhận true hoặc false')
        return raw

    def _enum(self, f: Field, raw: Any, line: int) -> Any:
        if raw not in f.choices:
            options = ", ".join(f.choices)
            return self.error(line, f'giá trị "{raw}" không hợp lệ ở trường "{f.name}"'
                                    f'{suggest(str(raw), f.choices)} (chọn một trong: {options})')
        return raw

    def _ref(self, f: Field, raw: Any, line: int) -> Any:
        value = self._text(f, raw, line)
        return value if value is INVALID else Ref(value, line)

    def _list(self, f: Field, raw: Any, line: int) -> list[tuple[Any, int]] | object:
        if isinstance(raw, (str, int)) and not isinstance(raw, bool):
            return [(raw, line)]
        if not isinstance(raw, YList):
            return self.error(line, f'trường "{f.name}" phải là một danh sách, ví dụ [a, b]')
        return [(item, raw.line_of(i)) for i, item in enumerate(raw)]

    def _refs(self, f: Field, raw: Any, line: int) -> Any:
        items = self._list(f, raw, line)
        if items is INVALID:
            return INVALID
        refs = [self._ref(f, item, item_line) for item, item_line in items]
        return INVALID if INVALID in refs else tuple(refs)

    def _words(self, f: Field, raw: Any, line: int) -> Any:
        """Tags: each must give a page address (a slug), so it needs a letter or a digit."""
        items = self._list(f, raw, line)
        if items is INVALID:
            return INVALID
        words = []
        for item, item_line in items:
            word = self._text(f, item, item_line)
            if word is not INVALID and word and not slugify(word):
                word = self.error(item_line, f'chủ đề "{word}" không có chữ hoặc số nào; hãy đặt tên khác')
            words.append(word)
        return INVALID if INVALID in words else tuple(w for w in words if w)

    def _term(self, f: Field, raw: Any, line: int) -> Any:
        match = _TERM_RE.match(str(raw).strip())
        if not match or int(match[1]) > int(match[2]) or not YEARS[0] <= int(match[1]) <= int(match[2]) <= YEARS[1]:
            return self.error(line, f'nhiệm kỳ không hợp lệ "{raw}": viết dạng NĂM-NĂM, ví dụ 2020-2025')
        return int(match[1]), int(match[2])

    def _year(self, f: Field, raw: Any, line: int) -> Any:
        if isinstance(raw, bool) or not isinstance(raw, int) or not YEARS[0] <= raw <= YEARS[1]:
            return self.error(line, f'trường "{f.name}" phải là một năm, ví dụ 2022')
        return raw

    def _goal(self, f: Field, raw: Any, line: int) -> Any:
        text = str(raw).strip() if not isinstance(raw, bool) else ""
        match = _GOAL_RE.match(text)
        if not match:
            hint = "; dùng dấu chấm cho phần thập phân" if "," in text else ""
            return self.error(line, f'mục tiêu không hợp lệ "{raw}": viết "= N", ">= N", "> N", '
                                    f'"<= N" hoặc "< N", ví dụ ">= 300"{hint}')
        op = _OPS.get(match[1], match[1] or "=")
        return Goal(op, Decimal(match[2]))

    def _attachments(self, f: Field, raw: Any, line: int) -> Any:
        if not isinstance(raw, YList):
            return self.error(line, 'trường "attachments" phải là một danh sách các tệp (- file: …)')
        out: list = []
        for i, item in enumerate(raw):
            values = self.fields(item, schema.ATTACHMENT, raw.line_of(i), "mỗi tệp đính kèm")
            if not _valid(values):
                out.append(INVALID)
                continue
            out.append(AttachmentRef(values["file"], values["title"] or "", raw.line_of(i)))
        return INVALID if INVALID in out else tuple(out)

    def _targets(self, f: Field, raw: Any, line: int) -> Any:
        if not isinstance(raw, YList):
            return self.error(line, 'trường "targets" phải là một danh sách chỉ tiêu (- id: …)')
        out: list = []
        seen: dict[str, int] = {}
        for i, item in enumerate(raw):
            values = self.fields(item, schema.TARGET, raw.line_of(i), "mỗi chỉ tiêu")
            if not _valid(values):
                out.append(INVALID)
                continue
            item_line = item.line_of("id")
            if values["id"] in seen:
                out.append(self.error(item_line, f'mã chỉ tiêu "{values["id"]}" bị trùng (đã dùng ở dòng '
                                                 f'{seen[values["id"]]}); mỗi chỉ tiêu cần một mã riêng'))
                continue
            seen[values["id"]] = item_line
            out.append(Target(values["id"], values["text"], values["group"] or "", values["goal"],
                              values["unit"] or "", values["period"], item_line))
        return INVALID if INVALID in out else tuple(out)

    def _results(self, f: Field, raw: Any, line: int) -> Any:
        if not isinstance(raw, YMap):
            return self.error(line, 'trường "results" phải liệt kê theo văn bản: <mã văn bản>: {<mã chỉ tiêu>: giá trị}')
        return raw

    def _value(self, f: Field, raw: Any, line: int) -> Any:
        return raw


def _valid(values: dict | None) -> bool:
    return values is not None and INVALID not in values.values()


def _site(record: Record, problems: Collector) -> Site | None:
    values = _Checker(record.path, problems).fields(record.data, schema.SITE, 1, "site.yaml")
    if not _valid(values):
        return None
    base = (values["base_url"] or "").rstrip("/")
    return Site(values["title"], values["description"] or "", base + "/" if base else "", values["language"])


def _organisations(record: Record, problems: Collector) -> tuple[list[Organisation], set[str], bool]:
    """The organisations, the ids of those that could not be read, and whether none could."""
    check = _Checker(record.path, problems)
    data = record.data
    if not isinstance(data, YList):
        check.error(getattr(data, "line", 1), "organisations.yaml phải là một danh sách cơ quan (- id: …)")
        return [], set(), True
    out, seen, unread = [], {}, set()
    for i, item in enumerate(data):
        values = check.fields(item, schema.ORGANISATION, data.line_of(i), "mỗi cơ quan")
        if not _valid(values):
            if isinstance(item, YMap) and isinstance(item.get("id"), str):
                unread.add(item["id"].strip())
            continue
        line = item.line_of("id")
        if values["id"] in seen:
            check.error(line, f'mã cơ quan "{values["id"]}" bị trùng (đã dùng ở dòng {seen[values["id"]]})')
            continue
        seen[values["id"]] = line
        parent = values["parent"]
        out.append(Organisation(values["id"], values["name"], values["short"] or "",
                                parent.value if parent else "", record.path,
                                parent.line if parent else line))
    return out, unread, False


def _id_ok(record: Record, check: _Checker, what: str) -> bool:
    if is_slug(record.stem):
        return True
    check.error(1, f'tên tệp "{record.stem}.md" không hợp lệ: {what} dùng tên tệp làm mã và địa chỉ, '
                   "chỉ gồm chữ thường không dấu, số và dấu - (ví dụ 58-nq-tw.md)")
    return False


def _fields_in_body(record: Record, fields: tuple[Field, ...], check: _Checker) -> bool:
    """Report field lines left in the body by a stray '---' (a 'restricted: true' there
    would otherwise be published as text, and the document with it); True when clean."""
    names = {f.name for f in fields}
    fenced, clean = False, True
    for offset, text in enumerate(record.body.split("\n")):
        if text.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        match = None if fenced else re.match(r"^([a-z_]+)\s*:(\s|$)", text)
        if match and match[1] in names:
            check.error(record.body_line + offset,
                        f'dòng "{text.strip()[:60]}" nằm trong phần nội dung vì phần thông tin đầu tệp đã kết thúc '
                        f"ở dòng --- số {record.body_line - 1}; hãy xóa dòng --- thừa để trường này có hiệu lực")
            clean = False
    return clean


def _markdown_fields(record: Record, fields: tuple[Field, ...], what: str,
                     problems: Collector) -> tuple[_Checker, dict] | None:
    """Check a Markdown file's name, front matter and body; its checker and values when valid."""
    check = _Checker(record.path, problems)
    id_ok = _id_ok(record, check, what)
    values = check.fields(record.data, fields, 1, "phần thông tin đầu tệp")
    body_ok = _fields_in_body(record, fields, check)
    return (check, values) if _valid(values) and id_ok and body_ok else None


def _document(record: Record, problems: Collector) -> Document | None:
    checked = _markdown_fields(record, schema.DOCUMENT, "văn bản", problems)
    if checked is None:
        return None
    check, values = checked
    data = record.data
    if values["targets"] and not values["term"]:
        check.error(data.line_of("targets"), 'văn bản có chỉ tiêu phải có trường "term" (ví dụ term: 2020-2025)')
        return None
    if values["effective"] and values["expires"] and values["expires"] < values["effective"]:
        check.error(data.line_of("expires"), "ngày hết hiệu lực đứng trước ngày có hiệu lực")
        return None
    return Document(
        id=record.stem, section=record.kind, path=record.path, title=values["title"],
        kind=values["kind"] or schema.DEFAULT_KIND[record.kind], issuer=values["issuer"],
        issued=values["issued"], number=values["number"] or "", place=values["place"] or "",
        signer=values["signer"] or "", effective=values["effective"], expires=values["expires"],
        status=values["status"], term=values["term"],
        relations={name: values[name] or () for name in RELATIONS},
        tags=values["tags"] or (), restricted=values["restricted"], draft=values["draft"],
        attachments=values["attachments"] or (), targets=values["targets"] or (),
        body=record.body, body_line=record.body_line)


def _post(record: Record, problems: Collector) -> Post | None:
    checked = _markdown_fields(record, schema.POST, "bài viết", problems)
    if checked is None:
        return None
    _, values = checked
    return Post(record.stem, record.path, values["title"], values["date"], values["author"] or "",
                values["source"] or "", values["documents"] or (), values["tags"] or (),
                values["draft"], record.body, record.body_line)


def _number(raw: Any, line: int, check: _Checker) -> Any:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return Decimal(raw)
    if isinstance(raw, float) and math.isfinite(raw):
        return Decimal(str(raw))
    text = str(raw).strip().rstrip("%").strip() if isinstance(raw, str) else ""
    try:
        if _NUMBER_RE.match(text):
            return Decimal(text)
    except InvalidOperation:  # pragma: no cover - regex guards it
        pass
    if isinstance(raw, str) and re.match(r"^-?[0-9.]+,[0-9]+%?$", raw.strip()):
        decimal = raw.strip().rstrip("%").replace(".", "").replace(",", ".")
        if re.match(r"^-?[0-9]{1,3},[0-9]{3}$", raw.strip()):  # "1,250": thousands or decimals?
            fix = f"viết {decimal} nếu là số thập phân, {decimal.replace('.', '')} nếu là số hàng nghìn"
        else:
            fix = f"viết {decimal}"
        return check.error(line, f'giá trị "{raw}" không phải là số: dùng dấu chấm cho phần thập phân, '
                                 f"không dùng dấu phẩy ({fix})")
    shown = str(raw).lower() if isinstance(raw, bool) else raw
    return check.error(line, f'giá trị "{shown}" không hợp lệ: ghi một con số (ví dụ 76.5), '
                             "hoặc done / not-done nếu là chỉ tiêu định tính")


def _results(record: Record, problems: Collector, current_year: int | None) -> list[Result]:
    check = _Checker(record.path, problems)
    values = check.fields(record.data, schema.RESULTS, 1, "tệp kết quả")
    if not _valid(values):
        return []
    year = values["year"]
    if str(year) != record.stem:
        check.error(record.data.line_of("year"), f'năm {year} không khớp với tên tệp "{record.stem}.yaml"; '
                                                  f"hãy đặt tên tệp là {year}.yaml")
        return []
    if current_year is not None and year > current_year:
        check.error(record.data.line_of("year"), f"năm {year} chưa đến (năm hiện tại là {current_year}): "
                                                  "chưa thể có kết quả thực hiện; kiểm tra lại năm ở tên tệp "
                                                  'và trường "year"')
        return []
    out = []
    table: YMap = values["results"]
    path, file_source = record.path, values["source"] or ""
    for doc_key, targets in table.items():
        doc_line = table.line_of(doc_key)
        if not isinstance(targets, YMap):
            check.error(doc_line, f'kết quả của "{doc_key}" phải là các cặp <mã chỉ tiêu>: giá trị')
            continue
        document = Ref(doc_key, doc_line)  # one for the document's results: pickled once
        for target_id, raw in targets.items():
            line = targets.line_of(target_id)
            kind = type(raw)
            if kind is int or kind is float and math.isfinite(raw):  # (most values: `_number`'s first cases,
                # the record made as its constructor makes it, through its slots: 20,000 take 15 ms, 9 so)
                out.append(Result._load(document, target_id, year, Decimal(raw if kind is int else repr(raw)), None,
                                        "", file_source, path, line))
                continue
            note, source = "", file_source
            if isinstance(raw, YMap):
                item = check.fields(raw, schema.RESULT_VALUE, line, "mỗi kết quả")
                if not _valid(item):
                    continue
                raw, note, source = item["value"], item["note"] or "", item["source"] or source
            if raw is None:
                check.error(line, f'chưa có giá trị cho chỉ tiêu "{target_id}"; xóa dòng này nếu chưa có số liệu')
                continue
            if isinstance(raw, str) and raw.strip() in ("done", "not-done"):
                out.append(Result(document, target_id, year, None, raw.strip() == "done",
                                  note, source, record.path, line))
                continue
            number = _number(raw, line, check)
            if number is not INVALID:
                out.append(Result(document, target_id, year, number, None,
                                  note, source, record.path, line))
    return out


_BUILDERS: dict[str, Callable] = {"resolution": _document, "programme": _document, "post": _post}


def _raw_number(data: Any) -> str:
    number = data.get("number") if isinstance(data, YMap) else None
    return str(number).strip() if isinstance(number, (str, int)) and not isinstance(number, bool) else ""


def validate_record(record: Record, current_year: int | None = None) -> tuple[Any, list]:
    """Check one record alone; return what it yields (None when unreadable) and its problems.

    Site -> Site; organisations -> (organisations, unread ids, all unread); results -> [Result];
    documents and posts -> Document / Post."""
    problems = Collector()
    if record.broken:
        return None, []
    if record.kind == "site":
        item = _site(record, problems)
    elif record.kind == "organisations":
        item = _organisations(record, problems)
    elif record.kind == "results":
        item = _results(record, problems, current_year)
    else:
        item = _BUILDERS[record.kind](record, problems)
    return item, problems.items


def assemble(pairs: list[tuple[Record, Any]], files: dict) -> Content:
    """Gather checked records into one Content, noting which could not be read."""
    site = None
    organisations: list[Organisation] = []
    documents, posts, results = [], [], []
    unread_documents: set[str] = set()
    unread_pages: set[str] = set()
    unread_orgs: set[str] = set()
    all_orgs = False
    for record, item in pairs:
        if record.kind == "site":
            site = item
        elif record.kind == "organisations":
            if item is None:
                all_orgs = True
            else:
                organisations, unread, all_orgs = item
                unread_orgs |= unread
        elif record.kind == "results":
            results.extend(item or [])
        elif item is None:  # its problems are reported; do not report references to it again
            unread_pages.add(urls.document(record.kind, record.stem))
            if record.kind != "post":
                unread_documents |= {record.stem, record.number or _raw_number(record.data)} - {""}
        else:
            (posts if record.kind == "post" else documents).append(item)
    unread = Unread(frozenset(unread_documents), frozenset(unread_pages), frozenset(unread_orgs), all_orgs)
    return Content(site or Site("(chưa đặt tên)"), tuple(organisations), tuple(documents),
                   tuple(posts), tuple(results), files, unread)


def validate(raw: RawContent, problems: Collector, current_year: int | None = None) -> Content:
    """Check every record; collect problems; return what could be read.

    `current_year`, when given, rejects results files for a year still to come."""
    pairs = []
    for record in raw.records:
        item, found = validate_record(record, current_year)
        problems.extend(found)
        pairs.append((record, item))
    return assemble(pairs, raw.files)
