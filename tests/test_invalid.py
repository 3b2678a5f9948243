"""Broken and odd content trees, each run through the real command line.

Every case in tests/sites/invalid/<case>/ is the small valid tree tests/sites/base/ plus one
defect: files under the case's content/ replace or join the base's, remove.txt lists paths
to delete and links.txt symbolic links to make (`link -> target`, relative to the case).
expected.txt lists, after '#' comment lines, `path:line: part of the message` for every
problem the run must print, and nothing else may be printed as a problem.

tests/sites/accepted/<case>/ (same layout, about.txt says why) are oddities that are accepted
by design: they must build, and build the right site.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from conftest import TODAY, page, run_cli

SITES = Path(__file__).resolve().parent / "sites"
BASE = SITES / "base"
CASES = sorted(p.name for p in (SITES / "invalid").iterdir() if p.is_dir())
CONTROL = {"expected.txt", "remove.txt", "links.txt", "about.txt"}
DIAGNOSTIC = re.compile(r"^(?P<path>[^\n]+?):(?P<line>[0-9]+): (?P<message>.+)$")


def _lines(file: Path) -> list[str]:
    if not file.exists():
        return []
    text = unicodedata.normalize("NFC", file.read_text(encoding="utf-8"))
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def make_tree(case: Path, dest: Path) -> Path:
    """Lay out the base content plus the case's changes at dest/content; return it."""
    shutil.copytree(BASE, dest / "content")
    for item in sorted(case.iterdir()):
        if item.name in CONTROL:
            continue
        if item.is_dir():
            shutil.copytree(item, dest / item.name, dirs_exist_ok=True)
        else:
            shutil.copyfile(item, dest / item.name)
    for rel in _lines(case / "remove.txt"):
        target = dest / rel
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    for spec in _lines(case / "links.txt"):
        link, target = (part.strip() for part in spec.split("->"))
        (dest / link).symlink_to(target)
    return dest / "content"


def expected(case: Path) -> list[tuple[str, int, str]]:
    out = []
    for line in _lines(case / "expected.txt"):
        match = DIAGNOSTIC.match(line)
        assert match, f"{case.name}/expected.txt: not `path:line: text`: {line}"
        out.append((match["path"], int(match["line"]), match["message"]))
    return out


def diagnostics(stderr: str) -> list[tuple[str, int, str]]:
    found = []
    for line in unicodedata.normalize("NFC", stderr).splitlines():
        match = DIAGNOSTIC.match(line)
        if match:
            found.append((match["path"], int(match["line"]), match["message"]))
    return found


def tree_hashes(folder: Path) -> dict[str, str]:
    """Every file below `folder` (and every folder) with the hash of its bytes."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        out[rel] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="session")
def base_site(tmp_path_factory) -> Path:
    """The base content built once: the 'previous site' every broken build must leave alone."""
    work = tmp_path_factory.mktemp("base")
    shutil.copytree(BASE, work / "content")
    result = run_cli("build", "--content", "content", "--out", "site", "--today", TODAY, cwd=work)
    assert result.code == 0, result.err
    return work / "site"


def test_base_tree_is_valid(base_site):
    assert (base_site / "chuong-trinh/ctr-hanh-dong/index.html").is_file()


def test_there_are_enough_cases():
    assert len(CASES) >= 40


@pytest.mark.parametrize("name", CASES)
def test_broken_tree_is_reported_and_site_is_kept(name, tmp_path, base_site):
    case = SITES / "invalid" / name
    wanted = expected(case)
    assert wanted, f"{name}: expected.txt lists no problem"
    make_tree(case, tmp_path)
    shutil.copytree(base_site, tmp_path / "site", symlinks=True)
    before = tree_hashes(tmp_path / "site")

    result = run_cli("build", "--content", "content", "--out", "site", "--today", TODAY, cwd=tmp_path)

    assert "Traceback" not in result.out + result.err, result.err
    assert result.code == 1, (result.code, result.out, result.err)
    found = diagnostics(result.err)
    for path, line, text in wanted:
        assert any(p == path and n == line and text in m for p, n, m in found), \
            f"{name}: missing {path}:{line}: …{text}…\nprinted:\n{result.err}"
    unexpected = [f for f in found if not any(f[:2] == (p, n) and t in f[2] for p, n, t in wanted)]
    assert not unexpected, f"{name}: other problems were printed too:\n{result.err}"
    assert tree_hashes(tmp_path / "site") == before
    assert not list(tmp_path.glob(".site.*")), "a staging folder was left behind"


def test_several_errors_in_different_files_are_reported_in_one_run(tmp_path):
    case = SITES / "invalid" / "several-errors"
    make_tree(case, tmp_path)
    result = run_cli("check", "--content", "content", "--today", TODAY, cwd=tmp_path)
    assert result.code == 1
    files = {path for path, _, _ in diagnostics(result.err)}
    assert len(files) >= 3 and len(files) == len({p for p, _, _ in expected(case)})
    assert "Có 4 lỗi trong nội dung" in result.err


# --- accepted by design ---------------------------------------------------------------------

def _build_case(kind: str, name: str, dest: Path):
    make_tree(SITES / kind / name, dest)
    result = run_cli("build", "--content", "content", "--out", "site", "--today", TODAY, cwd=dest)
    assert "Traceback" not in result.out + result.err, result.err
    return result


@pytest.mark.parametrize("name", ["bom", "crlf", "nfd"])
def test_bom_crlf_and_nfd_build_the_same_site_as_the_base(name, tmp_path, base_site):
    """A byte order mark, Windows line ends and decomposed Unicode change nothing in the site."""
    result = _build_case("accepted", name, tmp_path)
    assert result.code == 0, result.err
    assert tree_hashes(tmp_path / "site") == tree_hashes(base_site)


def test_tags_whose_slugs_collide_share_one_page(tmp_path):
    """Đảng ủy, dang uy and ĐẢNG ỦY are one tag: one page, every item on it, nothing overwritten."""
    result = _build_case("accepted", "tag-slug-collision", tmp_path)
    assert result.code == 0, result.err
    site = tmp_path / "site"
    tag_pages = sorted(p.parent.name for p in (site / "chu-de").glob("*/index.html"))
    assert tag_pages == ["dang-uy"]
    soup = page(site, "/chu-de/dang-uy/")
    assert soup.h1.get_text(strip=True) == "Chủ đề: Đảng ủy"
    hrefs = {a["href"] for a in soup.select("main a")}
    assert {"../../nghi-quyet/nq-dai-hoi/", "../../chuong-trinh/ctr-hanh-dong/",
            "../../tin-tuc/ban-hanh-chuong-trinh/"} <= hrefs
    index = page(site, "/chu-de/")
    assert [a.get_text(strip=True) for a in index.select("main a[href$='dang-uy/']")] == ["Đảng ủy"]
    for path in ("/nghi-quyet/nq-dai-hoi/", "/chuong-trinh/ctr-hanh-dong/", "/tin-tuc/ban-hanh-chuong-trinh/"):
        links = page(site, path).select("a[href$='chu-de/dang-uy/']")
        assert links and links[0].get_text(strip=True) == "Đảng ủy", path


def test_a_5_mb_body_builds(tmp_path):
    """Decision: a very long body is accepted; the page holds all of it."""
    shutil.copytree(BASE, tmp_path / "content")
    doc = tmp_path / "content" / "resolutions" / "nq-dai-hoi.md"
    paragraph = ("Đảng bộ xã tiếp tục đổi mới phương thức lãnh đạo, nâng cao chất lượng sinh hoạt "
                 "chi bộ và vai trò tiên phong, gương mẫu của cán bộ, đảng viên. ") * 4 + "\n\n"
    parts, size, section = [doc.read_text(encoding="utf-8")], 0, 0
    while size < 5 * 1024 * 1024:
        section += 1
        chunk = f"\n## Mục {section}\n\n" + paragraph * 40
        parts.append(chunk)
        size += len(chunk.encode("utf-8"))
    doc.write_text("".join(parts), encoding="utf-8")
    assert doc.stat().st_size > 5 * 1024 * 1024
    result = run_cli("build", "--content", "content", "--out", "site", "--today", TODAY, cwd=tmp_path)
    assert "Traceback" not in result.out + result.err, result.err
    assert result.code == 0, result.err
    html = (tmp_path / "site/nghi-quyet/nq-dai-hoi/index.html").read_text(encoding="utf-8")
    assert f'id="muc-{section}"' in html and html.count("vai trò tiên phong") > 4 * 40 * (section - 1)


def _site_digests(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("use_cache", [True, False])
def test_a_broken_or_missing_page_template_is_named_and_the_site_kept(tmp_path, use_cache):
    """A template with a syntax error is reported at its line, a missing one by its name; exit 1
    and the published site is left as it was, with or without the build cache."""
    from conftest import ROOT, build

    content, out, templates = tmp_path / "content", tmp_path / "site", tmp_path / "templates"
    shutil.copytree(BASE, content)
    shutil.copytree(ROOT / "templates", templates)
    assert build(content, out, "--templates", str(templates)).code == 0
    before = _site_digests(out)
    extra = ("--templates", str(templates)) + (() if use_cache else ("--no-cache",))

    post = templates / "post.html"
    lines = post.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "{% block main %}" in text)
    post.write_text("\n".join(lines).replace("{% block main %}", "{% block main %}{% if %}"), encoding="utf-8")
    result = build(content, out, *extra)
    assert result.code == 1
    assert f"templates/post.html:{line}: lỗi cú pháp trong mẫu trang: " in result.err
    assert "Traceback" not in result.err and "Lỗi nội bộ" not in result.err
    assert _site_digests(out) == before

    post.unlink()
    result = build(content, out, *extra)
    assert result.code == 1
    assert "templates/post.html: không tìm thấy mẫu trang" in result.err
    assert "Traceback" not in result.err
    assert _site_digests(out) == before
