"""Accessibility as a screen-reader or keyboard user meets it: axe-core in Chromium, focus, landmarks."""
from __future__ import annotations

from pathlib import Path

import pytest

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["/", "/nghi-quyet/", "/chuong-trinh/", "/nghi-quyet/58-nq-tw/", "/chuong-trinh/12-ctr-duk-2021/",
         "/chuong-trinh/kh-minh-hoa-dang-uy-co-so/", "/tin-tuc/", "/tin-tuc/dang-uy-khoi-ban-hanh-chuong-trinh-hanh-dong/",
         "/co-quan/", "/co-quan/dang-uy-khoi/", "/chu-de/", "/chu-de/xay-dung-dang/", "/chi-tieu/",
         "/chi-tieu/2022/", "/chi-tieu/cach-tinh/", "/du-lieu/", "/tim-kiem/", "/404.html"]
VIEWS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}

pytestmark = pytest.mark.skipif(not AXE.exists(), reason="needs axe-core (scripts/test.sh installs it)")


@pytest.fixture(scope="module")
def a11y_server(serve, sample_site):
    return serve(sample_site).rstrip("/")


@pytest.fixture(scope="module")
def a11y_browser(browser):
    return browser


def axe_violations(page) -> list[str]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in result["violations"]]


def violations_on(browser, base: str, paths: list[str], viewport: dict, media: str = "screen") -> dict:
    """path -> axe violations, for every path that has any."""
    context = browser.new_context(viewport=viewport, bypass_csp=True)  # axe is injected inline
    page = context.new_page()
    page.emulate_media(media=media)
    problems = {}
    for path in paths:
        page.goto(base + path)
        found = axe_violations(page)
        if found:
            problems[path] = found
    context.close()
    return problems


@pytest.mark.parametrize("view", list(VIEWS))
def test_axe_reports_no_violation_on_any_page_type(a11y_browser, a11y_server, view):
    assert violations_on(a11y_browser, a11y_server, PAGES, VIEWS[view]) == {}


def test_axe_reports_no_violation_in_print_view(a11y_browser, a11y_server):
    paths = ["/chuong-trinh/12-ctr-duk-2021/", "/chi-tieu/", "/nghi-quyet/58-nq-tw/"]
    assert violations_on(a11y_browser, a11y_server, paths, {"width": 794, "height": 1123}, "print") == {}


def test_keyboard_reaches_the_skip_link_first_with_a_visible_focus(a11y_browser, a11y_server):
    page = a11y_browser.new_page()
    page.goto(a11y_server + "/chuong-trinh/12-ctr-duk-2021/")
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => { const el = document.activeElement; const s = getComputedStyle(el);
        const r = el.getBoundingClientRect();
        return {text: el.textContent.trim(), outline: s.outlineStyle, width: s.outlineWidth,
                left: r.left, top: r.top}; }""")
    assert focused["text"] == "Chuyển đến nội dung chính"
    assert focused["outline"] != "none" and focused["width"] != "0px"
    assert focused["left"] >= 0 and focused["top"] >= 0  # on screen, not hidden off-canvas
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "noi-dung"
    # every interactive element can be reached and shows a focus ring
    seen = 0
    for _ in range(40):
        page.keyboard.press("Tab")
        style = page.evaluate("() => { const s = getComputedStyle(document.activeElement); "
                              "return [document.activeElement.tagName, s.outlineStyle, s.outlineWidth]; }")
        if style[0] in ("A", "BUTTON", "INPUT", "SUMMARY", "SELECT"):
            seen += 1
            assert style[1] != "none" and style[2] != "0px", style
    assert seen >= 20
    page.close()


def test_landmarks_headings_and_language(a11y_browser, a11y_server):
    page = a11y_browser.new_page()
    for path in PAGES:
        page.goto(a11y_server + path)
        info = page.evaluate("""() => ({lang: document.documentElement.lang,
            main: document.querySelectorAll('main').length, h1: document.querySelectorAll('h1').length,
            banner: document.querySelectorAll('body > header').length,
            nav: document.querySelectorAll('nav[aria-label]').length,
            contentinfo: document.querySelectorAll('body > footer').length})""")
        assert info == {**info, "lang": "vi", "main": 1, "h1": 1, "banner": 1, "contentinfo": 1}, path
        assert info["nav"] >= 1, path
    page.close()
