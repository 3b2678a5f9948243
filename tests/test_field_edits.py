"""Edits of fields shown as written (a title, a signer, a target's text…): only the pages that show
the document are rendered again, and the downloads are patched; the result must be exactly what a
clean build gives, search index included.

Pages are made small here (two documents per list page, five target rows per dashboard page) so
that the sample's lists, dashboard and year pages run over several pages, of which an edit must
render again only those that show the edited document."""
from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, TODAY, copy_sample

from sitegen import views as views_module
from sitegen.devbuild import DevBuilder
from sitegen.views import Settings

SETTINGS = Settings(current_year=dt.date.fromisoformat(TODAY).year)
DOC = "programmes/12-ctr-duk-2021.md"
PAGE = "chuong-trinh/12-ctr-duk-2021/index.html"


def hashes(folder: Path) -> dict[str, str]:
    """Every file's digest and every folder (the build cache left out)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
            for p in sorted(folder.rglob("*")) if ".cache" not in p.parts}


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(views_module, "LIST_PAGE_SIZE", 2)
    monkeypatch.setattr(views_module, "ROW_PAGE_SIZE", 3)  # (pages end where rows say: `views.row_chunks`)


@pytest.fixture
def dev(tmp_path, small_pages, monkeypatch):
    content = copy_sample(tmp_path / "content")
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    builder = DevBuilder(content, tmp_path / "site", templates, SETTINGS)
    assert builder.initial().ok

    def refuse(*args, **kwargs):
        raise AssertionError("the whole content was checked again")
    monkeypatch.setattr("sitegen.devbuild.check", refuse)  # edits of shown fields must not need it
    return builder


def clean_build(dev: DevBuilder, out: Path) -> Path:
    """What a build from nothing gives for the same content (the same small pages)."""
    from sitegen import pipeline

    builder = DevBuilder(dev.content, out, dev.templates, SETTINGS)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sitegen.devbuild.check", pipeline.check)
        assert builder.initial().ok
    return out


def assert_as_clean(dev: DevBuilder, tmp_path: Path) -> None:
    dev.refresh_data()
    dev.refresh_search()
    assert hashes(dev.out) == hashes(clean_build(dev, tmp_path / "clean"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


EDITS = [
    ("title: Chương trình hành động thực hiện", "title: Chương trình hành động để thực hiện"),
    ("kind: Chương trình hành động", "kind: Kế hoạch"),
    ("issued: 2021-04-07", "issued: 2021-04-07\nsigner: Bí thư Đảng ủy Khối\nplace: Thanh Hóa"),
    ("issued: 2021-04-07", "issued: 2021-04-07\nstatus: expired\nexpires: 2025-12-31"),
    ("    text: Kết nạp đảng viên mới", "    text: Kết nạp đảng viên mới trong năm"),
    ("    group: Nhiệm vụ chuyên môn\n    text: Cơ quan", "    group: Nhiệm vụ trọng tâm\n    text: Cơ quan"),
    ("    unit: đảng viên", "    unit: người"),
]


@pytest.mark.parametrize("old, new", EDITS, ids=["title", "kind", "signer", "status", "target", "group", "unit"])
def test_a_shown_field_edit_renders_only_the_pages_showing_it(dev, tmp_path, old, new):
    pages = {rel for rel in hashes(dev.out) if rel.endswith(".html")}
    showing = {rel for rel in pages if "12-ctr-duk-2021" in (dev.out / rel).read_text(encoding="utf-8")}
    edit(dev.content / DOC, old, new)
    outcome = dev.rebuild()
    assert outcome.ok and not outcome.full
    assert PAGE in outcome.written
    def refuse(*args, **kwargs):
        raise AssertionError("a download was made again whole")
    with pytest.MonkeyPatch.context() as patch:  # every download is patched, none made again
        patch.setattr("sitegen.devbuild.exports", refuse)
        patch.setattr("sitegen.devbuild.cached_exports", refuse)
        assert dev.data_due and dev.refresh_data()
    # Only pages linking to the document change (and the search page, whose filters list every kind
    # and status); of the lists split over pages, some do not show it.
    assert {rel for rel in outcome.written if rel.endswith(".html")} <= showing | {"tim-kiem/index.html"}
    assert any(rel.startswith(("chuong-trinh/trang-", "chi-tieu/")) for rel in pages - showing)
    assert_as_clean(dev, tmp_path)


def test_a_title_reaches_its_list_page_dashboard_pages_and_downloads_only(dev, tmp_path):
    old_title = "Chương trình hành động thực hiện Nghị quyết Đại hội"
    new_title = "Chương trình hành động số một thực hiện Nghị quyết Đại hội"
    shown_on = {rel for rel, digest in hashes(dev.out).items()  # (the search index: see `assert_as_clean`)
                if digest != "folder" and not rel.startswith("chi-muc/") and old_title in (dev.out / rel).read_text(encoding="utf-8", errors="replace")}
    edit(dev.content / DOC, "title: " + old_title, "title: " + new_title)
    outcome = dev.rebuild()
    assert outcome.ok
    written = set(outcome.written) | set(dev.refresh_data())
    # Every file that showed the old title shows the new one (the workbook is compressed: not searched).
    for rel in shown_on:
        assert rel in written, rel
        assert old_title not in (dev.out / rel).read_text(encoding="utf-8")
    assert {"du-lieu/targets.csv", "du-lieu/documents.json", "du-lieu/chi-tieu.xlsx"} <= written
    assert "du-lieu/results.csv" not in written  # it shows no title
    list_pages = {rel for rel in written if rel.startswith(("chuong-trinh/trang-", "chi-tieu/"))}
    assert list_pages and all(new_title in (dev.out / rel).read_text(encoding="utf-8") for rel in list_pages)
    assert_as_clean(dev, tmp_path)


def test_successive_shown_field_and_body_edits_of_several_documents(dev, tmp_path):
    text = "    text: Kết nạp đảng viên mới"
    signer = "title: "
    for round_ in range(3):
        edit(dev.content / DOC, text, f"    text: Kết nạp đảng viên (lần {round_})")
        text = f"    text: Kết nạp đảng viên (lần {round_})"
        edit(dev.content / "resolutions/58-nq-tw.md", signer, f"signer: Người ký {round_}\ntitle: ")
        signer = f"signer: Người ký {round_}\ntitle: "
        path = dev.content / "resolutions/58-nq-tw.md"
        path.write_text(path.read_text(encoding="utf-8") + f"\nĐoạn {round_}.\n", encoding="utf-8")
        outcome = dev.rebuild()
        assert outcome.ok and not outcome.full
    assert_as_clean(dev, tmp_path)


@pytest.mark.parametrize("old, new", [
    ("issued: 2021-04-07", "issued: 2021-04-08"),  # lists keep documents newest first
    ("tags: [Xây dựng Đảng, Đại hội Đảng]", "tags: [Xây dựng Đảng]"),
    ("implements: [nq-dai-hoi-xix-dang-bo-tinh, nq-dai-hoi-xx-dang-bo-khoi]", "implements: [nq-dai-hoi-xix-dang-bo-tinh]"),
    ('    goal: ">= 300"', '    goal: ">= 3000"'),  # statuses and their counts
])
def test_other_front_matter_edits_take_the_full_path(dev, tmp_path, monkeypatch, old, new):
    from sitegen import pipeline

    monkeypatch.setattr("sitegen.devbuild.check", pipeline.check)
    edit(dev.content / DOC, old, new)
    outcome = dev.rebuild()
    assert outcome.ok and outcome.full
    assert_as_clean(dev, tmp_path)


def test_a_build_from_the_saved_state_works_out_the_rows_of_the_pages_it_renders_only(tmp_path, small_pages,
                                                                                        monkeypatch):
    """From the command line the builder is restored from the last build's state, without the target
    rows: the dashboard and year pages showing an edited document are made from the rows of those
    pages alone, and give what a clean build gives."""
    from sitegen import cli

    content, out, clean = copy_sample(tmp_path / "content"), tmp_path / "site", tmp_path / "clean"
    args = ["build", "--content", str(content), "--today", TODAY]
    assert cli.main(args + ["--out", str(out)], project=ROOT) == 0
    edit(content / DOC, "    text: Kết nạp đảng viên mới", "    text: Kết nạp đảng viên mới trong năm")
    edit(content / DOC, "title: Chương trình hành động thực hiện", "title: Chương trình hành động để thực hiện")

    def refuse(*args, **kwargs):
        raise AssertionError("every target row was worked out")
    with monkeypatch.context() as patch:
        patch.setattr("sitegen.views.target_rows", refuse)
        patch.setattr("sitegen.devbuild.check", refuse)
        assert cli.main(args + ["--out", str(out)], project=ROOT) == 0
    assert cli.main(args + ["--out", str(clean), "--no-cache"], project=ROOT) == 0
    assert hashes(out) == hashes(clean)


@pytest.mark.parametrize("first", ["a value", "a new document"])
def test_downloads_a_rebuild_left_to_write_are_joined_with_the_next_rebuild_s(dev, tmp_path, monkeypatch, first):
    """The preview writes the downloads when idle: a second edit before that must not patch them as
    if the first were in them."""
    from sitegen import pipeline

    monkeypatch.setattr("sitegen.devbuild.check", pipeline.check)
    if first == "a value":  # its document's lines are to be patched
        edit(dev.content / "results/2023.yaml", "mo-hinh-hay: 1", "mo-hinh-hay: 3")
    else:  # the downloads are to be made again whole
        (dev.content / "programmes/kh-moi.md").write_text(
            "---\ntitle: Kế hoạch mới\nissuer: dang-uy-khoi\nissued: 2030-01-02\nterm: 2030-2030\n"
            "targets:\n  - id: moi\n    text: Chỉ tiêu mới\n---\nNội dung.\n", encoding="utf-8")
    assert dev.rebuild().ok and dev.data_due
    edit(dev.content / DOC, "    text: Kết nạp đảng viên mới", "    text: Kết nạp đảng viên mới trong năm")
    outcome = dev.rebuild()
    assert outcome.ok and not outcome.full
    assert_as_clean(dev, tmp_path)


@pytest.mark.parametrize("new", ["3", "0"], ids=["same status", "status changed"])
def test_a_changed_result_renders_the_dashboard_and_year_pages_that_changed(dev, tmp_path, monkeypatch, new):
    """A result changed: of the dashboard and year pages, those whose rows, pager and counts are
    the same are left as they are (with the same status, all but those showing the document)."""
    from sitegen import pipeline

    monkeypatch.setattr("sitegen.devbuild.check", pipeline.check)
    pages = {rel for rel in hashes(dev.out) if rel.startswith("chi-tieu/") and rel.endswith(".html")}
    showing = {rel for rel in pages if any(d in (dev.out / rel).read_text(encoding="utf-8")
                                           for d in ("kh-minh-hoa-dang-uy-co-so", "58-nq-tw"))}
    edit(dev.content / "results/2023.yaml", "mo-hinh-hay: 1", f"mo-hinh-hay: {new}")
    edit(dev.content / "resolutions/58-nq-tw.md", "tags: [", "tags: [Chủ đề mới, ")  # (the full path)
    outcome = dev.rebuild()
    assert outcome.ok and outcome.full
    written = {rel for rel in outcome.written if rel in pages}
    assert written and pages - written  # some rendered again, not all
    if new == "3":
        assert written <= showing
    assert_as_clean(dev, tmp_path)


def test_from_the_command_line_a_changed_result_and_goal_give_a_clean_build_s_site(tmp_path, small_pages):
    from sitegen import cli

    content, out, clean = copy_sample(tmp_path / "content"), tmp_path / "site", tmp_path / "clean"
    args = ["build", "--content", str(content), "--today", TODAY]
    assert cli.main(args + ["--out", str(out)], project=ROOT) == 0
    for name, old, new in [("results/2023.yaml", "mo-hinh-hay: 1", "mo-hinh-hay: 3"),
                           ("results/2023.yaml", "mo-hinh-hay: 3", "mo-hinh-hay: 0"),
                           (DOC, '    goal: ">= 300"', '    goal: ">= 3000"')]:
        edit(content / name, old, new)
        assert cli.main(args + ["--out", str(out)], project=ROOT) == 0
        shutil.rmtree(clean, ignore_errors=True)
        assert cli.main(args + ["--out", str(clean), "--no-cache"], project=ROOT) == 0
        assert hashes(out) == hashes(clean), (name, new)


def test_a_value_changed_in_place_is_swapped_in_without_reading_the_content_again(dev, tmp_path):
    """The same year, the same targets, the same statuses: only the pages showing the document's
    target table and rows change, and the downloads are patched."""
    pages = {rel for rel in hashes(dev.out) if rel.endswith(".html")}
    showing = {rel for rel in pages if "kh-minh-hoa-dang-uy-co-so" in (dev.out / rel).read_text(encoding="utf-8")}
    edit(dev.content / "results/2023.yaml", "mo-hinh-hay: 1", "mo-hinh-hay: 3")
    outcome = dev.rebuild()
    assert outcome.ok and not outcome.full
    written = {rel for rel in outcome.written if rel.endswith(".html")}
    assert "chuong-trinh/kh-minh-hoa-dang-uy-co-so/index.html" in written and written <= showing
    assert any(rel.startswith("chi-tieu/2023/") for rel in written)

    def refuse(*args, **kwargs):
        raise AssertionError("a download was made again whole")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sitegen.devbuild.exports", refuse)
        patch.setattr("sitegen.devbuild.cached_exports", refuse)
        assert "du-lieu/results.csv" in dev.refresh_data()
    assert_as_clean(dev, tmp_path)
    # Moved a line down, the same values: nothing to render again.
    edit(dev.content / "results/2023.yaml", "year: 2023", "# ghi chú\nyear: 2023")
    outcome = dev.rebuild()
    assert outcome.ok and not outcome.full and outcome.pages == 0


@pytest.mark.parametrize("old, new", [
    ("mo-hinh-hay: 1", "mo-hinh-hay: 0"),  # a status changes: counts change
    ("    doanh-nghiep-co-lai: 83\n", ""),  # a result taken out
    ("    mo-hinh-hay: 1\n", "    mo-hinh-hay: 1\n    dang-vien-quan-triet: 100\n"),  # a result added
])
def test_other_results_edits_take_the_full_path(dev, tmp_path, monkeypatch, old, new):
    from sitegen import pipeline

    monkeypatch.setattr("sitegen.devbuild.check", pipeline.check)
    edit(dev.content / "results/2023.yaml", old, new)
    outcome = dev.rebuild()
    assert outcome.ok and outcome.full
    assert_as_clean(dev, tmp_path)


def test_values_that_change_statuses_are_linked_without_linking_the_whole_model_again(dev, tmp_path, monkeypatch):
    """A value edited in place that changes a status takes the full path (counts change), but
    its results file's results are linked alone and put into the last model: the site is a clean
    build's, and so is the next edit's, linked whole."""
    from sitegen import pipeline

    monkeypatch.setattr("sitegen.devbuild.check", pipeline.check)

    def refuse(*args, **kwargs):
        raise AssertionError("the whole model was linked again")
    for old, new in [("mo-hinh-hay: 1", "mo-hinh-hay: 0"), ("mo-hinh-hay: 0", "mo-hinh-hay: 1.0")]:
        edit(dev.content / "results/2023.yaml", old, new)
        with monkeypatch.context() as patch:
            patch.setattr("sitegen.devbuild.link", refuse)
            outcome = dev.rebuild()
        assert outcome.ok and outcome.full
        assert_as_clean(dev, tmp_path)
    edit(dev.content / "results/2023.yaml", "year: 2023", "# ghi chú\nyear: 2023")  # every line moved
    edit(dev.content / DOC, "    text: Kết nạp đảng viên mới", "    text: Kết nạp đảng viên mới trong năm")
    assert dev.rebuild().ok
    assert_as_clean(dev, tmp_path)


def test_the_results_read_from_a_file_are_carried_from_one_edit_of_it_to_the_next(dev, tmp_path, monkeypatch):
    """A preview keeps what the last model read from an edited results file: the next edit of it
    finds them without going through every result, and they are what going through gives."""
    from sitegen.link import results_read_from

    def refuse(*args, **kwargs):
        raise AssertionError("the results read from the file were looked for again")
    steps = [("mo-hinh-hay: 1", "mo-hinh-hay: 3"), ("mo-hinh-hay: 3", "mo-hinh-hay: 0"),  # statuses kept, changed
             ("mo-hinh-hay: 0", "mo-hinh-hay: 2.0"), ("year: 2023", "# ghi chú\nyear: 2023")]  # every line moved
    for index, (old, new) in enumerate(steps):
        edit(dev.content / "results/2023.yaml", old, new)
        with monkeypatch.context() as patch:
            if index:
                patch.setattr("sitegen.devbuild.results_read_from", refuse)
            assert dev.rebuild().ok
        assert dev._read_from
        for path, (made_for, read) in dev._read_from.items():
            assert made_for is dev.model.results
            assert read == results_read_from(dev.model, frozenset({path}))
        assert_as_clean(dev, tmp_path)


def test_from_the_command_line_the_results_read_from_a_file_are_kept_for_its_next_edit(tmp_path, small_pages,
                                                                                      monkeypatch):
    """The saved state keeps what the last model read from the last results file edited, with the
    very results it was read from: the next build editing that file does not go through every
    result again, and gives a clean build's site."""
    from sitegen import cli, incremental
    from sitegen.cache import cache_folder

    content, out, clean = copy_sample(tmp_path / "content"), tmp_path / "site", tmp_path / "clean"
    args = ["build", "--content", str(content), "--today", TODAY]
    assert cli.main(args + ["--out", str(out)], project=ROOT) == 0

    def refuse(*args, **kwargs):
        raise AssertionError("the results read from the file were looked for again")
    steps = [("mo-hinh-hay: 1", "mo-hinh-hay: 0"), ("mo-hinh-hay: 0", "mo-hinh-hay: 3"), ("mo-hinh-hay: 3", "mo-hinh-hay: 2")]
    for index, (old, new) in enumerate(steps):
        edit(content / "results/2023.yaml", old, new)
        incremental.wait_for_state(cache_folder(out))
        with monkeypatch.context() as patch:
            if index:
                patch.setattr("sitegen.devbuild.results_read_from", refuse)
            assert cli.main(args + ["--out", str(out)], project=ROOT) == 0
        shutil.rmtree(clean, ignore_errors=True)
        assert cli.main(args + ["--out", str(clean), "--no-cache"], project=ROOT) == 0
        assert hashes(out) == hashes(clean), new


@pytest.mark.parametrize("a, b", [("92.5", "93"), ("80", "70")], ids=["statuses kept", "statuses changed"])
def test_values_of_one_target_edited_in_two_results_files_at_once_both_reach_the_site(dev, tmp_path, monkeypatch, a, b):
    from sitegen import pipeline

    monkeypatch.setattr("sitegen.devbuild.check", pipeline.check)
    edit(dev.content / "results/2022.yaml", "co-quan-hoan-thanh: 93.5", f"co-quan-hoan-thanh: {a}")
    edit(dev.content / "results/2023.yaml", "co-quan-hoan-thanh: 91", f"co-quan-hoan-thanh: {b}")
    assert dev.rebuild().ok
    dev.refresh_data()
    assert_as_clean(dev, tmp_path)


def test_from_the_command_line_values_changed_in_place_give_a_clean_build_s_site(tmp_path, small_pages,
                                                                                 monkeypatch):
    from sitegen import cli

    content, out, clean = copy_sample(tmp_path / "content"), tmp_path / "site", tmp_path / "clean"
    args = ["build", "--content", str(content), "--today", TODAY]
    assert cli.main(args + ["--out", str(out)], project=ROOT) == 0

    def refuse(*args, **kwargs):
        raise AssertionError("the whole content was checked again")
    for old, new in [("mo-hinh-hay: 1", "mo-hinh-hay: 3"), ("mo-hinh-hay: 3", "mo-hinh-hay: 2")]:
        edit(content / "results/2023.yaml", old, new)
        with monkeypatch.context() as patch:
            patch.setattr("sitegen.devbuild.check", refuse)
            assert cli.main(args + ["--out", str(out)], project=ROOT) == 0
        shutil.rmtree(clean, ignore_errors=True)
        assert cli.main(args + ["--out", str(clean), "--no-cache"], project=ROOT) == 0
        assert hashes(out) == hashes(clean), new
