"""Command-line builds after an edit: only changed files are written, and the site is always what
a clean build gives."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, TODAY, build, copy_sample

from sitegen import incremental
from sitegen.cache import cache_folder, tree_stamps

DOC = "programmes/12-ctr-duk-2021.md"
PAGE = "chuong-trinh/12-ctr-duk-2021/index.html"
UNRELATED = "nghi-quyet/nq-dai-hoi-xix-dang-bo-tinh/index.html"


def hashes(folder: Path) -> dict[str, str]:
    """Every file's digest, and every folder (an empty one left behind differs from a clean build)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
            for p in sorted(folder.rglob("*"))}


def identities(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and modification time: both change when a file is written again."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def rewritten_by(step, out: Path, search: bool = False) -> set[str]:
    """The output files `step()` wrote again (the search bundle's only with `search`)."""
    before = identities(out)
    step()
    after = identities(out)
    return {rel for rel in after if before.get(rel) != after[rel] and (search or not rel.startswith("chi-muc/"))}


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def assert_recorded(out: Path) -> None:
    """The last build recorded the output's stamps as they are (an incremental build looks again
    only at what it wrote), so the next build sees the output as intact."""
    import pickle

    with (cache_folder(out) / "last.pickle").open("rb") as handle:
        stamps = pickle.load(handle)[1]
    assert stamps == tree_stamps(out)


def assert_clean(content: Path, out: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    result = build(content, clean, "--no-cache")
    assert result.code == 0, result.err
    assert hashes(out) == hashes(clean)


def test_a_body_edit_writes_its_page_and_the_search_index_only(tmp_path):
    content, out = copy_sample(tmp_path / "content"), tmp_path / "site"
    assert build(content, out).code == 0
    before = identities(out)
    append(content / DOC, "\nMột đoạn mới ở cuối văn bản.\n")
    result = build(content, out)
    assert result.code == 0, result.err
    assert result.out.startswith("Đã dựng lại 1 trang, ghi 1 tệp (trang web có 6 văn bản, 11 chỉ tiêu, 34 trang)")
    after = identities(out)
    rewritten = {rel for rel in after if before.get(rel) != after[rel]}
    assert PAGE in rewritten
    assert {rel for rel in rewritten if not rel.startswith("chi-muc/")} == {PAGE}
    assert after[UNRELATED] == before[UNRELATED]
    assert "Một đoạn mới ở cuối văn bản." in (out / PAGE).read_text(encoding="utf-8")
    assert_recorded(out)
    assert_clean(content, out, tmp_path)


def test_successive_edits_and_a_revert_give_what_a_clean_build_gives(tmp_path):
    content, out = copy_sample(tmp_path / "content"), tmp_path / "site"
    assert build(content, out).code == 0
    original = (content / DOC).read_bytes()
    append(content / DOC, "\nĐoạn thứ nhất.\n")
    assert build(content, out).code == 0
    append(content / "resolutions/58-nq-tw.md", "\nĐoạn thứ hai.\n")
    assert build(content, out).code == 0
    (content / DOC).write_bytes(original)  # back as it was when the state was saved
    assert build(content, out).code == 0
    assert "Đoạn thứ nhất." not in (out / PAGE).read_text(encoding="utf-8")
    assert_clean(content, out, tmp_path)
    title = content / "resolutions/58-nq-tw.md"  # a front matter edit after body edits
    title.write_text(title.read_text(encoding="utf-8").replace("Thanh Hóa", "Thanh Hoá"), encoding="utf-8")
    assert build(content, out).code == 0
    assert_clean(content, out, tmp_path)


def test_a_build_waits_for_the_state_a_child_of_the_last_one_is_still_saving(tmp_path):
    """After an edit that saves the state whole, a child left behind writes it, holding the state
    lock; a build started meanwhile waits for it, then starts from that state."""
    import fcntl
    import subprocess
    import sys
    import time

    from conftest import ROOT, TODAY

    content, out = copy_sample(tmp_path / "content"), tmp_path / "site"
    assert build(content, out).code == 0
    tags = content / DOC
    tags.write_text(tags.read_text(encoding="utf-8").replace("tags: [Xây dựng Đảng, Đại hội Đảng]",
                                                             "tags: [Xây dựng Đảng]"), encoding="utf-8")
    assert build(content, out).code == 0  # a front-matter edit: the state is saved whole, behind
    folder = cache_folder(out)
    incremental.wait_for_state(folder)
    assert (folder / incremental.LOCK).is_file()
    append(content / DOC, "\nĐoạn thêm khi trạng thái còn đang được lưu.\n")
    lock = open(folder / incremental.LOCK, "rb")
    fcntl.flock(lock, fcntl.LOCK_EX)  # as a saving child holds it
    try:
        started = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "build", "--content", str(content),
                                    "--out", str(out), "--today", TODAY], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        time.sleep(1.5)
        assert started.poll() is None  # waiting
    finally:
        lock.close()
    output, _ = started.communicate(timeout=120)
    assert started.returncode == 0
    assert output.startswith("Đã dựng lại 1 trang")  # from the saved state
    assert_clean(content, out, tmp_path)


def test_a_content_error_changes_nothing_and_the_fixed_build_starts_from_the_last_good_one(tmp_path):
    content, out = copy_sample(tmp_path / "content"), tmp_path / "site"
    assert build(content, out).code == 0
    before, stamps = hashes(out), identities(out)
    doc = content / DOC
    good = doc.read_text(encoding="utf-8")
    doc.write_text(good + "\nXem [văn bản không có](/nghi-quyet/khong-co/).\n", encoding="utf-8")
    result = build(content, out)
    assert result.code == 1 and "programmes/12-ctr-duk-2021.md:" in result.err and "Traceback" not in result.err
    assert hashes(out) == before
    append(content / DOC, "")  # stamp changes, text stays broken: still refused
    assert build(content, out).code == 1
    doc.write_text(good + "\nĐã sửa.\n", encoding="utf-8")
    assert build(content, out).code == 0
    assert identities(out)[UNRELATED] == stamps[UNRELATED]  # not a full build
    assert_clean(content, out, tmp_path)


def test_a_changed_output_folder_or_a_damaged_state_means_a_full_build(tmp_path):
    content, out = copy_sample(tmp_path / "content"), tmp_path / "site"
    assert build(content, out).code == 0
    (out / UNRELATED).unlink()  # someone removed a page: the state no longer describes the folder
    append(content / DOC, "\nThêm một đoạn.\n")
    assert build(content, out).code == 0
    assert (out / UNRELATED).is_file()
    # the rebuild prepared from the state while the folder was compared was let go, files and all
    assert not list(tmp_path.glob("site.search-*")) and not list(tmp_path.glob("site.*"))
    assert_clean(content, out, tmp_path)
    for name in ("state.pickle", "edits.pickle"):
        (cache_folder(out) / name).write_bytes(b"damaged")
    append(content / DOC, "\nThêm đoạn nữa.\n")
    result = build(content, out)
    assert result.code == 0, result.err
    assert_clean(content, out, tmp_path)


def test_another_base_url_is_a_full_build(tmp_path):
    content, out = copy_sample(tmp_path / "content"), tmp_path / "site"
    assert build(content, out).code == 0
    append(content / DOC, "\nThêm một đoạn.\n")
    assert build(content, out, "--base-url", "https://example.org/nq/").code == 0
    clean = tmp_path / "clean"
    assert build(content, clean, "--no-cache", "--base-url", "https://example.org/nq/").code == 0
    assert hashes(out) == hashes(clean)


def test_an_edit_indexes_again_only_the_shards_of_the_pages_it_changed(tmp_path, monkeypatch):
    """In shards (a large site's layout, made here from the sample with two pages a shard), an edit
    replaces its page's shard in place and leaves every other shard's files as they were; the result
    is what a clean build gives."""
    from conftest import ROOT

    from sitegen import search
    from sitegen.views import Settings

    monkeypatch.setattr(search, "PAGES_PER_SHARD", 2)
    settings = Settings(current_year=2026)
    content, out = copy_sample(tmp_path / "content"), tmp_path / "site"
    incremental.build(content, out, ROOT / "templates", settings)
    shards = len(search.shard_pages(search.indexed_pages(out)))
    assert shards >= 2
    edits = [(DOC, PAGE), ("resolutions/58-nq-tw.md", "nghi-quyet/58-nq-tw/index.html")]
    assert sorted(search.shard_of(page, shards) == 0 for _, page in edits) == [False, True]  # the first shard, another
    for doc, page in edits:
        shard = search.shard_of(page, shards)
        before = identities(out / "chi-muc")
        append(content / doc, "\nMột đoạn mới ở cuối văn bản.\n")
        summary = incremental.build(content, out, ROOT / "templates", settings)
        assert summary.rendered == 1
        after = identities(out / "chi-muc")
        changed = {rel for rel in after if before.get(rel) != after[rel]} | (set(before) - set(after))
        own = search.shard_folder(shard).removeprefix("chi-muc").strip("/")
        others = [f"s{s}/" for s in range(1, shards) if s != shard]
        assert changed and all(rel.startswith(own) for rel in changed if own)  # its shard's files only
        assert not [rel for rel in changed if rel.startswith(tuple(others))], (shard, sorted(changed))
        assert_recorded(out)
        clean = tmp_path / f"clean-{shard}" / "site"
        incremental.build(content, clean, ROOT / "templates", settings, use_cache=False)
        assert hashes(out) == hashes(clean)


def test_a_state_that_could_not_be_saved_means_a_full_build_next_time(tmp_path, monkeypatch):
    """The state is pickled in a thread while the search index is made; if that fails, the
    build still succeeds, leaves no state (or half of one) behind, and the next build is full."""
    from conftest import ROOT, TODAY

    from sitegen.views import Settings

    content, out = copy_sample(tmp_path / "content"), tmp_path / "site"

    def fail(path, value):
        raise OSError("no space left on device")

    monkeypatch.setattr(incremental, "_save", fail)
    settings = Settings(current_year=int(TODAY[:4]), base_url="")
    summary = incremental.build(content, out, ROOT / "templates", settings)
    assert summary.pages == 34
    assert sorted(p.name for p in cache_folder(out).iterdir() if "state" in p.name) == []
    monkeypatch.undo()
    stamps = identities(out)
    append(content / DOC, "\nThêm một đoạn.\n")
    result = build(content, out)
    assert result.code == 0, result.err
    assert identities(out)[UNRELATED] != stamps[UNRELATED]  # written again: a full build
    assert (cache_folder(out) / "state.pickle").is_file()
    assert_clean(content, out, tmp_path)


def test_a_state_its_saving_child_could_not_save_means_a_full_build_next_time(tmp_path, monkeypatch):
    """After a front-matter edit the state is saved by a child the build leaves behind; if that
    fails, the state left is the build's before, which does not describe the output: the next
    build is full, and its site a clean build's."""
    from conftest import ROOT, TODAY

    from sitegen.views import Settings

    content, out = copy_sample(tmp_path / "content"), tmp_path / "site"
    settings = Settings(current_year=int(TODAY[:4]), base_url="")
    assert incremental.build(content, out, ROOT / "templates", settings).rendered is None  # full
    state = cache_folder(out) / "state.pickle"
    incremental.wait_for_state(cache_folder(out))
    saved = state.read_bytes()

    def fail(path, value):  # (the child is forked from this process: it runs this)
        raise OSError("no space left on device")

    monkeypatch.setattr(incremental, "_save", fail)
    tags = content / DOC
    tags.write_text(tags.read_text(encoding="utf-8").replace("tags: [Xây dựng Đảng, Đại hội Đảng]",
                                                             "tags: [Xây dựng Đảng]"), encoding="utf-8")
    assert incremental.build(content, out, ROOT / "templates", settings).rendered is not None  # from the state
    incremental.wait_for_state(cache_folder(out))
    assert state.read_bytes() == saved and not [p for p in cache_folder(out).iterdir() if p.name.startswith(".state")]
    monkeypatch.undo()
    append(content / DOC, "\nThêm một đoạn.\n")
    assert incremental.build(content, out, ROOT / "templates", settings).rendered is None  # full again
    assert_clean(content, out, tmp_path)


def test_an_edit_rewrites_only_the_buckets_holding_the_words_of_the_edited_page(tmp_path, monkeypatch):
    """An edit patches its page's shard: the page's fragment is new, the buckets holding its words
    (old and new) are written again, and every other file of the index stays the published file
    itself; the site is what a clean build gives."""
    from conftest import ROOT

    from sitegen import search
    from sitegen.searchpage import record, words
    from sitegen.views import Settings

    monkeypatch.setattr(search, "PAGES_PER_SHARD", 4)
    settings = Settings(current_year=2026)
    content, out = copy_sample(tmp_path / "content"), tmp_path / "site"
    incremental.build(content, out, ROOT / "templates", settings)
    shards = len(search.shard_pages(search.indexed_pages(out)))
    assert shards >= 2
    folder = out / search.shard_folder(search.shard_of(PAGE, shards))
    before = identities(out / search.BUNDLE)
    old = record(PAGE, (out / PAGE).read_bytes())
    append(content / DOC, "\nMột đoạn mới ở cuối văn bản về phát triển Zyxwv.\n")
    assert incremental.build(content, out, ROOT / "templates", settings).rendered == 1
    after = identities(out / search.BUNDLE)
    new = record(PAGE, (out / PAGE).read_bytes())
    assert "zyxwv" in new.words and "zyxwv" not in old.words
    changed = {name for name, identity in after.items() if before.get(name) != identity}
    prefix = folder.relative_to(out / search.BUNDLE).as_posix() + "/" if folder != out / search.BUNDLE else ""
    keys = {search.file_key(search.bucket_key(w)) for w in set(old.words) | set(new.words)}
    assert changed == ({f"{prefix}{search.MANIFEST}", f"{prefix}f/{new.fragment_name}.json"}
                       | {name for name in changed if name.startswith((f"{prefix}b/", f"{prefix}p/"))
                          and name.split("/")[-1].split(".")[0] in keys})
    assert any(name.split("/")[-1].startswith("zyx.") for name in changed)
    assert len(after) - len(changed) > len(changed)  # most of the index is untouched
    assert set(words("Zyxwv phát triển")) <= set(new.words)
    clean = tmp_path / "clean" / "site"
    incremental.build(content, clean, ROOT / "templates", settings, use_cache=False)
    assert hashes(out) == hashes(clean)


def test_templates_compiled_by_a_build_are_compiled_again_when_changed(tmp_path):
    """Compiled templates are kept in the build cache for the next build; a template whose source
    changed is compiled again, and the pages are what a clean build with it gives."""
    from conftest import ROOT

    content, out = copy_sample(tmp_path / "content"), tmp_path / "site"
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    assert build(content, out, "--templates", str(templates)).code == 0
    kept = list((cache_folder(out) / "templates").glob("*/*.cache"))
    assert len(kept) >= len(list(templates.glob("*.html")))
    base = templates / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<p>Dấu mới của mẫu</p></body>"),
                    encoding="utf-8")
    result = build(content, out, "--templates", str(templates))
    assert result.code == 0, result.err
    assert "Dấu mới của mẫu" in (out / PAGE).read_text(encoding="utf-8")
    clean = tmp_path / "clean"
    assert build(content, clean, "--no-cache", "--templates", str(templates)).code == 0
    assert hashes(out) == hashes(clean)


def test_a_compiled_template_that_cannot_be_kept_is_only_not_kept(tmp_path, monkeypatch):
    """The folder of compiled templates removed while they are compiled (as a build of another
    engine version would): the templates are compiled and used all the same."""
    from conftest import ROOT

    from sitegen import render

    made = render._bytecode_cache

    def removed_after_making(folder):
        cache = made(folder)
        shutil.rmtree(folder)
        return cache

    monkeypatch.setattr(render, "_bytecode_cache", removed_after_making)
    env = render.environment(ROOT / "templates", tmp_path / "templates")
    assert "document.html" in env.list_templates()
    assert env.get_template("404.html").render is not None
    assert not (tmp_path / "templates").exists()


def test_a_file_saved_just_before_a_build_is_looked_at_again_by_the_next_one(tmp_path, monkeypatch):
    """A file whose stamp is too recent to trust (stamps.RACY) keeps the next build from being
    skipped: a second save within the same clock tick, of the same size, is still seen."""
    import os

    from sitegen import stamps
    from sitegen.cli import main

    content, out = copy_sample(tmp_path / "content"), tmp_path / "site"
    assert build(content, out).code == 0
    monkeypatch.setattr(stamps, "RACY_NS", 3600 * 10**9)  # every file saved within the hour is too recent
    args = ["build", "--content", str(content), "--out", str(out), "--today", "2026-06-30"]
    doc = content / DOC
    original = doc.read_text(encoding="utf-8")
    doc.write_text(original + "\nĐoạn AAAA.\n", encoding="utf-8")
    assert main(args, ROOT) == 0
    assert "AAAA" in (out / PAGE).read_text(encoding="utf-8")
    saved = doc.stat()
    doc.write_text(original + "\nĐoạn BBBB.\n", encoding="utf-8")  # the same size ...
    os.utime(doc, ns=(saved.st_atime_ns, saved.st_mtime_ns))  # ... and the same time: only the bytes differ
    assert main(args, ROOT) == 0
    assert "BBBB" in (out / PAGE).read_text(encoding="utf-8")
    assert_clean(content, out, tmp_path)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_commit_renders_only_the_pages_of_the_documents_it_touched(tmp_path):
    """Each document page shows its file's git history: a commit changes those pages, no other."""
    from test_history import git, sample_repo

    root, content = sample_repo(tmp_path)
    out = tmp_path / "site"
    assert build(content, out).code == 0
    append(content / DOC, "\nĐoạn bổ sung sau sơ kết.\n")  # an edit committed before the build
    git(root, "commit", "-q", "-am", "Bổ sung chương trình 12", date="2024-05-02T10:00:00+07:00")
    runs = []
    assert rewritten_by(lambda: runs.append(build(content, out)), out) == {PAGE}
    assert runs[0].code == 0, runs[0].err
    assert runs[0].out.startswith("Đã dựng lại 1 trang, ghi 1 tệp")
    assert "Bổ sung chương trình 12" in (out / PAGE).read_text(encoding="utf-8")
    assert_recorded(out)
    assert_clean(content, out, tmp_path)

    other = "nghi-quyet/58-nq-tw/index.html"
    append(content / "resolutions/58-nq-tw.md", "\nĐoạn bổ sung.\n")  # built, then committed
    assert build(content, out).code == 0
    git(root, "commit", "-q", "-am", "Bổ sung nghị quyết 58", date="2024-06-03T10:00:00+07:00")
    runs = []  # from the state saved two builds ago, and the edits since
    assert rewritten_by(lambda: runs.append(build(content, out)), out, search=True) == {other}  # same text searched
    assert runs[0].code == 0, runs[0].err
    assert runs[0].out.startswith("Đã dựng lại 1 trang, ghi 1 tệp") and "tìm kiếm" not in runs[0].out
    assert "Bổ sung nghị quyết 58" in (out / other).read_text(encoding="utf-8")
    assert "Bổ sung chương trình 12" in (out / PAGE).read_text(encoding="utf-8")
    assert_recorded(out)
    assert_clean(content, out, tmp_path)


def restore_times(folder: Path, seconds: int = -3600) -> None:
    """Every file's modification time moved and rounded to the second, as a CI service's cache may
    restore a folder: the same bytes, other times."""
    import os

    for path in folder.rglob("*"):
        if path.is_file():
            stat = path.stat()
            os.utime(path, ns=(stat.st_atime_ns, (stat.st_mtime_ns // 10**9 + seconds) * 10**9))


def test_an_output_restored_with_other_times_is_built_on_as_it_is(tmp_path):
    content, out = copy_sample(tmp_path / "content"), tmp_path / "site"
    assert build(content, out).code == 0
    restore_times(out)
    restore_times(content, 60)  # a fresh checkout: every file newer
    append(content / DOC, "\nĐoạn thêm sau khi khôi phục.\n")
    runs = []
    assert rewritten_by(lambda: runs.append(build(content, out)), out) == {PAGE}
    assert runs[0].code == 0, runs[0].err
    assert runs[0].out.startswith("Đã dựng lại 1 trang, ghi 1 tệp")
    assert_recorded(out)
    assert_clean(content, out, tmp_path)


def checkout(folder: Path) -> None:
    """Every file of `folder` written again with the same bytes, as a fresh checkout leaves them:
    other inodes, other times (a minute ago: a file written in the instant a build takes its
    stamps is "racy", read again by the next build, which a build right after this would make)."""
    moved = folder.with_name(folder.name + ".old")
    folder.rename(moved)
    shutil.copytree(moved, folder, copy_function=shutil.copyfile)
    shutil.rmtree(moved)
    restore_times(folder, -60)


def test_a_fresh_checkout_of_the_same_files_is_not_read_again(tmp_path):
    """After a fresh checkout of the content and the templates (the same bytes, other inodes and
    times) and a restored output, one body edit is built as an edit in place: the edited file alone
    is read, its page alone rendered, and the state is saved as an edit, not again whole."""
    content, out, templates = copy_sample(tmp_path / "content"), tmp_path / "site", tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (content / "files").mkdir()
    (content / "files" / "cong-khai.pdf").write_bytes(b"%PDF-1.4 cong khai")  # published: in no document
    (content / "files" / "mat.pdf").write_bytes(b"%PDF-1.4 mat")  # in an unpublished document only
    (content / "programmes" / "ke-hoach-mat.md").write_text(
        (content / DOC).read_text(encoding="utf-8").replace("number: 12-CTr/ĐUK", "number: 99-KH/ĐUK").replace(
            "---\n", "---\nrestricted: true\nattachments:\n  - file: files/mat.pdf\n", 1), encoding="utf-8")
    restore_times(content)  # (not racy: see `checkout`)
    restore_times(templates)
    assert build(content, out, "--templates", str(templates)).code == 0
    assert (out / "files" / "cong-khai.pdf").is_file() and not (out / "files" / "mat.pdf").exists()
    state = cache_folder(out) / "state.pickle"
    saved = state.stat().st_mtime_ns
    checkout(content)
    checkout(templates)
    restore_times(out)
    append(content / DOC, "\nĐoạn thêm sau khi lấy lại mã nguồn.\n")
    runs = []
    assert rewritten_by(lambda: runs.append(build(content, out, "--templates", str(templates))), out) == {PAGE}
    assert runs[0].code == 0, runs[0].err
    assert runs[0].out.startswith("Đã dựng lại 1 trang, ghi 1 tệp")
    assert (cache_folder(out) / "edits.pickle").is_file() and state.stat().st_mtime_ns == saved
    assert_recorded(out)
    assert_clean(content, out, tmp_path)
    checkout(content)  # and again, from the state with that edit
    append(content / DOC, "\nMột đoạn nữa.\n")
    assert rewritten_by(lambda: runs.append(build(content, out, "--templates", str(templates))), out) == {PAGE}
    assert state.stat().st_mtime_ns == saved
    assert_clean(content, out, tmp_path)
    for changed in (lambda: (content / "files" / "mat.pdf").write_bytes(b"%PDF-1.4 mat, 2"),  # another size
                    lambda: (content / "files" / "cong-khai.pdf").write_bytes(b"%PDF-1.4 cong-khai"),  # same size
                    lambda: (templates / "assets" / "site.css").write_text("body { color: black }\n", encoding="utf-8")):
        changed()
        assert build(content, out, "--templates", str(templates)).code == 0
        incremental.wait_for_state(cache_folder(out))  # (saved by a child the build left behind)
        assert state.stat().st_mtime_ns != saved  # a full rebuild saves the state whole
        saved = state.stat().st_mtime_ns
    assert (out / "files" / "cong-khai.pdf").read_bytes() == b"%PDF-1.4 cong-khai"


def test_an_attachment_no_longer_published_or_removed_leaves_the_output(tmp_path):
    content, out = copy_sample(tmp_path / "content"), tmp_path / "site"
    (content / "files").mkdir()
    (content / "files" / "p.pdf").write_bytes(b"%PDF-1.4 p")
    doc = content / "programmes" / "ke-hoach-moi.md"
    shown = (content / DOC).read_text(encoding="utf-8").replace("number: 12-CTr/ĐUK", "number: 99-KH/ĐUK").replace(
        "---\n", "---\nattachments:\n  - file: files/p.pdf\n", 1)
    doc.write_text(shown, encoding="utf-8")
    assert build(content, out).code == 0
    assert (out / "files" / "p.pdf").is_file()
    for step, published in ((lambda: doc.write_text(shown.replace("---\n", "---\nrestricted: true\n", 1),
                                                    encoding="utf-8"), False),
                            (lambda: doc.write_text(shown, encoding="utf-8"), True),
                            (lambda: (doc.unlink(), (content / "files" / "p.pdf").unlink()), False)):
        step()
        result = build(content, out)
        assert result.code == 0, result.err
        assert (out / "files" / "p.pdf").is_file() == published
        assert_recorded(out)
        assert_clean(content, out, tmp_path)


def test_a_file_saved_again_while_a_build_reads_it_is_read_again_after_a_revert(tmp_path, monkeypatch):
    """A file saved between the build's digest of it and its read: the model holds the newer bytes,
    so going back to the bytes digested is a change the next build sees."""
    from sitegen import cli, pipeline

    content, out = copy_sample(tmp_path / "content"), tmp_path / "site"
    args = ["build", "--content", str(content), "--out", str(out), "--today", TODAY]
    assert cli.main(args, project=ROOT) == 0
    resolution = content / "resolutions" / "58-nq-tw.md"
    first = resolution.read_text(encoding="utf-8") + "\nĐoạn thứ nhất.\n"
    resolution.write_text(first, encoding="utf-8")
    (content / "files").mkdir(exist_ok=True)  # a file added beside the documents: the whole content is read
    (content / "files" / "ghi-chu.txt").write_text("Ghi chú.\n", encoding="utf-8")
    digested = pipeline._front_key

    def saved_meanwhile(source, current_year, data=None):
        key = digested(source, current_year, data)
        if source.path.name == resolution.name and data is None:  # the digest before the read
            resolution.write_text(first + "Đoạn lưu giữa chừng.\n", encoding="utf-8")
        return key

    monkeypatch.setattr(pipeline, "_front_key", saved_meanwhile)
    assert cli.main(args, project=ROOT) == 0
    monkeypatch.setattr(pipeline, "_front_key", digested)
    assert "Đoạn lưu giữa chừng." in (out / "nghi-quyet" / "58-nq-tw" / "index.html").read_text(encoding="utf-8")
    resolution.write_text(first, encoding="utf-8")
    assert cli.main(args, project=ROOT) == 0
    assert "Đoạn lưu giữa chừng." not in (out / "nghi-quyet" / "58-nq-tw" / "index.html").read_text(encoding="utf-8")
    assert_clean(content, out, tmp_path)


def test_a_restored_output_that_differs_is_built_again_in_full(tmp_path):
    content, out = copy_sample(tmp_path / "content"), tmp_path / "site"
    assert build(content, out).code == 0
    def damage_fragment() -> None:  # a fragment of the index as it is now (an edit renames its page's)
        fragment = min((out / "chi-muc" / "f").iterdir())
        fragment.write_bytes(fragment.read_bytes()[:-4] + b"\0\0\0\0")  # same size

    for damage in (lambda: (out / UNRELATED).write_bytes((out / UNRELATED).read_bytes().replace(b"<main", b"<MAIN", 1)),
                   damage_fragment):
        damage()
        restore_times(out)
        append(content / DOC, "\nMột đoạn nữa.\n")
        result = build(content, out)
        assert result.code == 0, result.err
        assert result.out.startswith("Đã dựng 6 văn bản")  # in full, not from the last build
        assert_recorded(out)
        assert_clean(content, out, tmp_path)


def test_hosted_builds_start_from_the_last_build():
    """The publishing jobs keep the output folder and the cache beside it between runs, restored
    before the build into the same folder (an output restored with other times is used: above)."""
    import yaml

    github = yaml.safe_load((ROOT / ".github/workflows/pages.yml").read_text(encoding="utf-8"))
    steps = github["jobs"]["build"]["steps"]
    cached = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith("actions/cache@"))
    checked = next(i for i, s in enumerate(steps) if "build.py check" in s.get("run", ""))
    built = next(i for i, s in enumerate(steps) if "build.py build" in s.get("run", ""))
    assert cached < checked < built and "--out site" in steps[built]["run"]  # check reads site's cache too
    assert set(steps[cached]["with"]["path"].split()) == {".cache", "site"}
    assert "github.sha" in steps[cached]["with"]["key"]  # a new entry each run, the latest restored
    assert steps[cached]["with"]["key"].startswith(steps[cached]["with"]["restore-keys"])

    gitlab = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))["pages"]
    assert "--out public" in gitlab["script"][-1] and "--out public" in gitlab["script"][-2]
    assert set(gitlab["cache"]["paths"]) == {".cache/", "public/"}


def test_a_number_written_differently_reaches_the_downloads(tmp_path):
    """91 and 91.0 are equal numbers, shown alike on pages, but the downloads print them as written."""
    content, out = copy_sample(tmp_path / "content"), tmp_path / "site"
    assert build(content, out).code == 0
    results = content / "results/2023.yaml"
    results.write_text(results.read_text(encoding="utf-8").replace("co-quan-hoan-thanh: 91\n", "co-quan-hoan-thanh: 91.0\n"),
                       encoding="utf-8")
    append(content / "resolutions/58-nq-tw.md", "\nThêm một đoạn.\n")  # with a body edit, or alone
    assert build(content, out).code == 0
    assert_clean(content, out, tmp_path)
    results.write_text(results.read_text(encoding="utf-8").replace("co-quan-hoan-thanh: 91.0\n", "co-quan-hoan-thanh: 91.00\n"),
                       encoding="utf-8")
    assert build(content, out).code == 0
    assert_clean(content, out, tmp_path)
    latest = content / "results/2024.yaml"  # the dashboard's column, sorted by the value
    latest.write_text(latest.read_text(encoding="utf-8").replace("co-quan-hoan-thanh: 94\n", "co-quan-hoan-thanh: 94.0\n"),
                      encoding="utf-8")
    assert build(content, out).code == 0
    assert_clean(content, out, tmp_path)
    doc = content / DOC  # a goal in the front matter, beside a body edit: the body-edit path's case
    doc.write_text(doc.read_text(encoding="utf-8").replace('goal: ">= 90"', 'goal: ">= 90.0"', 1) + "\nĐoạn mới.\n",
                   encoding="utf-8")
    assert build(content, out).code == 0
    assert "90.0" in (out / "du-lieu/targets.csv").read_text(encoding="utf-8")
    assert_clean(content, out, tmp_path)


def test_a_saved_state_of_another_build_than_the_last_is_not_used(tmp_path):
    """The state and the record of the last build carry the same id: a state older than the record
    (its edits lost, or a save stopped half-way) gives a full build."""
    content, out = copy_sample(tmp_path / "content"), tmp_path / "site"
    assert build(content, out).code == 0
    append(content / DOC, "\nĐoạn thứ nhất.\n")
    assert build(content, out).out.startswith("Đã dựng lại 1 trang")  # its edits saved beside the state
    (cache_folder(out) / "edits.pickle").unlink()
    append(content / "resolutions/58-nq-tw.md", "\nĐoạn thứ hai.\n")
    result = build(content, out)
    assert result.code == 0, result.err
    assert result.out.startswith("Đã dựng 6 văn bản")  # in full
    assert_recorded(out)
    assert_clean(content, out, tmp_path)
    append(content / DOC, "\nĐoạn thứ ba.\n")  # and the state saved by that build is used again
    assert build(content, out).out.startswith("Đã dựng lại 1 trang")
    assert_clean(content, out, tmp_path)


def test_a_page_that_goes_leaves_no_empty_folder(tmp_path):
    content, out = copy_sample(tmp_path / "content"), tmp_path / "site"
    assert build(content, out).code == 0
    doc = content / DOC
    doc.write_text(doc.read_text(encoding="utf-8").replace("tags: [", "tags: [Chủ đề tạm thời, ", 1), encoding="utf-8")
    assert build(content, out).code == 0
    assert (out / "chu-de/chu-de-tam-thoi/index.html").is_file()
    doc.write_text(doc.read_text(encoding="utf-8").replace("Chủ đề tạm thời, ", "", 1), encoding="utf-8")
    assert build(content, out).code == 0
    assert not (out / "chu-de/chu-de-tam-thoi").exists()
    assert_clean(content, out, tmp_path)


def test_a_document_added_then_removed_reaches_the_downloads_as_a_clean_build_has_them(tmp_path):
    """The command line makes the data downloads while the workers render the pages."""
    content, out = copy_sample(tmp_path / "content"), tmp_path / "site"
    assert build(content, out).code == 0
    source = (content / DOC).read_text(encoding="utf-8")
    new = content / "programmes/15-ctr-duk-2026.md"
    new.write_text(source.replace("number: 12-CTr/ĐUK", "number: 15-CTr/ĐUK")
                   .replace("issued: 2021-04-07", "issued: 2026-05-04"), encoding="utf-8")
    rewritten = rewritten_by(lambda: build(content, out), out)
    assert {"du-lieu/chi-tieu.xlsx", "du-lieu/targets.csv", "du-lieu/documents.json"} <= rewritten
    assert "15-ctr-duk-2026" in (out / "du-lieu/targets.csv").read_text(encoding="utf-8")
    assert_recorded(out)
    assert_clean(content, out, tmp_path)
    new.unlink()
    assert build(content, out).code == 0
    assert "15-ctr-duk-2026" not in (out / "du-lieu/targets.csv").read_text(encoding="utf-8")
    assert_clean(content, out, tmp_path)


def test_the_state_saved_after_an_edit_holds_the_digests_of_the_downloads_it_patched(tmp_path):
    """A build that patches the downloads leaves their digests to the child that saves its state:
    the state holds each download's digest, and the next edit patches them again."""
    from sitegen.pipeline import digest

    content, out = copy_sample(tmp_path / "content"), tmp_path / "site"
    assert build(content, out).code == 0
    doc = content / DOC
    for goal in (">= 95", ">= 97"):
        doc.write_text(doc.read_text(encoding="utf-8").replace('goal: ">= 9', f'goal: "{goal}"  # ', 1), encoding="utf-8")
        before = identities(out)
        result = build(content, out)
        assert result.code == 0 and result.out.startswith("Đã dựng lại"), result.out + result.err
        downloads = {rel for rel in identities(out) if rel.startswith("du-lieu/") and rel.endswith((".csv", ".json", ".xlsx"))}
        assert {rel for rel in downloads if identities(out)[rel] != before[rel]} >= {"du-lieu/targets.csv"}
        folder = cache_folder(out)
        incremental.wait_for_state(folder)
        _, builder = incremental._load(folder / incremental.STATE)
        for rel in downloads:
            assert type(builder.digests[rel]) is bytes
            assert builder.digests[rel] == digest((out / rel).read_bytes()), rel
    assert_clean(content, out, tmp_path)
