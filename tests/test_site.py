"""The sample site, parsed as a reader's browser would receive it."""
from __future__ import annotations

import gzip
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from conftest import SAMPLE, TODAY, build, copy_sample, page, run_cli

from sitegen.linkcheck import check_site

SECTION_PAGES = ["/", "/nghi-quyet/", "/chuong-trinh/", "/tin-tuc/", "/co-quan/", "/chu-de/",
                 "/chi-tieu/", "/chi-tieu/cach-tinh/", "/du-lieu/", "/tim-kiem/"]


def test_every_internal_link_and_anchor_resolves(sample_site):
    assert check_site(sample_site) == []


class HtmlParserLinks(HTMLParser):
    """A page's ids and links as Python's HTML parser finds them: what `linkcheck.scan` must find."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.ids.add(values["name"])
        for attr in ("href", "src"):
            if values.get(attr) and tag in ("a", "link", "script", "img", "source"):
                self.links.append(values[attr])


def test_the_link_checker_s_scanner_finds_what_an_html_parser_finds(sample_site):
    """`check` scans pages with regular expressions made for the pages this generator writes: on
    every page of the sample site they must find exactly the ids and links `HTMLParser` finds."""
    from sitegen import linkcheck

    links = 0
    for path in sorted(sample_site.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        scanned, parsed = linkcheck.scan(html), HtmlParserLinks(html)
        assert (scanned.ids, scanned.links) == (parsed.ids, parsed.links), path
        links += len(scanned.links)
    assert links > 1000


def test_the_scanner_is_not_misled_by_values_that_end_like_an_attribute(tmp_path):
    """Alt texts and titles are the editors': one ending in ' id=' must not start an attribute."""
    from sitegen import linkcheck

    content = copy_sample(tmp_path / "content")
    post = content / "posts" / "dang-uy-khoi-ban-hanh-chuong-trinh-hanh-dong.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nXem [mục hai](#muc-hai).\n\n![Sơ đồ id=](https://example.org/so-do.png)\n\n"
                    "## Mục hai\n\n[Bài gốc](https://example.org/ \"mở href=\") và ![x id=](https://example.org/a.png \"t\") "
                    "[hỏng](#%20title=)\n", encoding="utf-8")
    result = run_cli("check", "--content", str(content), "--out", str(tmp_path / "site"), "--today", TODAY)
    assert result.code == 1
    assert result.err.splitlines()[:-1] == ["tin-tuc/dang-uy-khoi-ban-hanh-chuong-trinh-hanh-dong/index.html: "
                                            "không có mục (neo) trên trang #%20title="]
    site = tmp_path / "site"
    assert build(content, site).code == 0
    html = (site / "tin-tuc/dang-uy-khoi-ban-hanh-chuong-trinh-hanh-dong/index.html").read_text(encoding="utf-8")
    assert 'alt="Sơ đồ id="' in html
    scanned, parsed = linkcheck.scan(html), HtmlParserLinks(html)
    assert (scanned.ids, scanned.links) == (parsed.ids, parsed.links)
    assert "muc-hai" in scanned.ids and "https://example.org/a.png" in scanned.links


def test_the_link_checker_reports_broken_links_and_anchors():
    from sitegen.linkcheck import check_files

    pages = {
        "index.html": (b'<!doctype html><html lang="vi"><head><link rel="stylesheet" href="assets/site.css"></head>'
                       b'<body><a href="a/">A</a> <a href="thieu/">thi\xe1\xba\xbfu</a> <a href="#dau">top</a>'
                       b'<a href="#khong-co">x</a> <a href="a/#muc">y</a> <a href="a/#khong">z</a>'
                       b'<!-- <a href="trong-ghi-chu/">hidden</a> --><a href="a/?q=1&amp;r=2">q</a>'
                       b'<h2 id="dau">Dau</h2><img src="anh.png" alt=""><a href="https://example.org/">out</a></body></html>'),
        "a/index.html": b'<!doctype html><html><body><p id="muc">M</p><a name="ten">n</a><a href="../#dau">up</a></body></html>',
    }
    broken = [(b.page, b.link, b.reason) for b in check_files(pages, {"assets/site.css"})]
    assert broken == [("index.html", "thieu/", "liên kết hỏng"),
                      ("index.html", "#khong-co", "không có mục (neo) trên trang"),
                      ("index.html", "a/#khong", "liên kết tới mục (neo) không tồn tại"),
                      ("index.html", "anh.png", "liên kết hỏng")]


def test_every_page_is_vietnamese_with_title_og_and_header_search(sample_site):
    for file in sample_site.rglob("*.html"):
        soup = page(sample_site, "/" + file.relative_to(sample_site).as_posix())
        assert soup.html["lang"] == "vi", file
        assert soup.title.string.strip(), file
        assert soup.find("meta", property="og:title")["content"], file
        assert soup.find("meta", property="og:description") is not None, file
        form = soup.find("form", role="search")
        assert form is not None and form.find("input", attrs={"name": "q"}), file
        # no external assets: every stylesheet and script is served from the site
        for tag in soup.find_all(["link", "script"]):
            url = tag.get("href") or tag.get("src") or ""
            if tag.name == "link" and tag.get("rel") == ["canonical"]:
                continue
            assert not url.startswith(("http:", "https:", "//")), (file, url)


def test_section_pages_exist_and_have_headings(sample_site):
    for path in SECTION_PAGES:
        soup = page(sample_site, path)
        assert soup.find("h1").get_text(strip=True), path


def test_document_page_shows_metadata_in_vietnamese(sample_site):
    soup = page(sample_site, "/chuong-trinh/12-ctr-duk-2021/")
    meta = {tr.th.get_text(strip=True): tr.td.get_text(" ", strip=True) for tr in soup.select("table.meta tr")}
    assert meta["Số ký hiệu"] == "12-CTr/ĐUK"
    assert meta["Loại văn bản"] == "Chương trình hành động"
    assert meta["Cơ quan ban hành"] == "Đảng ủy Khối Cơ quan và Doanh nghiệp tỉnh Thanh Hóa"
    assert meta["Ngày ban hành"] == "ngày 07 tháng 4 năm 2021"
    assert meta["Tình trạng"] == "Còn hiệu lực"
    assert meta["Nhiệm kỳ"] == "2021–2025"
    assert soup.select_one(".kicker").get_text(strip=True) == "Chương trình hành động 12-CTr/ĐUK"


def test_partial_dates_are_shown_as_known(sample_site):
    soup = page(sample_site, "/nghi-quyet/nq-dai-hoi-xx-dang-bo-khoi/")
    meta = {tr.th.get_text(strip=True): tr.td.get_text(" ", strip=True) for tr in soup.select("table.meta tr")}
    assert meta["Ngày ban hành"] == "năm 2020"
    assert "Số ký hiệu" not in meta


def test_relations_are_shown_on_both_documents(sample_site):
    programme = page(sample_site, "/chuong-trinh/ctr-duk-thuc-hien-58-nq-tw/")
    labels = [dt.get_text(strip=True) for dt in programme.select(".relations dt")]
    assert "Thực hiện" in labels and "Văn bản thực hiện" in labels
    resolution = page(sample_site, "/nghi-quyet/58-nq-tw/")
    rel = resolution.select_one(".relations")
    assert rel.find("dt", string="Văn bản thực hiện")
    assert rel.find("a", href="../../chuong-trinh/ctr-duk-thuc-hien-58-nq-tw/")
    congress = page(sample_site, "/nghi-quyet/nq-dai-hoi-xix-dang-bo-tinh/")
    assert congress.select_one(".relations").find("dt", string="Là căn cứ của")


def test_chain_tree_of_58_shows_three_levels(sample_site):
    soup = page(sample_site, "/nghi-quyet/58-nq-tw/")
    tree = soup.select_one(".chain .tree")
    level2 = tree.select("ul > li > ul > li")
    links2 = [a["href"] for li in level2 for a in li.find_all("a", recursive=False)]
    assert "../../chuong-trinh/ctr-duk-thuc-hien-58-nq-tw/" in links2
    level3 = tree.select("ul > li > ul > li > ul > li > a")
    assert "../../chuong-trinh/kh-minh-hoa-dang-uy-co-so/" in [a["href"] for a in level3]
    plan = page(sample_site, "/chuong-trinh/kh-minh-hoa-dang-uy-co-so/")
    up = [a["href"] for a in plan.select(".chain > ul.doc-list a")]
    assert sorted(up) == ["../../chuong-trinh/12-ctr-duk-2021/", "../../chuong-trinh/ctr-duk-thuc-hien-58-nq-tw/",
                          "../../nghi-quyet/58-nq-tw/", "../../nghi-quyet/nq-dai-hoi-xix-dang-bo-tinh/",
                          "../../nghi-quyet/nq-dai-hoi-xx-dang-bo-khoi/"]


def test_target_table_is_grouped_and_complete(sample_site):
    soup = page(sample_site, "/chuong-trinh/12-ctr-duk-2021/")
    table = soup.select_one("section[aria-labelledby=s-chi-tieu] table.targets")
    groups = [th.get_text(strip=True) for th in table.select("tr.group th")]
    assert groups == ["Học tập, quán triệt nghị quyết", "Nhiệm vụ chuyên môn", "Xây dựng Đảng và các đoàn thể"]
    rows = [th.parent for th in table.select("tbody th[id^=ct-]")]
    assert len(rows) == 9
    goals = {r.th.get_text(strip=True): r.find_all("td")[0].get_text(strip=True) for r in rows}
    assert goals["Kết nạp đảng viên mới"] == "ít nhất 300 đảng viên"
    assert goals["Bồi dưỡng đối tượng kết nạp Đảng"] == "trên 600 người"
    assert goals["Xây dựng cơ quan, doanh nghiệp văn hóa kiểu mẫu"] == "Định tính"
    headers = [th.get_text(strip=True) for th in table.select("thead th")]
    assert headers[3:8] == ["2021", "2022", "2023", "2024", "2025"]


def test_long_body_gets_a_table_of_contents_and_heading_anchors(sample_site):
    soup = page(sample_site, "/nghi-quyet/58-nq-tw/")
    toc = soup.select(".toc a")
    assert [a["href"] for a in toc] == ["#y-nghia-doi-voi-dang-bo-khoi", "#to-chuc-thuc-hien-trong-khoi",
                                        "#tuyen-truyen-neu-guong"]
    for a in toc:
        assert soup.find(id=a["href"][1:]) is not None


def test_lists_are_newest_first_and_grouped_by_year(sample_site):
    soup = page(sample_site, "/nghi-quyet/")
    years = [h.get_text(strip=True) for h in soup.select("main h2")]
    assert years == ["Năm 2020"]
    links = [a["href"] for a in soup.select("main .doc-list a")]
    assert links[0] == "../nghi-quyet/58-nq-tw/"


def test_organisations_sort_in_vietnamese_order(sample_site):
    soup = page(sample_site, "/co-quan/")
    names = [a.get_text(strip=True) for a in soup.select("main .doc-list a")]
    assert names == ["Bộ Chính trị", "Đảng bộ Khối Cơ quan và Doanh nghiệp tỉnh Thanh Hóa",
                     "Đảng bộ tỉnh Thanh Hóa", "Đảng ủy cơ sở minh họa (ví dụ)",
                     "Đảng ủy Khối Cơ quan và Doanh nghiệp tỉnh Thanh Hóa", "Tỉnh ủy Thanh Hóa"]


def test_organisation_page_lists_its_documents_and_parent(sample_site):
    soup = page(sample_site, "/co-quan/dang-uy-khoi/")
    assert soup.find("a", href="../../co-quan/dang-bo-khoi/")
    hrefs = [a["href"] for a in soup.select(".doc-list a")]
    assert "../../chuong-trinh/12-ctr-duk-2021/" in hrefs


def test_tag_pages_collect_documents_and_posts(sample_site):
    soup = page(sample_site, "/chu-de/xay-dung-dang/")
    assert soup.h1.get_text(strip=True) == "Chủ đề: Xây dựng Đảng"
    hrefs = [a["href"] for a in soup.select(".doc-list a")]
    assert "../../chuong-trinh/12-ctr-duk-2021/" in hrefs
    assert "../../tin-tuc/dang-uy-khoi-ban-hanh-chuong-trinh-hanh-dong/" in hrefs


def test_post_page_links_the_documents_it_concerns(sample_site):
    soup = page(sample_site, "/tin-tuc/dang-uy-khoi-ban-hanh-chuong-trinh-hanh-dong/")
    assert soup.h1.get_text(strip=True).startswith("Đảng ủy Khối")
    docs = [a["href"] for a in soup.select(".doc-list a")]
    assert "../../nghi-quyet/58-nq-tw/" in docs and len(docs) == 5
    doc = page(sample_site, "/nghi-quyet/58-nq-tw/")
    assert doc.find("a", href="../../tin-tuc/dang-uy-khoi-ban-hanh-chuong-trinh-hanh-dong/")


def test_home_shows_newest_documents_posts_and_sections(sample_site):
    soup = page(sample_site, "/")
    hrefs = {a["href"] for a in soup.select(".sections a")}
    assert hrefs == {"nghi-quyet/", "chuong-trinh/", "chi-tieu/", "tin-tuc/", "co-quan/", "chu-de/"}
    assert soup.select("#van-ban-moi ~ .doc-list li")
    assert soup.find("a", href="tin-tuc/dang-uy-khoi-ban-hanh-chuong-trinh-hanh-dong/")


def test_sitemap_lists_every_page_and_feed_is_valid_atom(sample_site):
    tree = ET.parse(sample_site / "sitemap.xml")
    locs = {e.text for e in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    html_pages = {p.relative_to(sample_site).as_posix() for p in sample_site.rglob("index.html")}
    assert {loc.rstrip("/") + "/index.html" if loc != "./" else "index.html" for loc in locs} == html_pages
    feed = ET.parse(sample_site / "feed.xml").getroot()
    ns = "{http://www.w3.org/2005/Atom}"
    entries = feed.findall(f"{ns}entry")
    assert len(entries) == 7  # 6 documents + 1 post
    assert all(e.find(f"{ns}updated").text.endswith("Z") for e in entries)
    assert (sample_site / "robots.txt").read_text().startswith("User-agent: *")


def test_base_url_gives_canonical_links_and_absolute_feed(tmp_path):
    out = tmp_path / "site"
    assert build(SAMPLE, out, "--base-url", "https://example.org/vanban").code == 0
    soup = page(out, "/nghi-quyet/58-nq-tw/")
    assert soup.find("link", rel="canonical")["href"] == "https://example.org/vanban/nghi-quyet/58-nq-tw/"
    assert soup.find("meta", property="og:url")["content"] == "https://example.org/vanban/nghi-quyet/58-nq-tw/"
    assert "<loc>https://example.org/vanban/nghi-quyet/58-nq-tw/</loc>" in (out / "sitemap.xml").read_text()
    assert 'href="https://example.org/vanban/feed.xml"' in (out / "feed.xml").read_text()
    not_found = (out / "404.html").read_text()
    assert 'href="/vanban/assets/site.css"' in not_found


def test_links_are_relative_so_a_sub_path_works(sample_site):
    for file in sample_site.rglob("index.html"):
        soup = page(sample_site, "/" + file.relative_to(sample_site).as_posix())
        for a in soup.find_all("a", href=True):
            assert not a["href"].startswith("/"), (file, a["href"])


def test_document_page_weighs_under_30_kb_gzipped(sample_site):
    css = (sample_site / "assets/site.css").read_bytes()
    for path in ["chuong-trinh/12-ctr-duk-2021/index.html", "nghi-quyet/58-nq-tw/index.html"]:
        html = (sample_site / path).read_bytes()
        assert len(gzip.compress(html)) + len(gzip.compress(css)) < 30 * 1024, path


def test_data_downloads_exist(sample_site):
    doc = json.loads((sample_site / "du-lieu/documents.json").read_text(encoding="utf-8"))
    assert {d["id"] for d in doc["documents"]} == {p.stem for p in SAMPLE.glob("*/*.md") if p.parent.name != "posts"}
