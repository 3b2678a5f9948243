"""Fragments rendered once per build: the dashboard's filter menus and the target tables that
ancestor pages repeat. Pages are rendered in process from a generated corpus and parsed."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT

from sitegen.pipeline import check
from sitegen.render import Job, environment, render_specs
from sitegen.status import ORDER as STATUS_ORDER
from sitegen.text import sort_key
from sitegen.views import ROW_PAGE_SIZE, Settings, Views

sys.path.insert(0, str(ROOT))
from benchmarks.corpus import generate  # noqa: E402


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    content = tmp_path_factory.mktemp("corpus") / "content"
    generate(160, content, seed=5)
    return content


def _render(content: Path, specs=None) -> dict[str, str]:
    """site path -> HTML of the given page specs (every page without specs)."""
    model = check(content, 2026)
    views = Views(model, Settings(2026))
    job = Job(views, environment(ROOT / "templates"), "")
    rendered = render_specs(job, specs if specs is not None else views.page_specs())
    return {path: html.decode("utf-8") for _, pages in rendered for path, html in pages}


@pytest.fixture(scope="module")
def site(corpus) -> dict[str, str]:
    return _render(corpus)


def _dashboard(site: dict[str, str]) -> list[BeautifulSoup]:
    paths = sorted((p for p in site if p == "/chi-tieu/" or p.startswith("/chi-tieu/trang-")
                    and p.count("/") == 3), key=lambda p: (len(p), p))
    return [BeautifulSoup(site[p], "html.parser") for p in paths]


def _options(soup: BeautifulSoup, menu: str) -> list[tuple[str, str]]:
    return [(o["value"], o.get_text()) for o in soup.select(f"#{menu} option") if o["value"]]


def test_each_dashboard_page_offers_exactly_the_values_of_its_own_rows(site):
    pages = _dashboard(site)
    assert len(pages) >= 2, "the corpus must need a paginated dashboard"
    all_docs = set()
    for soup in pages:
        rows = soup.select("#target-table tbody tr")
        assert 0 < len(rows) <= ROW_PAGE_SIZE
        docs = _options(soup, "f-doc")
        assert {v for v, _ in docs} == {r["data-doc"] for r in rows}
        assert [label for _, label in docs] == sorted((label for _, label in docs), key=sort_key)
        assert {v for v, _ in _options(soup, "f-issuer")} == {r["data-issuer"] for r in rows}
        assert {v for v, _ in _options(soup, "f-group")} == {r["data-group"] for r in rows if r["data-group"]}
        assert {v for v, _ in _options(soup, "f-year")} == {y for r in rows for y in r["data-years"].split()}
        assert [v for v, _ in _options(soup, "f-status")] == list(STATUS_ORDER)
        all_docs |= {v for v, _ in docs}
    # every document with targets can be filtered for, on the page its rows are on
    assert all_docs == {r["data-doc"] for soup in pages for r in soup.select("#target-table tbody tr")}


def test_dashboard_menus_are_small_next_to_the_table(site):
    for soup in _dashboard(site):
        form = len(str(soup.select_one("#target-filters")).encode())
        table = len(str(soup.select_one("#target-table")).encode())
        assert form < table / 10, (form, table)


def test_same_sources_give_byte_identical_pages(corpus, site):
    assert _render(corpus) == site


def _table_body(table) -> str:
    return "".join(str(part) for part in table.find_all(["thead", "tbody"], recursive=False))


def test_ancestor_pages_repeat_the_descendants_own_target_tables(site):
    compared = 0
    for path, html in site.items():
        soup = BeautifulSoup(html, "html.parser")
        section = soup.select_one("section.chain-targets")
        if section is None:
            continue
        for table in section.select("table.targets"):
            heading = table.find_parent("div").find_previous_sibling("h3")
            link = heading.find("a")["href"]  # relative to this page: ../../chuong-trinh/<id>/
            own_path = "/" + link.replace("../", "")
            own = BeautifulSoup(site[own_path], "html.parser")
            own_table = own.select_one("section.target-section table.targets")
            assert _table_body(table) == _table_body(own_table), (path, own_path)
            assert table.caption.get_text().startswith("Chỉ tiêu của ")
            compared += 1
    assert compared >= 10


def test_shared_document_links_resolve_from_pages_at_every_depth(site):
    # the same document link is rendered once per page depth: /chi-tieu/ and /chi-tieu/trang-2/ differ
    from urllib.parse import urljoin
    checked = set()
    for path, html in site.items():
        if not path.startswith("/chi-tieu/"):
            continue
        soup = BeautifulSoup(html, "html.parser")
        for a in soup.select('table.targets td[data-label="Văn bản"] a'):
            target = urljoin("http://x" + path, a["href"])[len("http://x"):]
            assert target in site, (path, a["href"])
            checked.add(path.count("/"))
    assert checked >= {2, 3}  # /chi-tieu/ and /chi-tieu/trang-2/ at least
