"""YAML parsing that keeps line numbers and rejects duplicate keys.

Dates are left as strings (validated later with a line number), so a value
such as 2021-02-30 becomes a clear message instead of a parser crash.
"""
from __future__ import annotations

from typing import Any

import yaml

from .diagnostics import Diagnostic

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YMap(dict):
    """A mapping that remembers its own line and the line of each key."""

    line: int = 1
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class YList(list):
    """A sequence that remembers its own line and the line of each item."""

    line: int = 1
    item_lines: list

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Loader(_Base):
    yaml_implicit_resolvers = {
        key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for key, resolvers in _Base.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str, offset: int, path: str):
        super().__init__(stream)
        self.offset = offset
        self.path = path
        self.problems: list[Diagnostic] = []

    def _line(self, node: yaml.Node) -> int:
        return node.start_mark.line + 1 + self.offset

    def construct_mapping(self, node, deep=False):  # noqa: D401 - yaml API
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep)
        self.flatten_mapping(node)
        result = YMap()
        result.line = self._line(node)
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            key = str(key) if not isinstance(key, (list, dict)) else repr(key)
            if key in result.key_lines:
                self.problems.append(Diagnostic(
                    self.path, self._line(key_node),
                    f'khóa "{key}" bị lặp lại (đã có ở dòng {result.key_lines[key]}); '
                    "hãy xóa một trong hai"))
                continue
            result.key_lines[key] = self._line(key_node)
            result[key] = self.construct_object(value_node, deep=True)
        return result

    def construct_yaml_map(self, node):
        yield self.construct_mapping(node, deep=True)

    def construct_sequence(self, node, deep=False):
        result = YList(self.construct_object(child, deep=True) for child in node.value)
        result.line = self._line(node)
        result.item_lines = [self._line(child) for child in node.value]
        return result

    def construct_yaml_seq(self, node):
        yield self.construct_sequence(node, deep=True)


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_yaml_seq)


def parse_yaml(text: str, path: str, offset: int = 0) -> tuple[Any, list[Diagnostic]]:
    """Parse YAML; return (data, diagnostics). `offset` is added to line numbers."""
    loader = _Loader(text, offset, path)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + offset) if mark else offset + 1
        return None, [Diagnostic(path, line, _yaml_message(exc, text, mark))]
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        return None, [Diagnostic(path, offset + 1, f"lỗi cú pháp YAML: {exc}")]
    finally:
        loader.dispose()
    return data, loader.problems


def _yaml_message(exc: yaml.MarkedYAMLError, text: str, mark) -> str:
    problem = (exc.problem or exc.context or "").strip()
    if "\t" in problem or "'\\t'" in problem:
        return "lỗi cú pháp YAML: có ký tự Tab; hãy thụt lề bằng dấu cách"
    if mark is not None:
        lines = text.split("\n")
        if mark.line < len(lines) and lines[mark.line][: mark.column + 1].count("\t"):
            return "lỗi cú pháp YAML: có ký tự Tab; hãy thụt lề bằng dấu cách"
    return f"lỗi cú pháp YAML ({problem}); kiểm tra dấu hai chấm, thụt lề và dấu ngoặc kép"
