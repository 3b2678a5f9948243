"""Incremental rebuilds (preview server) must give exactly what a clean build gives."""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import ROOT, TODAY, build, copy_sample

from sitegen import devbuild
from sitegen.devbuild import DevBuilder
from sitegen.views import Settings

SETTINGS = Settings(current_year=dt.date.fromisoformat(TODAY).year)


def hashes(folder: Path) -> dict[str, str]:
    """Every file's digest and every folder, the search bundle left out."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
            for p in sorted(folder.rglob("*")) if "chi-muc" not in p.parts}


def first_build(tmp_path: Path) -> DevBuilder:
    """The preview's builder after its first build, on a copy of the sample content and templates."""
    content = copy_sample(tmp_path / "content")
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    builder = DevBuilder(content, tmp_path / "site", templates, SETTINGS)
    assert builder.initial().ok
    return builder


@pytest.fixture
def dev(tmp_path):
    return first_build(tmp_path)


def assert_same_as_clean_build(dev, tmp_path):
    dev.refresh_data()
    clean = tmp_path / "clean"
    result = build(dev.content, clean, "--templates", str(dev.templates))
    assert result.code == 0, result.err
    assert hashes(dev.out) == hashes(clean)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@contextlib.contextmanager
def scanned_right_after_saving(path: Path):
    """Within: the builder's scans take the clock as it was when `path` was last saved, so they see
    that save as too recent to trust (stamps.RACY), as a scan right after it does. The tests that
    need this are about that case; left to the real clock, a scan that a loaded machine starts more
    than stamps.RACY_NS after the save (a descheduled process, a long collection) trusts the stamp,
    and the test fails for that reason alone."""
    from sitegen import stamps

    saved = path.stat().st_mtime_ns

    class Clock:  # what stamps.mark_racy asks `time` for
        @staticmethod
        def time_ns() -> int:
            return saved

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(stamps, "time", Clock)
        yield


def test_an_unchanged_rebuild_writes_nothing(dev):
    outcome = dev.rebuild()
    assert outcome.ok and outcome.written == [] and outcome.pages == 0


def test_a_body_edit_renders_only_the_pages_that_show_the_document(dev, tmp_path):
    edit(dev.content / "programmes/kh-minh-hoa-dang-uy-co-so.md", "## Nội dung", "## Nội dung đã sửa")
    outcome = dev.rebuild()
    assert outcome.ok
    assert "chuong-trinh/kh-minh-hoa-dang-uy-co-so/index.html" in outcome.written
    assert outcome.pages == 1  # only the body changed: only its own page shows it
    assert "chi-tieu/index.html" not in outcome.written
    assert_same_as_clean_build(dev, tmp_path)


def test_a_title_change_reaches_related_documents_lists_and_feeds(dev, tmp_path):
    edit(dev.content / "programmes/ctr-duk-thuc-hien-58-nq-tw.md", "title: Chương trình hành động của Ban",
         "title: Chương trình hành động (sửa) của Ban")
    outcome = dev.rebuild()
    assert "nghi-quyet/58-nq-tw/index.html" in outcome.written
    assert "chuong-trinh/index.html" in outcome.written and "feed.xml" in outcome.written
    assert_same_as_clean_build(dev, tmp_path)


def test_a_new_result_updates_statuses_dashboard_and_exports(dev, tmp_path):
    edit(dev.content / "results/2024.yaml", "    to-chuc-dang-fdi: 0", "    to-chuc-dang-fdi: 1")
    outcome = dev.rebuild()
    assert {"chuong-trinh/12-ctr-duk-2021/index.html", "chi-tieu/index.html"} <= set(outcome.written)
    assert "du-lieu/targets.csv" not in outcome.written
    assert "du-lieu/targets.csv" in dev.refresh_data()  # written after the browser reloads
    assert_same_as_clean_build(dev, tmp_path)


def test_adding_and_removing_a_post_and_a_document(dev, tmp_path):
    post = dev.content / "posts" / "bai-moi.md"
    post.write_text("---\ntitle: Bài mới về Nghị quyết 58\ndate: 2022-01-05\ndocuments: [58-NQ/TW]\n"
                    "tags: [Chủ đề mới]\n---\nNội dung bài mới.\n", encoding="utf-8")
    assert dev.rebuild().ok
    assert (dev.out / "tin-tuc/bai-moi/index.html").is_file()
    assert (dev.out / "chu-de/chu-de-moi/index.html").is_file()
    assert_same_as_clean_build(dev, tmp_path)
    post.unlink()
    outcome = dev.rebuild()
    assert "tin-tuc/bai-moi/index.html" in outcome.removed
    assert not (dev.out / "chu-de/chu-de-moi/index.html").exists()
    shutil.rmtree(tmp_path / "clean")
    assert_same_as_clean_build(dev, tmp_path)


def test_a_shared_template_change_renders_everything_again(dev, tmp_path):
    edit(dev.templates / "base.html", "Chuyển đến nội dung chính", "Bỏ qua để đến nội dung chính")
    outcome = dev.rebuild()
    assert outcome.pages == len(dev.spec_paths)
    assert_same_as_clean_build(dev, tmp_path)


def test_a_page_template_change_renders_only_the_pages_that_use_it(dev, tmp_path):
    edit(dev.templates / "tag.html", "<h1>{{ page.title }}</h1>", "<h1 class=\"tag-title\">{{ page.title }}</h1>")
    outcome = dev.rebuild()
    assert outcome.pages == sum(1 for spec in dev.spec_paths if spec[0] == "tag")
    assert all(name.startswith("chu-de/") for name in outcome.written if name.endswith(".html"))
    assert_same_as_clean_build(dev, tmp_path)


def test_a_stylesheet_change_copies_the_asset_and_renders_nothing(dev, tmp_path):
    css = dev.templates / "assets" / "site.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.moi{color:red}\n", encoding="utf-8")
    outcome = dev.rebuild()
    assert outcome.pages == 0 and outcome.written == ["assets/site.css"]
    assert_same_as_clean_build(dev, tmp_path)


def test_invalid_content_keeps_the_last_good_site(dev):
    before = hashes(dev.out)
    edit(dev.content / "resolutions/58-nq-tw.md", "issuer: bo-chinh-tri", "issuer: khong-co")
    outcome = dev.rebuild()
    assert not outcome.ok and "resolutions/58-nq-tw.md:5:" in str(outcome.errors[0])
    assert hashes(dev.out) == before
    edit(dev.content / "resolutions/58-nq-tw.md", "issuer: khong-co", "issuer: bo-chinh-tri")
    assert dev.rebuild().ok and dev.errors == []


# --- body-only edits: the shortcut that swaps the new body into the last good model -------------

DOC = "programmes/kh-minh-hoa-dang-uy-co-so.md"
PAGE = "chuong-trinh/kh-minh-hoa-dang-uy-co-so/index.html"


@pytest.fixture
def no_full_rebuild(monkeypatch):
    """Fails a test if the rebuild reads and links the whole content again."""
    def refuse(*args, **kwargs):
        raise AssertionError("the whole content was checked again")
    monkeypatch.setattr("sitegen.devbuild.check", refuse)


def test_a_body_edit_skips_linking_and_gives_what_a_clean_build_gives(dev, tmp_path, no_full_rebuild):
    edit(dev.content / DOC, "2. Mỗi chi bộ đăng ký", "2. Mỗi chi bộ và [Nghị quyết 58](/nghi-quyet/58-nq-tw/) đăng ký")
    outcome = dev.rebuild()
    assert outcome.ok and outcome.pages == 1 and PAGE in outcome.written
    assert "Nghị quyết 58</a> đăng ký" in (dev.out / PAGE).read_text(encoding="utf-8")
    assert not dev.data_due  # the downloads show no body: a clean build gives the same ones
    assert_same_as_clean_build(dev, tmp_path)


def test_a_body_edit_at_the_start_of_the_body_updates_the_feed(dev, tmp_path, no_full_rebuild):
    edit(dev.content / DOC, "> **Văn bản minh họa.**", "Tóm tắt mới ở đầu văn bản.\n\n> **Văn bản minh họa.**")
    outcome = dev.rebuild()
    assert outcome.ok and {PAGE, "feed.xml"} <= set(outcome.written)
    assert "Tóm tắt mới ở đầu văn bản." in (dev.out / "feed.xml").read_text(encoding="utf-8")
    assert_same_as_clean_build(dev, tmp_path)


def test_successive_body_edits_of_several_documents(dev, tmp_path, no_full_rebuild):
    for round_ in range(3):
        for name in ("programmes/12-ctr-duk-2021.md", "resolutions/58-nq-tw.md", DOC):
            path = dev.content / name
            path.write_text(path.read_text(encoding="utf-8") + f"\nĐoạn thêm {round_}.\n", encoding="utf-8")
        assert dev.rebuild().ok
    assert_same_as_clean_build(dev, tmp_path)


def test_a_file_saved_again_unchanged_renders_nothing(dev, no_full_rebuild):
    path = dev.content / DOC
    path.write_bytes(path.read_bytes())
    outcome = dev.rebuild()
    assert outcome.ok and outcome.written == [] and outcome.pages == 0


def test_a_second_save_in_the_same_clock_tick_is_not_missed(dev, tmp_path):
    path = dev.content / DOC
    edit(path, "Sơ kết hằng năm", "Tổng kết hằng năm")
    stamp, size = path.stat().st_mtime_ns, path.stat().st_size
    with scanned_right_after_saving(path):
        assert dev.rebuild().ok
    edit(path, "Tổng kết hằng năm", "Tổng kết từng năm")  # same length in UTF-8
    assert path.stat().st_size == size
    os.utime(path, ns=(stamp, stamp))  # same time and size as the previous save
    assert dev.rebuild().ok
    assert "Tổng kết từng năm" in (dev.out / PAGE).read_text(encoding="utf-8")
    assert_same_as_clean_build(dev, tmp_path)


def test_a_broken_link_in_a_body_is_reported_and_the_last_good_site_stays(dev, tmp_path):
    before = hashes(dev.out)
    edit(dev.content / DOC, "3. Sơ kết hằng năm", "3. Xem [trang cũ](/nghi-quyet/khong-co/), sơ kết hằng năm")
    outcome = dev.rebuild()
    assert not outcome.ok and "khong-co" in str(outcome.errors)
    assert hashes(dev.out) == before
    edit(dev.content / DOC, "[trang cũ](/nghi-quyet/khong-co/)", "[Nghị quyết 58](/nghi-quyet/58-nq-tw/)")
    outcome = dev.rebuild()
    assert outcome.ok and dev.errors == [] and PAGE in outcome.written
    assert_same_as_clean_build(dev, tmp_path)


@pytest.mark.parametrize("old, new", [
    ('title: "Kế hoạch', 'title: "Kế hoạch (sửa)'),  # front matter: lists and related pages show it
    ("    period: annual\n---", "    period: annual\n# ghi chú\n---"),  # same fields, body a line lower
])
def test_a_front_matter_change_with_a_body_edit_is_a_full_rebuild(dev, tmp_path, old, new):
    path = dev.content / DOC
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1) + "\nĐoạn mới.\n", encoding="utf-8")
    assert dev.rebuild().ok
    assert_same_as_clean_build(dev, tmp_path)


def test_a_body_edit_with_a_template_change_renders_the_template_pages_too(dev, tmp_path):
    edit(dev.content / DOC, "Sơ kết hằng năm", "Sơ kết mỗi năm")
    edit(dev.templates / "tag.html", "<h1>{{ page.title }}</h1>", "<h1 class=\"tag-title\">{{ page.title }}</h1>")
    outcome = dev.rebuild()
    assert outcome.ok and PAGE in outcome.written
    assert any(name.startswith("chu-de/") for name in outcome.written)
    assert_same_as_clean_build(dev, tmp_path)


def test_a_post_body_edit_renders_the_post_and_the_feed(dev, tmp_path, no_full_rebuild):
    post = next((dev.content / "posts").glob("*.md"))
    text = post.read_text(encoding="utf-8")
    start = text.index("---", 3) + 4
    post.write_text(text[:start] + "Mở đầu mới của bài viết.\n\n" + text[start:], encoding="utf-8")
    outcome = dev.rebuild()
    assert outcome.ok and outcome.pages == 1
    assert {f"tin-tuc/{post.stem}/index.html", "feed.xml"} <= set(outcome.written)
    assert_same_as_clean_build(dev, tmp_path)


def test_a_body_edit_of_an_unpublished_document(dev, tmp_path):
    hidden = dev.content / "programmes" / "ke-hoach-mat.md"
    hidden.write_text((dev.content / DOC).read_text(encoding="utf-8").replace("---\n", "---\nrestricted: true\n", 1),
                      encoding="utf-8")
    assert dev.rebuild().ok
    hidden.write_text(hidden.read_text(encoding="utf-8") + "\nĐoạn mật.\n", encoding="utf-8")
    outcome = dev.rebuild()
    assert outcome.ok and not any("ke-hoach-mat" in name for name in outcome.written)
    assert_same_as_clean_build(dev, tmp_path)


def test_adding_a_document_after_body_edits_is_a_full_rebuild(dev, tmp_path):
    edit(dev.content / DOC, "Sơ kết hằng năm", "Sơ kết mỗi năm")
    assert dev.rebuild().ok
    shutil.copy(dev.content / DOC, dev.content / "programmes" / "ban-sao.md")
    outcome = dev.rebuild()
    assert outcome.ok and "chuong-trinh/ban-sao/index.html" in outcome.written
    assert_same_as_clean_build(dev, tmp_path)


def test_an_attachment_replaced_is_copied_again_and_an_unchanged_one_is_not_read(dev, tmp_path, monkeypatch):
    attachment = dev.content / "files" / "ke-hoach.pdf"
    attachment.parent.mkdir(exist_ok=True)
    attachment.write_bytes(b"%PDF-1.4 ban dau")
    time.sleep(0.2)  # older than a racy stamp (a file that recent is read again at the next rebuild)
    edit(dev.content / DOC, "period: annual\n", "period: annual\nattachments:\n  - file: files/ke-hoach.pdf\n")
    assert dev.rebuild().ok and (dev.out / "files/ke-hoach.pdf").read_bytes() == b"%PDF-1.4 ban dau"
    edit(dev.content / DOC, 'title: "Kế hoạch', 'title: "Kế hoạch mới')
    reads = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self.name) or original(self))
    assert dev.rebuild().ok
    assert "ke-hoach.pdf" not in reads  # its stamp did not change: not read again
    monkeypatch.undo()
    attachment.write_bytes(b"%PDF-1.4 ban moi, dai hon")
    outcome = dev.rebuild()
    assert outcome.ok and "files/ke-hoach.pdf" in outcome.written
    assert (dev.out / "files/ke-hoach.pdf").read_bytes() == b"%PDF-1.4 ban moi, dai hon"
    assert_same_as_clean_build(dev, tmp_path)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_history_is_read_again_only_when_a_commit_is_made(tmp_path, monkeypatch):
    from test_history import git, sample_repo

    root, content = sample_repo(tmp_path)
    builder = DevBuilder(content, tmp_path / "site", ROOT / "templates", SETTINGS)
    assert builder.initial().ok
    calls = []
    original = devbuild.load_history
    monkeypatch.setattr(devbuild, "load_history", lambda folder: calls.append(folder) or original(folder))
    edit(content / "resolutions/58-nq-tw.md", "issuer: bo-chinh-tri", "issuer: bo-chinh-tri\nplace: Hà Nội")
    assert builder.rebuild().ok and calls == []  # an edit not committed: the same history
    git(root, "commit", "-q", "-am", "Ghi địa danh của nghị quyết 58", date="2024-05-02T10:00:00+07:00")
    outcome = builder.rebuild()
    assert outcome.ok and len(calls) == 1
    assert "Ghi địa danh của nghị quyết 58" in (builder.out / "nghi-quyet/58-nq-tw/index.html").read_text(encoding="utf-8")
    builder.refresh_data()
    clean = tmp_path / "clean"
    assert build(content, clean).code == 0
    assert hashes(builder.out) == hashes(clean)


def test_a_template_saved_twice_in_the_same_clock_tick_is_not_missed(dev, tmp_path):
    template = dev.templates / "document.html"
    edit(template, "{% block main %}", "{% block main %}<!-- a -->")
    stamp = template.stat().st_mtime_ns
    with scanned_right_after_saving(template):
        assert dev.rebuild().ok
    edit(template, "<!-- a -->", "<!-- b -->")  # same size
    os.utime(template, ns=(stamp, stamp))
    edit(dev.content / DOC, "Sơ kết hằng năm", "Sơ kết mỗi năm")  # a body edit: the shortcut's case
    assert dev.rebuild().ok
    assert "<!-- b -->" in (dev.out / PAGE).read_text(encoding="utf-8")
    assert "<!-- b -->" in (dev.out / "nghi-quyet/58-nq-tw/index.html").read_text(encoding="utf-8")
    assert_same_as_clean_build(dev, tmp_path)


def test_rebuilds_given_the_watcher_s_paths_give_what_a_clean_build_gives(dev, tmp_path, monkeypatch):
    path = dev.content / DOC
    edit(path, "Sơ kết hằng năm", "Sơ kết mỗi năm")
    scans = []
    original = devbuild.content_stamps
    monkeypatch.setattr(devbuild, "content_stamps", lambda root: scans.append(root) or original(root))
    with scanned_right_after_saving(path):
        outcome = dev.rebuild([str(path), str(dev.content / "programmes" / ".kh.md.swp")])
    assert outcome.ok and outcome.pages == 1 and PAGE in outcome.written and scans == []  # no full scan
    time.sleep(0.2)
    edit(path, "Sơ kết mỗi năm", "Sơ kết hai năm")  # stamped again although not reported: it was racy
    outcome = dev.rebuild([])
    assert outcome.ok and PAGE in outcome.written and scans == []
    assert "Sơ kết hai năm" in (dev.out / PAGE).read_text(encoding="utf-8")
    new = dev.content / "programmes" / "ban-sao.md"  # an added file: everything is scanned again
    shutil.copy(path, new)
    outcome = dev.rebuild([str(new)])
    assert outcome.ok and "chuong-trinh/ban-sao/index.html" in outcome.written and scans
    edit(dev.content / "results/2024.yaml", "    to-chuc-dang-fdi: 0", "    to-chuc-dang-fdi: 1")
    assert dev.rebuild([str(dev.content / "results/2024.yaml")]).ok
    assert_same_as_clean_build(dev, tmp_path)


def test_a_reported_path_outside_the_content_and_templates_means_a_full_scan(dev, tmp_path, monkeypatch):
    time.sleep(0.2)  # no stamp left too recent to trust
    edit(dev.content / DOC, "Sơ kết hằng năm", "Sơ kết mỗi năm")
    os.utime(dev.content / DOC, ns=(1, 1))  # an old time: not stamped again as a racy file would be
    elsewhere = tmp_path / "link-to-content" / DOC  # the same file by another name (a link)
    outcome = dev.rebuild([str(elsewhere)])
    assert outcome.ok and PAGE in outcome.written
    assert "Sơ kết mỗi năm" in (dev.out / PAGE).read_text(encoding="utf-8")


def test_an_edited_document_s_page_is_written_first_then_the_rest(dev, tmp_path):
    """The preview is told an edited document's page as soon as it is written, before the rest
    of the rebuild (the lists, the dashboard); the site is still a clean build's afterwards."""
    told = []
    last_model = dev.model
    page = dev.out / "chuong-trinh" / "12-ctr-duk-2021" / "index.html"
    listing = dev.out / "chi-tieu" / "index.html"
    listed_before = listing.read_bytes()
    assert "613" not in page.read_text(encoding="utf-8")

    def first(paths: list[str]) -> None:  # what is written when the preview is told
        told.append((paths, "613" in page.read_text(encoding="utf-8"), dev.model is last_model,
                     listing.read_bytes() == listed_before))

    dev.on_first_pages = first
    edit(dev.content / "programmes" / "12-ctr-duk-2021.md", 'goal: "> 600"', 'goal: "> 613"')
    outcome = dev.rebuild()
    assert told == [(["/chuong-trinh/12-ctr-duk-2021/"], True, True, True)]
    assert "chuong-trinh/12-ctr-duk-2021/index.html" in outcome.written
    assert listing.read_bytes() != listed_before  # then the rest: the dashboard shows the new goal
    assert_same_as_clean_build(dev, tmp_path)
    edit(dev.content / "programmes" / "12-ctr-duk-2021.md", "# ", "# Sửa ")  # a body edit: its own quick path
    dev.rebuild()
    assert len(told) == 1


def test_a_document_whose_result_changed_has_its_page_written_first(dev, tmp_path):
    told = []
    dev.on_first_pages = told.append
    edit(dev.content / "results" / "2024.yaml", "boi-duong-ket-nap: 652", "boi-duong-ket-nap: 12")
    dev.rebuild()
    assert told == [["/chuong-trinh/12-ctr-duk-2021/"]]
    assert_same_as_clean_build(dev, tmp_path)
