"""Script injection: hostile text in every kind of field stays text.

tests/sites/injection/ puts `<script>alert(1)</script>` and `"><img src=x onerror=alert(1)>` in
the site title, organisation names, numbers, titles, kinds, signers, tags, target texts,
groups, units, notes and sources; its bodies hold raw HTML and an entity-encoded javascript: link; target texts,
notes and sources start with = + - @ as spreadsheet formulas do. The site must build, and
show all of it as text: no injected element or attribute in any page, XML that parses, JSON
that holds the text as data, CSV cells that cannot run as formulas, an XLSX without formulas.
"""
from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest
from bs4 import BeautifulSoup
from conftest import build, built_site, page

TREE = Path(__file__).resolve().parent / "sites" / "injection"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return built_site(tmp_path_factory, TREE, "injection")


def _unsafe_url(value: str) -> bool:
    return re.sub(r"[\x00-\x20]", "", value).lower().startswith(("javascript:", "vbscript:", "data:"))


def test_no_page_holds_an_injected_element_attribute_or_url(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 10
    problems = []
    for file in pages:
        soup = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(True):
            for attr, value in tag.attrs.items():
                text = " ".join(value) if isinstance(value, list) else value
                if attr.lower().startswith("on"):
                    problems.append((file.name, tag.name, attr))
                if attr in ("href", "src", "action", "formaction", "data", "srcdoc") and _unsafe_url(text):
                    problems.append((file.name, tag.name, text))
            if tag.name in ("iframe", "object", "embed", "base", "frame"):
                problems.append((file.name, tag.name))
            if tag.name == "script":
                source = tag.get("src", "")
                if tag.string or not re.search(r"(^|/)assets/[\w.-]+\.js$", source):
                    problems.append((file.name, str(tag)[:80]))
            if tag.name == "img" and tag.get("src") == "x":
                problems.append((file.name, str(tag)[:80]))
    assert not problems


def test_the_hostile_text_is_shown_as_text(site):
    resolution = page(site, "/nghi-quyet/nq-dai-hoi/")
    assert SCRIPT in resolution.h1.get_text() and IMG in resolution.h1.get_text()
    assert SCRIPT in resolution.title.get_text()
    assert resolution.find("meta", property="og:title")["content"].endswith(f"Nghị quyết {SCRIPT} và {IMG}")
    body = resolution.select_one("main").get_text()
    assert "<script>alert(1)</script>" in body and "<img src=x onerror=alert(1)>" in body
    assert "[v](javascript:alert(1))" in body  # not a link: shown as written
    organisation = page(site, "/co-quan/dang-uy-xa/")
    assert organisation.h1.get_text(strip=True) == f"Đảng ủy xã {IMG}"
    programme = page(site, "/chuong-trinh/ctr-hanh-dong/")
    assert any(SCRIPT in th.get_text() for th in programme.select("table.targets th"))
    tags = page(site, "/chu-de/")
    assert {a.get_text(strip=True) for a in tags.select("main a")} >= {SCRIPT, IMG}


def test_safe_links_keep_their_text_encoded(site):
    resolution = page(site, "/nghi-quyet/nq-dai-hoi/")
    link = resolution.find("a", string="Liên kết an toàn")
    assert link["href"].startswith("https://example.org/?q=") and "<" not in link["href"]


def test_feed_and_sitemap_are_xml_with_the_text_escaped(site):
    feed = ET.parse(site / "feed.xml").getroot()
    assert SCRIPT in feed.find(f"{ATOM}title").text
    titles = [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")]
    assert any(SCRIPT in t and IMG in t for t in titles)
    raw = (site / "feed.xml").read_text(encoding="utf-8")
    assert "<script>" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    ET.parse(site / "sitemap.xml")


def test_documents_json_holds_the_text_as_data(site):
    data = json.loads((site / "du-lieu/documents.json").read_text(encoding="utf-8"))
    assert SCRIPT in data["site"]
    docs = {d["id"]: d for d in data["documents"]}
    assert docs["nq-dai-hoi"]["title"] == f"Nghị quyết {SCRIPT} và {IMG}"
    assert docs["nq-dai-hoi"]["number"] == f"01-NQ/ĐU{IMG}"
    assert docs["nq-dai-hoi"]["tags"] == [SCRIPT, IMG]
    texts = [t["text"] for t in docs["ctr-hanh-dong"]["targets"]]
    assert texts[0] == f'=HYPERLINK("http://example.org/","{SCRIPT}")'


@pytest.mark.parametrize("name", ["targets.csv", "results.csv"])
def test_csv_cells_cannot_start_a_formula(site, name):
    text = (site / "du-lieu" / name).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows[1:] for cell in row]
    assert cells and not [c for c in cells if c.startswith(FORMULA_START)]
    neutralised = [c for c in cells if c.startswith("'") and c[1:2] in ("=", "+", "-", "@")]
    assert neutralised  # the hostile cells are there, with a leading quote
    if name == "targets.csv":
        assert f"'=HYPERLINK(\"http://example.org/\",\"{SCRIPT}\")" in cells
        assert f"'@SUM(1+1) {SCRIPT}" in cells
    else:
        assert f"'@evil {IMG}" in cells and f"'+1 {IMG}" in cells and f"'-1 {SCRIPT}" in cells


def test_workbook_has_no_formulas(site):
    book = openpyxl.load_workbook(site / "du-lieu/chi-tieu.xlsx")
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert cells and not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert any(t.endswith(SCRIPT + '")') for t in texts)  # the text is there, as text


UNSAFE_LINKS = ["[x](javascript:alert(1))", "[y](JAVASCRIPT:alert(1))", "[z](  javascript:alert(1))",
                "[d](data:text/html;base64,PHNjcmlwdD4=)", "![ảnh](javascript:alert(1))", "<javascript:alert(1)>",
                "[f](file:///D:/tai-lieu/a.pdf)", "[vb](vbscript:msgbox(1))"]


def test_links_with_unsafe_schemes_are_refused_with_their_line(tmp_path):
    import shutil

    tree = tmp_path / "content"
    shutil.copytree(TREE, tree)
    doc = tree / "resolutions" / "nq-dai-hoi.md"
    lines = doc.read_text(encoding="utf-8").split("\n")
    first = len(lines) + 1
    doc.write_text("\n".join(lines + [f"Dòng {i}: {link}" + "\n" for i, link in enumerate(UNSAFE_LINKS)]),
                   encoding="utf-8")
    result = build(tree, tmp_path / "site")
    assert result.code == 1 and "Traceback" not in result.err
    refused = [line for line in result.err.splitlines() if "dùng giao thức không được phép" in line]
    assert len(refused) == len(UNSAFE_LINKS), result.err
    assert all(":" + str(first + 2 * i) + ":" in refused[i] for i in range(len(UNSAFE_LINKS))), refused
    assert not (tmp_path / "site").exists()
