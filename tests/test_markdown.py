"""A body is parsed with the Markdown rules that cannot match in it turned off: the HTML must be
exactly what the parser with every rule gives, for bodies that use each rule, in every context."""
from __future__ import annotations

from pathlib import Path

import pytest

from sitegen import markdown

ROOT = Path(__file__).resolve().parent.parent

# Each uses one rule that is turned off for bodies without its characters, some of them where
# the rule is easy to miss: inside list items and block quotes, after a paragraph.
CASES = {
    "table": "Đoạn văn\n\n| Chỉ tiêu | Năm |\n| --- | ---: |\n| Đảng viên | 2025 |\n",
    "table in a list": "- mục\n\n  | a | b |\n  |---|---|\n  | 1 | 2 |\n",
    "strikethrough": "Kế hoạch ~~cũ~~ mới.\n",
    "footnote": "Số liệu[^1] và ^[chú thích ngay].\n\n[^1]: Theo báo cáo năm 2025.\n",
    "block quote": "> Trích dẫn\n> tiếp\n\n- > trong danh sách\n",
    "fence": "```\nmã\n```\n\n~~~\nmã khác\n~~~\n",
    "indented code": "Đoạn\n\n    mã thụt lề\n\n- mục\n\n      mã trong mục\n",
    "tab code": "Đoạn\n\n\tmã sau tab\n",
    "reference": "Xem [văn bản][vb].\n\n[vb]: /nghi-quyet/58-nq-tw/ \"Nghị quyết 58\"\n",
    "reference over lines": "[nhãn\ndài]\n\n[nhãn\ndài]: /a/\n",
    "setext heading": "Tiêu đề lớn\n===\n\nTiêu đề nhỏ\n---\n\n- Trong mục\n  ---\n> Trích\n> ===\n",
    "thematic break": "Đoạn\n***\n\n- - -\n\n1. ___\n\n> * * *\n\nchữ **đậm***\n",
    "entity": "A &amp; B &copy; &#123; &#x41;\n",
    "autolink": "Địa chỉ <https://thanhhoa.gov.vn> và <hop.thu@example.vn>.\n",
    "backticks": "Dùng `mã` trong câu.\n",
    "escape": "Không \\*nghiêng\\* và ngắt\\\ndòng.\n",
    "raw html": "<div>khối</div>\n\n<b>chữ</b> <!-- ghi chú -->\n",
    "plain": "## Mục một\n\nĐoạn văn thường, không có gì đặc biệt.\n\n- một\n- hai\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_body_parses_as_with_every_rule(name: str) -> None:
    text = CASES[name]
    tailored = markdown._parser_for(text)
    assert tailored.render(text) == markdown._parser().render(text)


def test_rules_are_turned_off_only_where_they_cannot_match() -> None:
    plain = markdown._parser_for(CASES["plain"])
    block = plain.block.ruler.get_active_rules()
    assert "table" not in block and "lheading" not in block and "heading" in block
    table = markdown._parser_for(CASES["table"])
    assert "table" in table.block.ruler.get_active_rules()


def test_the_sample_content_s_bodies_parse_as_with_every_rule() -> None:
    bodies = [path.read_text(encoding="utf-8").split("---\n", 2)[-1]
              for path in sorted((ROOT / "content").glob("*/*.md"))]
    assert len(bodies) > 5
    full = markdown._parser()
    for text in bodies:
        assert markdown._parser_for(text).render(text) == full.render(text)
