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


# markdown-it.rs renders a body wherever it gives markdown-it-py's HTML; the Body must then be the
# one markdown-it-py gives: HTML, table of contents, summary, and each link with its line.

def _reference_body(source: str, monkeypatch: pytest.MonkeyPatch) -> markdown.Body:
    with monkeypatch.context() as patched:
        patched.setattr(markdown, "_quick", lambda text: None)
        return markdown.render(source, 7, _rewrite)


def _rewrite(href: str) -> str:
    return "../" + href.strip("/") + "/" if href.startswith("/") else href


def _same(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    quick, reference = markdown.render(source, 7, _rewrite), _reference_body(source, monkeypatch)
    assert (quick.html, quick.toc, quick.summary, quick.links) == \
        (reference.html, reference.toc, reference.summary, reference.links), source


def test_markdown_it_rs_is_installed_where_the_project_installs_it() -> None:
    import sys
    if sys.version_info < (3, 13):
        assert markdown._rust_parser() is not None


RUST_CASES = {
    "plain": CASES["plain"],
    "links over lines": "Đoạn một\ndòng hai [x](/nghi-quyet/58-nq-tw/)\ndòng ba [y](/y/ \"tựa\") và <https://thanhhoa.gov.vn>\n",
    "table with links": "| A | B |\n|:--|--:|\n| [a](/a/) | b |\n| c | [Cổng](https://thanhhoa.gov.vn/a?b=1&c=2) |\n",
    "lists": "- [a](/a/)\n- b\n  [c](/c/)\n\n1. một\n\n   [d](/d/)\n\n  - lồng\n",
    "headings": "## Mục\n\n## Mục\n\n### Mục [liên kết](/x/) *nhấn* **đậm**\n\n## Mục-1\n\n#### Bốn\n\n##### Năm\n",
    "setext": "Tiêu đề\ndài hai dòng\n---\n\nĐoạn.\n\nLớn\n===\n",
    "entities": "## &amp; và &lt;thẻ&gt; \"ngoặc\"\n\nA &amp; B &copy; &#123; &#x41; < > & \"x\"\n",
    "raw html": CASES["raw html"],
    "emphasis": "**Đảng** *viên* __mới__ _cũ_ ***cả hai*** **100%** và *(2025)*; “**trích**”\n",
    "reference links": "[ref][r] và [r] và [R]\n\n[r]: /ref/ 'tựa'\n",
    "quote": "> trích [a](/a/)\n> dòng [b](https://b.vn/)\n\nSau.\n",
    "breaks": "Dòng một  \ndòng hai\ndòng ba\n\n---\n\n***\n",
    "indented code": CASES["indented code"],
    "empty": "",
    "only spaces": "   \n\n",
    "empty quote and items": ">\n\n- \n-\n\n1.\n",
    "mail and anchors": "[a](mailto:a@b.vn) [b](tel:+84123) [c](#muc) [d](?q=1) [e](../a/b.md) [f](HTTP://X.VN)\n",
    "footnotes": ("## Mục tiêu[^1]\n\nTheo [Nghị quyết](/nghi-quyet/58/) số 58[^2], *nhấn[^3]* và (xem[^4]).\n\n"
                  "- mục[^5]\n\n| A | B |\n|---|---|\n| ô[^6] | b |\n\n[^1]: Ghi chú một.\n[^2]: Xem [trang](/a/).\n\n"
                  "[^3]: Nguồn: <https://a.vn/x>\n\n[^4]: **Đậm**.\n[^5]: Năm.\n[^6]: Sáu.\n\n## Sau\n\nĐoạn.\n"),
    "footnote defined before its use": "[^ghi-chu]: Trước.\n\nĐoạn[^ghi-chu] sau.\n",
}


@pytest.mark.parametrize("name", sorted(RUST_CASES))
def test_markdown_it_rs_gives_markdown_it_py_s_body(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _same(RUST_CASES[name], monkeypatch)


# Each is rendered otherwise by markdown-it.rs 0.4 (or makes it panic): markdown-it-py renders it.
UNSURE = {
    "image description": "![a \\* b &amp; `c`](/u.png)\n",
    "strikethrough": "~~|*~~≥~~\n",
    "open fence": "```\nmã\n",
    "footnote used twice": "A[^1] B[^1]\n\n[^1]: ghi chú\n",
    "inline footnote": "Số ^[ngay] đây.\n",
    "footnotes used in another order than defined": "A[^2] B[^1]\n\n[^1]: một\n[^2]: hai\n",
    "footnote in a link's text": "[v[^1]iên](/a/)\n\n[^1]: ghi chú\n",
    "footnote under an open bracket": "[ mở\n[^1]\n\n[^1]: ghi chú\n",
    "footnote in a link's address": "[a](/b[^1]/) c[^1]\n\n[^1]: ghi chú\n",
    "footnote defined over two lines": "A[^1]\n\n[^1]: một\nhai\n",
    "footnote defined under a paragraph": "A[^1]\n[^1]: ghi chú\n",
    "footnote defined in a list": "A[^1]\n\n* [^1]: ghi chú\n",
    "a caret besides footnotes": "x^2 và A[^1]\n\n[^1]: ghi chú\n",
    "footnote starting a numbered item": "Theo quy định[^1].\n\n[^1]: 2025. Báo cáo tổng kết.\n",
    "footnote starting a list, another after it": "A[^1] B[^2]\n\n[^1]: - x\n[^2]: y\n",
    "footnote starting a quote": "A[^1]\n\n[^1]: > trích\n",
    "footnote starting a heading": "A[^1]\n\n[^1]: # Mục\n",
    "footnote that is a rule": "A[^1]\n\n[^1]: * * *\n",
    "escape in a title": "[foo]: /url \"\nhello\n\\\n\\\nworld\n\"\n\n[foo]\n",
    "IPv6": "[x](http://[::1]:8000/)\n",
    "international host": "[x](http://☃.net/) <http://xn--n3h.net/>\n",
    "decoded autolink": "<http://example.com/α%CE%B2>\n",
    "refused schemes": "[a](javascript:alert(1)) ![b](data:image/png;base64,AA) <file:///etc>\n",
    "a refused scheme after a colon first": ":a [x](JavaScript:alert(1))\n",
    "symbol beside emphasis": "*€*bảy và **₫100**\n",
    "space trimmed": "\u00a0Đầu dòng *nhấn*\u00a0và\n\n>\u00a0trích\n",
    "code left open in brackets": "Mục [chưa đóng `mã\n",
    "code span over lines": "`mã\ndài` <https://a.vn/>\n",
    "quote then a numbered line": "> trích\n2) mục\n",
    "row then a numbered line": "| a |\n|---|\n| b |\n2) mục\n",
    "dashes under a piped line": "a | b\n---\n",
    "delimiter under a line without pipes": "tiêu đề\n:-\n",
}


@pytest.mark.parametrize("name", sorted(UNSURE))
def test_what_markdown_it_rs_renders_otherwise_goes_to_markdown_it_py(
        name: str, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture) -> None:
    assert markdown._unsure(UNSURE[name])
    _same(UNSURE[name], monkeypatch)
    assert capfd.readouterr().err == ""  # nothing from a panic


def test_most_bodies_take_the_quick_path() -> None:
    bodies = [path.read_text(encoding="utf-8").split("---\n", 2)[-1]
              for path in sorted((ROOT / "content").glob("*/*.md"))]
    assert sum(markdown._quick(text) is not None for text in bodies) >= len(bodies) - 1
    assert all(markdown._quick(text) is not None for name, text in RUST_CASES.items() if name != "raw html")


_WORDS = ["Đảng", "viên", "nghị", "quyết", "chỉ", "tiêu", "năm", "2025", "95%", "(", ")", ",", ".", ";", ":",
          "—", "“", "”", "\"", "'", "≥", "≤", "₫", "%", "/", "&", "+", "#", "1.", "a)", "*", "**", "_", "`",
          "[", "]", "|", "<", ">", "\u00a0", "&amp;"]
_LINE_STARTS = ["", "", "", "## ", "### ", "#### ", "- ", "* ", "1. ", "2) ", "> ", "    ", "  - ", "| ", "---"]


def _random_body(rng) -> str:
    def inline() -> str:
        parts = []
        for _ in range(rng.randint(1, 14)):
            draw = rng.random()
            if draw < 0.08:
                parts.append(f"[{rng.choice(_WORDS)}]({rng.choice(['/nghi-quyet/58/', 'https://a.vn/b', '../b/', '#muc'])})")
            elif draw < 0.14:
                parts.append(rng.choice(["**{}**", "*{}*", "_{}_", "`{}`"]).format(rng.choice(_WORDS)))
            elif draw < 0.16:
                parts.append("<https://a.vn/x>")
            else:
                parts.append(rng.choice(_WORDS))
        return " ".join(parts) if rng.random() < 0.8 else "".join(parts)

    lines = []
    for _ in range(rng.randint(1, 12)):
        start = rng.choice(_LINE_STARTS)
        if start == "| ":
            columns = rng.randint(1, 3)
            lines += ["| " + " | ".join(inline() for _ in range(columns)) + " |",
                      "|" + "|".join(rng.choice(["---", ":--", "--:"]) for _ in range(columns)) + "|",
                      "| " + " | ".join(inline() for _ in range(columns)) + " |"]
        else:
            lines.append(start if start == "---" else start + inline())
        if rng.random() < 0.4:
            lines.append("")
    return "\n".join(lines) + "\n"


def _compared(make_body, seed: int, count: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """`_same` for `count` bodies from `make_body(rng)`; how many took the quick path."""
    import random

    rng = random.Random(seed)
    quick = 0
    for _ in range(count):
        body = make_body(rng)
        quick += markdown._quick(body) is not None
        _same(body, monkeypatch)
    return quick


def test_random_bodies_render_alike(monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture) -> None:
    quick = _compared(_random_body, 20261127, 1500, monkeypatch)
    assert quick > 150  # the quick path was taken (202 times with this seed), and compared
    assert capfd.readouterr().err == ""


def _footnoted_body(rng) -> str:
    """A body of paragraphs, headings, lists, quotes and tables with links, and footnotes used
    once each where the sentences go, defined after them."""
    words = ["Đảng", "viên", "nghị", "quyết", "năm", "2025", "95%", "(", ")", ",", ".", ";", ":", "—", "“", "&", "*", "_"]
    labels = [str(number) for number in range(1, rng.randint(2, 5))]
    uses = list(labels)

    def sentence() -> str:
        parts = [rng.choice(words) for _ in range(rng.randint(2, 9))]
        if rng.random() < 0.4:
            parts.insert(rng.randint(0, len(parts)), rng.choice(["[Nghị quyết](/nghi-quyet/58/)", "<https://a.vn/x>", "**đậm**"]))
        if uses and rng.random() < 0.5:
            parts.insert(rng.randint(0, len(parts)), f"[^{uses.pop(0)}]")
        return " ".join(parts) if rng.random() < 0.7 else "".join(parts)

    blocks = []
    for _ in range(rng.randint(1, 6)):
        kind = rng.choice(["text", "text", "heading", "list", "quote", "table"])
        blocks.append({"text": lambda: "\n".join(sentence() for _ in range(rng.randint(1, 3))),
                       "heading": lambda: rng.choice(["## ", "### "]) + sentence(),
                       "list": lambda: "\n".join(f"{i + 1}. " + sentence() for i in range(rng.randint(1, 3))),
                       "quote": lambda: "> " + sentence(),
                       "table": lambda: "| a | b |\n|---|---|\n| " + sentence().replace("|", "") + " | b |"}[kind]())
    blocks += [sentence() + f"[^{label}]" for label in list(uses)]
    definitions = [f"[^{label}]: " + rng.choice(["Ghi chú.", "Theo *quy chế*.", "Xem [trang](/a/).", "<https://a.vn/y>", "2025. Báo cáo.",
                                                       "- mục", "> trích", "-5% so với"])
                   for label in labels]
    blocks += ["\n".join(definitions)] if rng.random() < 0.5 else definitions
    return "\n\n".join(blocks) + "\n"


def test_random_bodies_with_footnotes_render_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    quick = _compared(_footnoted_body, 20261128, 600, monkeypatch)
    assert quick > 100  # the quick path was taken (128 times with this seed), and compared


def test_a_link_is_reported_on_its_own_line() -> None:
    body = markdown.render("Đoạn một\ndòng hai [x](/x/)\n\n| a |\n|---|\n| [y](/y/) |\n", 10, _rewrite)
    assert body.links == (("/x/", 11), ("/y/", 15))


def test_the_table_of_contents_shows_headings_as_read() -> None:
    body = markdown.render("## Mục *một* và `mã`\n\n## Mục *một* và `mã`\n\n### A &amp; B\n", 1, _rewrite)
    assert [(h.level, h.id, h.text) for h in body.toc] == \
        [(2, "muc-mot-va-ma", "Mục một và mã"), (2, "muc-mot-va-ma-1", "Mục một và mã"), (3, "a-b", "A & B")]
    assert '<h2 id="muc-mot-va-ma">Mục <em>một</em> và <code>mã</code></h2>' in body.html


def test_the_summary_leaves_out_headings_tables_and_code() -> None:
    body = markdown.render("## Tiêu đề\n\n| a |\n|---|\n| ô |\n\n    mã\n\nĐoạn **đầu**  \ntiếp &amp; hết.\n", 1, _rewrite)
    assert body.summary == "Đoạn đầu tiếp & hết."
    long = markdown.render("\n\n".join(f"Đoạn {n} " + "chữ " * 30 for n in range(40)), 1, _rewrite)
    assert len(long.summary) == markdown.SUMMARY_CHARS and long.summary.startswith("Đoạn 0 chữ chữ")
