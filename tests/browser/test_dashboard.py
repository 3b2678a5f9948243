"""The target dashboard in Chromium: filters, sorting, and the complete table without JavaScript."""
from __future__ import annotations

import pytest

from sitegen.text import sort_key


@pytest.fixture(scope="module")
def dash_server(serve, sample_site):
    return serve(sample_site) + "chi-tieu/"


@pytest.fixture(scope="module")
def dash_browser(browser):
    return browser


def visible_targets(page) -> list[str]:
    return page.eval_on_selector_all("#target-table tbody tr:not([hidden]) th", "els => els.map(e => e.textContent.trim())")


def test_filters_narrow_the_table_and_are_kept_in_the_url(dash_browser, dash_server):
    page = dash_browser.new_page()
    page.goto(dash_server)
    assert len(visible_targets(page)) == 11
    page.select_option("#f-status", "not-met")
    shown = visible_targets(page)
    assert sorted(shown) == sorted(["Doanh nghiệp sản xuất, kinh doanh có lãi và thực hiện đầy đủ nghĩa vụ với Nhà nước",
                                    "Kết nạp đảng viên mới",
                                    "Phát triển tổ chức cơ sở đảng trong doanh nghiệp có vốn đầu tư nước ngoài (FDI)"])
    assert "trang-thai=not-met" in page.url
    assert page.text_content(".filter-count") == "Đang hiện 3/11 chỉ tiêu"
    page.select_option("#f-group", "Nhiệm vụ chuyên môn")
    assert visible_targets(page) == ["Doanh nghiệp sản xuất, kinh doanh có lãi và thực hiện đầy đủ nghĩa vụ với Nhà nước"]
    # the shared URL restores the same view
    other = dash_browser.new_page()
    other.goto(page.url)
    assert visible_targets(other) == visible_targets(page)
    other.close()
    page.select_option("#f-group", "")
    page.select_option("#f-status", "")
    page.fill("#f-text", "ket nap dang vien")  # typed without diacritics
    assert visible_targets(page) == ["Kết nạp đảng viên mới"]
    page.fill("#f-text", "")
    page.select_option("#f-doc", "kh-minh-hoa-dang-uy-co-so")
    assert len(visible_targets(page)) == 2
    page.select_option("#f-doc", "")
    page.select_option("#f-year", "2024")
    assert len(visible_targets(page)) == 6
    page.close()


def test_sorting_by_column(dash_browser, dash_server):
    page = dash_browser.new_page()
    page.goto(dash_server)
    page.click("#target-table thead th:nth-child(1) button")
    names = visible_targets(page)
    assert names == sorted(names, key=sort_key)  # Vietnamese alphabetical order
    assert page.get_attribute("#target-table thead th:nth-child(1)", "aria-sort") == "ascending"
    page.click("#target-table thead th:nth-child(1) button")
    assert visible_targets(page) == list(reversed(names))
    page.click("#target-table thead th:nth-child(8) button")
    statuses = page.eval_on_selector_all("#target-table tbody tr", "els => els.map(e => e.dataset.status)")
    order = {"met": 0, "in-progress": 1, "not-met": 2, "no-data": 3}
    assert [order[s] for s in statuses] == sorted(order[s] for s in statuses)
    page.close()


def test_without_javascript_the_table_and_status_sections_are_complete(dash_browser, dash_server):
    context = dash_browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(dash_server)
    assert page.is_hidden("#target-filters")
    rows = page.eval_on_selector_all("#target-table tbody tr", "els => els.length")
    assert rows == 11
    sections = page.eval_on_selector_all(".by-status h3", "els => els.map(e => e.textContent.trim())")
    assert sections == ["Đạt (6)", "Chưa đạt (3)", "Đang thực hiện (1)", "Chưa có số liệu (1)"]
    context.close()
