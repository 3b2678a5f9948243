"""The search index stage: folded terms, what is indexed, deterministic and atomic output."""
from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLE, build, copy_sample, page

from sitegen import search


def test_terms_hold_the_forms_pagefind_cannot_derive():
    assert search.terms("Đảng ủy Khối") == "dang"
    assert search.terms("Đại hội") == "dai"
    assert search.terms("12-CTr/ĐUK") == "12 12-ctr/duk ctr duk"
    assert search.terms("QĐi") == "qdi"
    assert search.terms("Nghị quyết 58-NQ/TW về Thanh Hóa") == ""  # Pagefind folds these itself
    assert search.terms("\u0111a\u0309ng") == "dang"  # decomposed input


def test_terms_of_several_texts_are_those_of_each_word_wherever_it_stands():
    """Texts are cut at white space of any kind (tabs, line breaks, no-break spaces) and joined;
    the result is the union of each word's terms, as if each word were given alone."""
    texts = ("Đảng ủy\tKhối,12-CTr/ĐUK;QĐi", "Kế hoạch\u00a0số 05-KH/ĐU\nngày Đ.", "", "(Đoàn)—“Đảng”")
    words = [w for t in texts for w in re.findall(r"\w+(?:[-/.]\w+)*", t)]
    expected = sorted({term for w in words for term in search.terms(w).split()})
    assert search.terms(*texts) == " ".join(expected)
    assert set(search.terms(*texts).split()) >= {"dang", "doan", "qdi", "05-kh/du", "duk"}

def test_document_pages_carry_fields_and_mark_their_main_content(sample_site):
    soup = page(sample_site, "/chuong-trinh/12-ctr-duk-2021/")
    pairs = [(d["data-pagefind-filter"] if d.has_attr("data-pagefind-filter") else
              d.get("data-pagefind-meta") or d.get("data-pagefind-sort"), d["value"]) for d in soup.find_all("data")]
    fields = dict(pairs)
    # a document with targets is in both sections; its targets' statuses are a filter of their own
    assert [v for k, v in pairs if k == "section[value]"] == ["Văn bản", "Chỉ tiêu"]
    assert [v for k, v in pairs if k == "target_status[value]"] == ["Đạt", "Chưa đạt", "Chưa có số liệu"]
    assert fields["status[value]"] == "Còn hiệu lực"
    assert fields["kind[value]"] == "Chương trình hành động"
    assert fields["number[value]"] == "12-CTr/ĐUK"
    assert fields["numfold[value]"] == "12 12-ctr/duk ctr duk"
    assert "dang" in fields["fold[value]"].split()
    assert fields["date[value]"] in ("07/4/2021", "2021-04-07")
    metas = {d["data-pagefind-meta"].split("[")[0] for d in soup.find_all("data") if d.has_attr("data-pagefind-meta")}
    assert metas == {"number", "numfold", "date", "fold"}  # kind, issuer, status: filters, not searched
    bodies = soup.select("[data-pagefind-body]")
    assert [b.name for b in bodies] == ["header", "div", "section"]
    assert not soup.select("table.meta[data-pagefind-body], .relations[data-pagefind-body]")
    assert not page(sample_site, "/nghi-quyet/").select("[data-pagefind-body]")  # lists are not indexed


def test_bundle_is_written_without_pagefinds_own_ui(sample_site):
    bundle = sample_site / "pagefind"
    assert (bundle / "pagefind.js").is_file() and (bundle / "pagefind-worker.js").is_file()
    assert not list(bundle.glob("pagefind-ui*")) and not list(bundle.glob("pagefind-component-ui*"))
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    # 6 documents and 1 post; targets are rows of their documents' pages, not records of their own
    assert entry["languages"]["vi"]["page_count"] == 7
    assert (bundle / f"pagefind.{entry['languages']['vi']['hash']}.pf_meta").is_file()


def _fragments(site: Path) -> dict[str, dict]:
    out = {}
    for chunk in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        fragment = json.loads(gzip.decompress(chunk.read_bytes())[len(search._SIGNATURE):])
        out[fragment["url"]] = fragment
    return out


def test_target_rows_are_anchors_with_their_name_goal_and_status(sample_site):
    """What the search page reads a target from: the row heading's anchor and the words after it."""
    fragment = _fragments(sample_site)["/chuong-trinh/12-ctr-duk-2021/"]
    words = fragment["content"].split()
    anchors = sorted(fragment["anchors"], key=lambda a: a["location"])
    rows = {a["id"]: (a, anchors[i + 1]["location"] if i + 1 < len(anchors) else len(words))
            for i, a in enumerate(anchors) if a["id"].startswith("ct-")}
    assert len(rows) == 9
    anchor, end = rows["ct-ket-nap-dang-vien"]
    assert anchor["text"] == "Kết nạp đảng viên mới"
    # year cells, period, captions and sources are left out: name, goal, status only
    assert " ".join(words[anchor["location"]:end]) == "Kết nạp đảng viên mới ít nhất 300 đảng viên. Chưa đạt."
    assert "2021" not in fragment["content"].split("Chỉ tiêu.")[-1]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_sources_give_byte_identical_output(tmp_path):
    first, again = tmp_path / "first", tmp_path / "again"
    assert build(SAMPLE, first).code == 0
    assert build(SAMPLE, again).code == 0
    assert _files(again / "pagefind") == _files(first / "pagefind")
    assert _files(again) == _files(first)


def test_filter_chunks_are_sorted(sample_site):
    for chunk in (sample_site / "pagefind" / "filter").glob("*.pf_filter"):
        raw = gzip.decompress(chunk.read_bytes())
        name, values = search._cbor_decode(raw, len(search._SIGNATURE))[0]
        assert [v[0] for v in values] == sorted(v[0] for v in values), name


def test_a_failed_index_leaves_the_published_site_as_it_was(tmp_path, monkeypatch):
    content = copy_sample(tmp_path / "content")
    out = tmp_path / "site"
    assert build(content, out).code == 0
    before = _files(out)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    (content / "resolutions" / "58-nq-tw.md").write_text(
        (content / "resolutions" / "58-nq-tw.md").read_text(encoding="utf-8") + "\nMột đoạn mới.\n", encoding="utf-8")
    result = build(content, out)
    assert result.code == 3 and "tìm kiếm" in result.err
    assert _files(out) == before
    assert not list(tmp_path.glob(".site.staging-*"))


def test_index_is_kept_when_no_indexed_page_changed_and_redone_when_one_did(tmp_path):
    content = copy_sample(tmp_path / "content")
    out = tmp_path / "site"
    assert build(content, out).code == 0
    entry = out / "pagefind" / "pagefind-entry.json"
    first = _files(out / "pagefind")
    first_inode = entry.stat().st_ino

    # a change no indexed page shows (an organisation's website is on its own page only): same bundle, not redone
    orgs = content / "organisations.yaml"
    orgs.write_text(orgs.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # new stamp, same meaning
    result = build(content, out)
    assert result.code == 0, result.err
    assert entry.stat().st_ino == first_inode  # linked from the previous bundle, Pagefind not run
    assert _files(out / "pagefind") == first

    # a body edit: indexed again, and the new words are found in the bundle
    doc = content / "resolutions" / "58-nq-tw.md"
    doc.write_text(doc.read_text(encoding="utf-8") + "\nTừ khóa mới: thủy điện Cửa Đạt.\n", encoding="utf-8")
    assert build(content, out).code == 0
    assert entry.stat().st_ino != first_inode
    assert "thủy điện Cửa Đạt" in _fragments(out)["/nghi-quyet/58-nq-tw/"]["content"]

    # the same as a clean build of the same sources
    clean = tmp_path / "clean"
    assert build(content, clean, "--no-cache").code == 0
    assert _files(clean / "pagefind") == _files(out / "pagefind")


def test_a_previous_bundle_is_not_reused_when_it_was_altered(tmp_path):
    content = copy_sample(tmp_path / "content")
    out = tmp_path / "site"
    assert build(content, out).code == 0
    fragment = next((out / "pagefind" / "fragment").glob("*.pf_fragment"))
    fragment.write_bytes(b"")  # damaged by hand
    tpl = tmp_path / "templates"
    shutil.copytree(Path(__file__).resolve().parents[1] / "templates", tpl)
    (tpl / "assets" / "site.css").write_text((tpl / "assets" / "site.css").read_text() + "\n", encoding="utf-8")
    assert build(content, out, "--templates", str(tpl)).code == 0
    assert all(f.stat().st_size > 0 for f in (out / "pagefind" / "fragment").iterdir())


# --- shards ---------------------------------------------------------------------------------------
# The sample site is one shard; `per_shard=2` splits its 7 indexed pages into two shards.

PER_SHARD = 2


def _copy_pages(site: Path, dest: Path) -> Path:
    """A copy of a built site without its search bundle, as a new build stages it."""
    shutil.copytree(site, dest, ignore=lambda folder, names: ["pagefind"] if Path(folder) == site else [])
    return dest


def _shard_urls(site: Path, shard: int) -> set[str]:
    folder = site / search.shard_folder(shard) / "fragment"
    return {search._read_fragment(f)["url"] for f in folder.glob("*.pf_fragment")}


@pytest.fixture(scope="module")
def sharded(sample_site, tmp_path_factory):
    site = _copy_pages(sample_site, tmp_path_factory.mktemp("sharded") / "site")
    return site, search.index(site, per_shard=PER_SHARD)


def test_shard_count_is_a_power_of_two_growing_with_the_pages():
    assert [search.shard_count(n, 100) for n in (0, 1, 100, 101, 200, 201, 400, 401, 1000)] == [1, 1, 1, 2, 2, 4, 4, 8, 16]
    assert search.shard_count(10000) == 4 and search.shard_count(search.PAGES_PER_SHARD) == 1
    # a page keeps its shard, and stays in it or moves to its new half when the count doubles
    for rel in ("nghi-quyet/58-nq-tw/index.html", "tin-tuc/a/index.html", "chuong-trinh/b/index.html"):
        assert search.shard_of(rel, 8) in (search.shard_of(rel, 4), search.shard_of(rel, 4) + 4)


def test_every_indexed_page_is_in_exactly_one_shard(sharded, sample_site):
    site, stats = sharded
    assert stats.shards == 2 and stats.pages == 7 and stats.reused_shards == ()
    assert json.loads((site / "pagefind" / "shards.json").read_text()) == ["s1/"]
    assert json.loads((sample_site / "pagefind" / "shards.json").read_text()) == []  # one shard
    pages = search.indexed_pages(site)
    assert len(pages) == 7
    urls = [_shard_urls(site, shard) for shard in range(stats.shards)]
    assert all(urls) and not set.intersection(*urls)
    for rel in pages:
        url = "/" + rel.removesuffix("index.html")
        assert [shard for shard in range(stats.shards) if url in urls[shard]] == [search.shard_of(rel, stats.shards)]
    # the same fragments as with one shard, under names that carry the page's date, a key of its
    # path and its shard
    assert {url: f["content"] for url, f in _fragments(sample_site).items()} == {
        f["url"]: f["content"] for shard in range(stats.shards)
        for f in map(search._read_fragment, (site / search.shard_folder(shard) / "fragment").iterdir())}
    for shard in range(stats.shards):
        for file in (site / search.shard_folder(shard) / "fragment").iterdir():
            rel = search._read_fragment(file)["url"].lstrip("/") + "index.html"
            key = hashlib.blake2b(rel.encode(), digest_size=4).hexdigest()
            assert re.fullmatch(rf"vi_20[0-9]{{6}}_{key}_{shard}_[0-9a-f]{{7}}\.pf_fragment", file.name), file.name


def _runtime_files(bundle: Path) -> list[str]:
    return sorted(p.name for p in bundle.iterdir() if p.suffix in (".js", ".css", ".pagefind"))


def test_the_first_shards_carry_the_script_worker_and_webassembly(sharded, monkeypatch, tmp_path):
    """The search page starts a worker from each of the first SEARCH_WORKERS shards; the others keep
    only what a merged index is read from."""
    site, stats = sharded
    runtime = ["pagefind-worker.js", "pagefind.js", "wasm.unknown.pagefind"]
    assert search.SEARCH_WORKERS >= 2 and stats.shards == 2
    for bundle in (site / "pagefind", site / "pagefind" / "s1"):
        assert _runtime_files(bundle) == runtime
        assert not list(bundle.glob("pagefind-*ui*"))
    monkeypatch.setattr(search, "SEARCH_WORKERS", 1)
    again = _copy_pages(site, tmp_path / "site")
    search.index(again, per_shard=PER_SHARD)
    assert _runtime_files(again / "pagefind") == runtime
    assert _runtime_files(again / "pagefind" / "s1") == []
    assert sorted(p.name for p in (again / "pagefind" / "s1").iterdir() if p.is_file())[0] == "pagefind-entry.json"


def test_shards_are_byte_identical_from_the_same_pages(sharded, tmp_path):
    site, _ = sharded
    again = _copy_pages(site, tmp_path / "site")
    search.index(again, per_shard=PER_SHARD)
    assert _files(again / "pagefind") == _files(site / "pagefind")


def test_a_changed_page_reindexes_its_shard_only(sample_site, tmp_path):
    record = tmp_path / "cache" / "search.json"
    first = _copy_pages(sample_site, tmp_path / "first")
    assert search.index(first, None, record, per_shard=PER_SHARD).reused_shards == ()

    # nothing changed: every shard is linked from the previous site, Pagefind does not run
    same = _copy_pages(first, tmp_path / "same")
    stats = search.index(same, first, record, per_shard=PER_SHARD)
    assert stats.reused and stats.reused_shards == (0, 1)
    assert _files(same / "pagefind") == _files(first / "pagefind")

    # one page edited: its shard is indexed again, the other one linked
    rel = "nghi-quyet/58-nq-tw/index.html"
    edited = _copy_pages(first, tmp_path / "edited")
    html = (edited / rel).read_text(encoding="utf-8")
    heading = '<h2 id="tuyen-truyen-neu-guong">Tuyên truyền, nêu gương</h2>'
    assert html.count(heading) == 1
    (edited / rel).write_text(html.replace(heading, heading + "<p>Từ khóa mới: thủy điện Cửa Đạt.</p>"), encoding="utf-8")
    changed = search.shard_of(rel, 2)
    stats = search.index(edited, same, record, per_shard=PER_SHARD)
    assert stats.shards == 2 and stats.reused_shards == (1 - changed,)
    entry = "pagefind-entry.json"
    kept, redone = search.shard_folder(1 - changed), search.shard_folder(changed)
    assert (edited / kept / entry).stat().st_ino == (same / kept / entry).stat().st_ino
    assert (edited / redone / entry).stat().st_ino != (same / redone / entry).stat().st_ino
    fragments = [search._read_fragment(f) for f in (edited / redone / "fragment").iterdir()]
    assert "thủy điện Cửa Đạt" in next(f["content"] for f in fragments if f["url"] == "/nghi-quyet/58-nq-tw/")

    # the same as indexing those pages from scratch
    clean = _copy_pages(edited, tmp_path / "clean")
    search.index(clean, per_shard=PER_SHARD)
    assert _files(clean / "pagefind") == _files(edited / "pagefind")

    # another number of shards: nothing is reused
    single = _copy_pages(edited, tmp_path / "single")
    stats = search.index(single, edited, record, per_shard=100)
    assert stats.shards == 1 and stats.reused_shards == ()
    assert not (single / "pagefind" / "s1").exists()


def test_a_failed_shard_leaves_no_folder_behind(sample_site, tmp_path, monkeypatch):
    site = _copy_pages(sample_site, tmp_path / "site")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    with pytest.raises(search.SearchIndexError):
        search.index(site, per_shard=PER_SHARD)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_pagefind_failing_is_reported_with_what_it_said(sample_site, tmp_path, monkeypatch):
    site = _copy_pages(sample_site, tmp_path / "site")
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\necho 'Error: out of space' >&2\nexit 2\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    with pytest.raises(search.SearchIndexError, match="mã 2.*out of space"):
        search.index(site)
    assert not (site / "pagefind").exists()


def test_pagefind_settings_in_the_environment_do_not_change_the_index(sample_site, tmp_path, monkeypatch):
    plain = _copy_pages(sample_site, tmp_path / "plain")
    search.index(plain)
    tampered = _copy_pages(sample_site, tmp_path / "tampered")
    monkeypatch.setenv("PAGEFIND_ROOT_SELECTOR", "footer")
    monkeypatch.setenv("PAGEFIND_EXCLUDE_SELECTORS", "p")
    (tampered / "pagefind.yml").write_text("root_selector: footer\n", encoding="utf-8")
    monkeypatch.chdir(tampered)
    search.index(tampered)
    assert _files(tampered / "pagefind") == _files(plain / "pagefind")
