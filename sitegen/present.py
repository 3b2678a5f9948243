"""Small presentation values computed in Python: labels, goals, values, charts."""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from html import escape
from typing import Iterable

from markupsafe import Markup
from markupsafe import escape as markup_escape

from . import formats
from .model import Document, Goal, Result, Target

STATUS_LABELS = {"in-force": "Còn hiệu lực", "partly-expired": "Hết hiệu lực một phần",
                 "expired": "Hết hiệu lực toàn bộ", "replaced": "Bị thay thế"}
PERIOD_LABELS = {"annual": "Hằng năm", "term": "Cả nhiệm kỳ"}
GOAL_WORDS = {">=": "ít nhất ", ">": "trên ", "<=": "không quá ", "<": "dưới ", "=": ""}
EXTENSION_TYPES = {"pdf": "PDF", "doc": "Word", "docx": "Word", "xls": "Excel", "xlsx": "Excel",
                   "jpg": "Ảnh JPEG", "jpeg": "Ảnh JPEG", "png": "Ảnh PNG", "odt": "OpenDocument",
                   "zip": "Tệp nén ZIP", "txt": "Văn bản thuần"}


def with_unit(number: str, unit: str) -> str:
    if not unit:
        return number
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}"


def goal_text(target: Target) -> str:
    """'ít nhất 300 đảng viên', '100%'; '' for a qualitative target."""
    if target.goal is None:
        return ""
    return GOAL_WORDS[target.goal.op] + with_unit(formats.number(target.goal.value), target.unit)


def value_text(target: Target, result: Result) -> str:
    """Actual against goal, the way reports write it: '312/300 đảng viên', '92/90%'."""
    if target.goal is None:
        return "Đã hoàn thành" if result.done else "Chưa hoàn thành"
    actual = formats.number(result.value)
    return with_unit(f"{actual}/{formats.number(target.goal.value)}", target.unit)


def heading(doc: Document) -> str:
    """'Nghị quyết 58-NQ/TW' — kind and number, as national portals title documents."""
    return f"{doc.kind} {doc.number}".strip() if doc.number else doc.kind


def truncate(text: str, length: int, leeway: int = 5, end: str = "...") -> str:
    """Shorten to about `length` characters at a word boundary (as Jinja's `truncate` filter)."""
    if len(text) <= length + leeway:
        return text
    return text[: length - len(end)].rsplit(" ", 1)[0] + end


def option(value: object, label: object) -> Markup:
    """One `<option>` of a filter menu, escaped as the templates escape."""
    return Markup(f'<option value="{markup_escape(value)}">{markup_escape(label)}</option>')


def options(items: Iterable[Markup]) -> Markup:
    """A menu's options, already rendered, as one string."""
    return Markup("".join(items))


def term_label(doc: Document) -> str:
    return "Nhiệm kỳ" if "đại hội" in doc.title.lower() else "Giai đoạn"


def term_text(term: tuple[int, int] | None) -> str:
    return f"{term[0]}–{term[1]}" if term else ""


def file_type(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return EXTENSION_TYPES.get(ext, ext.upper() or "Tệp")


CHART_WIDTH, CHART_HEIGHT, CHART_PAD, CHART_BASE = 240, 110, 4, 92
CHART_HEADROOM = Decimal("1.15")  # the tallest bar or the goal line reaches 1/1.15 of the height


@lru_cache(maxsize=256)
def _chart_axis(first: int, last: int) -> tuple[tuple[str, str, str], ...]:
    """What a chart of the years first..last writes for each year whatever the values: its bar's
    x and width attributes and its label."""
    step = (CHART_WIDTH - 2 * CHART_PAD) / (last - first + 1)
    axis = []
    for index, year in enumerate(range(first, last + 1)):
        x = CHART_PAD + index * step + step * 0.2
        axis.append((f'x="{x:.1f}"', f'width="{step * 0.6:.1f}"',
                     f'<text x="{x + step * 0.3:.1f}" y="{CHART_HEIGHT - 4}" text-anchor="middle">{year}</text>'))
    return tuple(axis)


def chart_svg(target: Target, term: tuple[int, int], results: dict[int, Result], chart_id: str) -> str:
    """Inline SVG: values by year as bars against the goal line; titled for screen readers."""
    if target.goal is None:
        return ""
    years = range(term[0], term[1] + 1)
    values = [results[y].value if y in results else None for y in years]
    top = max([v for v in values if v is not None] + [target.goal.value]) or Decimal(1)
    width, height, pad, base = CHART_WIDTH, CHART_HEIGHT, CHART_PAD, CHART_BASE
    scale = (base - 8) / float(top * CHART_HEADROOM)  # pixels a unit (floats: 10,000 documents draw 70,000 charts)
    goal_y = base - float(target.goal.value) * scale
    described = "; ".join(
        f"{y}: {with_unit(formats.number(v), target.unit) if v is not None else 'chưa có số liệu'}"
        for y, v in zip(years, values))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(target.text)}: kết quả theo năm so với mục tiêu</title>',
        f'<desc id="{chart_id}-d">Mục tiêu {escape(goal_text(target))}. {escape(described)}.</desc>',
    ]
    for (x, bar_width, label), value in zip(_chart_axis(term[0], term[1]), values):
        if value is not None:
            bar = float(value) * scale
            parts.append(f'<rect class="bar" {x} y="{base - bar:.1f}" {bar_width} height="{bar:.1f}"/>')
        parts.append(label)
    parts.append(f'<line class="goal" x1="{pad}" x2="{width - pad}" y1="{goal_y:.1f}" y2="{goal_y:.1f}"/>')
    parts.append(f'<text class="goal-label" x="{width - pad}" y="{max(goal_y - 3, 9):.1f}" text-anchor="end">mục tiêu</text>')
    parts.append("</svg>")
    return "".join(parts)
