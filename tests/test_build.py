"""Whole builds: exit codes, the summary line, reproducibility, interruption, link checking."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT, SAMPLE, TODAY, build, copy_sample, run_cli


def tree_hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_prints_one_summary_line_and_exits_0(tmp_path):
    result = build(SAMPLE, tmp_path / "site")
    assert result.code == 0, result.err
    lines = result.out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Đã dựng 6 văn bản, 11 chỉ tiêu")
    assert (tmp_path / "site" / "index.html").is_file()


def test_the_benchmark_reads_the_search_stage_from_the_summary_line(tmp_path):
    """benchmarks/run.py takes a cold build's time without search from the line the build prints."""
    from benchmarks.run import search_seconds
    from sitegen.cli import summary_line
    from sitegen.pipeline import Summary

    made = build(SAMPLE, tmp_path / "site").out.strip()
    stages = {"kiểm tra": 3.25, "dựng trang": 2.5, "tìm kiếm": 12.75, "ghi": 0.5}
    line = summary_line(Summary(6, 11, 34, 19.0, stages), tmp_path / "site")
    assert line.split(" trong ")[0] == made.split(" trong ")[0]  # the line a build prints
    assert search_seconds(line) == 12.75
    quick = Summary(6, 11, 34, 9.0, {**stages, "tìm kiếm": 0.25})
    assert search_seconds(summary_line(quick, tmp_path)) is None  # (editors see the two slowest stages)
    assert search_seconds(summary_line(quick, tmp_path, every_stage=True)) == 0.25
    env = {**os.environ, "SITEGEN_EVERY_STAGE": "1"}
    shown = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--content", str(SAMPLE), "--out",
                            str(tmp_path / "again"), "--today", TODAY], capture_output=True, text=True, env=env)
    assert shown.returncode == 0 and search_seconds(shown.stdout) is not None and "ghi " in shown.stdout


def test_wrong_usage_exits_2(tmp_path):
    assert run_cli("bogus").code == 2
    assert run_cli("build", "--today", "not-a-date").code == 2


def test_two_builds_in_different_folders_at_different_times_are_byte_identical(tmp_path):
    first = copy_sample(tmp_path / "a" / "content")
    second = copy_sample(tmp_path / "b" / "nested" / "content")
    assert build(first, tmp_path / "a" / "site").code == 0
    time.sleep(1.1)
    assert build(second, tmp_path / "b" / "out").code == 0
    assert tree_hashes(tmp_path / "a" / "site") == tree_hashes(tmp_path / "b" / "out")


def test_a_killed_build_leaves_the_previous_site_whole(tmp_path):
    out = tmp_path / "site"
    assert build(SAMPLE, out).code == 0
    before = tree_hashes(out)
    big = tmp_path / "big"
    # Large enough that no machine finishes it before the last kill (400 documents took under 1.5 s).
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "corpus.py"), "3000", str(big)],
                   check=True, capture_output=True)
    for delay in (0.3, 0.8, 1.5):
        proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--content", str(big), "--out", str(out),
                                 "--today", TODAY], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(delay)
        assert proc.poll() is None, "the build ended before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        assert tree_hashes(out) == before, f"site changed after a kill at {delay} s"
    # the next build cleans up what the killed ones left beside the site
    assert build(SAMPLE, out).code == 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]


def test_check_reports_a_link_to_a_missing_anchor(tmp_path):
    content = copy_sample(tmp_path / "content")
    post = content / "posts" / "dang-uy-khoi-ban-hanh-chuong-trinh-hanh-dong.md"
    text = post.read_text(encoding="utf-8")
    post.write_text(text.replace("(/chuong-trinh/12-ctr-duk-2021/)", "(/chuong-trinh/12-ctr-duk-2021/#khong-co-muc-nay)"),
                    encoding="utf-8")
    result = run_cli("check", "--content", str(content), "--today", TODAY)
    assert result.code == 1
    assert "tin-tuc/dang-uy-khoi-ban-hanh-chuong-trinh-hanh-dong/index.html: liên kết tới mục (neo) không tồn tại" \
           " ../../chuong-trinh/12-ctr-duk-2021/#khong-co-muc-nay" in result.err
    assert "Traceback" not in result.err


def test_check_writes_nothing(tmp_path):
    content = copy_sample(tmp_path / "content")
    before = tree_hashes(tmp_path)
    result = run_cli("check", "--content", str(content), "--out", str(tmp_path / "site"), "--today", TODAY)
    assert result.code == 0, result.err
    assert tree_hashes(tmp_path) == before
    assert not (tmp_path / "site").exists()


def test_check_reads_the_files_unchanged_since_the_last_build_from_its_cache(tmp_path, monkeypatch, capsys):
    """`check --out` (site/ by default) takes the files whose bytes the last build's cache holds from
    it, reads the others, finds the same problems, and still writes nothing."""
    from sitegen import cli, pipeline

    content, out = copy_sample(tmp_path / "content"), tmp_path / "site"
    assert build(content, out).code == 0
    before = tree_hashes(tmp_path)
    read: list[str] = []
    original = pipeline.read_source
    monkeypatch.setattr(pipeline, "read_source", lambda source, data=None: read.append(source.path.name)
                        or original(source, data))
    check = ["check", "--content", str(content), "--out", str(out), "--today", TODAY]
    assert cli.main(check, project=ROOT) == 0
    assert read == []
    post = content / "posts" / "dang-uy-khoi-ban-hanh-chuong-trinh-hanh-dong.md"
    post.write_text(post.read_text(encoding="utf-8").replace("(/chuong-trinh/12-ctr-duk-2021/)", "(/chuong-trinh/khong-co/)"),
                    encoding="utf-8")
    capsys.readouterr()
    assert cli.main(check, project=ROOT) == 1
    assert set(read) == {post.name}
    assert "dang-uy-khoi-ban-hanh-chuong-trinh-hanh-dong.md:" in capsys.readouterr().err
    after = tree_hashes(tmp_path)
    assert {rel for rel in before.keys() | after.keys() if before.get(rel) != after.get(rel)} == \
        {post.relative_to(tmp_path).as_posix()}


def test_check_after_a_build_renders_what_changed_only_and_finds_what_a_whole_check_finds(tmp_path, monkeypatch,
                                                                                         capsys):
    """With the last build's state, `check` renders only what changed since (the rest of the pages
    is read from the output) and reports exactly what a check with no build beside it reports;
    it writes nothing, and the next build is still the same as a clean one."""
    from sitegen import cli, pipeline

    content, out, templates = copy_sample(tmp_path / "content"), tmp_path / "site", tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    assert build(content, out, "--templates", str(templates)).code == 0
    rendered_all: list[bool] = []
    original = pipeline.render_site
    monkeypatch.setattr(pipeline, "render_site", lambda *a, **k: rendered_all.append(True) or original(*a, **k))

    def check(folder: Path) -> tuple[int, str, str]:
        capsys.readouterr()
        code = cli.main(["check", "--content", str(content), "--out", str(folder), "--templates", str(templates),
                         "--today", TODAY], project=ROOT)
        said = capsys.readouterr()
        return code, said.out, said.err

    def whole_check() -> tuple[int, str, str]:
        return check(tmp_path / "never-built")

    def check_after_build() -> tuple[int, str, str]:
        before = len(rendered_all)
        found = check(out)
        assert len(rendered_all) == before  # no page rendered but those that changed
        return found

    before = tree_hashes(tmp_path)
    assert check_after_build() == whole_check() and check_after_build()[0] == 0
    post = content / "posts" / "dang-uy-khoi-ban-hanh-chuong-trinh-hanh-dong.md"
    post.write_text(post.read_text(encoding="utf-8").replace("(/chuong-trinh/12-ctr-duk-2021/)",
                                                             "(/chuong-trinh/12-ctr-duk-2021/#khong-co-muc-nay)"),
                    encoding="utf-8")
    found = check_after_build()
    assert found[0] == 1 and "liên kết tới mục (neo) không tồn tại" in found[2]
    assert found == whole_check()
    resolution = content / "resolutions" / "58-nq-tw.md"
    written = resolution.read_text(encoding="utf-8")
    for wrong in (written.replace("với tầm nhìn đến năm 2045.", "xem [trang](/nghi-quyet/khong-co/).", 1),  # body only
                  written.replace("issued: 2020-08-05", "issued: 2020-13-45", 1)):  # front matter
        assert wrong != written
        resolution.write_text(wrong, encoding="utf-8")
        found = check_after_build()
        assert found[0] == 1 and "58-nq-tw.md:" in found[2]
        assert found == whole_check()
    resolution.write_text(written, encoding="utf-8")
    page = templates / "document.html"
    page.write_text(page.read_text(encoding="utf-8").replace("{% block main %}", '{% block main %}<a href="/khong-co/">x</a>', 1),
                    encoding="utf-8")
    rendered = len(rendered_all)
    found = check(out)  # after a template change, every page is rendered where it is scanned
    assert len(rendered_all) == rendered + 1
    assert found[0] == 1 and found[2].count("liên kết hỏng /khong-co/") == 6
    assert found == whole_check()
    changed = {post.relative_to(tmp_path).as_posix(), page.relative_to(tmp_path).as_posix()}
    after = tree_hashes(tmp_path)
    assert {rel for rel in before.keys() | after.keys() if before.get(rel) != after.get(rel)} == changed
    assert build(content, out, "--templates", str(templates)).code == 0
    assert build(content, tmp_path / "clean", "--templates", str(templates), "--no-cache").code == 0
    assert tree_hashes(out) == tree_hashes(tmp_path / "clean")


def test_check_sees_the_pages_a_build_publishes_and_them_only(tmp_path):
    """Both ways of checking (after a build, and with none) see the pages as a build publishes them:
    the history section's anchor exists in a git repository, and an HTML file among the templates'
    assets is copied, not checked."""
    from test_history import sample_repo

    root, content = sample_repo(tmp_path)
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / "assets" / "huong-dan.html").write_text('<p><a href="/khong-co/">x</a></p>\n', encoding="utf-8")
    post = content / "posts" / "dang-uy-khoi-ban-hanh-chuong-trinh-hanh-dong.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nXem [lịch sử](/nghi-quyet/58-nq-tw/#s-lich-su).\n",
                    encoding="utf-8")
    out = tmp_path / "site"
    assert build(content, out, "--templates", str(templates)).code == 0
    assert 'id="s-lich-su"' in (out / "nghi-quyet" / "58-nq-tw" / "index.html").read_text(encoding="utf-8")
    for folder in (out, tmp_path / "never-built"):
        result = run_cli("check", "--content", str(content), "--out", str(folder), "--templates", str(templates),
                         "--today", TODAY)
        assert result.code == 0, result.err


def test_an_unchanged_rebuild_is_skipped_and_any_change_rebuilds(tmp_path):
    content = copy_sample(tmp_path / "content")
    out = tmp_path / "site"
    assert build(content, out).out.startswith("Đã dựng")
    again = build(content, out)
    assert again.code == 0 and again.out.startswith("Không có gì thay đổi: 6 văn bản, 11 chỉ tiêu")
    (out / "nghi-quyet" / "58-nq-tw" / "index.html").unlink()  # output damaged: rebuild
    assert build(content, out).out.startswith("Đã dựng")
    assert (out / "nghi-quyet" / "58-nq-tw" / "index.html").is_file()
    doc = content / "resolutions" / "58-nq-tw.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("tầm nhìn đến năm 2045", "tầm nhìn 2045", 1),
                   encoding="utf-8")
    assert build(content, out).out.startswith("Đã dựng")
    assert "tầm nhìn 2045" in (out / "nghi-quyet" / "58-nq-tw" / "index.html").read_text(encoding="utf-8")
    assert build(content, out, "--base-url", "https://example.org/").out.startswith("Đã dựng")


def test_a_build_from_the_cache_is_byte_identical_to_a_clean_one(tmp_path):
    content = copy_sample(tmp_path / "content")
    cached, clean = tmp_path / "cached", tmp_path / "clean"
    assert build(content, cached).code == 0
    for name, old, new in [("programmes/12-ctr-duk-2021.md", "## Công tác xây dựng Đảng", "## Xây dựng Đảng"),
                           ("results/2023.yaml", "mo-hinh-hay: 1", "mo-hinh-hay: 3"),
                           ("resolutions/58-nq-tw.md", "Thanh Hóa", "Thanh Hoá")]:
        path = content / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        assert build(content, cached).out.startswith("Đã dựng")
        shutil.rmtree(clean, ignore_errors=True)
        assert build(content, clean, "--no-cache").code == 0
        assert tree_hashes(cached) == tree_hashes(clean), name


def test_data_downloads_are_encoded_again_only_when_their_rows_change(tmp_path):
    from sitegen.cache import cache_folder

    content = copy_sample(tmp_path / "content")
    out = tmp_path / "site"
    assert build(content, out).code == 0
    folder = cache_folder(out) / "exports"

    def entries() -> dict[str, int]:
        return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}

    first = entries()
    # documents.json is not cached: encoding it costs less than digesting what it is made from
    assert sorted(name.split(".")[0] for name in first) == ["du-lieu_chi-tieu", "du-lieu_results", "du-lieu_targets"]
    assert all((out / "du-lieu" / name.split("_", 1)[1].rsplit(".", 1)[0]).read_bytes() == (folder / name).read_bytes()
               for name in first)
    body = content / "programmes" / "12-ctr-duk-2021.md"  # a body-only edit: no download changes
    body.write_text(body.read_text(encoding="utf-8").replace("## Công tác xây dựng Đảng", "## Xây dựng Đảng"),
                    encoding="utf-8")
    assert build(content, out).out.startswith("Đã dựng")
    assert entries() == first
    results = content / "results" / "2023.yaml"  # a new value: its document's lines are patched in
    results.write_text(results.read_text(encoding="utf-8").replace("mo-hinh-hay: 1", "mo-hinh-hay: 3"),
                       encoding="utf-8")
    assert build(content, out).out.startswith("Đã dựng")
    assert entries() == first  # nothing encoded whole
    assert b"mo-hinh-hay" in (out / "du-lieu" / "results.csv").read_bytes()
    programme = content / "programmes" / "kh-moi.md"  # a new document: every row after it moves
    programme.write_text("---\ntitle: Kế hoạch mới\nissuer: dang-uy-khoi\nissued: 2030-01-02\nterm: 2030-2030\n"
                         "targets:\n  - id: moi\n    text: Chỉ tiêu mới\n---\nNội dung.\n", encoding="utf-8")
    assert build(content, out).out.startswith("Đã dựng")
    # its lines are put into the CSV and JSON downloads; the workbook, whose rows are numbered, is
    # written whole beside the cache (whose entries stay as they were)
    assert entries() == first
    assert b"kh-moi" in (out / "du-lieu" / "targets.csv").read_bytes()
    assert b'"id":"kh-moi"' in (out / "du-lieu" / "documents.json").read_bytes()
    clean = tmp_path / "clean"
    assert build(content, clean, "--no-cache").code == 0
    assert tree_hashes(out) == tree_hashes(clean)
