"""Where the dashboard's and year pages end (views.row_chunks): chosen by the rows themselves, so
that a document's rows moving among the others change the pages around them only."""
from __future__ import annotations

from sitegen import views
from sitegen.views import ROW_PAGE_SIZE, RowLayout, row_chunks


def _layout(docs: list[str], rows_each: int = 5) -> RowLayout:
    starts = [i * rows_each for i in range(len(docs))]
    return RowLayout(docs, starts, {}, {}, [], {}, {}, len(docs) * rows_each)


def _pages(docs: list[str]) -> list[list[tuple[str, int]]]:
    """Each page's rows, as (document, its row's place among the document's)."""
    layout = _layout(docs)
    owner = [(doc, k) for doc in docs for k in range(5)]
    return [[owner[p] for p in chunk] for chunk in row_chunks(range(layout.total), layout.page_ends())]


def test_pages_hold_every_row_in_order_between_a_quarter_and_twice_the_page_size():
    docs = [f"vb-{i}" for i in range(3000)]
    pages = _pages(docs)
    assert [row for page in pages for row in page] == [(d, k) for d in docs for k in range(5)]
    assert all(ROW_PAGE_SIZE // 4 <= len(page) <= 2 * ROW_PAGE_SIZE for page in pages[:-1])
    assert 0 < len(pages[-1]) <= 2 * ROW_PAGE_SIZE
    assert 15000 / (2 * ROW_PAGE_SIZE) < len(pages) < 15000 / (ROW_PAGE_SIZE // 2)


def test_a_document_moved_far_changes_only_the_pages_around_its_old_and_new_places():
    docs = [f"vb-{i}" for i in range(3000)]
    moved = docs[:100] + docs[101:2800] + [docs[100]] + docs[2800:]  # its rows go 2,700 documents further
    before, after = _pages(docs), _pages(moved)
    assert len(before) > 20
    changed = [page for page in after if page not in before]
    assert 1 <= len(changed) <= 4


def test_a_few_rows_make_one_page_and_a_subset_of_rows_is_cut_by_the_same_rows():
    layout = _layout([f"vb-{i}" for i in range(3000)])
    ends = layout.page_ends()
    assert row_chunks(range(ROW_PAGE_SIZE), ends) == [range(ROW_PAGE_SIZE)]
    every_third = list(range(0, layout.total, 3))
    chunks = row_chunks(every_third, ends)
    assert [p for chunk in chunks for p in chunk] == every_third
    assert all(chunk[-1] in set(ends) or len(chunk) == 2 * ROW_PAGE_SIZE for chunk in chunks[:-1])


def test_with_another_page_size_pages_follow_it(monkeypatch):
    monkeypatch.setattr(views, "ROW_PAGE_SIZE", 40)
    pages = _pages([f"vb-{i}" for i in range(400)])
    assert all(10 <= len(page) <= 80 for page in pages[:-1])
