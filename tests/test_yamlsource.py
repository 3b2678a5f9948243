"""YAML of the usual shapes (front matters, results files) is read line by line: it must give what
the YAML parser gives, the line of every key and item included, and leave anything else to it."""
from __future__ import annotations

import sys

import pytest

from conftest import ROOT

from sitegen import yamlsource
from sitegen.load import split_front_matter
from sitegen.yamlsource import parse_yaml

sys.path.insert(0, str(ROOT))
from benchmarks.corpus import generate  # noqa: E402


def _shape(data):
    """Values with their types and every line the parser keeps."""
    if isinstance(data, dict):
        return ("map", data.line, dict(data.key_lines), {key: _shape(value) for key, value in data.items()})
    if isinstance(data, list):
        return ("list", data.line, list(data.item_lines), [_shape(value) for value in data])
    return (type(data).__name__, data)


def _parsed_by_yaml(text: str, monkeypatch: pytest.MonkeyPatch, offset: int = 0):
    with monkeypatch.context() as patched:
        patched.setattr(yamlsource, "_regular", lambda text, offset=0: None)
        data, problems = parse_yaml(text, "t.yaml", offset)
    return _shape(data), [str(p) for p in problems]


def _same(text: str, monkeypatch: pytest.MonkeyPatch, offset: int = 0) -> None:
    data, problems = parse_yaml(text, "t.yaml", offset)
    assert (_shape(data), [str(p) for p in problems]) == _parsed_by_yaml(text, monkeypatch, offset), text


def test_front_matters_read_line_by_line_as_the_parser_reads_them(tmp_path, monkeypatch):
    generate(200, tmp_path / "corpus", seed=7)
    paths = sorted((tmp_path / "corpus").glob("*/*.md")) + sorted((ROOT / "content").glob("*/*.md"))
    fronts = [split_front_matter(path.read_text(encoding="utf-8")) for path in paths]
    assert sum(yamlsource._regular(text, first - 1) is not None for text, first, _, _ in fronts) >= 0.9 * len(fronts)
    for text, first, _, _ in fronts:
        _same(text, monkeypatch, first - 1)


def test_results_files_read_line_by_line_as_the_parser_reads_them(tmp_path, monkeypatch):
    generate(200, tmp_path / "corpus", seed=5)
    files = sorted((tmp_path / "corpus" / "results").glob("*.yaml")) + sorted((ROOT / "content" / "results").glob("*.yaml"))
    read_so = [path for path in files if yamlsource._regular(path.read_text(encoding="utf-8")) is not None]
    assert len(read_so) >= 8  # the generated ones are all regular
    for path in files:
        _same(path.read_text(encoding="utf-8"), monkeypatch)


CASES = {
    "comments and blank lines": "# đầu tệp\n\nyear: 2025\n  # thụt lề\nresults:\n\n  12-CTr/ĐUK:\n    a: 95 # ghi chú\n    b: 0 # 95\n",
    "values of each kind": "k:\n  a: 95\n  b: 91.5\n  c: .5\n  d: -3\n  e: +4\n  f: 010\n  g: done\n  h: 1e3\n  i: 95%\n  j: 2021-05-01\n"
                           "  k: 1_000\n  l: 0x1F\n  m: a:b\n  n: 95#x\n  o: a[1]\n  p: Báo cáo (số liệu) của tỉnh\n",
    "trailing spaces": "a  : 1   \nb: x y  \n",
    "deeper and back": "a:\n  b:\n    c:\n      d: 1\n  e: 2\nf: 3\n",
    "children further in": "a:\n    b: 1\n    c: 2\n",
    "words YAML reads otherwise": "a: yes\nb: no\nc: null\nd: ~\ne: true\n",
    "keys YAML reads otherwise": "2021: a\nyes: b\n",
    "a key given twice": "a: 1\nb: 2\na: 3\n",
    "an empty value": "a:\nb: 1\n",
    "an empty value at the end": "a: 1\nb:\n",
    "a comment for a value": "a: #x\nb: 1\n",
    "a value under a value": "a: 1\n  b: 2\n",
    "uneven indents": "a:\n    b: 1\n  c: 2\n",
    "deeper than the scaffold": "a:\n  b:\n    c:\n      d:\n        e: 1\n",
    "a list": "a:\n  - 1\n  - 2\n",
    "lists of mappings": "targets:\n  - id: a\n    goal: \"> 600\" # ghi chú\n    unit: \"%\"\n  - id: b\n"
                         "    files:\n      - file: x.pdf\n        title: X\n      - y\n  - c\nnext: 1\n",
    "flow lists": "a: [1, 2.5, b c, \"d, e\", \"f]\"]\nb: []\nc: [ ]\nd: [x] # ghi chú\ne: [\"\"]\n",
    "a flow mapping": "a: {c: 1}\n",
    "a flow ending with a comma": "a: [1, 2, ]\n",
    "a flow not closed": "a: [1, 2\n",
    "a flow with a quote inside": "a: [x\"y]\n",
    "a flow inside a flow": "a: [[1], 2]\n",
    "text after a flow": "a: [1] x\n",
    "quotes": "a: \"x: y\"\nb: 'z'\n",
    "a quote not closed": "a: \"x\n  y\"\n",
    "text after a quote": "a: \"x\" y\n",
    "an escape in quotes": "a: \"x\\ty\"\n",
    "a quoted key": "\"a\": 1\n",
    "a list as deep as its key": "a:\n- 1\n",
    "a dash then spaces": "a:\n  -   b: 1\n",
    "an empty item": "a:\n  -\n  - 1\n",
    "a list in a list": "a:\n  - - 1\n",
    "an item's keys out of line": "a:\n  - b: 1\n     c: 2\n",
    "an item given twice a key": "a:\n  - b: 1\n    b: 2\n",
    "a quote inside a plain value": "a: Nghị quyết \"58\" năm 2018\nb: it's\n",
    "a list at the top": "- a\n- b\n",
    "a tab": "a:\n\tb: 1\n",
    "no space after the colon": "a:1\n",
    "a key with a colon": "a:b: 1\n",
    "indicators": "a: &x 1\nb: *x\nc: !t v\nd: |\n  e\nf: >\n  g\nh: -\n",
    "a merge": "<<: 1\n",
    "document markers": "---\na: 1\n...\n",
    "a value over lines": "a: một\n  hai\n",
    "a control character": "a: x\x07y\n",
    "a no-break space": "a: x\u00a0y\n",
    "nothing": "# chỉ có ghi chú\n",
    "empty": "",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_case_reads_as_the_parser_reads_it(name, monkeypatch):
    _same(CASES[name], monkeypatch)


def test_what_is_left_to_the_parser():
    read_so = {name for name, text in CASES.items() if yamlsource._regular(text) is not None}
    assert read_so == {"comments and blank lines", "values of each kind", "trailing spaces", "deeper and back",
                       "children further in", "deeper than the scaffold", "a list", "lists of mappings",
                       "flow lists", "a quote inside a plain value"}
