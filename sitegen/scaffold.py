"""`python build.py new …`: create a new content file, every field pre-filled and explained.

The fields, their order, their help text and their choices come from `schema.py`, so a new file
never drifts from what `validate` accepts. A file is valid as written: required values come from
the options, from today's date, or from a clearly marked guess (the issuer).
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from . import schema
from .diagnostics import Collector, ContentError
from .load import SECTIONS, display_path, read_text
from .present import PERIOD_LABELS, STATUS_LABELS
from .schema import Field
from .text import fold, nfc, slugify
from .yamlsource import YList, YMap, parse_yaml

KINDS = ("resolution", "programme", "post", "results")
FOLDERS = {kind: folder for folder, kind in SECTIONS.items()} | {"results": "results"}
CHOICE_LABELS = {"status": STATUS_LABELS, "period": PERIOD_LABELS}
SLUG_MAX = 60
TITLE_PLACEHOLDER = "Trích yếu văn bản (cần sửa)"

# Kind abbreviations in document numbers (see the glossary); only a suggestion for `kind`.
KIND_ABBREVIATIONS = {
    "nq": "Nghị quyết", "ct": "Chỉ thị", "kl": "Kết luận", "qd": "Quyết định", "qdi": "Quy định",
    "qc": "Quy chế", "hd": "Hướng dẫn", "ctr": "Chương trình hành động", "kh": "Kế hoạch",
    "da": "Đề án", "bc": "Báo cáo", "tb": "Thông báo",
}
_PARTY_NUMBER = re.compile(r"^\s*\d+[a-zA-Z]?\s*-\s*([^/\s]+)\s*/\s*(\S+)\s*$")  # 58-NQ/TW
_STATE_NUMBER = re.compile(r"^\s*\d+\s*/\s*(?:\d{4}\s*/\s*)?([^-/\s]+)\s*-\s*(\S+)\s*$")  # 05/2021/NQ-HĐND


class UsageError(Exception):
    """Wrong options for `new` (exit code 2)."""


class Exists(Exception):
    """The file to create is already there (exit code 1)."""


@dataclass(frozen=True)
class Request:
    kind: str  # resolution | programme | post | results
    content: Path
    today: dt.date
    number: str = ""
    title: str = ""
    year: int | None = None


# --- names -----------------------------------------------------------------------------------
def short_slug(text: str, limit: int = SLUG_MAX) -> str:
    """slugify(), cut at a word boundary so that a long title still gives a readable file name."""
    slug = slugify(text)
    if len(slug) <= limit:
        return slug
    cut = slug[: limit + 1].rsplit("-", 1)[0]
    return cut or slug[:limit].strip("-")


def document_id(number: str, title: str, year: int) -> str:
    """'15-KH/ĐUK' + 2026 -> '15-kh-duk-2026' (numbers restart every term, so the year is kept)."""
    if number.strip():
        slug = slugify(number)
        return slug if str(year) in slug.split("-") else f"{slug}-{year}" if slug else ""
    return short_slug(title)


def file_name(request: Request) -> str:
    """The new file's path inside the content folder, e.g. 'programmes/15-kh-duk-2026.md'."""
    if request.kind == "results":
        return f"results/{request.year}.yaml"
    if request.kind == "post":
        stem = short_slug(request.title)
    else:
        stem = document_id(request.number, request.title, request.year)
    if not stem:
        raise UsageError("không tạo được tên tệp từ số ký hiệu hoặc tiêu đề đã cho: "
                         "cần có ít nhất một chữ cái hoặc chữ số")
    return f"{FOLDERS[request.kind]}/{stem}.md"


def check_request(request: Request) -> None:
    """Which options each kind takes; raise UsageError in Vietnamese."""
    if request.kind == "results":
        if request.number or request.title:
            raise UsageError("tệp kết quả chỉ cần --year (năm báo cáo); không dùng --number hoặc --title")
    elif request.kind == "post":
        if request.number:
            raise UsageError("bài viết không có số ký hiệu; chỉ dùng --title (và --year nếu cần)")
        if not request.title.strip():
            raise UsageError('bài viết cần tiêu đề để đặt tên tệp, ví dụ: --title "Hội nghị quán triệt nghị quyết"')
    elif not (request.number.strip() or request.title.strip()):
        raise UsageError('cần --number (số ký hiệu) hoặc --title (trích yếu) để đặt tên tệp, '
                         'ví dụ: --number "15-KH/ĐUK"')
    if request.year is not None and not 1900 <= request.year <= 2200:
        raise UsageError(f"năm {request.year} không hợp lệ; ghi năm có bốn chữ số, ví dụ --year 2026")
    if request.kind == "results" and (request.year or 0) > request.today.year:
        raise UsageError(f"năm {request.year} chưa đến (năm hiện tại là {request.today.year}): "
                         "chưa thể có kết quả thực hiện")


# --- what the content folder already says -----------------------------------------------------
def _read_yaml(path: Path):
    if not path.is_file():
        return None
    text = read_text(path, display_path(path), Collector())
    data, _ = parse_yaml(text, display_path(path)) if text is not None else (None, [])
    return data


def organisations(content: Path) -> list[tuple[str, str, str]]:
    """(id, name, short) of each organisation in organisations.yaml, in file order; [] if unreadable."""
    data = _read_yaml(content / "organisations.yaml")
    out = []
    for item in data if isinstance(data, YList) else []:
        if isinstance(item, YMap) and isinstance(item.get("id"), str):
            out.append((item["id"], str(item.get("name") or ""), str(item.get("short") or "")))
    return out


def guess_kind(number: str, kind: str) -> str:
    """'15-KH/ĐUK' -> 'Kế hoạch'; otherwise the section's default kind."""
    match = _PARTY_NUMBER.match(number) or _STATE_NUMBER.match(number)
    if match and fold(match[1]) in KIND_ABBREVIATIONS:
        return KIND_ABBREVIATIONS[fold(match[1])]
    return schema.DEFAULT_KIND[kind]


def guess_issuer(number: str, orgs: list[tuple[str, str, str]]) -> tuple[str, bool]:
    """The organisation whose short name is in the number (ĐUK -> dang-uy-khoi), else the first one.

    Returns (id, sure): `sure` is False when it is only the first organisation of the list.
    """
    match = _PARTY_NUMBER.match(number) or _STATE_NUMBER.match(number)
    if match:
        wanted = fold(match[2])
        for org_id, _, short in orgs:
            if short and fold(short) == wanted:
                return org_id, True
    return (orgs[0][0], False) if orgs else ("", False)


# --- YAML writing ----------------------------------------------------------------------------
def scalar(value: object) -> str:
    """A YAML scalar that reads back as exactly `value` (plain when possible, else quoted)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    data, problems = parse_yaml(f"k: {text}\n", "")
    plain_ok = text == text.strip() and not problems and data == {"k": text}
    if plain_ok and text:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _help(f: Field) -> str:
    text = f.help
    if f.choices:
        labels = CHOICE_LABELS.get(f.name, {})
        options = ", ".join(f"{c} ({labels[c]})" if c in labels else c for c in f.choices)
        text += f". Chọn một trong: {options}"
    if f.required:
        text += " (bắt buộc)"
    return text


def field_lines(fields: tuple[Field, ...], values: dict[str, object], notes: dict[str, str],
                indent: str = "", commented: bool = False) -> list[str]:
    """One comment line with the help text, then `name: value`, for every field in schema order."""
    lines = []
    lead = f"{indent}# " if commented else indent
    for f in fields:
        lines.append(f"{indent}# {_help(f)}")
        for note in notes.get(f.name, "").splitlines():
            lines.append(f"{indent}# {note}")
        value = values.get(f.name, f.default)
        text = scalar(value)
        lines.append(f"{lead}{f.name}:{' ' + text if text else ''}")
    return lines


def example_lines(fields: tuple[Field, ...], example: dict[str, object], indent: str) -> list[str]:
    """A commented-out list item showing every field of `fields` with its help as a trailing note."""
    lines = []
    for i, f in enumerate(fields):
        mark = "- " if i == 0 else "  "
        value = scalar(example.get(f.name, f.default))
        lines.append(f"# {indent}{mark}{f.name}:{' ' + value if value else ''}    # {_help(f)}")
    return lines


TARGET_EXAMPLE = {"id": "ket-nap-dang-vien", "text": "Kết nạp đảng viên mới", "group": "Xây dựng Đảng",
                  "goal": ">= 300", "unit": "đảng viên", "period": "annual"}
ATTACHMENT_EXAMPLE = {"file": "files/ten-tep.pdf", "title": "Toàn văn (PDF)"}
UNCOMMENT = ("Để dùng: xóa dấu # và một dấu cách ở đầu mỗi dòng ví dụ dưới đây, "
             "giữ nguyên phần thụt lề.")


def _issued(request: Request) -> str:
    """Today's date; only the year when --year names another year (a partial date is valid)."""
    if request.year in (None, request.today.year):
        return request.today.isoformat()
    return str(request.year)


def document_text(request: Request) -> str:
    orgs = organisations(request.content)
    issuer, sure = guess_issuer(request.number, orgs)
    known = ", ".join(org_id for org_id, _, _ in orgs) or "(organisations.yaml chưa có cơ quan nào)"
    issuer_note = ("Đã điền theo tên viết tắt trong số ký hiệu; kiểm tra lại." if sure else
                   "ĐÃ ĐIỀN TẠM cơ quan đầu tiên trong organisations.yaml: hãy sửa cho đúng.")
    values = {
        "number": nfc(request.number.strip()) or None,
        "title": nfc(request.title.strip()) or TITLE_PLACEHOLDER,
        "kind": guess_kind(request.number, request.kind),
        "issuer": issuer or None,
        "issued": _issued(request),
    }
    notes = {
        "issuer": "\n".join([issuer_note, *textwrap.wrap(f"Các mã có trong organisations.yaml: {known}", 96)]),
        "issued": "Đã điền ngày tạo tệp; sửa thành ngày ban hành ghi trên văn bản.",
        "kind": "Đã điền sẵn theo số ký hiệu hoặc loại của thư mục; sửa nếu chưa đúng.",
        "attachments": UNCOMMENT + "\nTệp phải được chép vào thư mục files/ của nội dung.",
        "targets": UNCOMMENT + "\nVăn bản có chỉ tiêu phải có trường term (nhiệm kỳ).",
    }
    if not request.title.strip():
        notes["title"] = "ĐÃ ĐIỀN TẠM: hãy thay bằng trích yếu ghi trên văn bản."
    lines = ["---"]
    for f in schema.DOCUMENT:
        lines += field_lines((f,), values, notes)
        if f.name == "attachments":
            lines += example_lines(schema.ATTACHMENT, ATTACHMENT_EXAMPLE, "  ")
        elif f.name == "targets":
            lines += example_lines(schema.TARGET, TARGET_EXAMPLE, "  ")
    lines += ["# Dưới dòng --- sau đây là nội dung (toàn văn hoặc tóm tắt) của văn bản, viết bằng Markdown.",
              "---", ""]
    return "\n".join(lines)


def post_text(request: Request) -> str:
    values = {"title": nfc(request.title.strip()), "date": _issued(request)}
    notes = {"date": "Đã điền ngày tạo tệp; sửa nếu cần.",
             "documents": "Ví dụ: [58-NQ/TW, 12-ctr-duk-2021]"}
    lines = ["---", *field_lines(schema.POST, values, notes),
             "# Dưới dòng --- sau đây là nội dung bài viết, viết bằng Markdown.", "---", ""]
    return "\n".join(lines)


def _documents_with_targets(content: Path, year: int) -> list[tuple[str, str, list]] | None:
    """(id, heading, targets) of each document whose term covers `year`; None if content is invalid."""
    try:
        from .pipeline import check  # the whole pipeline: loaded only when a template needs the model

        model = check(content)
    except ContentError:
        return None
    out = []
    for doc in sorted(model.documents.values(), key=lambda d: d.id):
        if doc.targets and doc.term and doc.term[0] <= year <= doc.term[1]:
            heading = f"{doc.kind} {doc.number}".strip() + f" — {doc.title}"
            out.append((doc.id, heading, list(doc.targets)))
    return out


def _goal(target) -> str:
    if target.goal is None:
        return "định tính: ghi done hoặc not-done"
    unit = f" {target.unit}" if target.unit else ""
    return f"mục tiêu {target.goal.op} {target.goal.value}{unit}; ghi một con số"


def results_text(request: Request) -> str:
    year = request.year
    docs = _documents_with_targets(request.content, year)
    lines = [f"# Kết quả thực hiện các chỉ tiêu năm {year}."]
    for f in schema.RESULTS:
        if f.name == "results":
            lines.append(f"# {_help(f)}")
            lines.append("# Cách ghi: xóa {} ở dòng results ngay dưới, rồi xóa dấu # và một dấu cách ở đầu")
            lines.append("# các dòng cần dùng trong phần ví dụ; ghi giá trị sau dấu hai chấm. Chỉ tiêu nào")
            lines.append("# chưa có số liệu thì để nguyên dòng có dấu # (không ghi gì).")
            lines.append("results: {}")
            continue
        lines += field_lines((f,), {"year": year}, {})
    lines.append("#")
    if docs:
        lines.append(f"# Các văn bản có chỉ tiêu trong năm {year} (mã văn bản: mã chỉ tiêu):")
        for doc_id, heading, targets in docs:
            lines.append(f"#   # {heading}")
            lines.append(f"#   {doc_id}:")
            for target in targets:
                lines.append(f"#     {target.id}:    # {target.text} ({_goal(target)})")
    else:
        if docs is None:
            lines.append("# (Nội dung hiện có lỗi nên chưa liệt kê được các chỉ tiêu; chạy python build.py check.)")
        lines.append("# Ví dụ:")
        lines.append("#   12-ctr-duk-2021:")
        lines.append("#     ket-nap-dang-vien: 305")
        lines.append("#     van-hoa-kieu-mau: done")
    lines.append("#")
    lines.append("# Một giá trị có thể kèm ghi chú và nguồn riêng, viết thành nhiều dòng:")
    example = {"value": 305, "note": "Số liệu đến ngày 15/12", "source": "Báo cáo của Ban Tổ chức"}
    lines.append("#     ma-chi-tieu:")
    for f in schema.RESULT_VALUE:
        lines.append(f"#       {f.name}: {scalar(example[f.name])}    # {_help(f)}")
    lines.append("")
    return "\n".join(lines)


RENDERERS = {"resolution": document_text, "programme": document_text, "post": post_text,
             "results": results_text}


def create(request: Request) -> Path:
    """Write the new file; raise UsageError, Exists or FileNotFoundError. Returns its path."""
    check_request(request)
    if request.year is None:
        request = Request(request.kind, request.content, request.today, request.number, request.title,
                          request.today.year)
    if not request.content.is_dir():
        raise FileNotFoundError(str(request.content))
    name = file_name(request)
    path = request.content / name
    clashes = [path]
    if request.kind in ("resolution", "programme"):  # one id space for every document
        clashes += [request.content / folder / path.name for folder, k in SECTIONS.items()
                    if k in ("resolution", "programme")]
    for other in clashes:
        if other.exists():
            raise Exists(display_path(other))
    text = RENDERERS[request.kind](request)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise Exists(display_path(path)) from None
    return path


# --- command line -------------------------------------------------------------------------------
def add_parser(commands, project: Path) -> argparse.ArgumentParser:
    """Register `new` on the command line's subparsers."""
    parser = commands.add_parser(
        "new", help="tạo tệp mới (nghị quyết, chương trình, bài viết, kết quả năm) điền sẵn mọi trường",
        description="Tạo một tệp mới trong thư mục nội dung, điền sẵn mọi trường kèm lời giải thích.")
    parser.add_argument("kind", choices=KINDS, metavar="LOẠI",
                        help="resolution (nghị quyết), programme (chương trình, kế hoạch), "
                             "post (bài viết), results (kết quả một năm)")
    parser.add_argument("--number", default="", metavar="SỐ_KÝ_HIỆU", help='số ký hiệu, ví dụ "15-KH/ĐUK"')
    parser.add_argument("--title", default="", metavar="TRÍCH_YẾU", help="trích yếu văn bản hoặc tiêu đề bài viết")
    parser.add_argument("--year", type=int, default=None, metavar="NĂM", help="năm (mặc định: năm nay)")
    parser.add_argument("--content", type=Path, default=project / "content", metavar="THƯ_MỤC", help="thư mục nội dung")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    return parser


def run(args: argparse.Namespace) -> int:
    """Handler of `new`: 0 created, 1 the file exists or no content folder, 2 wrong options."""
    request = Request(args.kind, args.content, args.today or dt.date.today(), args.number, args.title,
                      args.year)
    try:
        path = create(request)
    except UsageError as error:
        print(f"python build.py new: {error}", file=sys.stderr)
        return 2
    except Exists as error:
        print(f"{error}: tệp này đã có nên không được ghi đè. Hãy mở tệp đó để sửa, "
              "hoặc dùng số ký hiệu, tiêu đề hay năm khác.", file=sys.stderr)
        return 1
    except FileNotFoundError:
        print(f"{display_path(request.content)}: không tìm thấy thư mục nội dung", file=sys.stderr)
        return 1
    print(f"Đã tạo {display_path(path)}. Mở tệp, điền thông tin, rồi chạy: python build.py check")
    return 0
