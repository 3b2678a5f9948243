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
        assert 0 < len(rows) <= 2 * ROW_PAGE_SIZE
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


def test_page_chunks_keep_each_implementation_tree_together(corpus):
    """A document's page shows the target tables of the documents below it; rendered in the same
    worker, each table is made once. Every spec is in exactly one chunk, trees are split only when
    larger than a chunk's share, and chunks stay of similar size."""
    from sitegen.parallel import chunked_groups
    from sitegen.pipeline import _page_chunks

    model = check(corpus, 2026)
    views = Views(model, Settings(2026))
    specs = views.page_specs()
    chunks = _page_chunks(views, specs, 8)
    assert sorted(spec for chunk in chunks for spec in chunk) == sorted(specs)
    where = {spec: index for index, chunk in enumerate(chunks) for spec in chunk}
    most = len(specs) // 8
    split = together = 0
    for doc in model.published():
        for child in model.incoming[doc.id]["implements"]:
            if ("document", child) in where and sorted(model.outgoing[child]["implements"])[0] == doc.id:
                if where[("document", child)] == where[("document", doc.id)]:
                    together += 1
                else:
                    split += 1
    assert together > 0 and split <= together // 10
    assert max(map(len, chunks)) <= 2 * (len(specs) // 8 + most)
    groups = views.spec_groups(specs, 3)
    assert max(map(len, groups)) <= 3
    assert [spec for group in groups for spec in group if spec[0] != "document"] == \
        [spec for spec in specs if spec[0] != "document"]
    assert chunked_groups([[1, 2], [3], [4, 5, 6]], 2) == [[1, 2, 4, 5, 6], [3]]


def test_work_that_reads_every_target_comes_first_in_chunks_run_one_at_a_time(corpus):
    """The downloads, the dashboard and the year pages each touch the whole model, which a forked
    worker then copies: they come first, in the chunks that `Forked` runs one after another."""
    from sitegen.data import EXPORTS
    from sitegen.pipeline import work_chunks

    views = Views(check(corpus, 2026), Settings(2026))
    specs = views.page_specs()
    chunks, solo = work_chunks(views, specs, 8)
    whole = {("export", index) for index in range(len(EXPORTS))} | {("page", s) for s in Views.WHOLE_MODEL_SPECS}
    first = [item for chunk in chunks[:solo] for item in chunk]
    assert set(first) == whole and len(first) == len(whole)
    assert solo == 1 + len(Views.WHOLE_MODEL_SPECS)  # the downloads together, each such page alone
    assert not whole & {item for chunk in chunks[solo:] for item in chunk}
    pages = sorted(spec for chunk in chunks for kind, spec in chunk if kind == "page")
    assert pages == sorted(specs)
    assert len(chunks) > solo + 1


def test_a_view_read_back_from_a_saved_state_renders_every_page_the_same(corpus, site):
    """The saved state leaves the target rows and statuses out (incremental.py reads it back
    faster): a restored view works each status out when asked and the rows when first used."""
    import copy
    import pickle

    views = Views(check(corpus, 2026), Settings(2026))
    restored = pickle.loads(pickle.dumps(views, protocol=pickle.HIGHEST_PROTOCOL))
    assert "rows" not in vars(restored) and len(restored.statuses) == 0
    targets = [(d.id, t.id) for d in views.model.published() for t in d.targets]
    assert targets and all(key in restored.statuses for key in targets)
    assert ("no-such-document", "x") not in restored.statuses
    assert [restored.statuses[key] for key in targets] == [views.statuses[key] for key in targets]
    twin = copy.copy(restored)
    assert twin.statuses is restored.statuses and "rows" not in vars(twin)  # a copy keeps what there is
    job = Job(pickle.loads(pickle.dumps(views)), environment(ROOT / "templates"), "")
    again = {path: html.decode("utf-8") for _, pages in render_specs(job, views.page_specs()) for path, html in pages}
    assert again == site
    assert restored.rows == views.rows
