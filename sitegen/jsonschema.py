"""JSON Schemas for the content files, generated from `schema.py` (editors' autocompletion and checks).

`python -m sitegen.jsonschema OUTDIR` writes one `<name>.schema.json` per kind of file. The shipped
copies live in `schemas/`; a test keeps them equal to freshly generated ones. The schemas follow
what `validate` accepts (an empty optional field means "not set"), in JSON Schema draft-07, the
newest draft the YAML editor extensions support. What a schema cannot say (a date that does not
exist, a reference to a missing document) is left to `python build.py check`.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Callable

from . import schema, validate
from .present import PERIOD_LABELS, STATUS_LABELS
from .schema import Field
from .text import SLUG_RE

DRAFT = "http://json-schema.org/draft-07/schema#"
CHOICE_LABELS = {"status": STATUS_LABELS, "period": PERIOD_LABELS}

_MONTH = "(0[1-9]|1[0-2])"
_DAY = "(0[1-9]|[12][0-9]|3[01])"
DATE_PATTERN = rf"^[0-9]{{4}}-{_MONTH}-{_DAY}$"  # ASCII digits, as the validator
DAY_PATTERN = rf"^[0-9]{{4}}(-{_MONTH}(-{_DAY})?)?$"
URL_PATTERN = r'^https?://[^\s<>"]+$'
NUMBER_PATTERN = r"^\s*-?[0-9]+(\.[0-9]+)?\s*%?\s*$"
NOT_BLANK = r"\S"
TERM_PATTERN = validate._TERM_RE.pattern
GOAL_PATTERN = validate._GOAL_RE.pattern

_SCALAR = ["string", "number"]  # what a text field accepts: YAML may read "58" or "2.5" as a number


def _text(f: Field) -> dict:
    return {"type": list(_SCALAR), "pattern": NOT_BLANK} if f.required else {"type": list(_SCALAR)}


def _value() -> dict:
    return {"anyOf": [
        {"type": "number"},
        {"type": "string", "enum": ["done", "not-done"]},
        {"type": "string", "pattern": NUMBER_PATTERN},
    ]}


def _items(fields: tuple[Field, ...]) -> dict:
    return {"type": "array", "items": object_schema(fields)}


def _results(f: Field) -> dict:
    one = {"anyOf": [*_value()["anyOf"], object_schema(schema.RESULT_VALUE)]}
    by_target = {"type": "object",
                 "description": "Kết quả của một văn bản (khóa là mã văn bản hoặc số ký hiệu): "
                                "<mã chỉ tiêu>: giá trị.",
                 "additionalProperties": one}
    return {"type": "object", "additionalProperties": by_target}


TYPES: dict[str, Callable[[Field], dict]] = {
    "text": _text,
    "ref": _text,
    "slug": lambda f: {"type": ["string", "integer"], "minimum": 0, "pattern": SLUG_RE.pattern},
    "url": lambda f: {"type": "string", "pattern": URL_PATTERN},
    "date": lambda f: {"type": "string", "pattern": DATE_PATTERN},
    "day": lambda f: {"type": ["string", "integer"], "minimum": 1000, "maximum": 9999,
                      "pattern": DAY_PATTERN},
    "bool": lambda f: {"type": "boolean"},
    "enum": lambda f: {"enum": list(f.choices)},
    "refs": lambda f: {"type": ["string", "integer", "array"], "items": {"type": list(_SCALAR)}},
    "words": lambda f: {"type": ["string", "integer", "array"], "items": {"type": list(_SCALAR)}},
    "term": lambda f: {"type": "string", "pattern": TERM_PATTERN},
    "year": lambda f: {"type": "integer", "minimum": 1900, "maximum": 2200},
    "goal": lambda f: {"type": list(_SCALAR), "pattern": GOAL_PATTERN},
    "value": lambda f: _value(),
    "attachments": lambda f: _items(schema.ATTACHMENT),
    "targets": lambda f: _items(schema.TARGET),
    "results": _results,
}


def description(f: Field) -> str:
    """The field's Vietnamese help, with its choices and whether it is required."""
    text = f.help
    if f.choices:
        labels = CHOICE_LABELS.get(f.name, {})
        text += ". Chọn một trong: " + ", ".join(f"{c} ({labels[c]})" if c in labels else c for c in f.choices)
    return text + (". Bắt buộc." if f.required else ".")


def _nullable(node: dict) -> dict:
    """An optional field may be left empty (YAML null), which means "not set"."""
    if "enum" in node:
        node["enum"] = node["enum"] + [None]
    elif "anyOf" in node:
        node["anyOf"] = node["anyOf"] + [{"type": "null"}]
    else:
        kinds = node["type"] if isinstance(node["type"], list) else [node["type"]]
        node["type"] = kinds + ["null"]
    return node


def field_schema(f: Field) -> dict:
    if f.type not in TYPES:
        raise ValueError(f"no JSON Schema for field type {f.type!r} (field {f.name!r})")
    node: dict[str, Any] = {"description": description(f)}
    node.update(TYPES[f.type](f))
    if not f.required:
        _nullable(node)
    if f.default is not None:
        node["default"] = f.default
    return node


def object_schema(fields: tuple[Field, ...], title: str = "", about: str = "") -> dict:
    node: dict[str, Any] = {}
    if title:
        node["title"] = title
    if about:
        node["description"] = about
    node["type"] = "object"
    node["properties"] = {f.name: field_schema(f) for f in fields}
    required = [f.name for f in fields if f.required]
    if required:
        node["required"] = required
    node["additionalProperties"] = False
    return node


def _document(fields, title, about) -> dict:
    return {"$schema": DRAFT, **object_schema(fields, title, about)}


def schemas() -> dict[str, dict]:
    """File name -> schema, for every kind of content file."""
    return {
        "site.schema.json": _document(
            schema.SITE, "site.yaml", "Thông tin chung của trang web (tệp content/site.yaml)."),
        "organisations.schema.json": {
            "$schema": DRAFT, "title": "organisations.yaml",
            "description": "Danh sách cơ quan ban hành (tệp content/organisations.yaml); "
                           "mỗi cơ quan bắt đầu bằng - id: …",
            "type": "array", "items": object_schema(schema.ORGANISATION)},
        "document.schema.json": _document(
            schema.DOCUMENT, "Văn bản",
            "Phần thông tin đầu tệp (giữa hai dòng ---) của một nghị quyết (content/resolutions/) "
            "hoặc chương trình, kế hoạch (content/programmes/)."),
        "post.schema.json": _document(
            schema.POST, "Bài viết", "Phần thông tin đầu tệp (giữa hai dòng ---) của một bài viết (content/posts/)."),
        "results.schema.json": _document(
            schema.RESULTS, "Kết quả thực hiện",
            "Kết quả thực hiện các chỉ tiêu trong một năm (tệp content/results/<năm>.yaml)."),
    }


def field_table(fields: tuple[Field, ...]) -> str:
    """A Markdown table of `fields` for docs/content-format.md (a test keeps the two equal)."""
    rows = ["| field | type | required | values | help shown to editors |", "| --- | --- | --- | --- | --- |"]
    for f in fields:
        values = ", ".join(f"`{c}`" + (" (default)" if c == f.default else "") for c in f.choices)
        if not f.choices and f.default is not None:
            values = f"default `{json.dumps(f.default)}`"
        rows.append(f"| `{f.name}` | {f.type} | {'yes' if f.required else ''} | {values} | {f.help} |")
    return "\n".join(rows) + "\n"


def dumps(node: dict) -> str:
    """The exact text of a shipped schema file."""
    return json.dumps(node, ensure_ascii=False, indent=2) + "\n"


def write(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, node in schemas().items():
        path = out_dir / name
        path.write_text(dumps(node), encoding="utf-8", newline="\n")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0].startswith("-"):
        print("usage: python -m sitegen.jsonschema OUTDIR", file=sys.stderr)
        return 2
    for path in write(Path(argv[0])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
