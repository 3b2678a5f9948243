"""Hostile text in content stays text in search results too (the trust issue's last place)."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import build

from .test_search import SETTLED

TREE = Path(__file__).resolve().parent.parent / "sites" / "injection"


@pytest.fixture(scope="module")
def hostile_base(serve, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("hostile") / "site"
    result = build(TREE, out)
    assert result.code == 0, result.err
    return serve(out)


@pytest.mark.parametrize("query", ["alert", "script", "img onerror", "nghi quyet"])
def test_search_results_show_hostile_text_as_text(page, hostile_base, query):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(hostile_base + "tim-kiem/?" + urlencode({"q": query}))
    page.wait_for_function(SETTLED, timeout=15000)
    found = page.eval_on_selector_all("#search-results li", "els => els.length")
    assert found > 0
    injected = page.evaluate("""() => ({
        scripts: [...document.querySelectorAll('#search-results script, #search-results iframe')].length,
        images: [...document.querySelectorAll('#search-results img')].length,
        handlers: [...document.querySelectorAll('#search-results *')]
            .filter(el => [...el.attributes].some(a => a.name.startsWith('on'))).length,
        unsafe: [...document.querySelectorAll('#search-results a')]
            .filter(a => !/^https?:/.test(a.href)).length})""")
    assert injected == {"scripts": 0, "images": 0, "handlers": 0, "unsafe": 0}
    page.wait_for_timeout(300)
    assert dialogs == []
    if query == "script":
        assert "<script>alert(1)</script>" in page.text_content("#search-results")
