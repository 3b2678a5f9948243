"""Data downloads read back and compared with the model they come from."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
import pytest

from conftest import SAMPLE, TODAY

from sitegen.data import LINE_BREAK, lines_moved, moved_span
from sitegen.pipeline import check
from sitegen.rows import target_rows
from sitegen.status import LABELS

YEAR = int(TODAY[:4])


@pytest.fixture(scope="module")
def rows():
    model = check(SAMPLE, YEAR)
    return model, target_rows(model, YEAR)


def read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM for Excel"
    return list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"))))


def test_targets_csv_has_one_row_per_target_in_stable_order(sample_site, rows):
    model, expected = rows
    records = read_csv(sample_site / "du-lieu" / "targets.csv")
    assert [(r["document_id"], r["target_id"]) for r in records] == [(e.doc.id, e.target.id) for e in expected]
    by_key = {(r["document_id"], r["target_id"]): r for r in records}
    for row in expected:
        record = by_key[(row.doc.id, row.target.id)]
        assert record["target"] == row.target.text
        assert record["status"] == row.status.overall
        assert record["status_label"] == LABELS[row.status.overall]
        assert record["period"] == row.target.period
        if row.target.goal:
            assert record["goal_operator"] == {"=": "eq", ">=": "ge", ">": "gt", "<=": "le", "<": "lt"}[row.target.goal.op]
            assert Decimal(record["goal_value"]) == row.target.goal.value
        latest = row.status.latest
        assert record["latest_year"] == (str(latest.year) if latest else "")
    kn = by_key[("12-ctr-duk-2021", "ket-nap-dang-vien")]
    assert (kn["latest_year"], kn["latest_value"], kn["status"]) == ("2024", "321", "not-met")


def test_results_csv_has_one_row_per_reported_value(sample_site, rows):
    model, expected = rows
    records = read_csv(sample_site / "du-lieu" / "results.csv")
    want = [(r.doc.id, r.target.id, str(y)) for r in expected for y in sorted(r.results)]
    assert [(r["document_id"], r["target_id"], r["year"]) for r in records] == want
    note = next(r for r in records if r["target_id"] == "boi-duong-ket-nap" and r["year"] == "2021")
    assert note["value"] == "640" and note["note"] == "Vượt kế hoạch (minh họa)"
    assert note["source"].startswith("Số liệu minh họa năm 2021")
    qualitative = [r for r in records if r["target_id"] == "van-hoa-kieu-mau"]
    assert [(r["year"], r["done"], r["value"]) for r in qualitative] == [("2021", "false", ""), ("2022", "false", ""),
                                                                          ("2023", "true", "")]


def test_documents_json_holds_documents_relations_targets_and_results(sample_site, rows):
    model, expected = rows
    data = json.loads((sample_site / "du-lieu" / "documents.json").read_text(encoding="utf-8"))
    docs = {d["id"]: d for d in data["documents"]}
    assert set(docs) == {d.id for d in model.published()}
    programme = docs["12-ctr-duk-2021"]
    assert programme["number"] == "12-CTr/ĐUK" and programme["issued"] == "2021-04-07"
    assert [r["id"] for r in programme["relations"]["implements"]] == ["nq-dai-hoi-xix-dang-bo-tinh",
                                                                       "nq-dai-hoi-xx-dang-bo-khoi"]
    assert {r["id"] for r in docs["58-nq-tw"]["inverse_relations"]["implements"]} == {"ctr-duk-thuc-hien-58-nq-tw"}
    targets = {t["id"]: t for t in programme["targets"]}
    assert targets["ket-nap-dang-vien"]["goal"] == {"operator": ">=", "value": 300.0}
    assert targets["ket-nap-dang-vien"]["results"]["2023"]["value"] == 298.0
    assert targets["ket-nap-dang-vien"]["results"]["2023"]["status"] == "not-met"
    for row in expected:
        got = {t["id"]: t for t in docs[row.doc.id]["targets"]}[row.target.id]
        assert got["status"] == row.status.overall
        assert set(got["results"]) == {str(y) for y in row.results}


def test_excel_workbook_matches_the_model_and_is_formatted_for_printing(sample_site, rows):
    model, expected = rows
    book = openpyxl.load_workbook(sample_site / "du-lieu" / "chi-tieu.xlsx")
    assert book.sheetnames == ["Chỉ tiêu", "Kết quả"]
    sheet = book["Chỉ tiêu"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["Văn bản", "Nhóm", "Chỉ tiêu", "Mục tiêu", "Thời hạn"] and header[-1] == "Trạng thái"
    body = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in body] == [r.target.text for r in expected]
    assert [r[-1] for r in body] == [LABELS[r.status.overall] for r in expected]
    year_col = header.index("2022")
    ket_nap = next(r for r in body if r[2] == "Kết nạp đảng viên mới")
    assert ket_nap[year_col] == "305/300 đảng viên"
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$1:$1"
    results = list(book["Kết quả"].iter_rows(min_row=2, values_only=True))
    assert len(results) == sum(len(r.results) for r in expected)
    assert all(isinstance(r[3], int) for r in results)


LINES = {"a": ["a,1", "a,2"], "b": ["b,1"], "c": [], "d": ["d,1", "d,2", "d,3"], "e": ["e,1"]}


def _lines(doc: str, mark: str = "") -> list[str]:
    return [line + mark for line in LINES[doc]]


def _download(order: list[str], changed: dict[str, str] | None = None) -> bytes:
    """A CSV download of the documents' lines in `order` (`changed`: document -> a mark on its lines)."""
    changed = changed or {}
    return ("\ufeffheader\r\n" + "".join(line + "\r\n" for doc in order for line in _lines(doc, changed.get(doc, "")))).encode()


def _run(doc: str, mark: str = "") -> bytes:
    """The run of a document's lines as `document_parts` gives it."""
    return LINE_BREAK + "".join(line + "\r\n" for line in _lines(doc, mark)).encode()


@pytest.mark.parametrize("new_order, changed", [
    (["b", "a", "c", "d", "e"], {"a": ""}),  # a moved down one place
    (["e", "a", "b", "c", "d"], {"e": "!"}),  # the last to the first place, its lines changed
    (["b", "c", "d", "e", "a"], {"a": "!"}),  # the first to the end
    (["a", "b", "d", "c", "e"], {"c": ""}),  # a document without lines
    (["d", "b", "c", "a", "e"], {"a": "!", "d": ""}),  # two, crossing
    (["a", "c", "b", "d", "e"], {"b": ""}),  # put before a document without lines: before the next with some
    (["a", "b", "c", "d", "e"], {"d": "!"}),  # changed in place
])
def test_lines_of_documents_moved_among_the_rows_are_the_download_made_in_the_new_order(new_order, changed):
    moved = {doc: (_run(doc), _run(doc, mark)) for doc, mark in changed.items()}
    before = _download(["a", "b", "c", "d", "e"])
    assert lines_moved(before, new_order, moved, _run) == _download(new_order, changed)


def test_lines_not_found_as_written_are_not_moved():
    before = _download(["a", "b", "c", "d", "e"])
    assert lines_moved(before, ["b", "a", "c", "d", "e"], {"a": (_run("a", "?"), _run("a"))}, _run) is None
    assert lines_moved(before + _run("a")[2:], ["b", "a", "c", "d", "e"], {"a": (_run("a"), _run("a"))}, _run) is None
    assert lines_moved(before, ["b", "c", "d", "e"], {"a": (_run("a"), _run("a"))}, _run) is None  # no place for it


def test_the_span_of_rows_a_move_shifts():
    @dataclass
    class Layout:
        docs: list[str]
        starts: list[int]
        total: int

    old = Layout(["a", "b", "c", "d"], [0, 2, 3, 6], 8)
    swapped = Layout(["a", "c", "b", "d"], [0, 2, 5, 6], 8)
    assert moved_span((old, swapped), {"b"}) == (2, 6)
    assert moved_span((old, swapped), {"c"}) == (2, 6)
    assert moved_span((old, old), {"d"}) == (6, 8)
    assert moved_span((old, swapped), {"a"}) is None  # others moved
    assert moved_span((old, Layout(["a", "b", "c", "d"], [0, 2, 3, 7], 9)), {"c"}) is None  # more rows
    assert moved_span((old, Layout(["a", "c", "b", "d"], [0, 1, 4, 6], 8)), {"b"}) is None  # fewer rows of a


def test_runs_spliced_together_are_those_spliced_one_after_another():
    from sitegen.data import splice, spliced

    data = b"\nmot,1\nhai,2\nba,3\nbon,4\n"
    runs = [(b"\nba,3", b"\nba,30"), (b"\nmot,1", b""), (b"\nbon,4", b"\nbon,4"), (b"\nhai,2", b"\nhai,2\nhai-ruoi,2.5")]
    one_by_one = data
    for old, new in runs:
        one_by_one = splice(one_by_one, old, new)
    assert spliced(data, runs) == one_by_one == b"\nhai,2\nhai-ruoi,2.5\nba,30\nbon,4\n"
    assert spliced(data, []) is data
    assert spliced(data, [(b"\nnam,5", b"")]) is None  # not there
    assert spliced(data + b"ba,3\n", [(b"ba,3", b"")]) is None  # there twice
    assert spliced(data, [(b"\nhai,2\nba", b""), (b"ba,3", b"")]) is None  # overlapping
