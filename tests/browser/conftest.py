"""Shared fixtures for browser tests: Debian's Chromium through Playwright, and a local web server.

    def test_something(browser, serve, sample_site):
        base = serve(sample_site)                 # http://127.0.0.1:PORT/
        page = new_page(browser)                  # or the `page` fixture
        page.goto(base + "tim-kiem/")

`serve(folder, prefix="vanban")` serves the folder's parent so that the site lives under /vanban/.
The `page` fixture records console errors and uncaught exceptions in `page.problems`.
"""
from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1024, "height": 800}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output readable
        pass


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/test.sh does)")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def serve(tmp_path_factory):
    """serve(folder) -> base URL ending in '/'; serve(folder, prefix='x') puts the site under /x/."""
    servers = []

    def start(folder: Path, prefix: str = "") -> str:
        root = Path(folder)
        if prefix:
            parent = tmp_path_factory.mktemp("served")
            shutil.copytree(root, parent / prefix)
            root = parent
        handler = functools.partial(_QuietHandler, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        return base + (prefix.strip("/") + "/" if prefix else "")

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def new_page(browser, **options):
    """A page in a fresh context; `page.problems` lists console errors and uncaught exceptions."""
    context = browser.new_context(viewport=options.pop("viewport", VIEWPORT), **options)
    page = context.new_page()
    page.problems = []

    def console(message):
        if message.type == "error" and "favicon.ico" not in (message.location or {}).get("url", ""):
            page.problems.append(f"console: {message.text} ({(message.location or {}).get('url', '')})")

    page.on("console", console)
    page.on("pageerror", lambda error: page.problems.append(f"exception: {error}"))
    page.on("requestfailed", lambda request: page.problems.append(f"request failed: {request.url}"))
    page.on("response", lambda response: response.status >= 400 and not response.url.endswith("/favicon.ico")
            and page.problems.append(f"HTTP {response.status}: {response.url}"))
    return page


@pytest.fixture
def page(browser):
    page = new_page(browser)
    yield page
    page.context.close()
