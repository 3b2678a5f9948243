"""The preview server: serve site/, watch sources, rebuild, reload browsers, show errors.

Only this module and `cli` loop or wait. Files are served from the output folder
and nothing outside it; HTML pages get the reload client and, while the content
is invalid, an overlay listing every error.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import mimetypes
import os
import sys
import threading
import time
from typing import Callable
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
import livereload
import tornado.httpserver
import tornado.netutil
import tornado.web
import tornado.websocket
import watchfiles

from .devbuild import DevBuilder, Outcome
from .diagnostics import ContentError
from .render import missing_template

LIVERELOAD_JS = Path(livereload.__file__).parent / "vendors" / "livereload.js"
DEV_CSS = """#dev-errors{position:fixed;inset:auto 0 0 0;max-height:70vh;overflow:auto;z-index:9999;
background:#2b0b0b;color:#fff;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:1rem 1.2rem;
border-top:4px solid #ff5c5c;box-shadow:0 -4px 16px rgba(0,0,0,.4)}
#dev-errors h2{font:600 16px/1.3 system-ui,sans-serif;margin:0 0 .5rem;color:#ffb3b3;border:0}
#dev-errors ol{margin:0;padding-left:1.4rem}#dev-errors li{margin:.2rem 0;white-space:pre-wrap}
#dev-errors p{margin:.6rem 0 0;font-family:system-ui,sans-serif;color:#ffd6d6}
"""


class State:
    """What handlers share: the builder, the open reload sockets, the server's address."""

    def __init__(self, builder: DevBuilder, port: int):
        self.builder = builder
        self.port = port
        self.sockets: set[ReloadSocket] = set()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.indexing = threading.Event()  # the search index is being brought up to date
        self.reloaded_first: set[str] = set()  # pages whose browsers the running rebuild reloaded already
        builder.on_first_pages = self.first_pages

    def first_pages(self, paths: list[str]) -> None:
        """An edited document's page is written, before the rest of the rebuild: the browsers
        showing it reload now (called in the watcher's thread)."""
        self.reloaded_first.update(paths)
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.reload_browsers, set(paths), True)

    def reload_browsers(self, pages: set[str] = frozenset(), only: bool = False) -> None:
        """Tell the browsers to reload: those showing one of `pages` (site paths) if `only`, else
        those showing any other page (or one they have not told)."""
        message = json.dumps({"command": "reload", "path": "*", "liveCSS": False})
        for socket in list(self.sockets):
            if (socket.page in pages) != only:
                continue
            try:
                socket.write_message(message)
            except tornado.websocket.WebSocketClosedError:
                self.sockets.discard(socket)


def overlay_html(errors) -> str:
    items = "".join(f"<li>{escape(str(e))}</li>" for e in errors)
    return (f'<div id="dev-errors" role="alert"><h2>Nội dung có {len(errors)} lỗi — '
            f"trang đang hiển thị bản dựng hợp lệ gần nhất</h2><ol>{items}</ol>"
            "<p>Sửa các tệp trên rồi lưu lại; trang sẽ tự tải lại.</p></div>")


def decorate(html: bytes, state: State) -> bytes:
    """Add the reload client (and the error overlay, if any) to an HTML page."""
    text = html.decode("utf-8", errors="replace")
    head = '<link rel="stylesheet" href="/__dev/dev.css">'
    tail = f'<script src="/livereload.js?port={state.port}"></script>'
    if state.builder.errors:
        tail = overlay_html(state.builder.errors) + tail
    text = text.replace("</head>", head + "</head>", 1) if "</head>" in text else head + text
    text = text.replace("</body>", tail + "</body>", 1) if "</body>" in text else text + tail
    return text.encode("utf-8")


def resolve(root: Path, url_path: str) -> Path | None:
    """The file for a URL path, or None when it is missing or outside `root`."""
    if "\x00" in url_path or "\\" in url_path:
        return None
    parts = [p for p in url_path.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    candidate = root.joinpath(*parts) if parts else root
    real_root = os.path.realpath(root)
    real = os.path.realpath(candidate)
    if real != real_root and not real.startswith(real_root + os.sep):
        return None
    if os.path.isdir(real):
        real = os.path.join(real, "index.html")
        if os.path.realpath(real) != real or not real.startswith(real_root + os.sep):
            return None
    return Path(real) if os.path.isfile(real) else None


class SiteHandler(tornado.web.RequestHandler):
    def initialize(self, state: State) -> None:
        self.state = state

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")

    def get(self, url_path: str) -> None:
        root = self.state.builder.out
        file = resolve(root, url_path)
        if file is not None and file.name == "index.html" and url_path and not url_path.endswith("/") \
                and (root / url_path).is_dir():
            self.redirect("/" + url_path + "/", permanent=False)
            return
        if file is None:
            self.set_status(404)
            fallback = root / "404.html"
            body = fallback.read_bytes() if fallback.is_file() else \
                b"<!doctype html><html lang=\"vi\"><head><title>404</title></head><body><h1>Kh\xc3\xb4ng t\xc3\xacm th\xe1\xba\xa5y trang</h1></body></html>"
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(decorate(body, self.state))
            return
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        data = file.read_bytes()
        if kind == "text/html":
            data = decorate(data, self.state)
            kind += "; charset=utf-8"
        elif kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        self.set_header("Content-Type", kind)
        self.finish(data)


class DevAssetHandler(tornado.web.RequestHandler):
    def get(self, name: str) -> None:
        if name == "livereload.js":
            self.set_header("Content-Type", "application/javascript; charset=utf-8")
            self.finish(LIVERELOAD_JS.read_bytes())
        elif name == "dev.css":
            self.set_header("Content-Type", "text/css; charset=utf-8")
            self.finish(DEV_CSS)
        else:
            raise tornado.web.HTTPError(404)


class ReloadSocket(tornado.websocket.WebSocketHandler):
    """The LiveReload protocol: answer 'hello', then send 'reload' after each rebuild."""

    def initialize(self, state: State) -> None:
        self.state = state

    page: str | None = None  # the site path of the page the browser shows, once it has told it

    def open(self) -> None:
        self.state.sockets.add(self)

    def on_message(self, message) -> None:
        try:
            data = json.loads(message)
            command = data.get("command")
        except (ValueError, AttributeError):
            return
        if command == "info" and isinstance(data.get("url"), str):  # sent by the client after "hello"
            path = urlsplit(data["url"]).path
            self.page = path[:-len("index.html")] if path.endswith("/index.html") else path
        if command == "hello":
            self.write_message(json.dumps({"command": "hello", "serverName": "sitegen",
                                           "protocols": ["http://livereload.com/protocols/official-7"]}))

    def on_close(self) -> None:
        self.state.sockets.discard(self)


def _log(handler: tornado.web.RequestHandler) -> None:
    """Log only server errors; a preview server's 404s are expected noise."""
    if handler.get_status() >= 500:
        print(f"Lỗi máy chủ {handler.get_status()}: {handler.request.uri}", flush=True)


def application(state: State) -> tornado.web.Application:
    return tornado.web.Application(log_function=_log, handlers=[
        (r"/livereload", ReloadSocket, {"state": state}),
        (r"/(livereload\.js)", DevAssetHandler),
        (r"/__dev/(dev\.css)", DevAssetHandler),
        (r"/(.*)", SiteHandler, {"state": state}),
    ])


def describe(outcome: Outcome, changes: list[str]) -> str:
    stamp = dt.datetime.now().strftime("%H:%M:%S")
    what = ", ".join(changes[:3]) + (f" và {len(changes) - 3} tệp khác" if len(changes) > 3 else "")
    if not outcome.ok:
        return f"[{stamp}] {what}: {len(outcome.errors)} lỗi ({outcome.ms:.0f} ms)\n" + \
            "\n".join(f"  {e}" for e in outcome.errors)
    files = len(outcome.written) + len(outcome.removed)
    return (f"[{stamp}] {what}: dựng lại {outcome.pages} nhóm trang, {files} tệp thay đổi "
            f"trong {outcome.ms:.0f} ms")


def _fingerprint(paths: list[Path]) -> dict[str, tuple[int, int]]:
    found = {}
    for root in paths:
        for path in root.rglob("*"):
            if path.is_file():
                stat = path.stat()
                found[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return found


def _rebuild(state: State, changed: list[str], paths: list[str] | None = None) -> None:
    """Rebuild; `paths` (every path the watcher reported, when it reported them all) lets the
    builder stamp only those files."""
    had_errors = bool(state.builder.errors)
    state.reloaded_first = set()
    try:
        outcome = state.builder.rebuild(paths)
    except ContentError as error:  # a page template that does not compile: shown as content errors are
        outcome = Outcome(False, errors=error.diagnostics)
        state.builder.errors = outcome.errors
    except jinja2.TemplateNotFound as error:  # a page template removed
        outcome = Outcome(False, errors=[missing_template(state.builder.templates, error)])
        state.builder.errors = outcome.errors
    except Exception as error:  # never die: report and keep serving the last good site
        outcome = Outcome(False, errors=[f"lỗi nội bộ khi dựng lại: {type(error).__name__}: {error}"])
        state.builder.errors = outcome.errors
    if outcome.ok and not had_errors and not outcome.written and not outcome.removed:
        return  # the files were touched but nothing they give changed: no rebuild to report
    print(describe(outcome, changed), flush=True)
    reloaded, state.reloaded_first = state.reloaded_first, set()
    if state.loop is not None:  # (the browsers showing a page written first were reloaded then)
        state.loop.call_soon_threadsafe(state.reload_browsers, reloaded if outcome.ok else set())



GIT_POLL_SECONDS = 2.0  # how often an idle preview asks whether the content's repository moved


def _watch(state: State, paths: list[Path], stop: threading.Event, ready: threading.Event,
           before: dict[str, tuple[int, int]]) -> None:
    """Rebuild once per burst of changes; tell browsers to reload.

    The first (empty) batch says the watcher is running: anything saved between the
    initial build and that moment is caught by comparing file stamps."""
    out = state.builder.out.resolve()

    def inside_output(change, path: str) -> bool:
        p = Path(path).resolve()
        return out in p.parents or p == out

    def relevant(path: str) -> bool:  # editors' temporary files alone do not start a rebuild
        return not Path(path).name.startswith((".", "#")) and not path.endswith(("~", ".swp", ".tmp"))

    # step: a burst of changes ends after this many ms without another; an editor's save (write,
    # or write a temporary file and rename it) takes a few ms. The wait is part of save -> served.
    pending: list[str] = []  # every path reported since the last rebuild, temporary names included
    git_due = time.monotonic() + GIT_POLL_SECONDS
    for batch in watchfiles.watch(*paths, watch_filter=lambda c, p: not inside_output(c, p), debounce=1600,
                                  step=50, stop_event=stop, raise_interrupt=False, rust_timeout=250,
                                  yield_on_timeout=True):
        pending += [p for _, p in batch]
        if not ready.is_set():
            now = _fingerprint(paths)
            if now != before and not batch:
                _rebuild(state, sorted(os.path.relpath(p) for p in set(now) ^ set(before) |
                                       {p for p in now if before.get(p) != now[p]}))
                pending = []  # that rebuild compared every file's stamp
            # Ready (the address is printed) once that comparison is done: a burst saved from now
            # on comes in the watcher's batches whole, not partly in that comparison's rebuild.
            ready.set()
        shown = {p for _, p in batch if relevant(p)}
        if shown:  # every path reported goes to the builder: a temporary name can be an attachment
            _rebuild(state, sorted({os.path.relpath(p) for p in shown}), pending)
            pending = []
        elif state.builder.data_due:  # idle: now write the downloads the last rebuild made stale
            start = time.perf_counter()
            written = state.builder.refresh_data()
            stamp = dt.datetime.now().strftime("%H:%M:%S")
            print(f"[{stamp}] tệp dữ liệu tải về: {len(written)} tệp cập nhật trong "
                  f"{(time.perf_counter() - start) * 1000:.0f} ms", flush=True)
        elif time.monotonic() >= git_due:
            # idle: a commit made meanwhile changes the history its documents' pages show; the
            # repository is usually outside the watched folders, so it is asked (a few ms)
            git_due = time.monotonic() + GIT_POLL_SECONDS
            if state.builder.commit_moved():
                _rebuild(state, ["git commit"])
        elif not state.indexing.is_set() and state.builder.search_due:
            # idle: then index the changed pages for search, beside the next rebuilds (it takes
            # seconds on a large site, and a save made meanwhile must not wait for it)
            state.indexing.set()
            threading.Thread(target=_refresh_search, args=(state,), daemon=True).start()


def _refresh_search(state: State) -> None:
    """Index the pages the last rebuilds changed; a failure is reported and the last index kept."""
    start = time.perf_counter()
    try:
        changed = state.builder.refresh_search()
    except Exception as error:  # never die: the pages are served, only search lags behind
        print(f"Chưa cập nhật được chỉ mục tìm kiếm ({error}); bản dựng tiếp theo sẽ thử lại.", flush=True)
        return
    finally:
        state.indexing.clear()
    stamp = dt.datetime.now().strftime("%H:%M:%S")
    print(f"[{stamp}] chỉ mục tìm kiếm: {len(changed)} tệp cập nhật trong "
          f"{(time.perf_counter() - start) * 1000:.0f} ms", flush=True)


def serve(start: Callable[[], tuple[DevBuilder, Outcome]], host: str, port: int, watch: list[Path]) -> int:
    """Build (`start` gives the builder and its first outcome), serve and watch until interrupted
    (Ctrl+C)."""
    try:  # first, so a busy port is reported before any build
        sockets = tornado.netutil.bind_sockets(port, address=host)
    except OSError as error:
        print(f"Không mở được cổng {port} trên {host} ({error.strerror}): có thể một máy chủ xem trước khác "
              "đang chạy. Hãy dừng nó, hoặc chọn cổng khác, ví dụ --port 8001.", file=sys.stderr)
        return 2
    watched = [p for p in watch if p.exists()]
    before = _fingerprint(watched)
    builder, outcome = start()
    if outcome.ok and outcome.pages == 0:
        print(f"Trang web đã khớp với nội dung (kiểm tra trong {outcome.ms:.0f} ms).")
    elif outcome.ok:
        print(f"Đã dựng {outcome.pages} trang trong {outcome.ms:.0f} ms.")
    else:
        print("\n".join(str(e) for e in outcome.errors))
        print(f"Nội dung có {len(outcome.errors)} lỗi; đang phục vụ bản dựng hợp lệ gần nhất (nếu có).")
    state = State(builder, port)
    server = tornado.httpserver.HTTPServer(application(state))
    state.port = sockets[0].getsockname()[1]
    stop, ready = threading.Event(), threading.Event()
    watcher = threading.Thread(target=_watch, args=(state, watched, stop, ready, before), daemon=True)

    async def main() -> None:
        state.loop = asyncio.get_running_loop()
        server.add_sockets(sockets)
        watcher.start()
        await asyncio.get_running_loop().run_in_executor(None, ready.wait, 10)
        print(f"Xem trước tại http://{host}:{state.port}/ — nhấn Ctrl+C để dừng.", flush=True)
        await asyncio.Event().wait()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        print("Đã dừng máy chủ xem trước.")
    finally:
        stop.set()
    return 0
