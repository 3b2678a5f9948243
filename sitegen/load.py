"""Stage 1: read the content tree into raw records with line marks."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import Collector
from .text import nfc
from .yamlsource import parse_yaml

SECTIONS = {"resolutions": "resolution", "programmes": "programme", "posts": "post"}
# Attachments a browser would run as part of the site (script in HTML or SVG): never published.
ACTIVE_TYPES = (".html", ".htm", ".xhtml", ".shtml", ".svg", ".svgz", ".js", ".mjs", ".xml", ".xsl", ".xslt")
_NUMBER_LINE = re.compile(r"^[-\s]*number\s*:\s*(.+?)\s*$", re.MULTILINE)
_OUTSIDE = ("nằm ngoài thư mục nội dung (qua liên kết tượng trưng); không được phép — "
            "hãy chép tệp thật vào thư mục nội dung")


@dataclass(frozen=True)
class Record:
    """One source file: parsed YAML data plus, for Markdown, its body."""

    kind: str  # site | organisations | resolution | programme | post | results
    path: str  # as shown to editors
    stem: str
    data: Any
    body: str = ""
    body_line: int = 1
    # A file that exists but could not be read (its problem is already reported): later
    # stages know of it, so references to it are not reported a second time as missing.
    broken: bool = False
    number: str = ""  # an unreadable document's number, when a "number:" line gives it


@dataclass(frozen=True)
class Attachment:
    rel: str  # path inside content/, with forward slashes
    size: int


@dataclass
class RawContent:
    root: Path
    records: list[Record] = field(default_factory=list)
    files: dict[str, Attachment] = field(default_factory=dict)


def display_path(path: Path) -> str:
    """Path as an editor sees it: relative to the working folder when possible."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path.as_posix()
    return path.as_posix() if rel.startswith("..") else Path(rel).as_posix()


def read_text(path: Path, shown: str, problems: Collector, data: bytes | None = None) -> str | None:
    """Read UTF-8 text, drop a BOM, normalise line ends and Unicode (NFC). `data`: the file's bytes,
    when the caller has read them already."""
    if data is None:
        data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.add(shown, line, "tệp không được mã hóa UTF-8; hãy lưu lại tệp với mã hóa UTF-8")
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return nfc(text)


def split_front_matter(text: str) -> tuple[str, int, str, int] | str:
    """Split '---' front matter from the body.

    Returns (yaml_text, yaml_first_line, body, body_first_line), or an error message.
    """
    lines = text.split("\n")
    if not text.strip():
        return "tệp rỗng; một văn bản phải bắt đầu bằng phần thông tin giữa hai dòng ---"
    if lines[0].rstrip() != "---":
        return "thiếu phần thông tin đầu tệp: dòng đầu tiên phải là ---"
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            yaml_text = "\n".join(lines[1:index]) + "\n"
            body = "\n".join(lines[index + 1:])
            return yaml_text, 2, body, index + 2
    return "phần thông tin đầu tệp chưa được đóng: thêm một dòng --- sau trường cuối cùng"


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def _number_hint(text: str) -> str:
    match = _NUMBER_LINE.search(text)
    return match[1].strip("\"'") if match else ""


def _broken(kind: str, shown: str, path: Path, text: str = "") -> Record:
    return Record(kind, shown, path.stem, None, broken=True, number=_number_hint(text))


def _load_yaml_file(path: Path, kind: str, problems: Collector, data: bytes | None = None) -> Record:
    shown = display_path(path)
    text = read_text(path, shown, problems, data)
    if text is None:
        return _broken(kind, shown, path)
    if not text.strip():
        problems.add(shown, 1, "tệp rỗng")
        return _broken(kind, shown, path)
    data, diags = parse_yaml(text, shown)
    problems.extend(diags)
    if diags and data is None:
        return _broken(kind, shown, path)
    return Record(kind, shown, path.stem, data)


def _load_markdown(path: Path, kind: str, problems: Collector, data: bytes | None = None) -> Record:
    shown = display_path(path)
    text = read_text(path, shown, problems, data)
    if text is None:  # most often saved as Windows-1258: enough to find its number
        raw = data if data is not None else path.read_bytes()
        return _broken(kind, shown, path, nfc(raw.decode("cp1258", errors="replace")))
    parts = split_front_matter(text)
    if isinstance(parts, str):
        problems.add(shown, 1, parts)
        return _broken(kind, shown, path, text)
    yaml_text, first, body, body_line = parts
    data, diags = parse_yaml(yaml_text, shown, offset=first - 1)
    problems.extend(diags)
    if diags and data is None:
        return _broken(kind, shown, path, yaml_text)
    number = "" if isinstance(data, dict) else _number_hint(yaml_text)
    return Record(kind, shown, path.stem, data, body, body_line, number=number)


def _sorted_entries(folder: Path, root: Path, problems: Collector) -> list[os.DirEntry]:
    """A folder's entries by name (dot files left out). An entry tells whether it is a link or a
    file without a system call of its own: this lists every file of the content on each build."""
    if not folder.is_dir() or not _folder_inside(folder, root, problems):
        return []
    with os.scandir(folder) as entries:
        return sorted((e for e in entries if not e.name.startswith(".")), key=lambda e: e.name)


def _folder_inside(folder: Path, root: Path, problems: Collector) -> bool:
    if _inside(folder, root):
        return True
    problems.add(display_path(folder), 1, f"thư mục {_OUTSIDE}")
    return False


@dataclass(frozen=True)
class Source:
    """A file to read, with its kind; `readable` is False when its problem is already reported."""

    path: Path
    kind: str
    readable: bool = True


def list_sources(root: Path) -> tuple[list[Source], Collector]:
    """Every content file to read, in a stable order; problems found while listing."""
    problems = Collector()
    sources: list[Source] = []
    if not root.is_dir():
        problems.add(display_path(root), 1, "không tìm thấy thư mục nội dung")
        return sources, problems

    for name, kind in (("site.yaml", "site"), ("organisations.yaml", "organisations")):
        path = root / name
        if not path.is_file() and not path.is_symlink():
            problems.add(display_path(path), 1, f"thiếu tệp {name}")
            sources.append(Source(path, kind, False))
            continue
        sources.append(Source(path, kind, _checked_file(path, root, problems)))

    for folder, kind in SECTIONS.items():
        for entry in _sorted_entries(root / folder, root, problems):
            path = Path(entry.path)
            if not _checked_file(path, root, problems, entry):
                continue
            if path.suffix != ".md":
                problems.add(display_path(path), 1,
                             f"tệp không phải Markdown (.md) trong thư mục {folder}/; hãy đổi tên hoặc chuyển đi")
                continue
            sources.append(Source(path, kind))

    for entry in _sorted_entries(root / "results", root, problems):
        path = Path(entry.path)
        if not _checked_file(path, root, problems, entry):
            continue
        if path.suffix not in (".yaml", ".yml"):
            problems.add(display_path(path), 1, "thư mục results/ chỉ chứa tệp <năm>.yaml")
            continue
        sources.append(Source(path, "results"))
    return sources, problems


def read_source(source: Source, data: bytes | None = None) -> tuple[Record, list]:
    """Read and parse one file; return its record and the problems found in it. `data`: the file's
    bytes, when the caller has read them already."""
    problems = Collector()
    if not source.readable:
        return _broken(source.kind, display_path(source.path), source.path), []
    if source.kind in SECTIONS.values():
        record = _load_markdown(source.path, source.kind, problems, data)
    else:
        record = _load_yaml_file(source.path, source.kind, problems, data)
    return record, problems.items


def scan_files(root: Path) -> tuple[dict[str, Attachment], Collector]:
    """The attachments below files/."""
    problems = Collector()
    return (_scan_files(root, problems) if root.is_dir() else {}), problems


def load(root: Path) -> tuple[RawContent, Collector]:
    """Read every content file below `root`; problems are collected, not raised."""
    sources, problems = list_sources(root)
    content = RawContent(root)
    for source in sources:
        record, found = read_source(source)
        content.records.append(record)
        problems.extend(found)
    files, found = scan_files(root)
    content.files = files
    problems.extend(found.items)
    return content, problems


def _checked_file(path: Path, root: Path, problems: Collector, entry: os.DirEntry | None = None) -> bool:
    """Whether `path` is a regular file inside `root` (else the problem is reported); `entry`: its
    directory entry, when listed with os.scandir."""
    link = entry.is_symlink() if entry is not None else path.is_symlink()
    # Only a symbolic link can lead out: the folders listed are checked before their files.
    if link and not _inside(path, root):
        problems.add(display_path(path), 1, f"tệp {_OUTSIDE}")
        return False
    # A link is followed by Path.is_file, which takes any error (a target through a file, a loop)
    # as "not a file"; an entry knows a file that is not a link without a system call.
    if not (entry.is_file() if entry is not None and not link else path.is_file()):
        problems.add(display_path(path), 1, "không phải tệp thông thường; hãy xóa hoặc chuyển đi")
        return False
    return True


def _scan_files(root: Path, problems: Collector) -> dict[str, Attachment]:
    found: dict[str, Attachment] = {}
    folder = root / "files"
    if not folder.is_dir() or not _folder_inside(folder, root, problems):
        return found
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames.sort()
        for name in dirnames:  # not followed; one pointing outside is reported
            if (Path(dirpath) / name).is_symlink():
                _folder_inside(Path(dirpath) / name, root, problems)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if name.startswith("."):
                continue
            if not _checked_file(path, root, problems):
                continue
            if path.suffix.lower() in ACTIVE_TYPES:
                problems.add(display_path(path), 1,
                             f"tệp đính kèm loại {path.suffix.lower()} không được phép vì có thể chứa mã chạy "
                             "trong trình duyệt của người đọc; hãy chuyển sang PDF hoặc ảnh PNG, JPEG")
                continue
            rel = path.relative_to(root).as_posix()
            found[nfc(rel)] = Attachment(rel, path.stat().st_size)
    return found
