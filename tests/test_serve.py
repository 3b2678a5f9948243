"""The preview server, used as an editor would: save, see the rebuilt page, break, fix."""
from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, TODAY, build, copy_sample

DOC = "programmes/12-ctr-duk-2021.md"


class Server:
    def __init__(self, content: Path, out: Path, *extra: str):
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "serve", "--port", "0", "--content", str(content),
             "--out", str(out), "--today", TODAY, *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1, cwd=content.parent)
        self.lines: list[str] = []
        self.url = ""
        deadline = time.time() + 60
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:  # the server ended
                break
            self.lines.append(line)
            match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if match:
                self.url = match[0]
                break
        assert self.url, "".join(self.lines)
        # The rest of the output is read as it comes, so that a test can wait for a line to be
        # printed instead of guessing how long the server takes to print it.
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in iter(self.proc.stdout.readline, ""):
            self.lines.append(line)

    def output(self) -> str:
        return "".join(self.lines)

    def wait_for_output(self, text: str, timeout: float = 60) -> str:
        """The output once it holds `text`."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if text in self.output():
                return self.output()
            if not self._reader.is_alive():  # the server ended
                break
            time.sleep(0.05)
        raise AssertionError(f"{text!r} not printed; output: {self.output()[-2000:]}")

    def raw(self, path: str) -> tuple[int, str]:
        """Send the request path exactly as given (no client-side normalisation)."""
        host, port = self.url.split("//")[1].strip("/").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        status, body = response.status, response.read().decode("utf-8", errors="replace")
        conn.close()
        return status, body

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=10) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def wait_for(self, path: str, predicate, timeout: float = 20) -> str:
        deadline = time.time() + timeout
        body = ""
        while time.time() < deadline:
            _, body = self.get(path)
            if predicate(body):
                return body
            time.sleep(0.1)
        raise AssertionError(f"timed out; last body tail: {body[-500:]}")

    def stop(self) -> str:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(timeout=10)  # (the rest of the output, up to the end of the pipe)
        return self.output()


@pytest.fixture
def server(tmp_path):
    content = copy_sample(tmp_path / "content")
    srv = Server(content, tmp_path / "site")
    srv.content = content
    srv.out = tmp_path / "site"
    yield srv
    output = srv.stop()
    assert "Traceback" not in output, output


def test_serves_the_built_site_on_loopback_with_the_reload_client(server):
    assert server.url.startswith("http://127.0.0.1:")
    status, body = server.get("/nghi-quyet/58-nq-tw/")
    assert status == 200
    assert "Về xây dựng và phát triển tỉnh Thanh Hóa" in body
    assert '<script src="/livereload.js?port=' in body
    status, js = server.get("/livereload.js")
    assert status == 200 and "LiveReload" in js


def test_an_edit_is_rebuilt_and_served(server):
    path = server.content / DOC
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Công tác lãnh đạo, chỉ đạo", "Lãnh đạo, chỉ đạo đã sửa"), encoding="utf-8")
    body = server.wait_for("/chuong-trinh/12-ctr-duk-2021/", lambda b: "Lãnh đạo, chỉ đạo đã sửa" in b)
    assert 'id="dev-errors"' not in body


def _indexed_texts(site: Path, url: str) -> list[str]:
    """The text of every fragment of the search index for `url`. While the running preview
    replaces a page's fragment there are two for a moment (the new one is written before the old
    one is removed), and a shard made again is swapped in by renaming folders."""
    from sitegen import search

    try:
        files = list((site / search.BUNDLE / "f").glob("*.json"))
    except FileNotFoundError:  # the folder renamed away while it was listed
        return []
    texts = []
    for file in files:
        try:
            data = file.read_bytes()
        except FileNotFoundError:  # an old fragment the running preview removed after the glob listed it
            continue
        fragment = json.loads(data)
        if fragment["url"] == url:
            texts.append(fragment["content"])
    return texts


def test_an_edit_reaches_the_search_index_after_the_page(server):
    url = "/chuong-trinh/12-ctr-duk-2021/"
    indexed = _indexed_texts(server.out, url)
    assert len(indexed) == 1 and "Công tác lãnh đạo, chỉ đạo" in indexed[0], indexed
    path = server.content / DOC
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Công tác lãnh đạo, chỉ đạo", "Lãnh đạo quyết liệt vùng Nghi Sơn"), encoding="utf-8")
    server.wait_for(url, lambda b: "Lãnh đạo quyết liệt vùng Nghi Sơn" in b)
    deadline = time.time() + 60
    while time.time() < deadline:  # until the page's one fragment is the new one
        indexed = _indexed_texts(server.out, url)
        if len(indexed) == 1 and "quyết liệt vùng Nghi Sơn" in indexed[0]:
            break
        time.sleep(0.2)
    assert len(indexed) == 1, indexed
    assert "Lãnh đạo quyết liệt vùng Nghi Sơn" in indexed[0] and "Công tác lãnh đạo, chỉ đạo" not in indexed[0]
    server.wait_for_output("chỉ mục tìm kiếm:")  # printed once the index is written
    output = server.stop()
    assert "Chưa cập nhật được" not in output, output


def test_invalid_content_shows_an_overlay_then_disappears_when_fixed(server):
    path = server.content / DOC
    text = path.read_text(encoding="utf-8")
    broken = text.replace("issued: 2021-04-07", "isued: 2021-04-07", 1)
    line = broken.split("\n").index("isued: 2021-04-07") + 1
    path.write_text(broken, encoding="utf-8")
    body = server.wait_for("/nghi-quyet/58-nq-tw/", lambda b: 'id="dev-errors"' in b)
    overlay = body[body.index('id="dev-errors"'):]
    assert f"{DOC}:{line}:" in overlay
    assert "có phải &quot;issued&quot;?" in overlay
    # the last good site is still served underneath
    assert "Về xây dựng và phát triển tỉnh Thanh Hóa" in body
    path.write_text(text, encoding="utf-8")
    server.wait_for("/nghi-quyet/58-nq-tw/", lambda b: 'id="dev-errors"' not in b)


def test_a_page_template_that_does_not_compile_is_shown_at_its_line_then_cleared(tmp_path):
    content, templates = copy_sample(tmp_path / "content"), tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    server = Server(content, tmp_path / "site", "--templates", str(templates))
    try:
        path = templates / "document.html"
        text = path.read_text(encoding="utf-8")
        line = next(i for i, t in enumerate(text.split("\n"), 1) if "{% block main %}" in t)
        path.write_text(text.replace("{% block main %}", "{% block main %}{% if %}", 1), encoding="utf-8")
        body = server.wait_for("/nghi-quyet/58-nq-tw/", lambda b: 'id="dev-errors"' in b)
        overlay = body[body.index('id="dev-errors"'):]
        assert f"document.html:{line}: lỗi cú pháp trong mẫu trang" in overlay
        assert "Về xây dựng và phát triển tỉnh Thanh Hóa" in body  # the last good page underneath
        path.write_text(text, encoding="utf-8")
        server.wait_for("/nghi-quyet/58-nq-tw/", lambda b: 'id="dev-errors"' not in b)
        path.unlink()
        body = server.wait_for("/nghi-quyet/58-nq-tw/", lambda b: 'id="dev-errors"' in b)
        assert "document.html: không tìm thấy mẫu trang" in body[body.index('id="dev-errors"'):]
        path.write_text(text, encoding="utf-8")
        server.wait_for("/nghi-quyet/58-nq-tw/", lambda b: 'id="dev-errors"' not in b)
    finally:
        output = server.stop()
    assert "Traceback" not in output and "lỗi nội bộ" not in output, output


def test_a_burst_of_saves_gives_one_rebuild(server):
    # First a save the server is seen to rebuild. Once the address is printed, the watcher
    # compares the files' stamps with those taken before the first build, once: a burst saved
    # while it compares is rebuilt in two parts (the files it found changed, then the watcher's
    # batch). Once the first save is served that comparison is over.
    # (sorted after the burst's files: a rebuild line names three files, then "và N tệp khác")
    probe = "resolutions/nq-dai-hoi-xix-dang-bo-tinh.md"
    path = server.content / probe
    path.write_text(path.read_text(encoding="utf-8") + "\nĐoạn lưu trước.\n", encoding="utf-8")
    server.wait_for("/nghi-quyet/nq-dai-hoi-xix-dang-bo-tinh/", lambda b: "Đoạn lưu trước." in b)
    burst = ("programmes/12-ctr-duk-2021.md", "resolutions/58-nq-tw.md", "posts/dang-uy-khoi-ban-hanh-chuong-trinh-hanh-dong.md")
    for name in burst:
        path = server.content / name
        path.write_text(path.read_text(encoding="utf-8") + "\nThêm một dòng.\n", encoding="utf-8")
    server.wait_for("/nghi-quyet/58-nq-tw/", lambda b: "Thêm một dòng." in b)
    time.sleep(1.5)  # time for a second rebuild to show, were there one
    output = server.stop()
    rebuilds = [l for l in output.splitlines() if "dựng lại" in l]
    of_burst = [l for l in rebuilds if any(f"content/{name}" in l for name in burst)]
    assert len(of_burst) == 1, output
    assert all(f"content/{probe}" in l for l in rebuilds if l not in of_burst), output


def test_nothing_outside_the_site_is_served(server, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("bí mật", encoding="utf-8")
    for path in ["/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "//etc/passwd",
                 "/..%2f..%2fetc/passwd", "/%5c..%5csecret.txt"]:
        status, body = server.raw(path)
        assert status in (400, 404), path
        assert "bí mật" not in body and "root:" not in body
    (tmp_path / "site" / "link.txt").symlink_to(secret)
    status, body = server.raw("/link.txt")
    assert status == 404 and "bí mật" not in body


def test_survives_a_flood_of_1000_concurrent_requests(server):
    import concurrent.futures

    paths = ["/", "/nghi-quyet/58-nq-tw/", "/chi-tieu/", "/assets/site.css", "/khong-co/", "/%2e%2e/x"]

    def one(i: int) -> int:
        try:
            return server.raw(paths[i % len(paths)])[0]
        except OSError:
            return 0

    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=200) as pool:
        codes = list(pool.map(one, range(1000)))
    assert time.time() - start < 60
    assert sum(1 for c in codes if c in (200, 404)) >= 990, codes.count(0)
    assert server.proc.poll() is None
    status, _ = server.get("/nghi-quyet/58-nq-tw/")
    assert status == 200


def test_the_server_starts_from_the_last_build_and_rebuilds_from_it(tmp_path):
    content, out = copy_sample(tmp_path / "content"), tmp_path / "site"
    assert build(content, out).code == 0
    unrelated = out / "nghi-quyet" / "58-nq-tw" / "index.html"
    stamp = unrelated.stat().st_mtime_ns
    srv = Server(content, out)
    try:
        assert any("Trang web đã khớp với nội dung" in line for line in srv.lines), srv.lines
        path = content / DOC
        path.write_text(path.read_text(encoding="utf-8").replace("Công tác lãnh đạo, chỉ đạo", "Chỉ đạo mới"),
                        encoding="utf-8")
        srv.wait_for("/chuong-trinh/12-ctr-duk-2021/", lambda b: "Chỉ đạo mới" in b)
        assert unrelated.stat().st_mtime_ns == stamp  # nothing rebuilt in full
    finally:
        output = srv.stop()
    assert "Traceback" not in output, output


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_commit_made_while_previewing_reaches_the_history_on_the_page(tmp_path):
    """The repository is outside the watched folders: the idle preview asks git whether it moved."""
    from test_history import git, sample_repo

    root, content = sample_repo(tmp_path)
    srv = Server(content, tmp_path / "site")
    try:
        path = content / DOC
        path.write_text(path.read_text(encoding="utf-8") + "\nĐoạn viết khi xem trước.\n", encoding="utf-8")
        srv.wait_for("/chuong-trinh/12-ctr-duk-2021/", lambda b: "Đoạn viết khi xem trước." in b)
        # no file changes from here: only asking git tells the preview
        git(root, "commit", "-q", "-am", "Bổ sung chương trình 12 khi xem trước", date="2024-05-02T10:00:00+07:00")
        body = srv.wait_for("/chuong-trinh/12-ctr-duk-2021/", lambda b: "Bổ sung chương trình 12 khi xem trước" in b)
        assert "Đoạn viết khi xem trước." in body
        _, other = srv.get("/nghi-quyet/58-nq-tw/")
        assert "Bổ sung chương trình 12" not in other
    finally:
        output = srv.stop()
    assert "Traceback" not in output, output


def test_a_browser_showing_an_edited_document_reloads_once_and_others_once(server):
    """Browsers tell the server which page they show (LiveReload's "info"): after a front-matter
    edit, the one showing the document is reloaded as soon as its page is written, and not again
    when the rest of the rebuild is done; one showing another page is reloaded then, once."""
    import asyncio

    import tornado.websocket

    async def watched() -> dict[str, list[str]]:
        socket_url = server.url.replace("http://", "ws://") + "livereload"
        shown = {"document": server.url + "chuong-trinh/12-ctr-duk-2021/",
                 "dashboard": server.url + "chi-tieu/index.html"}
        sockets = {}
        for name, url in shown.items():
            socket = await tornado.websocket.websocket_connect(socket_url)
            socket.write_message(json.dumps({"command": "hello", "protocols": []}))
            assert json.loads(await socket.read_message())["command"] == "hello"
            socket.write_message(json.dumps({"command": "info", "plugins": {}, "url": url}))
            sockets[name] = socket
        await asyncio.sleep(0.3)  # (the server has read both "info" messages)
        edit = server.content / DOC
        edit.write_text(edit.read_text(encoding="utf-8").replace('goal: "> 600"', 'goal: "> 613"'),
                        encoding="utf-8")
        received: dict[str, list[str]] = {name: [] for name in sockets}
        fresh = []

        async def listen(name: str) -> None:
            while True:
                message = await sockets[name].read_message()
                if message is None:
                    return
                received[name].append(json.loads(message)["command"])
                if name == "document":  # the page is the edited one when the browser is told
                    fresh.append("613" in server.get("/chuong-trinh/12-ctr-duk-2021/")[1])

        listeners = [asyncio.ensure_future(listen(name)) for name in sockets]
        await asyncio.get_running_loop().run_in_executor(None, server.wait_for_output, "nhóm trang")
        await asyncio.sleep(1.5)  # any later message would have come
        for task in listeners:
            task.cancel()
        for socket in sockets.values():
            socket.close()
        assert fresh == [True]
        return received

    outcome: dict = {}

    def run() -> None:  # in a thread of its own: a test before may leave this thread's event loop running
        try:
            outcome["received"] = asyncio.run(watched())
        except BaseException as error:  # (raised again below)
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(90)
    if "error" in outcome:
        raise outcome["error"]
    assert outcome.get("received") == {"document": ["reload"], "dashboard": ["reload"]}


def test_the_preview_reloads_first_the_browsers_showing_the_pages_written_first():
    from sitegen.serve import State

    class Builder:
        on_first_pages = None

    class Socket:
        def __init__(self, page):
            self.page, self.messages = page, []

        def write_message(self, message):
            self.messages.append(json.loads(message)["command"])

    builder = Builder()
    state = State(builder, 0)
    assert builder.on_first_pages == state.first_pages  # the builder tells the preview
    document, dashboard, untold = Socket("/chuong-trinh/a/"), Socket("/chi-tieu/"), Socket(None)
    state.sockets = {document, dashboard, untold}
    state.reload_browsers({"/chuong-trinh/a/"}, True)  # what `first_pages` schedules
    assert (document.messages, dashboard.messages, untold.messages) == (["reload"], [], [])
    state.reload_browsers({"/chuong-trinh/a/"})  # at the end of that rebuild
    assert (document.messages, dashboard.messages, untold.messages) == (["reload"], ["reload"], ["reload"])
    state.reload_browsers()  # a rebuild without pages written first: everyone
    assert document.messages == ["reload", "reload"]
