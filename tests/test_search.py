"""The search index stage: folded terms, what is indexed, deterministic and atomic output."""
from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

from conftest import SAMPLE, build, copy_sample, page

from sitegen import search


def test_terms_hold_the_forms_pagefind_cannot_derive():
    assert search.terms("Đảng ủy Khối") == "dang"
    assert search.terms("Đại hội") == "dai"
    assert search.terms("12-CTr/ĐUK") == "12 12-ctr/duk ctr duk"
    assert search.terms("QĐi") == "qdi"
    assert search.terms("Nghị quyết 58-NQ/TW về Thanh Hóa") == ""  # Pagefind folds these itself
    assert search.terms("\u0111a\u0309ng") == "dang"  # decomposed input


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
