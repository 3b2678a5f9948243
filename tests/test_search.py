"""The search index stage: words and fragments, what is indexed, deterministic and atomic output."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLE, TODAY, build, copy_sample, page

from sitegen import cli, search
from sitegen.searchpage import fold, record, unpacked, words

ROOT = Path(__file__).resolve().parents[1]


def test_words_are_folded_and_cut_as_readers_type_them():
    assert words("Đảng ủy Khối") == ["dang", "uy", "khoi"]
    assert words("12-CTr/ĐUK") == ["12", "ctr", "duk"]
    assert words("58-NQ/TW, ngày 05/8/2020") == ["58", "nq", "tw", "ngay", "05", "8", "2020"]
    assert words("\u0111a\u0309ng vi\u00ean") == ["dang", "vien"]  # decomposed input
    assert words("Thanh Hoá thuỷ lợi") == words("Thanh Hóa thủy lợi") == ["thanh", "hoa", "thuy", "loi"]
    assert fold("ĂÂÊÔƠƯĐ") == "aaeooud"


def test_document_pages_carry_fields_and_mark_their_main_content(sample_site):
    soup = page(sample_site, "/chuong-trinh/12-ctr-duk-2021/")
    pairs = [(d.get("data-search-filter") or d.get("data-search-meta") or d.get("data-search-sort"), d["value"])
             for d in soup.find_all("data")]
    fields = dict(pairs)
    # a document with targets is in both sections; its targets' statuses are a filter of their own
    assert [v for k, v in pairs if k == "section"] == ["Văn bản", "Chỉ tiêu"]
    assert [v for k, v in pairs if k == "target_status"] == ["Đạt", "Chưa đạt", "Chưa có số liệu"]
    assert fields["status"] == "Còn hiệu lực"
    assert fields["kind"] == "Chương trình hành động"
    assert fields["number"] == "12-CTr/ĐUK"
    assert fields["date"] in ("07/4/2021", "2021-04-07")
    metas = {d["data-search-meta"] for d in soup.find_all("data") if d.has_attr("data-search-meta")}
    assert metas == {"title", "number", "date"}  # kind, issuer, status: filters, not searched
    bodies = soup.select("[data-search-body]")
    assert [b.name for b in bodies] == ["header", "div", "section"]
    assert not soup.select("table.meta[data-search-body], .relations[data-search-body]")
    assert not page(sample_site, "/nghi-quyet/").select("[data-search-body]")  # lists are not indexed


def _fragments(site: Path) -> dict[str, dict]:
    out = {}
    for shard in range(len(json.loads((site / search.BUNDLE / search.SHARD_LIST).read_text())) + 1):
        for file in (site / search.shard_folder(shard) / "f").glob("*.json"):
            fragment = json.loads(file.read_bytes())
            out[fragment["url"]] = fragment
    return out


def test_the_index_holds_its_own_files_only(sample_site):
    bundle = sample_site / search.BUNDLE
    assert json.loads((bundle / search.SHARD_LIST).read_text()) == []  # one shard
    manifest = json.loads((bundle / search.MANIFEST).read_bytes())
    listing = search._Listing.read(manifest)
    # 6 documents and 1 post; targets are rows of their documents' pages, not records of their own
    assert manifest["pages"]["count"] == len(listing.names) == len(listing.lengths) == len(listing.dates) == 7
    assert sorted(p.name for p in bundle.iterdir()) == ["b", "f", "index.json", "p", "shards.json"]
    files = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()}
    named = {f"f/{name}.json" for name in listing.names} | {
        name for key, digest in manifest["buckets"].items() for name in search._bucket_files(key, digest)}
    assert files == named | {"index.json", "shards.json"}  # every file named, nothing left over
    assert not list(sample_site.rglob("pagefind*"))


def test_a_bucket_holds_each_words_pages_weights_and_positions(sample_site):
    bundle = sample_site / search.BUNDLE
    manifest = json.loads((bundle / search.MANIFEST).read_bytes())
    listing = search._Listing.read(manifest)
    postings = search._decode_bucket(bundle, "dan", manifest["buckets"]["dan"])
    pages, weights, positions = postings["dang"]
    fragments = [json.loads((bundle / "f" / f"{name}.json").read_bytes()) for name in listing.names]
    assert listing.lengths == [len(words(f["content"])) for f in fragments]
    assert all(str(d)[:4] == f["meta"]["date"].split("/")[-1] for f, d in zip(fragments, listing.dates))
    assert pages == [n for n, f in enumerate(fragments) if "dang" in words(f["content"])]
    for n, weight, where in zip(pages, weights, positions):
        text = words(fragments[n]["content"])
        assert [i for i, w in enumerate(text) if w == "dang"] == unpacked(where)
        assert weight >= 2 * len(unpacked(where))  # a word of the title or the number weighs more
    number = next(n for n, f in enumerate(fragments) if f["url"] == "/chuong-trinh/12-ctr-duk-2021/")
    assert listing.dates[number] == 20210407
    duk = search._decode_bucket(bundle, "duk", manifest["buckets"]["duk"])["duk"]
    assert duk[1][duk[0].index(number)] >= 40  # the number's words weigh most
    assert listing.filters["kind"]["Chương trình hành động"] == sorted(
        n for n, f in enumerate(fragments) if f["filters"].get("kind") == ["Chương trình hành động"])


def test_a_bucket_is_written_as_json_would_write_it():
    entries = {"thanh": ["AAEC", "AQ=="], "hoa": ["", "AA=="], 'a"b\\c': ["AAAA", "AAAA"], "tên\u0001": ["", ""],
               "0": ["/+/+", "+/=="]}
    written = search._bucket_json(entries)
    assert written == search._dumps(entries) and json.loads(written) == entries
    assert search._bucket_json({}) == b"{}"


def test_a_patched_entry_equals_the_entry_written_whole():
    import random

    from sitegen.searchpage import packed

    rng = random.Random(7)
    for _ in range(300):
        pages = sorted(rng.sample(range(60), rng.randint(0, 12)))
        positions = {n: sorted(rng.sample(range(500), rng.randint(1, 5))) for n in pages}
        weights = {n: rng.randint(1, 40) for n in pages}
        stored = (search._pages_value(pages, [weights[n] for n in pages]),
                  search._positions_value([len(positions[n]) for n in pages],
                                          b"".join(packed(positions[n]) for n in pages)))
        entry = search._Entry(*stored) if pages else search._Entry(None, None)
        for number in rng.sample(range(60), rng.randint(1, 4)):  # edited, added or removed pages
            if rng.random() < 0.3:
                positions.pop(number, None), weights.pop(number, None)
                entry.replace(number, None)
            else:
                positions[number] = sorted(rng.sample(range(500), rng.randint(1, 5)))
                weights[number] = rng.randint(1, 40)
                entry.replace(number, (weights[number], packed(positions[number])))
        after = sorted(positions)
        whole = (search._pages_value(after, [weights[n] for n in after]),
                 search._positions_value([len(positions[n]) for n in after],
                                         b"".join(packed(positions[n]) for n in after)))
        assert entry.encoded() == whole
        assert entry.blob == b"".join(packed(positions[n]) for n in after)


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
    assert " ".join(words[anchor["location"]:end]) == "Kết nạp đảng viên mới ít nhất 300 đảng viên Chưa đạt"
    assert "2021" not in fragment["content"].split("Chỉ tiêu")[-1]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_sources_give_byte_identical_output(tmp_path):
    first, again = tmp_path / "first", tmp_path / "again"
    assert build(SAMPLE, first).code == 0
    assert build(SAMPLE, again).code == 0
    assert _files(again / search.BUNDLE) == _files(first / search.BUNDLE)
    assert _files(again) == _files(first)


def test_a_failed_index_leaves_the_published_site_as_it_was(tmp_path, monkeypatch, capsys):
    content = copy_sample(tmp_path / "content")
    out = tmp_path / "site"
    assert build(content, out).code == 0
    before = _files(out)

    def full_disk(records):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(search, "shard_files", full_disk)
    doc = content / "resolutions" / "58-nq-tw.md"
    doc.write_text(doc.read_text(encoding="utf-8") + "\nMột đoạn mới.\n", encoding="utf-8")
    args = ["build", "--content", str(content), "--out", str(out), "--today", TODAY, "--no-cache"]
    assert cli.main(args, project=ROOT) == 3
    assert "tìm kiếm" in capsys.readouterr().err
    assert _files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".cache", "content", "site"]  # no staging or work folder


def test_index_is_kept_when_no_indexed_page_changed_and_redone_when_one_did(tmp_path):
    content = copy_sample(tmp_path / "content")
    out = tmp_path / "site"
    assert build(content, out).code == 0
    manifest = out / search.BUNDLE / search.MANIFEST
    first = _files(out / search.BUNDLE)
    first_inode = manifest.stat().st_ino

    # a change no indexed page shows (an organisation's website is on its own page only): same index, not redone
    orgs = content / "organisations.yaml"
    orgs.write_text(orgs.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # new stamp, same meaning
    result = build(content, out)
    assert result.code == 0, result.err
    assert manifest.stat().st_ino == first_inode  # kept
    assert _files(out / search.BUNDLE) == first

    # a body edit: indexed again, and the new words are found in the index
    doc = content / "resolutions" / "58-nq-tw.md"
    doc.write_text(doc.read_text(encoding="utf-8") + "\nTừ khóa mới: thủy điện Cửa Đạt.\n", encoding="utf-8")
    assert build(content, out).code == 0
    assert manifest.stat().st_ino != first_inode
    assert "thủy điện Cửa Đạt" in _fragments(out)["/nghi-quyet/58-nq-tw/"]["content"]

    # the same as a clean build of the same sources
    clean = tmp_path / "clean"
    assert build(content, clean, "--no-cache").code == 0
    assert _files(clean / search.BUNDLE) == _files(out / search.BUNDLE)


def test_a_previous_index_is_not_reused_when_it_was_altered(tmp_path):
    content = copy_sample(tmp_path / "content")
    out = tmp_path / "site"
    assert build(content, out).code == 0
    bucket = min((out / search.BUNDLE / "b").glob("*.json"))
    bucket.write_bytes(bucket.read_bytes().replace(b"[", b"(", 1))  # damaged by hand, same size
    tpl = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", tpl)
    (tpl / "assets" / "site.css").write_text((tpl / "assets" / "site.css").read_text() + "\n", encoding="utf-8")
    assert build(content, out, "--templates", str(tpl)).code == 0
    assert search._shard_whole(out / search.BUNDLE)
    clean = tmp_path / "clean"
    assert build(content, clean, "--templates", str(tpl), "--no-cache").code == 0
    assert _files(clean / search.BUNDLE) == _files(out / search.BUNDLE)


# --- shards ---------------------------------------------------------------------------------------
# The sample site is one shard; `per_shard=2` splits its 7 indexed pages into two shards.

PER_SHARD = 2


def _copy_pages(site: Path, dest: Path) -> Path:
    """A copy of a built site without its search index, as a new build stages it."""
    shutil.copytree(site, dest, ignore=lambda folder, names: [search.BUNDLE] if Path(folder) == site else [])
    return dest


@pytest.fixture(scope="module")
def sharded(sample_site, tmp_path_factory):
    site = _copy_pages(sample_site, tmp_path_factory.mktemp("sharded") / "site")
    return site, search.index(site, per_shard=PER_SHARD)


def _applied_as_clean(site: Path, update, pages: dict[str, bytes], clean: Path, per_shard: int = PER_SHARD) -> None:
    """Write `pages` into `site`, apply `update`, and check the index against one made from scratch."""
    for rel, data in pages.items():
        (site / rel).write_bytes(data)
    update.apply()
    update.discard()
    _copy_pages(site, clean)
    search.index(clean, per_shard=per_shard)
    assert _files(clean / search.BUNDLE) == _files(site / search.BUNDLE)


def test_shard_count_is_a_power_of_two_growing_with_the_pages():
    assert [search.shard_count(n, 100) for n in (0, 1, 100, 101, 200, 201, 400, 401, 1000)] == [1, 1, 1, 2, 2, 4, 4, 8, 16]
    assert search.shard_count(10000) == 4 and search.shard_count(search.PAGES_PER_SHARD) == 1
    # a page keeps its shard, and stays in it or moves to its new half when the count doubles
    for rel in ("nghi-quyet/58-nq-tw/index.html", "tin-tuc/a/index.html", "chuong-trinh/b/index.html"):
        assert search.shard_of(rel, 8) in (search.shard_of(rel, 4), search.shard_of(rel, 4) + 4)


def test_every_indexed_page_is_in_exactly_one_shard(sharded, sample_site):
    site, stats = sharded
    assert stats.shards == 2 and stats.pages == 7 and stats.reused_shards == ()
    assert json.loads((site / search.BUNDLE / search.SHARD_LIST).read_text()) == ["s1/"]
    pages = search.indexed_pages(site)
    assert len(pages) == 7
    urls = [{json.loads(f.read_bytes())["url"] for f in (site / search.shard_folder(s) / "f").iterdir()}
            for s in range(stats.shards)]
    assert all(urls) and not set.intersection(*urls)
    for rel in pages:
        url = "/" + rel.removesuffix("index.html")
        assert [shard for shard in range(stats.shards) if url in urls[shard]] == [search.shard_of(rel, stats.shards)]
    # the same fragments as with one shard
    assert _fragments(sample_site) == _fragments(site)
    for shard in range(stats.shards):
        assert search._shard_whole(site / search.shard_folder(shard))


def test_shards_are_byte_identical_from_the_same_pages(sharded, tmp_path):
    site, _ = sharded
    again = _copy_pages(site, tmp_path / "site")
    search.index(again, per_shard=PER_SHARD)
    assert _files(again / search.BUNDLE) == _files(site / search.BUNDLE)


def test_a_changed_page_reindexes_its_shard_only(sample_site, tmp_path):
    record_file = tmp_path / "cache" / "search.json"
    first = _copy_pages(sample_site, tmp_path / "first")
    assert search.index(first, None, record_file, per_shard=PER_SHARD).reused_shards == ()

    # nothing changed: every shard is linked from the previous site
    same = _copy_pages(first, tmp_path / "same")
    stats = search.index(same, first, record_file, per_shard=PER_SHARD)
    assert stats.reused and stats.reused_shards == (0, 1)
    assert _files(same / search.BUNDLE) == _files(first / search.BUNDLE)

    # one page edited: its shard is indexed again, the other one linked
    rel = "nghi-quyet/58-nq-tw/index.html"
    edited = _copy_pages(first, tmp_path / "edited")
    html = (edited / rel).read_text(encoding="utf-8")
    heading = '<h2 id="tuyen-truyen-neu-guong">Tuyên truyền, nêu gương</h2>'
    assert html.count(heading) == 1
    (edited / rel).write_text(html.replace(heading, heading + "<p>Từ khóa mới: thủy điện Cửa Đạt.</p>"), encoding="utf-8")
    changed = search.shard_of(rel, 2)
    stats = search.index(edited, same, record_file, per_shard=PER_SHARD)
    assert stats.shards == 2 and stats.reused_shards == (1 - changed,)
    name = search.MANIFEST
    kept, redone = search.shard_folder(1 - changed), search.shard_folder(changed)
    assert (edited / kept / name).stat().st_ino == (same / kept / name).stat().st_ino
    assert (edited / redone / name).stat().st_ino != (same / redone / name).stat().st_ino
    assert "thủy điện Cửa Đạt" in _fragments(edited)["/nghi-quyet/58-nq-tw/"]["content"]

    # the same as indexing those pages from scratch
    clean = _copy_pages(edited, tmp_path / "clean")
    search.index(clean, per_shard=PER_SHARD)
    assert _files(clean / search.BUNDLE) == _files(edited / search.BUNDLE)

    # another number of shards: nothing is reused
    single = _copy_pages(edited, tmp_path / "single")
    stats = search.index(single, edited, record_file, per_shard=100)
    assert stats.shards == 1 and stats.reused_shards == ()
    assert not (single / search.BUNDLE / "s1").exists()


def test_a_patched_shard_equals_the_shard_made_from_scratch(sample_site, tmp_path):
    """`update` patches the shard of pages edited in place, and numbers anew the pages of a shard
    that gained or lost some. Either way the index is the one a full index of the same pages gives."""
    record_file = tmp_path / "cache" / "search.json"
    site = _copy_pages(sample_site, tmp_path / "site")
    search.index(site, None, record_file, per_shard=PER_SHARD)
    rel = "nghi-quyet/58-nq-tw/index.html"
    html = (site / rel).read_text(encoding="utf-8")
    heading = '<h2 id="tuyen-truyen-neu-guong">Tuyên truyền, nêu gương</h2>'
    for new in (html.replace(heading, heading + "<p>Thủy điện Cửa Đạt, «Zyxwv» và 58-NQ/TW.</p>"),
                html.replace("Tuyên truyền, nêu gương", "Tuyên truyền"),  # words removed
                html):
        update = search.update(site, {rel: new.encode("utf-8")}, record_file, per_shard=PER_SHARD)
        assert update is not None and list(update.patches) == [search.shard_of(rel, 2)] and not update.made
        _applied_as_clean(site, update, {rel: new.encode("utf-8")}, tmp_path / f"clean-{len(new)}")
    assert search.update(site, {rel: html.encode("utf-8")}, record_file, per_shard=PER_SHARD) is None
    # a published bucket that cannot be read: the shard is made again, not patched
    folder = site / search.shard_folder(search.shard_of(rel, 2))
    manifest = json.loads((folder / search.MANIFEST).read_bytes())
    bucket = folder / search._bucket_files("dan", manifest["buckets"]["dan"])[0]
    bucket.write_bytes(bucket.read_bytes()[:-7])
    edited = html.replace(heading, heading + "<p>Đảng viên mới.</p>").encode("utf-8")
    update = search.update(site, {rel: edited}, record_file, per_shard=PER_SHARD)
    assert list(update.made) == [search.shard_of(rel, 2)] and not update.patches
    _applied_as_clean(site, update, {rel: edited}, tmp_path / "clean-damaged")
    # pages removed and added: their shards are numbered anew, not made again
    first, second = [r for r in search.indexed_pages(site) if r != rel][:2]
    gone = {first: (site / first).read_bytes(), second: (site / second).read_bytes()}
    copies = {f"{r.split('/')[0]}/{prefix}{r.split('/')[1]}/index.html": gone[r].replace(b"</p>", f" {prefix}</p>".encode(), 1)
              for r, prefix in ((first, "0-moi-"), (second, "zz-moi-"))}  # numbered first and last
    search.index(site, None, record_file, per_shard=100)  # one shard: its number stays as pages come and go
    for changes in ({first: None}, {second: None, **copies}, {r: None for r in copies} | gone):
        update = search.update(site, changes, record_file, per_shard=100)
        assert update is not None and list(update.patches) == [0] and not update.made
        for page, data in changes.items():
            if data is None:
                shutil.rmtree((site / page).parent)
            else:
                (site / page).parent.mkdir(parents=True, exist_ok=True)
                (site / page).write_bytes(data)
        update.apply()
        update.discard()
        clean = _copy_pages(site, tmp_path / f"clean-{len(search.indexed_pages(site))}-{len(changes)}")
        search.index(clean, per_shard=100)
        assert _files(clean / search.BUNDLE) == _files(site / search.BUNDLE)
        assert search._shard_whole(site / search.BUNDLE)


def test_a_failed_shard_leaves_no_folder_behind(sample_site, tmp_path, monkeypatch):
    site = _copy_pages(sample_site, tmp_path / "site")

    def broken(records):
        raise ValueError("broken")

    monkeypatch.setattr(search, "shard_files", broken)
    with pytest.raises(search.SearchIndexError, match="broken"):
        search.index(site, per_shard=PER_SHARD)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert not (site / search.BUNDLE).exists()


def test_a_word_used_tens_of_thousands_of_times_is_indexed(tmp_path):
    """Weights, positions and their counts are 16-bit: a weight is capped, positions stop at
    MAX_POSITION, and the shard is written all the same."""
    from sitegen.searchpage import MAX_POSITION, MAX_WEIGHT

    body = " ".join(["đảng"] * 70000)
    page = (f'<html><body><article data-search-body><h1>Đảng</h1><p>{body}</p></article>'
            f'<data value="Văn bản" data-search-filter="section"></data></body></html>').encode("utf-8")
    rec = record("nghi-quyet/dai/index.html", page)
    weight, where = rec.words["dang"]
    assert weight == MAX_WEIGHT and len(unpacked(where)) == MAX_POSITION + 1 and rec.length == 70001
    files = search.shard_files([rec])
    folder = tmp_path / "shard"
    search._write_files(folder, files)
    manifest = json.loads(files[search.MANIFEST])
    pages, weights, positions = search._decode_bucket(folder, "dan", manifest["buckets"]["dan"])["dang"]
    assert pages == [0] and weights == [MAX_WEIGHT] and unpacked(positions[0]) == list(range(MAX_POSITION + 1))


def test_a_failed_update_puts_the_published_shards_back(sample_site, tmp_path, monkeypatch):
    """Shard 0 made again takes the other shards into it before it is swapped in: when a step of
    that fails, they go back where they were and the published index is whole."""
    record_file = tmp_path / "cache" / "search.json"
    site = _copy_pages(sample_site, tmp_path / "site")
    search.index(site, None, record_file, per_shard=PER_SHARD)
    # a bucket of shard 0 that cannot be read: the shard is made again, not patched
    manifest = json.loads((site / search.BUNDLE / search.MANIFEST).read_bytes())
    key, digest = next(iter(manifest["buckets"].items()))
    bucket = site / search.BUNDLE / search._bucket_files(key, digest)[0]
    bucket.write_bytes(bucket.read_bytes()[:-3])
    before = _files(site / search.BUNDLE)
    gone = next(rel for rel in search.indexed_pages(site) if search.shard_of(rel, 2) == 0)
    update = search.update(site, {gone: None}, record_file, per_shard=PER_SHARD)
    assert 0 in update.made

    def full_disk(bundle, shards):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(search, "_write_shard_list", full_disk)
    with pytest.raises(OSError):
        update.apply()
    update.discard()
    assert _files(site / search.BUNDLE) == before
    assert search._shard_whole(site / search.shard_folder(1))


def test_a_patch_replaces_a_half_written_file_of_the_same_name(sample_site, tmp_path):
    """A patch's file already there under its name (left by a write that failed) is written again
    unless it holds exactly the patch's bytes."""
    record_file = tmp_path / "cache" / "search.json"
    site = _copy_pages(sample_site, tmp_path / "site")
    search.index(site, None, record_file, per_shard=PER_SHARD)
    rel = "nghi-quyet/58-nq-tw/index.html"
    html = (site / rel).read_text(encoding="utf-8").replace("</h1>", " Zyxwv</h1>", 1).encode("utf-8")
    update = search.update(site, {rel: html}, record_file, per_shard=PER_SHARD)
    (shard, patch), = update.patches.items()
    folder = site / search.shard_folder(shard)
    name = next(n for n in patch.files if n.startswith("b/"))
    (folder / name).write_bytes(patch.files[name][:10])
    (site / rel).write_bytes(html)
    update.apply()
    update.discard()
    assert (folder / name).read_bytes() == patch.files[name] and search._shard_whole(folder)


def test_a_fragment_knows_how_many_words_its_heading_has(sample_site):
    """The search page takes an excerpt after the heading (kind, number, title), which a result
    shows apart, when the rest of the text holds a query word."""
    fragment = _fragments(sample_site)["/nghi-quyet/58-nq-tw/"]
    heading = "Nghị quyết 58-NQ/TW Về xây dựng và phát triển tỉnh Thanh Hóa đến năm 2030, tầm nhìn đến năm 2045"
    assert fragment["lead"] == len(heading.split()) and fragment["content"].startswith(heading + " ")
    page = b'<main><article data-search-body><p>Only part</p></article></main>'
    assert json.loads(record("tin-tuc/x/index.html", page).fragment)["lead"] == 0  # no heading of its own


def test_an_index_made_by_other_code_is_made_again_not_patched(sample_site, tmp_path, monkeypatch):
    """A shard's pages unchanged but the code that makes the index changed: every shard is made
    again (patching would keep what the other code wrote)."""
    record_file = tmp_path / "cache" / "search.json"
    site = _copy_pages(sample_site, tmp_path / "site")
    search.index(site, None, record_file, per_shard=PER_SHARD)
    rel = "nghi-quyet/58-nq-tw/index.html"
    html = (site / rel).read_text(encoding="utf-8").replace("</h1>", " Zyxwv</h1>", 1).encode("utf-8")
    monkeypatch.setattr(search, "_code_digest", lambda: "another version")
    update = search.update(site, {rel: html}, record_file, per_shard=PER_SHARD)
    assert sorted(update.made) == [0, 1] and not update.patches
    update.discard()


def test_a_patch_rewrites_only_the_buckets_of_words_whose_entries_changed(sample_site, tmp_path):
    """While the site still holds the page the index was made from (a command-line build writes
    its pages after indexing them), only the words whose weight or positions changed are written
    again; once the site holds the new page (the preview writes first), all the page's words are.
    Either way the index is the one made from scratch."""
    rel = "nghi-quyet/58-nq-tw/index.html"
    html = (sample_site / rel).read_text(encoding="utf-8")
    assert html.count("Tuyên truyền, nêu gương") == 2
    new = html.replace("Tuyên truyền, nêu gương", "Tuyên giáo, nêu gương").encode("utf-8")  # as many words
    written = {}
    for case in ("published", "already written"):
        record_file = tmp_path / case / "search.json"
        site = _copy_pages(sample_site, tmp_path / case / "site")
        search.index(site, None, record_file, per_shard=PER_SHARD)
        if case == "already written":
            (site / rel).write_bytes(new)
        update = search.update(site, {rel: new}, record_file, per_shard=PER_SHARD)
        assert update is not None and len(update.patches) == 1 and not update.made
        (patch,) = update.patches.values()
        written[case] = {name.split("/")[1].split(".")[0] for name in patch.files if name.startswith(("b/", "p/"))}
        _applied_as_clean(site, update, {rel: new}, tmp_path / case / "clean")
    assert written["published"] == {"tru", "gia"}
    assert len(written["already written"]) > 20 and written["published"] < written["already written"]


def test_pages_patched_together_keep_each_other_s_words(sample_site, tmp_path):
    """Two pages of one shard, patched by word in the same update, change words of the same bucket
    ("truyen" on one, "trung" on the other, which also holds "truyen"): each page's entry of a word
    only the other changed stays as it was."""
    record_file = tmp_path / "search.json"
    site = _copy_pages(sample_site, tmp_path / "site")
    search.index(site, None, record_file, per_shard=PER_SHARD)
    one, other = "chuong-trinh/ctr-duk-thuc-hien-58-nq-tw/index.html", "chuong-trinh/12-ctr-duk-2021/index.html"
    assert search.shard_of(one, 2) == search.shard_of(other, 2)
    edits = {one: ("công tác tuyên truyền để", "công tác tuyên giáo để"),
             other: ("Nghị quyết Trung ương 4", "Nghị quyết Hội nghị 4")}
    changed = {}
    for rel, (old, new) in edits.items():
        html = (site / rel).read_text(encoding="utf-8")
        assert old in html and "truyền" in html
        changed[rel] = html.replace(old, new, 1).encode("utf-8")
    update = search.update(site, changed, record_file, per_shard=PER_SHARD)
    (patch,) = update.patches.values()
    assert len([name for name in patch.files if name.startswith("b/")]) < 10  # patched by word
    _applied_as_clean(site, update, changed, tmp_path / "clean")
