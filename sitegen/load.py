"""Stage 1: read the content tree into raw records with line marks."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import Collector
from .text import nfc
from .yamlsource import parse_yaml

SECTIONS = {"resolutions": "resolution", "programmes": "programme", "posts": "post"}


@dataclass(frozen=True)
class Record:
    """One source file: parsed YAML data plus, for Markdown, its body."""

    kind: str  # site | organisations | resolution | programme | post | results
    path: str  # as shown to editors
    stem: str
    data: Any
    body: str = ""
    body_line: int = 1


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


def read_text(path: Path, shown: str, problems: Collector) -> str | None:
    """Read UTF-8 text, drop a BOM, normalise line ends and Unicode (NFC)."""
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


def _load_yaml_file(path: Path, kind: str, problems: Collector) -> Record | None:
    shown = display_path(path)
    text = read_text(path, shown, problems)
    if text is None:
        return None
    if not text.strip():
        problems.add(shown, 1, "tệp rỗng")
        return None
    data, diags = parse_yaml(text, shown)
    problems.extend(diags)
    if diags and data is None:
        return None
    return Record(kind, shown, path.stem, data)


def _load_markdown(path: Path, kind: str, problems: Collector) -> Record | None:
    shown = display_path(path)
    text = read_text(path, shown, problems)
    if text is None:
        return None
    parts = split_front_matter(text)
    if isinstance(parts, str):
        problems.add(shown, 1, parts)
        return None
    yaml_text, first, body, body_line = parts
    data, diags = parse_yaml(yaml_text, shown, offset=first - 1)
    problems.extend(diags)
    if diags and data is None:
        return None
    return Record(kind, shown, path.stem, data, body, body_line)


def _sorted_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def load(root: Path) -> tuple[RawContent, Collector]:
    """Read every content file below `root`; problems are collected, not raised."""
    problems = Collector()
    content = RawContent(root)
    if not root.is_dir():
        problems.add(display_path(root), 1, "không tìm thấy thư mục nội dung")
        return content, problems

    for name, kind in (("site.yaml", "site"), ("organisations.yaml", "organisations")):
        path = root / name
        if not path.is_file():
            problems.add(display_path(path), 1, f"thiếu tệp {name}")
            continue
        record = _load_yaml_file(path, kind, problems)
        if record:
            content.records.append(record)

    for folder, kind in SECTIONS.items():
        for path in _sorted_files(root / folder):
            if not _checked_file(path, root, problems):
                continue
            if path.suffix != ".md":
                problems.add(display_path(path), 1,
                             f"tệp không phải Markdown (.md) trong thư mục {folder}/; hãy đổi tên hoặc chuyển đi")
                continue
            record = _load_markdown(path, kind, problems)
            if record:
                content.records.append(record)

    for path in _sorted_files(root / "results"):
        if not _checked_file(path, root, problems):
            continue
        if path.suffix not in (".yaml", ".yml"):
            problems.add(display_path(path), 1, "thư mục results/ chỉ chứa tệp <năm>.yaml")
            continue
        record = _load_yaml_file(path, "results", problems)
        if record:
            content.records.append(record)

    content.files = _scan_files(root, problems)
    return content, problems


def _checked_file(path: Path, root: Path, problems: Collector) -> bool:
    if path.is_symlink() and not _inside(path, root):
        problems.add(display_path(path), 1, "liên kết tượng trưng trỏ ra ngoài thư mục nội dung; không được phép")
        return False
    if not path.is_file():
        problems.add(display_path(path), 1, "không phải tệp thông thường; hãy xóa hoặc chuyển đi")
        return False
    return True


def _scan_files(root: Path, problems: Collector) -> dict[str, Attachment]:
    found: dict[str, Attachment] = {}
    folder = root / "files"
    if not folder.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if name.startswith("."):
                continue
            if path.is_symlink() and not _inside(path, root):
                problems.add(display_path(path), 1, "liên kết tượng trưng trỏ ra ngoài thư mục nội dung; không được phép")
                continue
            rel = path.relative_to(root).as_posix()
            found[nfc(rel)] = Attachment(rel, path.stat().st_size)
    return found
