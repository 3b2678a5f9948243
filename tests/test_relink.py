"""Edits of documents, posts and results files that change what lists, counts or links show (a
date, tags, relations, goals, results added or taken out, a document published or withdrawn):
only the edited files are read again, linked with the rest of the last good model. The site must
be exactly what a clean build gives, and a problem must be reported as a full check reports it."""
from __future__ import annotations

import shutil

import pytest

from conftest import ROOT, TODAY, copy_sample
from test_field_edits import DOC, SETTINGS, assert_as_clean, clean_build, edit, hashes, small_pages  # noqa: F401
from test_incremental import first_build

from sitegen import pipeline
from sitegen.diagnostics import ContentError
from sitegen import views as views_module
from sitegen.devbuild import DevBuilder

POST = "posts/dang-uy-khoi-ban-hanh-chuong-trinh-hanh-dong.md"
RESULTS = "results/2023.yaml"


@pytest.fixture
def dev(tmp_path, small_pages):
    """The preview's builder after its first build (small list and dashboard pages)."""
    return first_build(tmp_path)


def count_checks(monkeypatch) -> list:
    """The calls to a full check of the content, from now on."""
    calls = []

    def counted(*args, **kwargs):
        calls.append(args)
        return pipeline.check(*args, **kwargs)
    monkeypatch.setattr("sitegen.devbuild.check", counted)
    return calls


EDITS = {
    "issue date": [(DOC, "issued: 2021-04-07", "issued: 2019-04-08")],
    "issue date moving its rows": [(DOC, "issued: 2021-04-07", "issued: 2021-06-01")],
    "tags": [(DOC, "tags: [Xây dựng Đảng, Đại hội Đảng]", "tags: [Xây dựng Đảng, Chủ đề mới]")],
    "relation taken out": [(DOC, "implements: [nq-dai-hoi-xix-dang-bo-tinh, nq-dai-hoi-xx-dang-bo-khoi]",
                            "implements: [nq-dai-hoi-xix-dang-bo-tinh]")],
    "goal": [(DOC, '    goal: ">= 300"', '    goal: ">= 3000"')],
    "target added": [(DOC, "targets:\n", 'targets:\n  - id: chi-tieu-moi\n    text: Chỉ tiêu mới thêm\n'
                                          '    goal: ">= 5"\n    unit: cơ sở\n    period: annual\n')],
    "status of a value": [(RESULTS, "mo-hinh-hay: 1", "mo-hinh-hay: 0")],
    "result taken out": [(RESULTS, "    doanh-nghiep-co-lai: 83\n", "")],
    "result added": [(RESULTS, "    mo-hinh-hay: 1\n", "    mo-hinh-hay: 1\n    dang-vien-quan-triet: 100\n")],
    "withdrawn": [("programmes/kh-minh-hoa-dang-uy-co-so.md", "\ntitle:", "\ndraft: true\ntitle:")],
    "post": [(POST, "tags: [Xây dựng Đảng, Tuyên truyền]", "tags: [Tuyên truyền]"),
             (POST, "date: 2021-04", "date: 2021-05")],
    "several files": [(DOC, "tags: [Xây dựng Đảng, Đại hội Đảng]", "tags: [Đại hội Đảng]"),
                      ("resolutions/58-nq-tw.md", "issued: 2020-08-05", "issued: 2020-08-06"),
                      (RESULTS, "mo-hinh-hay: 1", "mo-hinh-hay: 0")],
}


def rebuilt_after(dev: DevBuilder, edits: list[tuple[str, str, str]]):
    """The outcome of a rebuild after the edits (file, text, its replacement) were made."""
    for name, old, new in edits:
        edit(dev.content / name, old, new)
    return dev.rebuild()


@pytest.mark.parametrize("edits", EDITS.values(), ids=EDITS.keys())
def test_an_edit_is_linked_with_the_last_model_and_gives_a_clean_build_s_site(dev, tmp_path, monkeypatch, edits):
    calls = count_checks(monkeypatch)
    outcome = rebuilt_after(dev, edits)
    assert outcome.ok and outcome.full
    assert calls == []  # only the edited files were read
    assert_as_clean(dev, tmp_path)


def test_a_document_moved_among_the_rows_is_moved_in_the_downloads_not_made_again(dev, tmp_path):
    before = dev.views.row_layout().docs
    edit(dev.content / DOC, "issued: 2021-04-07", "issued: 2021-06-01")  # newest first: it goes up
    assert dev.rebuild().ok
    assert dev.views.row_layout().docs != before

    def refuse(*args, **kwargs):
        raise AssertionError("a download was made again whole")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sitegen.devbuild.exports", refuse)
        patch.setattr("sitegen.devbuild.cached_exports", refuse)
        written = set(dev.refresh_data())
    assert {"du-lieu/targets.csv", "du-lieu/results.csv", "du-lieu/documents.json", "du-lieu/chi-tieu.xlsx"} <= written
    assert_as_clean(dev, tmp_path)


def test_pages_whose_counts_alone_changed_get_the_new_counts_written_in(dev, tmp_path, monkeypatch):
    import re

    from sitegen import devbuild, urls

    rendered = []

    class Recorded(devbuild.PageRender):
        def results(self):
            pages = super().results()
            rendered.extend(urls.output_file(path) for made in pages.values() for path, _ in made)
            return pages
    monkeypatch.setattr(devbuild, "PageRender", Recorded)
    edit(dev.content / RESULTS, "mo-hinh-hay: 1", "mo-hinh-hay: 0")  # a status changes: every count page
    outcome = dev.rebuild()
    assert outcome.ok and outcome.full
    counted = {rel for rel in outcome.written if rel.startswith("chi-tieu/")} - set(rendered)
    # (pages of every target or of a year, not showing the edited document: written, not rendered)
    assert counted and all(re.fullmatch(r"chi-tieu/(\d{4}/)?(trang-\d+/)?index\.html", rel) for rel in counted)
    assert_as_clean(dev, tmp_path)


def test_a_document_published_again_is_rendered_with_its_body(dev, tmp_path, monkeypatch):
    plan, page = dev.content / "programmes/kh-minh-hoa-dang-uy-co-so.md", dev.out / "chuong-trinh/kh-minh-hoa-dang-uy-co-so/index.html"
    edit(plan, "\ntitle:", "\nrestricted: true\ntitle:")
    assert dev.rebuild().ok
    assert not page.exists()
    calls = count_checks(monkeypatch)
    edit(plan, "restricted: true\n", "")
    assert dev.rebuild().ok and calls == []
    assert "<h2" in page.read_text("utf-8")  # its body, rendered
    assert_as_clean(dev, tmp_path)


def expected_errors(dev: DevBuilder) -> list[str]:
    """What a check of the whole content reports."""
    with pytest.raises(ContentError) as error:
        pipeline.check(dev.content, SETTINGS.current_year)
    return sorted(str(d) for d in error.value.diagnostics)


@pytest.mark.parametrize("name, old, new, shown", [
    # the post names this document by its number
    (DOC, "number: 12-CTr/ĐUK", "number: 13-CTr/ĐUK", "12-CTr/ĐUK"),
    # results of 2023 name a target taken out
    (DOC, "  - id: co-quan-hoan-thanh\n", "  - id: co-quan-hoan-thanh-moi\n", "co-quan-hoan-thanh"),
    # the post's body links to this document's page
    (DOC, "issued: 2021-04-07", "issued: 2021-04-07\ndraft: true", "/chuong-trinh/12-ctr-duk-2021/"),
    (DOC, "implements: [nq-dai-hoi-xix-dang-bo-tinh,", "implements: [nq-khong-co,", "nq-khong-co"),
    # a cycle through the edited document, and a document naming itself
    ("resolutions/nq-dai-hoi-xx-dang-bo-khoi.md", "based_on: [nq-dai-hoi-xix-dang-bo-tinh]",
     "based_on: [nq-dai-hoi-xix-dang-bo-tinh]\nimplements: [12-ctr-duk-2021]", "vòng tham chiếu"),
    (DOC, "implements: [nq-dai-hoi-xix-dang-bo-tinh,", "implements: [12-ctr-duk-2021,", "tự tham chiếu"),
    (RESULTS, "mo-hinh-hay: 1", "mo-hinh-hay: nhiều", "2023.yaml:14: giá trị \"nhiều\""),
    ("results/2024.yaml", "year: 2024", "year: 2023", "không khớp với tên tệp"),
])
def test_a_problem_the_edit_brings_is_reported_as_a_full_check_reports_it(dev, name, old, new, shown):
    page = dev.out / "chuong-trinh/12-ctr-duk-2021/index.html"
    before = page.read_bytes()
    edit(dev.content / name, old, new)
    outcome = dev.rebuild()
    assert not outcome.ok
    found = sorted(str(d) for d in outcome.errors)
    assert found == expected_errors(dev)
    assert any(shown in line for line in found), found
    assert page.read_bytes() == before  # the last good site stays
    edit(dev.content / name, new, old)  # mended: built again
    assert dev.rebuild().ok


RESOLUTION = "---\ntitle: Nghị quyết mới\nissuer: dang-uy-khoi\nissued: 2024-01-02\n---\nNội dung, xem [Nghị quyết 58](/nghi-quyet/58-nq-tw/).\n"
PROGRAMME = ("---\ntitle: Chương trình thực hiện nghị quyết mới\nkind: Chương trình hành động\nissuer: dang-uy-khoi\n"
             "issued: 2024-02-03\nterm: 2024-2025\nimplements: [0-nq-moi]\ntags: [Chủ đề mới]\ntargets:\n"
             "  - id: chi-tieu-moi\n    text: Chỉ tiêu mới\n    goal: \">= 5\"\n    unit: cơ sở\n    period: annual\n---\n"
             "Thực hiện [nghị quyết mới](/nghi-quyet/0-nq-moi/).\n")
POST_ADDED = "---\ntitle: Bài viết mới\ndate: 2024-03\ndocuments: [0-nq-moi, 58-NQ/TW]\n---\nNội dung bài viết.\n"


def assert_downloads_patched(dev: DevBuilder, whole: list[str] = ()) -> None:
    """The data downloads brought up to date with the lines of the documents added or removed
    patched in, the workbook's rows after them numbered anew; made again whole: only `whole`."""
    from sitegen import devbuild
    made = []

    def recorded(model, rows, base_url, names=None):
        made.append(sorted(names) if names is not None else None)
        return devbuild_exports(model, rows, base_url, names)

    devbuild_exports = devbuild.exports
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sitegen.devbuild.exports", recorded)
        patch.setattr("sitegen.devbuild.cached_exports", lambda *args: pytest.fail("every download made again"))
        dev.refresh_data()
    assert made == ([sorted(whole)] if whole else [])


def test_documents_and_posts_added_or_removed_are_read_alone(dev, tmp_path, monkeypatch):
    """A document or post file added or removed is read (or left out) alone and linked with the
    rest of the last good model: first and last in their folders, implementing one another, named
    by a post; a removal that leaves a reference dangling is reported as a full check reports it."""
    calls = count_checks(monkeypatch)
    added = {"resolutions/0-nq-moi.md": RESOLUTION, "programmes/zz-ctr-moi.md": PROGRAMME, "posts/0-bai-moi.md": POST_ADDED}
    for name, text in added.items():
        (dev.content / name).write_text(text, encoding="utf-8")
        assert dev.rebuild().ok
        assert calls == []
        assert_downloads_patched(dev)
        assert_as_clean(dev, tmp_path)
        whole = pipeline.check(dev.content, SETTINGS.current_year)
        for part in ("documents", "posts"):  # in the order a full read gives
            assert [i.path for i in getattr(dev.model.content, part)] == [i.path for i in getattr(whole.content, part)]
        assert (dev.model.outgoing, dev.model.incoming, dev.model.tags) == (whole.outgoing, whole.incoming, whole.tags)
    (dev.content / "resolutions/0-nq-moi.md").unlink()  # still implemented and named: a problem
    outcome = dev.rebuild()
    with pytest.raises(ContentError) as full:
        pipeline.check(dev.content, SETTINGS.current_year)
    assert not outcome.ok and [str(d) for d in outcome.errors] == [str(d) for d in full.value.diagnostics]
    for name in ("posts/0-bai-moi.md", "programmes/zz-ctr-moi.md"):
        (dev.content / name).unlink()
    assert dev.rebuild().ok
    assert_as_clean(dev, tmp_path)
    calls.clear()  # (the rebuild after a problem checked the whole content)
    (dev.content / "resolutions/0-nq-moi.md").write_text(RESOLUTION, encoding="utf-8")
    assert dev.rebuild().ok and calls == []
    assert_downloads_patched(dev)
    (dev.content / "resolutions/0-nq-moi.md").unlink()  # the last good build's: its lines taken out
    assert dev.rebuild().ok and calls == []
    assert_downloads_patched(dev)
    assert_as_clean(dev, tmp_path)
    # a new document whose body links to a page that is not there: reported as a full check reports it
    (dev.content / "resolutions/0-nq-moi.md").write_text(RESOLUTION.replace("58-nq-tw", "khong-co"), encoding="utf-8")
    outcome = dev.rebuild()
    with pytest.raises(ContentError) as full:
        pipeline.check(dev.content, SETTINGS.current_year)
    assert not outcome.ok and [str(d) for d in outcome.errors] == [str(d) for d in full.value.diagnostics]
    assert "khong-co" in str(outcome.errors[0])


def test_a_document_removed_that_results_name_is_reported_as_a_full_check_reports_it(dev, tmp_path):
    (dev.content / "programmes/kh-minh-hoa-dang-uy-co-so.md").unlink()
    outcome = dev.rebuild()
    with pytest.raises(ContentError) as full:
        pipeline.check(dev.content, SETTINGS.current_year)
    assert not outcome.ok and [str(d) for d in outcome.errors] == [str(d) for d in full.value.diagnostics]
    assert any(d.path.endswith(".yaml") for d in outcome.errors)


def test_a_file_added_beside_the_documents_reads_the_whole_content(dev, tmp_path, monkeypatch):
    calls = count_checks(monkeypatch)
    (dev.content / "files").mkdir(exist_ok=True)
    (dev.content / "files/ghi-chu.txt").write_text("Ghi chú.\n", encoding="utf-8")
    assert dev.rebuild().ok and len(calls) == 1
    (dev.content / "files/ghi-chu.txt").unlink()
    assert dev.rebuild().ok and len(calls) == 2
    assert_as_clean(dev, tmp_path)


def test_from_the_command_line_edits_in_a_row_give_a_clean_build_s_site(tmp_path, monkeypatch):
    from sitegen import cli

    monkeypatch.setattr(views_module, "LIST_PAGE_SIZE", 2)
    monkeypatch.setattr(views_module, "ROW_PAGE_SIZE", 5)
    content, out, clean = copy_sample(tmp_path / "content"), tmp_path / "site", tmp_path / "clean"
    args = ["build", "--content", str(content), "--today", TODAY]
    assert cli.main(args + ["--out", str(out)], project=ROOT) == 0
    calls = count_checks(monkeypatch)
    for edits in EDITS.values():
        sources = {name: (content / name).read_bytes() for name, _, _ in edits}
        for name, old, new in edits:
            edit(content / name, old, new)
        assert cli.main(args + ["--out", str(out)], project=ROOT) == 0
        shutil.rmtree(clean, ignore_errors=True)
        assert cli.main(args + ["--out", str(clean), "--no-cache"], project=ROOT) == 0
        assert hashes(out) == hashes(clean), edits
        for name, data in sources.items():  # undone with the next edit
            (content / name).write_bytes(data)
    assert calls == []


def test_a_layout_with_some_rows_made_again_is_the_layout_of_all_rows_made_again():
    """`RowLayout.replaced` (the dashboard's and year pages' layout after an edit of a few documents)
    against `RowLayout.of` all the rows of the edited model."""
    from dataclasses import replace

    from sitegen.rows import document_rows, target_rows
    from sitegen.views import RowLayout, Views

    model = pipeline.check(ROOT / "content", SETTINGS.current_year)
    year = SETTINGS.current_year
    layout = Views(model, SETTINGS).row_layout()
    assert layout.owners() == [layout.find(index) for index in range(layout.total)]
    plan, programme = model.documents["kh-minh-hoa-dang-uy-co-so"], model.documents["12-ctr-duk-2021"]
    without = {key: {y: r for y, r in by_year.items() if y != 2021} for key, by_year in model.results.items()
               if key[0] == plan.id}
    edits = [
        ({plan.id: replace(plan, term=(2021, 2024))}, {}, []),  # fewer years without data
        ({}, {}, [key for key in model.results if key[0] == programme.id][:2]),  # results gone: statuses change
        ({}, without, []),  # results of 2021 gone: that year's page counts them as without data
        ({plan.id: replace(plan, term=(2022, 2030))}, without, []),  # and with a shorter term, not at all
        ({}, {}, [key for key, by_year in model.results.items() if 2024 in by_year]),  # a year page gone
    ]
    seen_none = seen_layout = False
    for documents, changes, removed in edits:
        edited = replace(model, documents={**model.documents, **documents},
                         results=model.results.updated(changes, removed))
        docs = set(documents) | {key[0] for key in [*changes, *removed]}
        before = {d: document_rows(model, model.documents[d], year) for d in docs}
        after = {d: document_rows(edited, edited.documents[d], year) for d in docs}
        expected = RowLayout.of(target_rows(edited, year))
        found = layout.replaced(before, after)
        if expected.years.keys() != layout.years.keys():
            assert found is None
            seen_none = True
        else:
            assert found == expected, documents or changes or removed
            seen_layout = True
    assert seen_none and seen_layout


def test_a_view_derived_after_documents_moved_has_the_layout_of_all_rows_made_again():
    """`Views.derived` when the edited documents move among the rows (an issue date): the last
    layout with their rows made again, reordered (`RowLayout.reordered`), against `RowLayout.of`
    all the rows of the edited model."""
    from dataclasses import replace

    from sitegen.model import Day
    from sitegen.rows import target_rows
    from sitegen.views import RowLayout, Views

    model = pipeline.check(ROOT / "content", SETTINGS.current_year)
    last = Views(model, SETTINGS)
    plan, programme = model.documents["kh-minh-hoa-dang-uy-co-so"], model.documents["12-ctr-duk-2021"]
    assert last.row_layout().docs == [plan.id, programme.id]  # newest first
    later = replace(programme, issued=Day(2021, 6, 1))
    gone = [key for key in model.results if key[0] == programme.id][:2]
    edits = [
        ({programme.id: later}, []),  # it moves up
        ({programme.id: later}, gone),  # and its statuses change
        ({programme.id: later, plan.id: replace(plan, issued=Day(2021, 3, 1))}, []),  # both move
        ({plan.id: replace(plan, issued=Day(2021, 3, 1))}, gone),  # the other one moves down
    ]
    for documents, removed in edits:
        edited = replace(model, documents={**model.documents, **documents}, results=model.results.updated({}, removed))
        changed = set(documents) | {key[0] for key in removed}
        view = Views.derived(edited, SETTINGS, None, last, model, changed)
        assert view is not None
        expected = RowLayout.of(target_rows(edited, SETTINGS.current_year))
        assert expected.docs == [programme.id, plan.id]
        assert view.row_layout() == expected, documents



def test_the_workbook_places_worked_out_from_the_layout_are_those_of_the_rows():
    from sitegen.data import row_places, workbook_years
    from sitegen.views import Views

    model = pipeline.check(ROOT / "content", SETTINGS.current_year)
    views = Views(model, SETTINGS)
    places = row_places(model, views.row_layout())
    rows = views.rows
    firsts = {}
    for index, row in enumerate(rows):
        firsts.setdefault(row.doc.id, (index, sum(len(r.results) for r in rows[:index])))
    assert places.targets == {doc: first for doc, (first, _) in firsts.items()}
    assert places.results == {doc: reported for doc, (_, reported) in firsts.items()}
    assert places.target_rows == len(rows) and places.years == workbook_years(rows)
    assert len(places.targets) == 2 and max(places.results.values()) > 0  # (the second starts after the first)


def test_the_workbook_places_carried_over_an_edit_are_those_worked_out_again():
    """`data.places_after` (from the last places and the edited documents' results only) against
    `row_places` of the edited model, for documents moved, with or without results changed."""
    from dataclasses import replace

    from sitegen.data import places_after, row_places
    from sitegen.model import Day
    from sitegen.views import Views

    model = pipeline.check(ROOT / "content", SETTINGS.current_year)
    last = Views(model, SETTINGS)
    places = row_places(model, last.row_layout())
    plan, programme = model.documents["kh-minh-hoa-dang-uy-co-so"], model.documents["12-ctr-duk-2021"]
    gone = [key for key in model.results if key[0] == plan.id][:2]
    edits = [
        ({programme.id: replace(programme, issued=Day(2021, 6, 1))}, []),  # moved
        ({programme.id: replace(programme, issued=Day(2021, 6, 1))}, gone),  # and the other's results fewer
        ({}, gone),  # results fewer, nothing moved
    ]
    for documents, removed in edits:
        edited = replace(model, documents={**model.documents, **documents}, results=model.results.updated({}, removed))
        changed = set(documents) | {key[0] for key in removed}
        layout = Views(edited, SETTINGS).row_layout()
        found = places_after(places, model, edited, (last.row_layout(), layout), changed)
        assert found == row_places(edited, layout), (documents, removed)
    # a document added (the newest, with results), then one taken out with its results
    added = replace(programme, id="ctr-moi", issued=Day(2026, 1, 5))
    copied = {("ctr-moi", key[1]): by_year for key, by_year in model.results.items() if key[0] == programme.id}
    for edited, changed in [
        (replace(model, documents={**model.documents, added.id: added}, results=model.results.updated(copied)),
         {added.id}),
        (replace(model, documents={d: doc for d, doc in model.documents.items() if d != plan.id},
                 results=model.results.updated({}, [key for key in model.results if key[0] == plan.id])), {plan.id}),
    ]:
        layout = Views(edited, SETTINGS).row_layout()
        assert layout.docs != last.row_layout().docs
        found = places_after(places, model, edited, (last.row_layout(), layout), changed)
        assert found == row_places(edited, layout), changed


def test_pages_rendered_again_over_several_workers_are_those_one_worker_renders(dev, tmp_path, monkeypatch):
    """Many dashboard and year pages to render again are split among workers, page by page."""
    from sitegen import render

    monkeypatch.setattr(pipeline, "PARALLEL_MIN_PAGES", 1)
    monkeypatch.setattr(pipeline, "cpu_count", lambda: 2)
    parts = []
    forked = pipeline.Forked

    def recorded(func, shared, chunks, processes, **kwargs):  # (the workers' own calls are not seen here)
        parts.extend(item for chunk in chunks for item in chunk if isinstance(item, render.Part))
        return forked(func, shared, chunks, processes, **kwargs)
    monkeypatch.setattr(pipeline, "Forked", recorded)
    edit(dev.content / DOC, '    goal: ">= 300"', '    goal: ">= 3000"')  # statuses change: many row pages
    outcome = dev.rebuild()
    assert outcome.ok
    specs = {part.spec for part in parts}  # the dashboard, the years and the lists, some in pieces
    assert {("dashboard", ""), ("years", "")} <= specs and len(parts) > len(specs)
    assert {kind for kind, _ in specs} <= {"dashboard", "years", "section", "organisation", "tag"}
    assert_as_clean(dev, tmp_path)



def generated_build(tmp_path, documents: int, seed: int) -> DevBuilder:
    """The preview's builder after its first build of a generated corpus (benchmarks/corpus.py)."""
    import sys

    sys.path.insert(0, str(ROOT))
    from benchmarks.corpus import generate

    content, templates = tmp_path / "content", tmp_path / "templates"
    generate(documents, content, seed=seed)
    shutil.copytree(ROOT / "templates", templates)
    dev = DevBuilder(content, tmp_path / "site", templates, SETTINGS)
    assert dev.initial().ok
    return dev


def test_documents_moved_among_many_rows_give_a_clean_build_s_downloads(tmp_path, monkeypatch):
    """Issue dates changed within their year on a generated corpus: each edit moves documents among
    many rows (several at once, up or down, next to one another or far apart). The downloads must
    be those of a clean build, moved in rather than made again."""
    import random
    import re

    from sitegen import devbuild

    dev = generated_build(tmp_path, 80, 4)
    content = dev.content
    whole = []
    monkeypatch.setattr(devbuild, "exports", lambda *args, **kwargs: whole.append(1) or pipeline.exports(*args, **kwargs))
    dated = [p for p in sorted((content / "programmes").glob("*.md"))
             if re.search(r"^issued: \d{4}-\d\d-\d\d$", p.read_text("utf-8"), re.M) and "targets:" in p.read_text("utf-8")]
    rng = random.Random(7)
    downloads = ["du-lieu/targets.csv", "du-lieu/results.csv", "du-lieu/documents.json", "du-lieu/chi-tieu.xlsx"]
    for round_ in range(6):
        for path in rng.sample(dated, rng.choice([1, 1, 2, 3])):
            text = path.read_text("utf-8")
            year = re.search(r"^issued: (\d{4})", text, re.M)[1]
            day = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            path.write_text(re.sub(r"^issued: .*$", f"issued: {day}", text, count=1, flags=re.M), "utf-8")
        assert dev.rebuild().ok
        dev.refresh_data()
        clean = clean_build(dev, tmp_path / f"clean{round_}")
        for name in downloads:
            assert (dev.out / name).read_bytes() == (clean / name).read_bytes(), (round_, name)
    assert whole == []  # every move was patched in (the years shown stay: each date stays in its year)


def test_values_changed_on_many_rows_give_a_clean_build_s_site(tmp_path, small_pages, monkeypatch):
    """Reported values set to 0 and back on a generated corpus, a few at once: statuses and counts
    change on many dashboard and year pages, of which those whose rows are as they were get the
    new counts written in. The whole site must be what a clean build gives."""
    import random
    import re

    dev = generated_build(tmp_path, 60, 2)
    content = dev.content
    recounted = []
    real = DevBuilder._recounted
    monkeypatch.setattr(DevBuilder, "_recounted", lambda self, recount, *rest: recounted.extend(recount) or real(self, recount, *rest))
    rng = random.Random(3)
    files = sorted((content / "results").glob("*.yaml"))
    for round_ in range(4):
        for path in rng.sample(files, 2):
            lines = path.read_text("utf-8").splitlines(keepends=True)
            values = [i for i, line in enumerate(lines) if re.fullmatch(r"    [a-z0-9-]+: \d+(\.\d+)?\n", line)]
            for i in rng.sample(values, 2):
                lines[i] = re.sub(r": .*", ": 0" if not lines[i].endswith(": 0\n") else ": 7", lines[i])
            path.write_text("".join(lines), "utf-8")
        assert dev.rebuild().ok
        dev.refresh_data()
        dev.refresh_search()
        assert hashes(dev.out) == hashes(clean_build(dev, tmp_path / f"clean{round_}")), round_
    assert recounted  # (some pages had their counts written in)


def test_front_matter_edits_on_many_list_pages_give_a_clean_build_s_site(tmp_path, small_pages, monkeypatch):
    """Tags given and taken, titles, issue dates and relations changed, a few documents at once, on a generated
    corpus with small list pages: of the lists (sections, issuers, tags) and the dashboard, only
    the pages that show a changed document, or whose documents moved, are rendered again. The whole
    site must be what a clean build gives."""
    import random
    import re

    from sitegen import devbuild

    dev = generated_build(tmp_path, 60, 5)
    parted = []  # the specs rendered in part, with their pages to render

    class Recorded(devbuild.PageRender):
        def __init__(self, views, env, base, specs, finish=None, only=None, **kwargs):
            parted.append(only)
            super().__init__(views, env, base, specs, finish, only, **kwargs)
    monkeypatch.setattr(devbuild, "PageRender", Recorded)
    programmes = sorted((dev.content / "programmes").glob("*.md"))
    rng = random.Random(11)
    edits = {
        "tags": lambda text: re.sub(r"^tags: \[", "tags: [Chủ đề thử, ", text, count=1, flags=re.M)
        if "Chủ đề thử" not in text else text.replace("Chủ đề thử, ", ""),
        "title": lambda text: re.sub(r"^title: (.*)$", lambda m: f"title: {m[1]} (sửa)", text, count=1, flags=re.M),
        "date": lambda text: re.sub(r"^issued: (\d{4})-\d\d-\d\d$", lambda m: f"issued: {m[1]}-{rng.randint(1, 12):02d}-"
                                    f"{rng.randint(1, 28):02d}", text, count=1, flags=re.M),
        "relation": lambda text: re.sub(r"^implements: \[.*\]$", lambda m: f"implements: [{rng.choice(resolutions)}]"
                                        if rng.random() < 0.7 else "implements: []", text, count=1, flags=re.M),
    }
    resolutions = sorted(path.stem for path in (dev.content / "resolutions").glob("*.md"))
    for round_ in range(8):
        for path in rng.sample(programmes, rng.choice([1, 2])):
            text = path.read_text("utf-8")
            path.write_text(edits[rng.choice(sorted(edits))](text), "utf-8")
        assert dev.rebuild().ok
        whole = pipeline.check(dev.content, SETTINGS.current_year)  # relations linked from the edited documents
        assert (dev.model.outgoing, dev.model.incoming) == (whole.outgoing, whole.incoming), round_
        dev.refresh_data()
        dev.refresh_search()
        assert hashes(dev.out) == hashes(clean_build(dev, tmp_path / f"clean{round_}")), round_
    lists = [paths for only in parted for spec, paths in (only or {}).items() if spec[0] in ("section", "organisation", "tag")]
    assert lists and not all(lists)  # lists rendered in part, some of them not at all


def test_values_edited_twice_in_a_preview_restored_from_the_state_give_a_clean_build_s_site(tmp_path, small_pages):
    """A preview started from a command-line build's state has views without their rows: the
    dashboard's pages make the rows they show, kept for the pages after. A value edited in place
    twice must show its new value on them each time."""
    from sitegen import incremental

    content, out, templates = copy_sample(tmp_path / "content"), tmp_path / "site", tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    incremental.build(content, out, templates, SETTINGS)
    dev, outcome = incremental.preview_builder(content, out, templates, SETTINGS)
    assert outcome.ok and "rows" not in dev.views.__dict__  # restored without its rows
    for old, new in (("mo-hinh-hay: 1", "mo-hinh-hay: 2"), ("mo-hinh-hay: 2", "mo-hinh-hay: 3")):
        edit(content / RESULTS, old, new)
        assert dev.rebuild().ok
        assert_as_clean(dev, tmp_path)
        shutil.rmtree(tmp_path / "clean")


# Results files edited together with documents: the results read as before are kept linked, the
# others linked again; a problem among them is reported as a full check reports it.
RESULTS_EDITS = {
    "a result given twice, by number and by id": [
        ("results/2023.yaml", "  kh-minh-hoa-dang-uy-co-so:\n",
         "  12-ctr-duk-2021:\n    co-quan-hoan-thanh: 95\n  kh-minh-hoa-dang-uy-co-so:\n")],
    "a term cut short, with a value edited in the same file": [
        ("programmes/kh-minh-hoa-dang-uy-co-so.md", "term: 2021-2030", "term: 2024-2030"),
        ("results/2023.yaml", "co-quan-hoan-thanh: 91", "co-quan-hoan-thanh: 92")],
}


@pytest.mark.parametrize("edits", RESULTS_EDITS.values(), ids=RESULTS_EDITS.keys())
def test_a_problem_in_results_read_again_is_reported_as_a_full_check_reports_it(dev, tmp_path, monkeypatch, edits):
    calls = count_checks(monkeypatch)
    outcome = rebuilt_after(dev, edits)
    with pytest.raises(ContentError) as full:
        pipeline.check(dev.content, SETTINGS.current_year)
    assert not outcome.ok and [str(d) for d in outcome.errors] == [str(d) for d in full.value.diagnostics]
    assert any(d.path.endswith("2023.yaml") for d in outcome.errors)
    assert len(calls) == 1  # (the incremental path found a problem: the full check reported it)


def test_results_moved_and_edited_are_linked_without_reading_the_content_again(dev, tmp_path, monkeypatch):
    """Lines inserted above every result (each is read with another line), a value changed, a
    result moved from one target to another and a new one given: no full check, a clean build's site."""
    calls = count_checks(monkeypatch)
    edit(dev.content / "results/2023.yaml", "year: 2023", "# Cập nhật lần hai.\nyear: 2023")
    edit(dev.content / "results/2023.yaml", "    mo-hinh-hay: 1\n", "    dang-vien-quan-triet: 100\n")
    edit(dev.content / "results/2023.yaml", "co-quan-hoan-thanh: 91", "co-quan-hoan-thanh: 90.0")
    edit(dev.content / "programmes/kh-minh-hoa-dang-uy-co-so.md", "term: 2021-2030", "term: 2020-2030")
    outcome = dev.rebuild()
    assert outcome.ok and outcome.full and calls == []
    assert_as_clean(dev, tmp_path)
    edit(dev.content / "results/2023.yaml", "# Cập nhật lần hai.\n", "")  # each result a line up again
    outcome = dev.rebuild()
    assert outcome.ok and calls == []
    assert_as_clean(dev, tmp_path)


def test_a_document_added_with_years_the_workbook_has_no_column_for_makes_it_again(dev, tmp_path, monkeypatch):
    """The workbook has a column for each year of the documents' terms: a document with an
    earlier term adds one, so the workbook is made again whole; the other downloads are patched."""
    calls = count_checks(monkeypatch)
    (dev.content / "programmes/zz-ctr-cu.md").write_text(
        PROGRAMME.replace("term: 2024-2025", "term: 2001-2002").replace("issued: 2024-02-03", "issued: 2001-02-03")
        .replace("implements: [0-nq-moi]", "implements: []").replace("[nghị quyết mới](/nghi-quyet/0-nq-moi/)", "nghị quyết"),
        encoding="utf-8")
    assert dev.rebuild().ok and calls == []
    assert_downloads_patched(dev, ["du-lieu/chi-tieu.xlsx"])
    assert_as_clean(dev, tmp_path)
    (dev.content / "programmes/zz-ctr-cu.md").unlink()
    assert dev.rebuild().ok and calls == []
    assert_downloads_patched(dev, ["du-lieu/chi-tieu.xlsx"])
    assert_as_clean(dev, tmp_path)


def test_a_row_layout_with_documents_put_in_taken_out_or_resized_is_that_of_its_rows():
    from itertools import groupby

    from sitegen.rows import target_rows
    from sitegen.views import RowLayout

    model = pipeline.check(ROOT / "content", SETTINGS.current_year)
    rows = target_rows(model, SETTINGS.current_year)
    by_doc = {doc_id: list(group) for doc_id, group in groupby(rows, key=lambda r: r.doc.id)}
    docs = list(by_doc)
    issuers = {doc_id: group[0].doc.issuer.value for doc_id, group in by_doc.items()}

    def of(order: list[str], rows_of: dict) -> RowLayout:
        return RowLayout.of([row for doc_id in order for row in rows_of[doc_id]])

    assert len(docs) >= 2
    # taken out
    order = [d for d in docs if d != docs[1]]
    assert RowLayout.of(rows).rearranged(order, {docs[1]: by_doc[docs[1]]}, {}, issuers) == of(order, by_doc)
    # put in (the layout made without it)
    without = [d for d in docs if d != docs[1]]
    assert of(without, by_doc).rearranged(docs, {}, {docs[1]: by_doc[docs[1]]}, issuers) == of(docs, by_doc)
    # moved last with a row fewer
    order, fewer = docs[1:] + docs[:1], {**by_doc, docs[0]: by_doc[docs[0]][:-1]}
    assert RowLayout.of(rows).rearranged(order, {docs[0]: by_doc[docs[0]]}, {docs[0]: fewer[docs[0]]}, issuers) \
        == of(order, fewer)
    # an order naming a document neither in the layout nor given, or one taken out and not put in
    assert of(without, by_doc).rearranged(docs, {}, {}, issuers) is None
    assert RowLayout.of(rows).rearranged(docs, {docs[0]: by_doc[docs[0]]}, {}, issuers) is None
    assert RowLayout.of(rows).rearranged(docs[1:], {}, {docs[0]: by_doc[docs[0]]}, issuers) is None  # given, not placed
