"""YAML parsing that keeps line numbers and rejects duplicate keys.

Dates are left as strings (validated later with a line number), so a value
such as 2021-02-30 becomes a clear message instead of a parser crash. Numbers
are plain decimals only: YAML 1.1 would read 12:30 as 750, 010 as 8 and 0x1F
as 31, and accept .nan and .inf; here those stay text and are reported.
"""
from __future__ import annotations

import re
from functools import lru_cache
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


_DROPPED = ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_STR = "tag:yaml.org,2002:str"
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")


class _Loader(_Base):
    yaml_implicit_resolvers = {
        key: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
        for key, resolvers in _Base.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str, offset: int, path: str):
        super().__init__(stream)
        self.offset = offset
        self.path = path
        self.problems: list[Diagnostic] = []

    def resolve(self, kind, value, implicit):  # noqa: D401 - yaml API
        """A node's tag, as the base resolver gives it but in fewer steps: it runs for every node
        of every file, and no path resolvers are set here."""
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return _STR
        return super().resolve(kind, value, implicit)

    def _line(self, node: yaml.Node) -> int:
        return node.start_mark.line + 1 + self.offset

    def construct_object(self, node, deep=False):  # noqa: D401 - yaml API
        """A plain string at once: what the constructor would give after five more calls (most values
        of a front matter are strings)."""
        if node.__class__ is yaml.ScalarNode and node.tag == _STR:
            return node.value
        return super().construct_object(node, deep)

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

    def construct_decimal_int(self, node):
        return int(self.construct_scalar(node), 10)

    def construct_decimal_float(self, node):
        return float(self.construct_scalar(node))


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_yaml_seq)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_decimal_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_decimal_float)
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789."))


def parse_yaml(text: str, path: str, offset: int = 0) -> tuple[Any, list[Diagnostic]]:
    """Parse YAML; return (data, diagnostics). `offset` is added to line numbers."""
    regular = _regular(text, offset)
    if regular is not None:
        return regular, []
    loader = _Loader(text, offset, path)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        line, message = _explain(exc, text)
        return None, [Diagnostic(path, line + 1 + offset, message)]
    except yaml.reader.ReaderError as exc:
        return None, [Diagnostic(path, _reader_line(exc, text) + offset, _control_message(exc.character))]
    except (yaml.YAMLError, ValueError, OverflowError):  # pragma: no cover - unmarked errors are rare
        return None, [Diagnostic(path, offset + 1, "lỗi cú pháp YAML; kiểm tra dấu hai chấm, thụt lề "
                                                   "và dấu ngoặc kép")]
    finally:
        loader.dispose()
    return data, loader.problems


def _reader_line(exc, text: str) -> int:
    """Line of a ReaderError: the C parser counts UTF-8 bytes, the Python one characters."""
    if _Base is yaml.SafeLoader:
        return text[: exc.position].count("\n") + 1
    return text.encode("utf-8")[: exc.position].count(b"\n") + 1


def _control_message(character) -> str:
    code = character if isinstance(character, int) else ord(character or "\0")
    return (f"tệp chứa ký tự điều khiển không được phép (U+{code:04X}), thường do chép từ phần mềm khác; "
            "hãy xóa ký tự đó hoặc gõ lại dòng này")


_TAB = "có ký tự Tab; hãy thụt lề bằng dấu cách"
_INDENT = ("thụt lề không đúng, hoặc có chữ thừa sau một giá trị đặt trong ngoặc; "
           "các trường cùng cấp phải thẳng hàng với nhau")
_QUOTE = "dấu ngoặc kép (hoặc ngoặc đơn) mở ở dòng này chưa được đóng; hãy thêm dấu đóng ở cuối giá trị"
_MESSAGES = (  # (words in the parser's problem, explanation for editors)
    ("mapping values are not allowed", 'có dấu hai chấm ":" không đúng chỗ; nếu giá trị có dấu hai chấm, '
                                       "hãy đặt cả giá trị trong dấu ngoặc kép"),
    ("could not find expected ':'", 'thiếu dấu hai chấm ":" sau tên trường, hoặc một giá trị bị xuống dòng '
                                    "giữa chừng; hãy viết mỗi trường trên một dòng dạng tên: giá trị"),
    ("expected ',' or ']'", 'danh sách trong dấu [ ] chưa đúng: thiếu dấu "]" hoặc dấu phẩy giữa các mục'),
    ("expected ',' or '}'", 'nhóm trong dấu { } chưa đúng: thiếu dấu "}" hoặc dấu phẩy giữa các mục'),
    ("expected <block end>", _INDENT),  # the Python parser's words
    ("did not find expected key", _INDENT),  # libyaml's
    ("expected '-' indicator", _INDENT),
    ("expected <block", _INDENT),
    ("undefined alias", 'giá trị bắt đầu bằng dấu "*"; hãy đặt cả giá trị trong dấu ngoặc kép'),
    ("while scanning an alias", 'giá trị bắt đầu bằng dấu "*"; hãy đặt cả giá trị trong dấu ngoặc kép'),
    ("while scanning an anchor", 'giá trị bắt đầu bằng dấu "&"; hãy đặt cả giá trị trong dấu ngoặc kép'),
    ("unknown escape character", 'có dấu "\\" không hợp lệ trong dấu ngoặc kép; '
                                 "hãy dùng dấu ngoặc đơn ' ' cho giá trị này"),
    ("cannot start any token", "có ký tự không được đứng đầu giá trị; hãy đặt cả giá trị trong dấu ngoặc kép"),
    ("merg", '"<<" chỉ dùng để gộp các cặp tên: giá trị; hãy xóa dòng này hoặc đặt giá trị trong dấu ngoặc kép'),
    ("could not determine a constructor", 'giá trị bắt đầu bằng dấu "!"; hãy đặt cả giá trị trong dấu ngoặc kép'),
    ("another document", "tệp chỉ được có một phần thông tin; hãy xóa dòng --- thừa"),
    ("recursive", 'giá trị tự tham chiếu chính nó bằng "&" và "*"; hãy viết giá trị đầy đủ'),
)


def _explain(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, str]:
    """(0-based line, Vietnamese message) for a YAML syntax error."""
    problem = " ".join(filter(None, (exc.context, exc.problem)))
    mark = exc.problem_mark or exc.context_mark
    line = mark.line if mark else 0
    lines = text.split("\n")
    if "'\\t'" in problem or "tab character" in problem or (
            mark is not None and mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]):
        return line, f"lỗi cú pháp YAML: {_TAB}"
    if "quoted scalar" in problem and "end of stream" in problem and exc.context_mark:
        return exc.context_mark.line, f"lỗi cú pháp YAML: {_QUOTE}"
    if "simple key" in problem and exc.context_mark:
        line = exc.context_mark.line  # the line missing its colon, not the next one
    for words, message in _MESSAGES:
        if words in problem:
            return line, f"lỗi cú pháp YAML: {message}"
    return line, ("lỗi cú pháp YAML; kiểm tra dấu hai chấm, thụt lề và dấu ngoặc kép ở dòng này "
                  "hoặc dòng ngay trước")


# The usual shapes of our YAML (a front matter, a results file: nested mappings, lists of
# mappings such as the targets, [a, b] lists, plain and double-quoted values) are read line by
# line instead of by the parser above: the same mappings, lists, values and line numbers, in a
# fraction of the time (a results file of a large site has 27,000 lines; every build reads every
# front matter). Anything else (single quotes, escapes, flows other than a list of plain values,
# a tab, a value the YAML resolver reads otherwise than as a decimal or a string, a key given
# twice, an empty value, a value over lines) and the text is left to the parser, which also
# reports what is wrong.
_NOT_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`<=~ ")
_SPECIAL = frozenset("yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF null Null NULL".split())
_NUMBER_START = frozenset("0123456789+-.")  # how the decimals the resolver reads start


class _Irregular(Exception):
    """The text is not of the shapes `_regular` reads."""


def _regular(text: str, offset: int = 0) -> YMap | None:
    """`text` read line by line (see above), or None when it holds anything else."""
    if "\t" in text or "\\" in text or _unprintable(text):
        return None
    lines = []  # (line number, indent, content) of the lines that are not blank or comments
    for number, line in enumerate(text.split("\n"), 1 + offset):
        content = line.lstrip(" ")
        if content and not content.startswith("#"):
            lines.append((number, len(line) - len(content), content.rstrip(" ")))
    if not lines or lines[0][1] != 0 or lines[0][2].startswith("-"):
        return None
    try:
        root, end = _mapping(lines, 0, 0)
    except _Irregular:
        return None
    return root if end == len(lines) else None


def _mapping(lines: list, at: int, indent: int) -> tuple[YMap, int]:
    """The mapping whose keys are the lines from `at` indented by `indent`; and the line after it."""
    mapping = YMap()
    mapping.line, mapping.key_lines = lines[at][0], {}
    key_lines, count = mapping.key_lines, len(lines)  # (locals: this loop runs for every line of a results file)
    while at < count:
        number, depth, content = lines[at]
        if depth != indent or _item(content):
            break
        key, colon, rest = content.partition(":")
        key = _key(key)
        if key is None or not colon or rest[:1] not in ("", " ") or key in key_lines:
            raise _Irregular
        rest = rest.strip(" ")
        at += 1
        if rest and rest[0] != "#":
            value = _value(rest, number)
        elif at < count and lines[at][1] > indent:  # a block below the key
            value, at = (_sequence if _item(lines[at][2]) else _mapping)(lines, at, lines[at][1])
        else:
            raise _Irregular  # an empty value (or a list as deep as its key)
        key_lines[key] = number
        mapping[key] = value
    if at < count and lines[at][1] > indent:
        raise _Irregular
    return mapping, at


def _item(content: str) -> bool:
    return content == "-" or content.startswith("- ")


def _sequence(lines: list, at: int, indent: int) -> tuple[YList, int]:
    """The list whose items are the "- " lines from `at` indented by `indent`; and the line after it."""
    items = YList()
    items.line, items.item_lines = lines[at][0], []
    while at < len(lines) and lines[at][1] == indent and _item(lines[at][2]):
        number, _, content = lines[at]
        rest = content[2:]
        if not rest or rest.startswith((" ", "-")):
            raise _Irregular
        if not rest.startswith('"') and (": " in rest or rest.endswith(":")):  # a mapping: its keys from here
            lines[at] = (number, indent + 2, rest)
            item, at = _mapping(lines, at, indent + 2)
        else:
            item, at = _value(rest, number), at + 1
        items.append(item)
        items.item_lines.append(number)
    return items, at


def _value(text: str, number: int) -> Any:
    """A value written after its key or dash: double-quoted, a [list] of plain or double-quoted
    values, or plain."""
    if text[0] == '"':
        end = text.find('"', 1)
        value: Any = text[1:end]
    elif text[0] == "[":
        value, end = _flow(text, number)
    else:
        value = _scalar(text.partition(" #")[0].rstrip(" ") if " #" in text else text)
        if value is None:
            raise _Irregular
        return value
    if end < 0 or text[end + 1:] and not text[end + 1:].startswith(" #"):
        raise _Irregular
    return value


def _flow(text: str, number: int) -> tuple[YList, int]:
    """The list `[a, "b, c"]` at the start of `text`, and where its "]" is."""
    values = YList()
    values.line = number
    at = 1
    while True:
        while text[at:at + 1] == " ":
            at += 1
        if text[at:at + 1] == "]" and not values:
            break
        if text[at:at + 1] == '"':
            end = text.find('"', at + 1)
            if end < 0:
                raise _Irregular
            values.append(text[at + 1:end])
            at = end + 1
        else:
            end = min((found for found in (text.find(",", at), text.find("]", at)) if found >= 0), default=-1)
            item = text[at:end].strip(" ") if end >= 0 else ""
            value = _scalar(item)
            if value is None or any(char in item for char in '[]{}"\'#:'):
                raise _Irregular
            values.append(value)
            at = end
        while text[at:at + 1] == " ":
            at += 1
        if text[at:at + 1] == "]":
            break
        if text[at:at + 1] != ",":
            raise _Irregular
        at += 1  # (a comma before the "]": left to the parser)
    values.item_lines = [number] * len(values)
    return values, at


def _unprintable(text: str) -> bool:
    """Whether `text` holds a character other than a printable one or a line break."""
    return not text.replace("\n", "").isprintable()


def _plain(text: str) -> str | None:
    """A plain key or value as the parser reads it, when it is a plain string."""
    text = text.rstrip(" ")
    if not text or text[0] in _NOT_PLAIN_START or text in _SPECIAL or ": " in text or " #" in text or \
            text[-1] == ":" or text[0] in _NUMBER_START and (_INT.match(text) or _FLOAT.match(text)):
        return None
    return text


_key = lru_cache(maxsize=4096)(_plain)  # keys: the same few names in every file


def _scalar(text: str) -> Any:
    """A value as the parser resolves it, when it is a decimal or a plain string; else None."""
    if text and text[0] in _NUMBER_START:
        if _INT.match(text):
            return int(text, 10)
        if _FLOAT.match(text):
            return float(text)
    return _plain(text)
