"""Git history on document pages: one `git log` for the whole content tree, nothing outside git."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import build, copy_sample, page

from sitegen import history

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

DOC = "resolutions/58-nq-tw.md"


def git(repo: Path, *args: str, date: str = "2024-01-01T09:00:00+07:00") -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date, GIT_CONFIG_NOSYSTEM="1",
               HOME=str(repo.parent))  # no user or system configuration leaks in
    proc = subprocess.run(["git", "-c", "user.name=Biên tập", "-c", "user.email=bt@example.org",
                           "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
                          cwd=repo, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def sample_repo(folder: Path) -> tuple[Path, Path]:
    """A git repository `folder`/repo holding the sample content in one commit: (repository,
    content folder)."""
    root = folder / "repo"
    root.mkdir()
    git(root, "init", "-q")
    content = copy_sample(root / "content")
    git(root, "add", "content")
    git(root, "commit", "-q", "-m", "Thêm nội dung mẫu", date="2024-03-01T10:00:00+07:00")
    return root, content


@pytest.fixture
def repo(tmp_path) -> Path:
    """A git repository whose content/ folder has two commits (the second edits one resolution)."""
    root, _ = sample_repo(tmp_path)
    path = root / "content" / DOC
    path.write_text(path.read_text(encoding="utf-8") + "\nĐoạn bổ sung.\n", encoding="utf-8")
    (root / "README.txt").write_text("outside the content folder\n", encoding="utf-8")
    git(root, "add", DOC.join(["content/", ""]), "README.txt")
    # late in the evening in Hà Nội: the date is the committer's own, whatever the build machine's zone
    git(root, "commit", "-q", "-m", "Sửa nghị quyết 58: bổ sung đoạn cuối", date="2024-05-02T23:30:00+07:00")
    return root


def history_section(site: Path, path: str):
    return page(site, path).select_one("section.history")


def test_document_page_lists_revisions_newest_first(repo, tmp_path):
    site = tmp_path / "site"
    result = build(repo / "content", site)
    assert result.code == 0, result.err
    section = history_section(site, "/nghi-quyet/58-nq-tw/")
    assert section.h2.get_text(strip=True) == "Lịch sử cập nhật"
    assert "Cập nhật lần cuối ngày 02 tháng 5 năm 2024" in section.get_text(" ", strip=True)
    items = [li.get_text(" ", strip=True) for li in section.select("ol.revisions li")]
    assert items == ["02/5/2024 — Sửa nghị quyết 58: bổ sung đoạn cuối", "01/3/2024 — Thêm nội dung mẫu"]
    assert [t["datetime"] for t in section.select("li time")] == ["2024-05-02", "2024-03-01"]
    other = history_section(site, "/chuong-trinh/12-ctr-duk-2021/")
    assert [li.get_text(" ", strip=True) for li in other.select("li")] == ["01/3/2024 — Thêm nội dung mẫu"]


def test_history_is_deterministic_for_the_same_git_state(repo, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert build(repo / "content", first).code == 0
    assert build(repo / "content", second).code == 0
    name = "nghi-quyet/58-nq-tw/index.html"
    assert (first / name).read_bytes() == (second / name).read_bytes()


def test_the_history_section_is_nothing_the_search_index_reads(repo, tmp_path):
    """A commit changes only this section of a page; the search index leaves it out of the page's
    digest (`search._page_digest`), so that a commit alone does not index the page again."""
    from sitegen import search

    site = tmp_path / "site"
    assert build(repo / "content", site).code == 0
    section = history_section(site, "/nghi-quyet/58-nq-tw/")
    assert section.find_parent(attrs={"data-search-body": True}) is None
    assert not [tag for tag in [section, *section.find_all(True)]
                if tag.name in ("h1", "img") or any(name.startswith("data-search") for name in tag.attrs)]
    raw = (site / "nghi-quyet/58-nq-tw/index.html").read_bytes()
    start = raw.find(search._UNREAD[0])
    end = raw.find(search._UNREAD[1], start) + len(search._UNREAD[1])
    assert raw.count(search._UNREAD[0]) == 1 and start > raw.rfind(b"data-search")
    assert "Lịch sử cập nhật" in raw[start:end].decode() and "Lịch sử cập nhật" not in (raw[:start] + raw[end:]).decode()
    other = raw.replace("Sửa nghị quyết 58".encode(), b"Another message")
    assert other != raw and search._page_digest(other) == search._page_digest(raw)
    assert search._page_digest(raw.replace("Nghị quyết".encode(), b"Nghi quyet", 1)) != search._page_digest(raw)


def test_content_outside_git_has_no_history_section(tmp_path):
    content = copy_sample(tmp_path / "content")
    assert history.load_history(content) == {}
    site = tmp_path / "site"
    result = build(content, site)
    assert result.code == 0, result.err
    assert history_section(site, "/nghi-quyet/58-nq-tw/") is None
    assert "Lịch sử cập nhật" not in (site / "nghi-quyet/58-nq-tw/index.html").read_text(encoding="utf-8")


def test_one_git_log_call_for_all_files(repo, monkeypatch):
    calls = []
    real = history._git

    def spy(content_dir, *args):
        calls.append(args[0])
        return real(content_dir, *args)

    monkeypatch.setattr(history, "_git", spy)
    found = history.load_history(repo / "content")
    assert calls.count("log") == 1 and len(calls) <= 2
    assert "README.txt" not in found and "../README.txt" not in found  # only the content folder
    assert set(found) >= {DOC, "site.yaml", "organisations.yaml", "results/2024.yaml"}
    assert [r.message for r in found[DOC]] == ["Sửa nghị quyết 58: bổ sung đoạn cuối", "Thêm nội dung mẫu"]
    assert found[DOC][0].date.isoformat() == "2024-05-02"
    assert len(found[DOC][0].commit) == 40


def test_untracked_files_have_no_history(repo):
    (repo / "content" / "resolutions" / "moi.md").write_text("---\ntitle: A\n---\n", encoding="utf-8")
    assert "resolutions/moi.md" not in history.load_history(repo / "content")


def test_missing_git_or_shallow_clone_gives_no_history(repo, tmp_path, monkeypatch):
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    assert history.load_history(shallow / "content") == {}  # its oldest commit would claim every file
    monkeypatch.setattr(history.shutil, "which", lambda name: None)
    assert history.load_history(repo / "content") == {}


def test_parse_reads_the_log_format():
    out = ("\x1eabc\x1f2024-05-02T23:30:00+07:00\x1fSửa: a\x1fb\n\nresolutions/a.md\nfiles/Tờ trình.pdf\n"
           "\x1edef\x1f2024-03-01T10:00:00-05:00\x1fĐầu tiên\n\nresolutions/a.md\n")
    found = history.parse(out)
    assert [r.commit for r in found["resolutions/a.md"]] == ["abc", "def"]
    assert found["resolutions/a.md"][0].message == "Sửa: a\x1fb"
    assert found["files/Tờ trình.pdf"][0].date.isoformat() == "2024-05-02"


def test_publishing_fetches_the_whole_history_and_checks_before_building():
    """The hosted builds must not use shallow clones, or pages would lose their history."""
    import yaml
    from conftest import ROOT

    github = yaml.safe_load((ROOT / ".github/workflows/pages.yml").read_text(encoding="utf-8"))
    steps = github["jobs"]["build"]["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    runs = [s["run"] for s in steps if "run" in s]
    assert runs.index("python build.py check") < next(i for i, r in enumerate(runs) if "--base-url" in r)
    build_cmd = next(r for r in runs if "--base-url" in r)
    assert "steps.pages.outputs.base_url" in build_cmd and "--out site" in build_cmd
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "site"
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in github["jobs"]["deploy"]["steps"])

    gitlab = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))["pages"]
    assert gitlab["variables"]["GIT_DEPTH"] == "0"
    assert gitlab["script"][-2:] == ["python build.py check --out public",
                                     'python build.py build --base-url "$CI_PAGES_URL" --out public']
    assert gitlab["artifacts"]["paths"] == ["public"]

    hooks = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["repos"][0]
    assert hooks["repo"] == "local"
    assert hooks["hooks"][0]["entry"] == "python build.py check"
    assert hooks["hooks"][0]["pass_filenames"] is False


def test_a_clone_made_whole_shows_the_history_at_the_next_build(repo, tmp_path):
    """A shallow clone shows no history; after `git fetch --unshallow` (the same commit) the next
    build must not be skipped as unchanged."""
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    site = tmp_path / "site"
    assert build(shallow / "content", site).code == 0
    assert history_section(site, "/nghi-quyet/58-nq-tw/") is None
    git(shallow, "fetch", "-q", "--unshallow")
    result = build(shallow / "content", site)
    assert result.code == 0, result.err
    section = history_section(site, "/nghi-quyet/58-nq-tw/")
    assert section is not None and "Sửa nghị quyết 58: bổ sung đoạn cuối" in section.get_text()
    clean = tmp_path / "clean"
    assert build(shallow / "content", clean, "--no-cache").code == 0
    for rel in ("nghi-quyet/58-nq-tw/index.html", "chuong-trinh/12-ctr-duk-2021/index.html"):
        assert (site / rel).read_bytes() == (clean / rel).read_bytes()
