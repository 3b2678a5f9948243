"""The search index stage: folded terms, what is indexed, deterministic and atomic output."""
from __future__ import annotations

import gzip
import json
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
    fields = {(d["data-pagefind-filter"] if d.has_attr("data-pagefind-filter") else
               d.get("data-pagefind-meta") or d.get("data-pagefind-sort")): d["value"] for d in soup.find_all("data")}
    assert fields["section[value]"] == "Văn bản"
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
    # 6 documents, 1 post and 11 targets
    assert entry["languages"]["vi"]["page_count"] == 18
    assert (bundle / f"pagefind.{entry['languages']['vi']['hash']}.pf_meta").is_file()


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
