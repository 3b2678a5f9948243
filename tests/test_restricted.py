"""Restricted and draft content never reaches site/.

tests/sites/restricted/ holds a restricted programme (99-CTr/ĐU, words marked Kappa…), a draft
plan (77-KH/ĐU, Lambda…) and a draft post (Sigma…), each with its own title, body, targets,
results, attachment and tag. Public documents and a public post refer to them. Nothing of
theirs may appear in any output file (pages, feed, sitemap, CSV, JSON, the XLSX unzipped, the
search index, whose words are folded: the marker words are plain letters, so they would show
as they are) except the numbers of the two documents, shown without a link.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from conftest import build, built_site, page

TREE = Path(__file__).resolve().parent / "sites" / "restricted"
SECRETS = [
    # the restricted programme
    "ctr-noi-bo-kappa", "Kappatitle", "Kappabody", "kappa-target", "Kappatargettext", "kappa-attach",
    "Kappaattachtitle", "KAPPAFILECONTENT", "Kappatag", "Kappanote", "Kappasource",
    "bảo vệ chính trị nội bộ", "không được công bố",
    # the draft plan
    "kh-nhap-lambda", "Lambdatitle", "Lambdabody", "lambda-target", "Lambdatargettext", "lambda-attach",
    "Lambdaattachtitle", "LAMBDAFILECONTENT", "Lambdatag", "Lambdanote", "Kế hoạch đang soạn",
    # the draft post
    "tin-nhap-sigma", "Sigmatitle", "Sigmabody", "Sigmatag", "Tin nháp",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return built_site(tmp_path_factory, TREE, "restricted")


def readable(path: Path) -> list[tuple[str, str]]:
    """(name, text) of a file, of each member of a zip (XLSX)."""
    data = path.read_bytes()
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [(f"{path}!{name}", archive.read(name).decode("utf-8", errors="replace"))
                    for name in archive.namelist()]
    return [(str(path), data.decode("utf-8", errors="replace"))]


def test_the_tree_really_holds_the_secrets():
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in TREE.rglob("*") if p.is_file())
    names = " ".join(p.name for p in TREE.rglob("*"))
    for secret in SECRETS:
        assert secret.lower() in (text + names).lower(), secret


def test_no_output_file_holds_anything_of_the_restricted_or_draft_items(site):
    files = [p for p in site.rglob("*") if p.is_file()]
    assert any(p.suffix == ".xlsx" for p in files) and any("chi-muc" in p.parts for p in files)
    leaks = []
    for file in files:
        rel = file.relative_to(site).as_posix()
        for secret in SECRETS:
            if secret.lower() in rel.lower():
                leaks.append((rel, secret))
        for name, text in readable(file):
            lowered = text.lower()
            leaks += [(name, s) for s in SECRETS if s.lower() in lowered]
    assert not leaks


def test_no_page_url_or_attachment_of_theirs_exists(site):
    assert not (site / "chuong-trinh/ctr-noi-bo-kappa").exists()
    assert not (site / "chuong-trinh/kh-nhap-lambda").exists()
    assert not (site / "tin-tuc/tin-nhap-sigma").exists()
    assert not (site / "files/kappa-attach.pdf").exists() and not (site / "files/lambda-attach.pdf").exists()
    assert (site / "files/ctr-hanh-dong.pdf").exists()
    tags = sorted(p.name for p in (site / "chu-de").iterdir() if p.is_dir())
    assert tags == ["dai-hoi-dang", "xay-dung-dang"]


def test_public_pages_show_the_numbers_without_links(site):
    for path in ("/chuong-trinh/ctr-hanh-dong/", "/nghi-quyet/nq-dai-hoi/", "/tin-tuc/ban-hanh-chuong-trinh/"):
        soup = page(site, path)
        for number in ("99-CTr/ĐU", "77-KH/ĐU"):
            shown = [node for node in soup.find_all(string=lambda s: s and number in s)]
            assert shown, (path, number)
            for node in shown:
                assert node.find_parent("a") is None, (path, number)
    programme = page(site, "/chuong-trinh/ctr-hanh-dong/")
    based_on = programme.select_one(".relations").find("dt", string="Căn cứ").find_next_sibling("dd")
    assert "99-CTr/ĐU" in based_on.get_text() and based_on.find("a") is None


def test_counts_and_lists_ignore_them(site):
    home = page(site, "/")
    counts = {a["href"]: a.get_text(" ", strip=True) for a in home.select(".sections a")}
    assert counts["chuong-trinh/"].endswith(" 1") and counts["tin-tuc/"].endswith(" 1")
    assert counts["chi-tieu/"].endswith(" 3") and counts["chu-de/"].endswith(" 2")
    programmes = page(site, "/chuong-trinh/")
    assert [a["href"] for a in programmes.select("main .doc-list a")] == ["../chuong-trinh/ctr-hanh-dong/"]
    dashboard = page(site, "/chi-tieu/")
    assert {tr["data-doc"] for tr in dashboard.select("tr[data-doc]")} == {"ctr-hanh-dong"}
    organisation = page(site, "/co-quan/dang-uy-xa/")
    assert [a["href"] for a in organisation.select("main .doc-list a")] == ["../../chuong-trinh/ctr-hanh-dong/"]


def test_building_twice_gives_the_same_site(site, tmp_path):
    again = tmp_path / "site"
    assert build(TREE, again).code == 0
    first = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(again).as_posix(): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert all(first[name] == second[name] for name in first)
