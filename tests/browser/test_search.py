"""Site search in Chromium: real queries against the built sample site, as a reader types them."""
from __future__ import annotations

import json
import re
import shutil
import unicodedata
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from conftest import build, copy_sample

from sitegen import search as search_index

from .conftest import new_page

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"

DOC_58 = "/nghi-quyet/58-nq-tw/"
CTR_12 = "/chuong-trinh/12-ctr-duk-2021/"
CTR_58 = "/chuong-trinh/ctr-duk-thuc-hien-58-nq-tw/"
PLAN = "/chuong-trinh/kh-minh-hoa-dang-uy-co-so/"
CONGRESS_19 = "/nghi-quyet/nq-dai-hoi-xix-dang-bo-tinh/"
CONGRESS_20 = "/nghi-quyet/nq-dai-hoi-xx-dang-bo-khoi/"
POST = "/tin-tuc/dang-uy-khoi-ban-hanh-chuong-trinh-hanh-dong/"
TARGET_KET_NAP = CTR_12 + "#ct-ket-nap-dang-vien"

READ_RESULTS = """els => els.map(e => ({
    kind: e.querySelector('.result-type').textContent,
    number: (e.querySelector('.result-number') || {}).textContent || '',
    title: e.querySelector('.result-link').textContent,
    href: e.querySelector('.result-link').getAttribute('href'),
    meta: e.querySelector('.result-meta').innerText,
    excerpt: (e.querySelector('.result-excerpt') || {}).textContent || '',
    marks: [...e.querySelectorAll('.result-excerpt mark')].map(m => m.textContent),
    targets: [...e.querySelectorAll('.result-sub')].map(t => ({
        href: t.querySelector('.result-link').getAttribute('href'),
        title: t.querySelector('.result-link').textContent,
        marks: [...t.querySelectorAll('mark')].map(m => m.textContent),
        status: (t.querySelector('.status') || {}).textContent || '',
    })),
}))"""

SETTLED = """() => {
    const status = document.getElementById('search-status').textContent;
    return status && status !== 'Đang tìm…' && !document.getElementById('search-results').hasAttribute('aria-busy');
}"""


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def settle(page) -> None:
    page.wait_for_function(SETTLED, timeout=15000)


def results(page) -> list[dict]:
    return page.eval_on_selector_all("#search-results .result", READ_RESULTS)


def hrefs(page) -> list[str]:
    return [r["href"] for r in results(page)]


def all_hrefs(found: list[dict]) -> list[str]:
    """Results and the target rows listed under them."""
    return [href for r in found for href in [r["href"]] + [t["href"] for t in r["targets"]]]


def sub_target(found: list[dict], href: str) -> dict:
    return next(t for r in found for t in r["targets"] if t["href"] == href)


def search(page, base: str, query: str, **params: str) -> list[dict]:
    """Open a shared search URL, wait for the results, return them."""
    page.goto(base + "tim-kiem/?" + urlencode({"q": query, **params}))
    settle(page)
    return results(page)


def open_filters(page) -> None:
    """The filters fold away on narrow screens; open them as a reader would."""
    if page.get_attribute("#search-filters", "open") is None:
        page.click("#search-filters summary")


def type_query(page, text: str) -> None:
    page.fill("#q", text)
    page.wait_for_function("q => document.getElementById('search-status').textContent.includes('«' + q + '»')",
                           arg=unicodedata.normalize("NFC", " ".join(text.split())), timeout=15000)
    settle(page)


@pytest.fixture(scope="module")
def base(serve, sample_site) -> str:
    return serve(sample_site)


@pytest.fixture(scope="module")
def nfd_site(tmp_path_factory) -> Path:
    """The sample content plus a resolution and a post written in decomposed Unicode (NFD)."""
    content = copy_sample(tmp_path_factory.mktemp("nfd") / "content")
    (content / "resolutions" / "nq-thuy-loi.md").write_text(nfd(
        "---\nnumber: 09-NQ/TU\ntitle: Về phát triển thuỷ lợi và phòng, chống thiên tai\n"
        "kind: Nghị quyết\nissuer: tinh-uy-thanh-hoa\nissued: 2022-03-15\n---\n"
        "Nghị quyết về công tác thuỷ lợi, hoà hợp với quy hoạch đê điều của tỉnh.\n"), encoding="utf-8")
    (content / "posts" / "tin-thuy-loi.md").write_text(nfd(
        "---\ntitle: Hội nghị quán triệt nghị quyết về thuỷ lợi\ndate: 2022-04-02\n---\n"
        "Đoàn công tác kiểm tra đê điều và hệ thống thuỷ nông.\n"), encoding="utf-8")
    out = tmp_path_factory.mktemp("nfd-site") / "site"
    result = build(content, out)
    assert result.code == 0, result.err
    return out


@pytest.fixture(scope="module")
def nfd_base(serve, nfd_site) -> str:
    return serve(nfd_site)


# --- Vietnamese: diacritics, đ, tone placement, NFD -------------------------------------------

def test_unaccented_query_finds_accented_text_and_marks_it(page, base):
    found = search(page, base, "ket nap")
    assert CTR_12 in [r["href"] for r in found]
    target = sub_target(found, TARGET_KET_NAP)  # listed under the programme that sets it
    assert target["title"] == "Kết nạp đảng viên mới"
    assert {"Kết", "nạp"} <= set(target["marks"])
    assert page.problems == []


def test_d_matches_đ(page, base):
    found = search(page, base, "dang vien")
    assert found and TARGET_KET_NAP in all_hrefs(found)
    assert "đảng" in [m.lower() for m in found[0]["marks"]], found[0]["marks"]  # marked although unaccented
    assert {"đảng", "viên"} <= {m.lower() for m in sub_target(found, TARGET_KET_NAP)["marks"]}
    assert all("đảng viên" in (r["title"] + r["excerpt"]).lower() or r["targets"] for r in found)

    found = search(page, base, "dang uy")
    assert POST in [r["href"] for r in found]
    assert any("Đảng ủy" in r["title"] or "Đảng ủy" in r["excerpt"] for r in found)


def test_dai_hoi_keeps_both_words(page, base):
    """Both words count: "dai" (đại) is not dropped for lack of a plain "dai", which would match every "hội"."""
    found = hrefs_of(search(page, base, "dai hoi"))
    assert {CONGRESS_19, CONGRESS_20, CTR_12} <= set(found)
    assert CTR_58 not in found  # has "xã hội" but no "đại"
    assert sorted(found) == sorted(r["href"] for r in search(page, base, "Đại hội"))


def test_common_unaccented_queries(page, base):
    assert CTR_12 in hrefs_of(search(page, base, "ket nap"))
    thanh_hoa = hrefs_of(search(page, base, "thanh hoa"))
    assert {DOC_58, CONGRESS_19, CTR_58} <= set(thanh_hoa)


def hrefs_of(found: list[dict]) -> list[str]:
    return [r["href"] for r in found]


def test_old_and_new_tone_placement_match(page, base):
    new = hrefs_of(search(page, base, "Đảng ủy"))
    old = hrefs_of(search(page, base, "Đảng uỷ"))
    assert new and sorted(new) == sorted(old)
    assert sorted(hrefs_of(search(page, base, "Thanh Hóa"))) == sorted(hrefs_of(search(page, base, "Thanh Hoá")))


def test_nfd_query_is_normalised(page, base):
    composed = hrefs_of(search(page, base, "đảng viên"))
    decomposed = search(page, base, nfd("đảng viên"))
    assert composed and hrefs_of(decomposed) == composed
    assert page.input_value("#q") == "đảng viên"  # shown and kept in NFC


def test_nfd_text_is_found_and_its_facets_are_not_split(page, nfd_base):
    for query in ["thuy loi", "thủy lợi", "thuỷ lợi", nfd("thuỷ lợi"), "hòa hợp", "doan cong tac"]:
        found = hrefs_of(search(page, nfd_base, query))
        assert "/nghi-quyet/nq-thuy-loi/" in found or "/tin-tuc/tin-thuy-loi/" in found, query
    found = hrefs_of(search(page, nfd_base, "thuy loi"))
    assert {"/nghi-quyet/nq-thuy-loi/", "/tin-tuc/tin-thuy-loi/"} <= set(found)
    kinds = page.eval_on_selector_all("#f-loai option", "os => os.map(o => o.value)")
    assert kinds.count("Nghị quyết") == 1 and all(unicodedata.is_normalized("NFC", k) for k in kinds)
    filtered = hrefs_of(search(page, nfd_base, "thuy loi", loai="Nghị quyết"))
    assert filtered == ["/nghi-quyet/nq-thuy-loi/"]


# --- document numbers ---------------------------------------------------------------------------

@pytest.mark.parametrize("query, first", [("58-NQ/TW", DOC_58), ("58-nq/tw", DOC_58), ("12-CTr/ĐUK", CTR_12),
                                          ("12-ctr/duk", CTR_12), ("nghi quyet 58", DOC_58)])
def test_number_whole_finds_its_document_first(page, base, query, first):
    found = search(page, base, query)
    assert found[0]["href"] == first, hrefs_of(found)


@pytest.mark.parametrize("query, expected", [("58", DOC_58), ("NQ/TW", DOC_58), ("nq tw", DOC_58),
                                             ("ctr duk", CTR_12), ("CTr", CTR_12), ("duk", CTR_12),
                                             ("ĐUK", CTR_12)])
def test_number_parts_find_the_document(page, base, query, expected):
    assert expected in hrefs_of(search(page, base, query)), query


def test_result_shows_kind_number_title_date_issuer_and_excerpt(page, base):
    found = search(page, base, "58-NQ/TW")
    top = found[0]
    assert top["kind"] == "Nghị quyết" and top["number"] == "58-NQ/TW"
    assert top["title"].startswith("Về xây dựng và phát triển tỉnh Thanh Hóa")
    assert "05/8/2020" in top["meta"] and "Bộ Chính trị" in top["meta"] and "Còn hiệu lực" in top["meta"]
    programme = next(r for r in found if r["href"] == CTR_58)
    assert "58-NQ/TW" in programme["marks"]
    # the excerpt is not the heading again when the body holds a query word
    top = search(page, base, "nghi quyet 58")[0]
    assert top["href"] == DOC_58 and not top["excerpt"].startswith("Nghị quyết 58-NQ/TW")
    assert {"nghị", "quyết"} <= {m.lower() for m in top["marks"]}


# --- phrases and targets ----------------------------------------------------------------------

def test_quoted_phrase_matches_across_spellings(page, base):
    assert TARGET_KET_NAP in all_hrefs(search(page, base, '"dang vien"'))
    assert TARGET_KET_NAP in all_hrefs(search(page, base, '"ket nap dang vien"'))
    assert TARGET_KET_NAP in all_hrefs(search(page, base, '"kết nạp đảng viên"'))


def test_targets_are_found_with_the_documents_that_set_them(page, base):
    found = search(page, base, "ket nap dang vien")
    programme = next(r for r in found if r["href"] == CTR_12)
    assert programme["targets"][0] == {"href": TARGET_KET_NAP, "title": "Kết nạp đảng viên mới", "status": "Chưa đạt",
                                       "marks": ["Kết", "nạp", "đảng", "viên"]}
    assert "Chỉ tiêu khớp (1)" in page.inner_text("#search-results")

    found = search(page, base, "ket nap dang vien", muc="Chỉ tiêu")  # the targets themselves
    target = found[0]
    assert target["href"] == TARGET_KET_NAP and target["title"] == "Kết nạp đảng viên mới"
    assert target["kind"] == "Chỉ tiêu" and target["number"] == "Chương trình hành động 12-CTr/ĐUK"
    assert "Chưa đạt" in target["meta"] and "07/4/2021" in target["meta"]
    assert target["excerpt"] == "Mục tiêu: ít nhất 300 đảng viên"
    assert {r["kind"] for r in found} == {"Chỉ tiêu"}
    page.click(f"#search-results a[href='{TARGET_KET_NAP}']")
    page.wait_for_url("**/chuong-trinh/12-ctr-duk-2021/#ct-ket-nap-dang-vien")
    assert page.locator("#ct-ket-nap-dang-vien").is_visible()


# --- filters, URL, history, keyboard --------------------------------------------------------------

def test_filters_are_lists_and_narrow_results(page, base):
    page.goto(base + "tim-kiem/")
    for select, label in [("#f-muc", "Mục"), ("#f-loai", "Loại văn bản"), ("#f-co-quan", "Cơ quan ban hành"),
                          ("#f-nam", "Năm ban hành"), ("#f-tinh-trang", "Tình trạng hiệu lực"),
                          ("#f-danh-gia", "Đánh giá chỉ tiêu")]:
        assert page.locator(f"label[for='{select[1:]}']").inner_text() == label
    open_filters(page)
    assert page.eval_on_selector_all("#f-muc option", "os => os.map(o => o.value)") == ["", "Văn bản", "Chỉ tiêu",
                                                                                        "Tin tức"]
    type_query(page, "thanh hoa")
    everything = hrefs(page)
    page.select_option("#f-loai", "Nghị quyết")
    settle(page)
    page.wait_for_function("() => location.search.includes('loai=')")
    narrowed = results(page)
    assert narrowed and len(narrowed) < len(everything)
    assert {r["kind"] for r in narrowed} == {"Nghị quyết"}
    assert "(đã lọc)" in page.inner_text("#search-status")
    assert page.locator("#f-loai option[value='Nghị quyết']").inner_text().startswith("Nghị quyết (")

    page.select_option("#f-loai", "")
    page.select_option("#f-muc", "Chỉ tiêu")
    settle(page)
    assert {r["kind"] for r in results(page)} == {"Chỉ tiêu"}
    # the target filters count documents holding such targets, and say so
    assert re.fullmatch(r"Chỉ tiêu \(\d+ văn bản\)", page.locator("#f-muc option[value='Chỉ tiêu']").inner_text())
    assert re.fullmatch(r"Đạt \(\d+ văn bản\)", page.locator("#f-danh-gia option[value='Đạt']").inner_text())
    page.select_option("#f-danh-gia", "Đạt")
    settle(page)
    met = results(page)
    assert met and all(r["kind"] == "Chỉ tiêu" and "Đạt" in r["meta"] and "Chưa đạt" not in r["meta"] for r in met)
    assert page.eval_on_selector_all("#f-tinh-trang option", "os => os.map(o => o.value)") == ["", "Còn hiệu lực"]


def test_target_status_filter_picks_the_rows_listed_under_documents(page, base):
    found = search(page, base, "dang", **{"danh-gia": "Chưa đạt"})
    listed = [t for r in found for t in r["targets"]]
    assert listed and {t["status"] for t in listed} == {"Chưa đạt"}
    assert TARGET_KET_NAP in [t["href"] for t in listed]
    assert all(r["targets"] for r in found if r["href"] == CTR_12)


def test_filters_alone_list_documents_newest_first(page, base):
    page.goto(base + "tim-kiem/?" + urlencode({"loai": "Nghị quyết", "nam": "2020"}))
    settle(page)
    assert set(hrefs(page)) == {DOC_58, CONGRESS_19, CONGRESS_20}


def test_shared_url_restores_query_and_filters(page, base):
    page.goto(base + "tim-kiem/?" + urlencode({"q": "dang vien", "muc": "Chỉ tiêu"}))
    settle(page)
    assert page.input_value("#q") == "dang vien"
    assert page.input_value("#f-muc") == "Chỉ tiêu"
    assert page.locator("#search-filters").get_attribute("open") is not None  # an active filter is shown
    assert {r["kind"] for r in results(page)} == {"Chỉ tiêu"}
    assert "dang vien" in page.title()


def test_typing_updates_the_url_and_back_restores_earlier_searches(page, base):
    page.goto(base + "tim-kiem/")
    type_query(page, "ket nap")
    assert parse_qs(urlsplit(page.url).query) == {"q": ["ket nap"]}
    open_filters(page)
    page.select_option("#f-muc", "Chỉ tiêu")
    settle(page)
    assert parse_qs(urlsplit(page.url).query) == {"q": ["ket nap"], "muc": ["Chỉ tiêu"]}
    type_query(page, "dang vien")
    assert parse_qs(urlsplit(page.url).query)["q"] == ["dang vien"]

    page.go_back()
    page.wait_for_function("() => document.getElementById('q').value === 'ket nap'")
    settle(page)
    assert page.input_value("#f-muc") == "Chỉ tiêu"
    assert {r["kind"] for r in results(page)} == {"Chỉ tiêu"}
    page.go_back()
    page.wait_for_function("() => document.getElementById('f-muc').value === ''")
    settle(page)
    assert page.input_value("#q") == "ket nap" and {r["kind"] for r in results(page)} != {"Chỉ tiêu"}
    page.go_back()  # before the first search
    page.wait_for_function("() => document.getElementById('q').value === ''")
    assert results(page) == []


def test_keyboard_moves_through_results(page, base):
    page.goto(base + "tim-kiem/")
    type_query(page, "thanh hoa")
    links = hrefs(page)
    assert len(links) >= 3
    page.press("#q", "ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('href')") == links[0]
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('href')") == links[1]
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**" + links[0].split("#")[0] + "*")


def test_no_results_explains_and_suggests(page, base):
    search(page, base, "xyzzyqq")
    assert page.locator("#search-empty").is_visible()
    assert "Không tìm thấy kết quả nào cho «xyzzyqq»" in page.inner_text("#search-status")
    suggestions = page.eval_on_selector_all("#search-empty a[href^='?q=']", "as => as.map(a => a.textContent)")
    assert "58-NQ/TW" in suggestions or "12-CTr/ĐUK" in suggestions
    page.click("#search-empty a[href^='?q=']")
    settle(page)
    assert results(page) and page.locator("#search-empty").is_hidden()

    search(page, base, "ket nap dang vien", nam="2020")  # exists, but not in that year
    assert page.locator("#search-empty").is_visible()
    offer = page.locator("#search-suggestion a")
    assert offer.inner_text().startswith("Bỏ bộ lọc để xem")
    offer.click()
    settle(page)
    assert page.input_value("#f-nam") == "" and TARGET_KET_NAP in all_hrefs(results(page))


def test_header_box_on_any_page_leads_to_results(page, base):
    page.goto(base + "nghi-quyet/58-nq-tw/")
    page.fill("#q-header", "dang vien")
    page.press("#q-header", "Enter")
    page.wait_for_url("**/tim-kiem/?q=dang+vien")
    settle(page)
    assert TARGET_KET_NAP in all_hrefs(results(page))
    assert page.problems == []


def test_without_javascript_the_header_form_still_reaches_the_search_page(browser, base):
    page = new_page(browser, java_script_enabled=False)
    page.goto(base + "chuong-trinh/12-ctr-duk-2021/")
    page.fill("#q-header", "ket nap")
    page.press("#q-header", "Enter")
    page.wait_for_url("**/tim-kiem/?q=ket+nap")
    assert "Tìm kiếm cần JavaScript" in page.inner_text("main")
    page.context.close()


# --- sub-path, page weight, 360 px ------------------------------------------------------------------

def test_search_works_under_a_sub_path(browser, serve, sample_site):
    root = serve(sample_site, prefix="vanban")
    assert root.endswith("/vanban/")
    page = new_page(browser)
    found = search(page, root, "58-NQ/TW")
    assert found[0]["href"] == "/vanban" + DOC_58
    target = search(page, root, "ket nap dang vien", muc="Chỉ tiêu")[0]
    assert target["href"] == "/vanban" + TARGET_KET_NAP
    page.click("#search-results .result-link")
    page.wait_for_url("**/vanban/chuong-trinh/12-ctr-duk-2021/#ct-ket-nap-dang-vien")
    assert page.locator("h1").inner_text().startswith("Chương trình hành động")
    assert page.problems == []
    page.context.close()


def test_second_query_downloads_only_what_it_lacks(page, base):
    """The first query loads the index's list of pages, the buckets of its words and the fragments
    of the results shown; the next one only the buckets and fragments it lacks, nothing twice."""
    fetched: list[tuple[str, int]] = []
    page.on("response", lambda r: f"/{search_index.BUNDLE}/" in r.url and fetched.append((urlsplit(r.url).path,
                                                                                        len(r.body()))))
    search(page, base, "nghi quyet 58")
    first = dict(fetched)
    assert any(path.endswith("/index.json") for path in first) and any("/b/" in path for path in first)
    fetched.clear()
    type_query(page, "ket nap")
    again = dict(fetched)
    assert again and not set(again) & set(first)
    assert all("/b/" in path or "/f/" in path for path in again)
    assert not any("/p/" in path for path in {**first, **again})  # positions: only for a quoted phrase
    assert sum(again.values()) < 20_000


def test_results_at_360px_fit_the_screen(browser, base):
    page = new_page(browser, viewport={"width": 360, "height": 740}, device_scale_factor=2)
    found = search(page, base, "nghi quyet 58")
    assert found[0]["href"] == DOC_58
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    box = page.locator("#search-results .result").first.bounding_box()
    assert box["y"] < 740 and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert page.locator(".site-header .search-box").is_hidden()  # one search box on the search page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "tim-kiem-360.png"), full_page=False)
    assert page.problems == []
    page.context.close()


def test_search_page_passes_its_csp(page, base):
    """Everything runs under the pages' Content-Security-Policy: no inline script or style needed."""
    csp = []
    page.on("console", lambda m: "Content Security Policy" in m.text and csp.append(m.text))
    search(page, base, "dang vien")
    assert csp == [] and page.problems == []
    ranking = json.loads(page.get_attribute("#search-form", "data-ranking"))
    assert 0 < ranking["pageLength"] < 1 and 0 < ranking["prefix"] < 1


def test_a_word_found_nowhere_is_named(page, base):
    found = search(page, base, "ket nap xyzzyq")
    assert CTR_12 in hrefs_of(found)  # the index answers for the other words
    page.wait_for_function("() => !document.getElementById('search-note').hidden", timeout=15000)
    assert page.inner_text("#search-note") == ("Không có văn bản nào chứa từ «xyzzyq»; "
                                               "kết quả dưới đây khớp với các từ còn lại.")
    search(page, base, "ket nap dang vien")
    page.wait_for_timeout(300)
    assert page.locator("#search-note").is_hidden()  # every word is known


def test_a_quoted_phrase_found_nowhere_falls_back_to_its_words(page, base):
    found = search(page, base, '"ctr duk"')
    assert found and found[0]["href"] == CTR_12
    found = search(page, base, '"nap ket dang"')  # the words exist, not in that order
    assert CTR_12 in hrefs_of(found)
    assert page.inner_text("#search-note") == ("Không có cụm từ «nap ket dang» đúng như đã gõ; "
                                               "dưới đây là kết quả có đủ các từ.")
    search(page, base, '"xyzzyq abcde"')  # nothing either way: the usual empty state
    assert page.locator("#search-empty").is_visible() and page.locator("#search-note").is_hidden()


# --- an index in shards -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sharded_site(sample_site, tmp_path_factory) -> Path:
    """The sample site indexed in two shards (a large site's layout), from the same pages."""
    site = tmp_path_factory.mktemp("sharded") / "site"
    shutil.copytree(sample_site, site, ignore=lambda folder, names: [search_index.BUNDLE] if Path(folder) == sample_site else [])
    assert search_index.index(site, per_shard=2).shards == 2
    return site


def filter_labels(page) -> list[str]:
    return page.eval_on_selector_all("select[data-filter] option", "os => os.map(o => o.textContent)")


def test_an_index_in_shards_finds_what_one_index_finds(browser, base, serve, sharded_site):
    sharded = serve(sharded_site)
    one, many = new_page(browser), new_page(browser)
    fetched: list[str] = []
    many.on("response", lambda r: fetched.append(r.url))
    for query, params in [("nghi quyet 58", {}), ("dang uy", {}), ("ket nap dang vien", {}), ("thanh hoa", {}),
                          ("dai hoi", {}), ('"dang vien"', {}), ("thanh hoa", {"loai": "Nghị quyết"}),
                          ("dang", {"danh-gia": "Chưa đạt"}), ("ket nap dang vien", {"muc": "Chỉ tiêu"})]:
        expected, found = search(one, base, query, **params), search(many, sharded, query, **params)
        assert sorted(all_hrefs(found)) == sorted(all_hrefs(expected)), (query, params)
        assert sorted(map(json.dumps, found)) == sorted(map(json.dumps, expected)), (query, params)
        assert many.inner_text("#search-status") == one.inner_text("#search-status")
        assert filter_labels(many) == filter_labels(one), (query, params)  # counts summed over the shards
    assert search(many, sharded, "nghi quyet 58")[0]["href"] == DOC_58
    assert search(many, sharded, "ket nap dang vien", muc="Chỉ tiêu")[0]["href"] == TARGET_KET_NAP
    # filters alone: newest first across the shards, as with one index
    for params in [{"nam": "2021"}, {"muc": "Văn bản"}, {"loai": "Nghị quyết"}]:
        assert hrefs_of(search(many, sharded, "", **params)) == hrefs_of(search(one, base, "", **params)), params
    # with no query: the counts of every filter
    many.goto(sharded + "tim-kiem/")
    one.goto(base + "tim-kiem/")
    many.wait_for_function("() => document.querySelector('#f-muc option[value=\"Văn bản\"]').textContent.includes('(')")
    one.wait_for_function("() => document.querySelector('#f-muc option[value=\"Văn bản\"]').textContent.includes('(')")
    assert filter_labels(many) == filter_labels(one)
    # a word found nowhere is named
    search(many, sharded, "ket nap xyzzyq")
    many.wait_for_function("() => !document.getElementById('search-note').hidden", timeout=15000)
    assert "«xyzzyq»" in many.inner_text("#search-note")
    assert any(f"/{search_index.BUNDLE}/s1/f/" in url for url in fetched)
    assert many.problems == [] and one.problems == []
    one.context.close()
    many.context.close()


def test_an_index_in_shards_works_under_a_sub_path(browser, serve, sharded_site):
    root = serve(sharded_site, prefix="vanban")
    page = new_page(browser)
    fetched: list[str] = []
    page.on("response", lambda r: fetched.append(urlsplit(r.url).path))
    found = search(page, root, "58-NQ/TW")
    assert found[0]["href"] == "/vanban" + DOC_58
    assert all(r["href"].startswith("/vanban/") for r in found)
    assert f"/vanban/{search_index.BUNDLE}/s1/index.json" in fetched
    target = search(page, root, "ket nap dang vien", muc="Chỉ tiêu")[0]
    assert target["href"] == "/vanban" + TARGET_KET_NAP
    page.click("#search-results .result-link")
    page.wait_for_url("**/vanban/chuong-trinh/12-ctr-duk-2021/#ct-ket-nap-dang-vien")
    assert page.problems == []
    page.context.close()


def test_a_failed_request_is_tried_again_by_the_next_search(page, base):
    failed: list[str] = []

    def once(route):
        if not failed:
            failed.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route(f"**/{search_index.BUNDLE}/b/thu.*", once)
    page.goto(base + "tim-kiem/?" + urlencode({"q": "thuc hien"}))
    page.wait_for_selector("#search-error", state="visible", timeout=15000)
    assert failed
    page.press("#q", "Enter")  # the same search again, in the same page
    settle(page)
    assert results(page) and page.locator("#search-error").is_hidden()


def test_filter_values_that_name_built_in_properties_are_only_values(page, base):
    for value in ("constructor", "__proto__", "toString"):
        page.goto(base + "tim-kiem/?" + urlencode({"q": "dang", "loai": value}))
        settle(page)
        assert page.locator("#search-error").is_hidden(), value
        assert results(page) == [] and page.locator("#search-empty").is_visible()
    assert page.problems == []


def test_a_word_found_nowhere_does_not_hide_the_matching_targets(page, base):
    found = search(page, base, "ket nap xyzzyq", muc="Chỉ tiêu")
    assert TARGET_KET_NAP in hrefs_of(found)
