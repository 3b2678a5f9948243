"""A second, different content tree builds with no code change.

tests/sites/other/ is a provincial People's Council: resolutions numbered the State way
(05/2021/NQ-HĐND), plans (Kế hoạch) of the People's Committee and of a department, other
organisations, a replaced and an amended resolution, targets without any results, no posts,
no results/ and no files/ folder.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build, page

from sitegen.linkcheck import check_site

TREE = Path(__file__).resolve().parent / "sites" / "other"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("other") / "out"
    result = build(TREE, out)
    assert result.code == 0, result.err
    assert "5 văn bản, 4 chỉ tiêu" in result.out
    return out


def meta(soup) -> dict[str, str]:
    return {tr.th.get_text(strip=True): tr.td.get_text(" ", strip=True) for tr in soup.select("table.meta tr")}


def test_the_tree_has_no_posts_results_or_files():
    assert {p.name for p in TREE.iterdir()} == {"site.yaml", "organisations.yaml", "resolutions", "programmes"}


def test_every_internal_link_resolves(site):
    assert check_site(site) == []


def test_nothing_of_the_sample_site_shows(site):
    for file in site.rglob("*.html"):
        text = file.read_text(encoding="utf-8")
        assert "Thanh Hóa" not in text and "Đảng bộ Khối" not in text, file


def test_home_names_the_council_and_counts_its_sections(site):
    soup = page(site, "/")
    assert soup.title.get_text(strip=True).startswith("Nghị quyết của Hội đồng nhân dân tỉnh Ninh Bình")
    counts = {a["href"]: a.get_text(" ", strip=True) for a in soup.select(".sections a")}
    assert counts["nghi-quyet/"] == "Nghị quyết 3"
    assert counts["chuong-trinh/"] == "Chương trình, kế hoạch 2"
    assert counts["chi-tieu/"] == "Chỉ tiêu 4"
    assert counts["tin-tuc/"] == "Tin tức 0"
    assert counts["co-quan/"] == "Cơ quan ban hành 4"


def test_resolution_page_with_state_numbering(site):
    soup = page(site, "/nghi-quyet/nq-05-2021-hdnd/")
    assert soup.select_one(".kicker").get_text(strip=True) == "Nghị quyết 05/2021/NQ-HĐND"
    data = meta(soup)
    assert data["Số ký hiệu"] == "05/2021/NQ-HĐND"
    assert data["Cơ quan ban hành"] == "Hội đồng nhân dân tỉnh Ninh Bình"
    assert data["Ngày có hiệu lực"] == "ngày 01 tháng 8 năm 2021"
    assert data["Giai đoạn"] == "2021–2025"
    labels = [dt.get_text(strip=True) for dt in soup.select(".relations dt")]
    assert labels == ["Văn bản thực hiện", "Được sửa đổi, bổ sung bởi", "Thay thế"]
    tree = [a["href"] for a in soup.select(".chain .tree a")]
    assert tree == ["../../chuong-trinh/kh-949-ubnd/", "../../chuong-trinh/kh-so-giao-duc/"]
    link = soup.select_one("main").find("a", string="kế hoạch triển khai")
    assert link["href"] == "../../chuong-trinh/kh-949-ubnd/"


def test_replaced_resolution_says_so(site):
    soup = page(site, "/nghi-quyet/nq-20-2019-hdnd/")
    assert meta(soup)["Tình trạng"] == "Bị thay thế"
    replaced_by = soup.select_one(".relations").find("dt", string="Bị thay thế bởi").find_next_sibling("dd")
    assert replaced_by.find("a", href="../../nghi-quyet/nq-05-2021-hdnd/")


def test_plans_are_listed_with_their_kind(site):
    soup = page(site, "/chuong-trinh/")
    assert [a.get_text(" ", strip=True) for a in soup.select("main .doc-list a")] == \
        ["Kế hoạch 88/KH-SGDĐT", "Kế hoạch 949/KH-UBND"]
    plan = page(site, "/chuong-trinh/kh-so-giao-duc/")
    assert meta(plan)["Loại văn bản"] == "Kế hoạch"
    assert meta(plan)["Cơ quan ban hành"] == "Sở Giáo dục và Đào tạo tỉnh Ninh Bình"


def test_targets_without_results_have_no_data(site):
    soup = page(site, "/chi-tieu/")
    statuses = [tr["data-status"] for tr in soup.select("tr[data-doc]")]
    assert statuses == ["no-data"] * 4
    assert not list((site / "chi-tieu").glob("20*/index.html"))  # no year pages without results


def test_posts_page_is_empty_but_present(site):
    soup = page(site, "/tin-tuc/")
    assert "Chưa có bài viết nào" in soup.select_one("main").get_text()


def test_organisations_in_vietnamese_order_with_parent(site):
    soup = page(site, "/co-quan/")
    assert [a.get_text(strip=True) for a in soup.select("main .doc-list a")] == [
        "Hội đồng nhân dân tỉnh Ninh Bình", "Sở Giáo dục và Đào tạo tỉnh Ninh Bình",
        "Sở Y tế tỉnh Ninh Bình", "Ủy ban nhân dân tỉnh Ninh Bình"]
    department = page(site, "/co-quan/so-giao-duc/")
    assert department.find("a", href="../../co-quan/ubnd-tinh/")
