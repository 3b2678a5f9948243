"""The workbook writer (sitegen/xlsx.py): what a spreadsheet program reads back from its files."""
from __future__ import annotations

import io
import re
import zipfile
import xml.dom.minidom

import openpyxl
import pytest

from sitegen import xlsx

TRICKY = ["  leading and trailing  ", "a & b <c> \"d\" 'e'", "dòng 1\ndòng 2", "chuông\x07\x00 bỏ",
          "_x0041_ giữ nguyên", "Nghị quyết 58-NQ/TW", "=1+1", "x" * 40000, ""]


def _book(sheets, title="Sổ chỉ tiêu & kết quả", header_text="Đầu trang & lề"):
    return xlsx.workbook(title, sheets, header_text=header_text)


def _sample() -> bytes:
    rows = [[text, index, index + 0.25, None] for index, text in enumerate(TRICKY)]
    return _book([xlsx.Sheet("Chỉ tiêu", ["Văn bản", "Số", "Giá trị", "Trống"], [28, 10, 12, 8], rows),
                  xlsx.Sheet("Kết quả", ["Năm"], [12], [[2024], [2025]])])


def test_values_read_back_as_written():
    book = openpyxl.load_workbook(io.BytesIO(_sample()))
    assert book.sheetnames == ["Chỉ tiêu", "Kết quả"]
    sheet = book["Chỉ tiêu"]
    assert [c.value for c in sheet[1]] == ["Văn bản", "Số", "Giá trị", "Trống"]
    body = list(sheet.iter_rows(min_row=2, values_only=True))
    # "_x0041_" is stored escaped ("_x005F_x0041_"), which Excel reads back as written (ECMA-376's
    # ST_Xstring); openpyxl undoes that escape in shared strings only, not in a cell's own text.
    expected_text = ["  leading and trailing  ", "a & b <c> \"d\" 'e'", "dòng 1\ndòng 2", "chuông bỏ",
                     "_x005F_x0041_ giữ nguyên", "Nghị quyết 58-NQ/TW", "=1+1", "x" * xlsx.MAX_TEXT, None]
    assert [r[0] for r in body] == expected_text
    assert [r[1] for r in body] == list(range(len(TRICKY)))
    assert all(isinstance(r[1], int) for r in body)
    assert [r[2] for r in body] == [i + 0.25 for i in range(len(TRICKY))]
    assert all(r[3] is None for r in body)
    assert [r[0] for r in book["Kết quả"].iter_rows(min_row=2, values_only=True)] == [2024, 2025]
    assert book.properties.title == "Sổ chỉ tiêu & kết quả"


def test_no_cell_is_a_formula():
    book = openpyxl.load_workbook(io.BytesIO(_sample()))
    assert all(cell.data_type != "f" for sheet in book for row in sheet.iter_rows() for cell in row)


def test_formatted_for_reading_and_printing():
    book = openpyxl.load_workbook(io.BytesIO(_sample()))
    sheet = book["Chỉ tiêu"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:D1"
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToHeight == 0
    assert sheet.oddHeader.left.text == "Đầu trang && lề"  # header code for one printed "&"
    assert sheet.oddHeader.right.text == "Trang &P/&N"
    assert sheet.column_dimensions["A"].width == pytest.approx(28.71, abs=0.01)
    header, text, number = sheet["A1"], sheet["A2"], sheet["C2"]
    assert header.font.b and header.fill.fgColor.rgb == "FFF4F6F8" and header.border.bottom.style == "thin"
    assert text.alignment.wrap_text and text.alignment.vertical == "top" and text.border.left.style == "thin"
    assert number.number_format == "#,##0.##"
    empty = sheet["A10"]  # an empty text cell keeps its border
    assert empty.value is None and empty.border.left.style == "thin"


def test_every_part_is_well_formed_and_declared():
    archive = zipfile.ZipFile(io.BytesIO(_sample()))
    names = archive.namelist()
    for name in names:
        xml.dom.minidom.parseString(archive.read(name))  # raises on malformed XML
    types = archive.read("[Content_Types].xml").decode()
    for name in names:
        if not name.endswith(".rels") and name != "[Content_Types].xml":
            assert f'PartName="/{name}"' in types, name


def test_same_input_same_bytes():
    assert _sample() == _sample()


def test_a_sheets_crc_is_worked_out_from_its_pieces_as_from_the_whole():
    import random
    import zlib

    chance = random.Random(7)
    for _ in range(200):
        texts = [chance.randbytes(chance.choice([0, 1, 3, 64, 1000, 70000])) for _ in range(chance.randint(0, 7))]
        pieces = [(b"", len(text), zlib.crc32(text)) for text in texts]
        assert xlsx._joined_crc(pieces) == zlib.crc32(b"".join(texts))


@pytest.mark.parametrize("index, letters", [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")])
def test_column_letters(index, letters):
    assert xlsx.column_letters(index) == letters


def test_a_sheet_longer_than_excel_allows_goes_on_in_more_sheets(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 4)  # a header and three rows a sheet
    rows = [[f"chỉ tiêu {i}", i] for i in range(7)]
    book = openpyxl.load_workbook(io.BytesIO(_book([
        xlsx.Sheet("Kết quả thực hiện theo từng năm", ["Tên", "Số"], [20, 8], rows),
        xlsx.Sheet("Ngắn", ["Năm"], [8], [[2025]])])))
    assert book.sheetnames == ["Kết quả thực hiện theo từng năm", "Kết quả thực hiện theo từng (2)",
                               "Kết quả thực hiện theo từng (3)", "Ngắn"]
    read = [list(book[name].iter_rows(values_only=True)) for name in book.sheetnames[:3]]
    assert all(part[0] == ("Tên", "Số") for part in read)
    assert [row for part in read for row in part[1:]] == [tuple(r) for r in rows]
    assert [len(part) for part in read] == [4, 4, 2]
    assert all(len(name) <= xlsx.MAX_NAME for name in book.sheetnames)


def _rows(count: int, mark: str = "") -> list[list]:
    return [[f"Văn bản {i}{mark if i % 7 == 3 else ''}", i, i / 4, "" if i % 5 else None] for i in range(count)]


def _sheets(targets: list[list], results: list[list]) -> list[xlsx.Sheet]:
    return [xlsx.Sheet("Chỉ tiêu", ["Văn bản", "Số", "Giá trị", "Trống"], [28, 10, 12, 8], targets),
            xlsx.Sheet("Kết quả", ["Văn bản", "Số", "Giá trị", "Trống"], [28, 10, 12, 8], results)]


@pytest.mark.parametrize("changed", [[0], [255], [256], [255, 256, 257], [3, 600, 899], [899, 600, 3], list(range(250, 520, 7)),
                                     list(range(200, 700))])
def test_a_patched_workbook_is_the_workbook_written_with_the_new_rows(changed, monkeypatch):
    monkeypatch.setattr(xlsx, "CHUNK_ROWS", 256)
    count = 900  # several pieces of CHUNK_ROWS rows
    old_rows, results = _rows(count), _rows(40)
    new_rows = [list(row) for row in old_rows]
    for index in changed:
        new_rows[index][0] = f"Văn bản đã sửa {index} & <mới>"
        new_rows[index][2] = index * 1.5
    old = _book(_sheets(old_rows, results))
    patched = xlsx.patched(old, 1, 4, [(index + 2, old_rows[index], new_rows[index]) for index in changed])
    assert patched == _book(_sheets(new_rows, results))
    archive = zipfile.ZipFile(io.BytesIO(patched))
    assert archive.testzip() is None  # every entry's checksum holds
    assert openpyxl.load_workbook(io.BytesIO(patched))["Chỉ tiêu"].cell(changed[0] + 2, 3).value == changed[0] * 1.5


def test_a_workbook_split_over_sheets_is_patched_on_the_right_one(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 301)  # 300 rows a sheet, the header apart
    old_rows = _rows(700)
    new_rows = [list(row) for row in old_rows]
    new_rows[650][0] = "Dòng đã sửa"
    old = _book(_sheets([[1]], old_rows))
    assert [n for n in zipfile.ZipFile(io.BytesIO(old)).namelist() if "worksheets" in n] == \
        [f"xl/worksheets/sheet{i}.xml" for i in range(1, 5)]
    patched = xlsx.patched(old, 4, 4, [(650 - 600 + 2, old_rows[650], new_rows[650])])
    assert patched == _book(_sheets([[1]], new_rows))


def test_a_workbook_that_does_not_hold_the_rows_as_written_is_not_patched():
    rows = _rows(300)
    old = _book(_sheets(rows, []))
    other = [list(rows[10])]
    other[0][0] = "không có"
    assert xlsx.patched(old, 1, 4, [(12, other[0], rows[11])]) is None  # not the cells written there
    assert xlsx.patched(old, 1, 4, [(400, rows[10], rows[11])]) is None  # no such row
    assert xlsx.patched(old, 3, 4, [(12, rows[10], rows[11])]) is None  # no such sheet
    assert xlsx.patched(b"PK" + bytes(100), 1, 4, [(12, rows[10], rows[11])]) is None


def test_a_sheet_of_more_pieces_than_its_comment_can_list_is_written_but_not_patched(monkeypatch):
    monkeypatch.setattr(xlsx, "CHUNK_ROWS", 1)  # 20,000 pieces: their lengths take more than 65,535 bytes
    rows = _rows(20000)
    book = _book(_sheets(rows, []))
    assert zipfile.ZipFile(io.BytesIO(book)).testzip() is None
    assert openpyxl.load_workbook(io.BytesIO(book), read_only=True)["Chỉ tiêu"].max_row == 20001
    assert xlsx.patched(book, 1, 4, [(12, rows[10], rows[11])]) is None


@pytest.mark.parametrize("first, new_order", [
    (10, [13, 14, 10, 11, 12]),  # two rows moved up three places
    (250, list(range(252, 600)) + [250, 251]),  # across pieces
    (0, [1, 0]),  # the first rows
    (895, [899, 895, 896, 897, 898]),  # the last row to an earlier place
])
def test_rows_moved_in_a_workbook_are_the_workbook_written_in_the_new_order(first, new_order, monkeypatch):
    monkeypatch.setattr(xlsx, "CHUNK_ROWS", 256)
    old_rows, results = _rows(900), _rows(40)
    new_rows = list(old_rows)
    new_rows[first:first + len(new_order)] = [old_rows[i] for i in new_order]
    changed = new_order[-1]  # and one of the moved rows written anew
    new_rows[first + len(new_order) - 1] = [f"Văn bản đã sửa {changed}", changed, 0.5, ""]
    sources = [index + 2 for index in new_order[:-1]] + [new_rows[first + len(new_order) - 1]]
    old = _book(_sheets(old_rows, results))
    patched = xlsx.moved(old, 1, 4, first + 2, sources)
    assert patched == _book(_sheets(new_rows, results))
    assert zipfile.ZipFile(io.BytesIO(patched)).testzip() is None


def test_rows_moved_from_rows_the_workbook_lacks_are_not_written(monkeypatch):
    monkeypatch.setattr(xlsx, "CHUNK_ROWS", 256)
    old = _book(_sheets(_rows(300), _rows(4)))
    assert xlsx.moved(old, 1, 4, 12, [600]) is None  # no such row among those read
    assert xlsx.moved(old, 1, 4, 400, [12]) is None  # no such place
    assert xlsx.moved(b"PK" + bytes(100), 1, 4, 12, [13]) is None


def test_a_workbook_whose_pieces_are_not_all_listed_is_not_patched(monkeypatch):
    monkeypatch.setattr(xlsx, "CHUNK_ROWS", 256)
    rows = _rows(300)
    book = _book(_sheets(rows, _rows(4)))
    listed = re.search(rb"pieces:([0-9/,]+)", book)[1]
    lengths_only = b",".join(entry.split(b"/")[0] for entry in listed.split(b","))  # as older workbooks list them
    older = book.replace(listed, lengths_only.ljust(len(listed), b","))
    assert xlsx.patched(older, 1, 4, [(12, rows[10], rows[11])]) is None
    assert xlsx.moved(older, 1, 4, 12, [13]) is None


def test_rows_moved_whose_texts_hold_what_ends_a_cell_reference_are_numbered_right(monkeypatch):
    """A text may hold `12" s="`, as each cell reference of row 12 ends: such a row is numbered
    one reference at a time, and the texts are kept as written."""
    monkeypatch.setattr(xlsx, "CHUNK_ROWS", 256)
    old_rows = _rows(40)
    old_rows[10] = ['Chỉ tiêu "12" s="đặc biệt"', 12, 1.5, '13" s="1" t="inlineStr"']  # row 12, as it moves to 13
    old_rows[11] = ['Dòng <c r="A13" s="1"> trong văn bản', 13, 2, ""]
    new_rows = list(old_rows)
    new_rows[10:13] = [old_rows[12], old_rows[10], old_rows[11]]
    old = _book(_sheets(old_rows, []))
    patched = xlsx.moved(old, 1, 4, 12, [14, 12, 13])
    assert patched == _book(_sheets(new_rows, []))


@pytest.mark.parametrize("first, removed, added", [
    (10, 0, 3),  # rows put in near the top: every row after them a number further
    (250, 3, 0),  # rows taken out across pieces
    (880, 0, 200),  # a piece more
    (760, 140, 0),  # a piece less, the last rows taken out
    (0, 900, 0),  # every row taken out
    (0, 1, 1),  # the first row written anew
])
def test_rows_put_in_or_taken_out_are_the_workbook_written_with_the_new_rows(first, removed, added, monkeypatch):
    monkeypatch.setattr(xlsx, "CHUNK_ROWS", 256)
    old_rows, results = _rows(900), _rows(40)
    new = [[f"Văn bản mới {i}", i, i / 2, ""] for i in range(added)]
    new_rows = old_rows[:first] + new + old_rows[first + removed:]
    sources = new + [index + 2 for index in range(first + removed, len(old_rows))]
    old = _book(_sheets(old_rows, results))
    patched = xlsx.moved(old, 1, 4, first + 2, sources, to_end=True)
    assert patched == _book(_sheets(new_rows, results))
    assert zipfile.ZipFile(io.BytesIO(patched)).testzip() is None
    assert openpyxl.load_workbook(io.BytesIO(patched), read_only=True)["Chỉ tiêu"].max_row == len(new_rows) + 1


def test_rows_to_the_end_from_past_the_end_are_not_written(monkeypatch):
    monkeypatch.setattr(xlsx, "CHUNK_ROWS", 256)
    old = _book(_sheets(_rows(300), _rows(4)))
    assert xlsx.moved(old, 1, 4, 305, [["Văn bản", 1, 1, ""]], to_end=True) is None
    assert xlsx.moved(old, 1, 4, 302, [["Văn bản", 1, 1, ""]], to_end=True) is not None  # (right after the last)


def test_rows_and_cells_are_not_numbered_and_a_missing_cell_keeps_the_next_in_its_column():
    book = _book([xlsx.Sheet("Chỉ tiêu", ["A", "B", "C"], [10, 10, 10], [[None, 1, "x"], ["y", None, 2.5]])])
    sheet_xml = zipfile.ZipFile(io.BytesIO(book)).read("xl/worksheets/sheet1.xml").decode()
    assert "<row>" in sheet_xml and "<row r=" not in sheet_xml and "<c r=" not in sheet_xml
    read = list(openpyxl.load_workbook(io.BytesIO(book))["Chỉ tiêu"].iter_rows(values_only=True))
    assert read == [("A", "B", "C"), (None, 1, "x"), ("y", None, 2.5)]


def test_a_move_across_a_long_sheet_compresses_only_the_pieces_around_the_rows_that_move(monkeypatch):
    """Where a piece ends depends on its rows alone: the pieces between the rows' old and new
    places are kept as they are, and the workbook is still the one written anew."""
    monkeypatch.setattr(xlsx, "CHUNK_ROWS", 64)
    old_rows = _rows(6000)
    new_order = list(range(3, 5900)) + [0, 1, 2]  # three rows from the top to near the end
    new_rows = old_rows[:]
    new_rows[0:5900] = [old_rows[i] for i in new_order]
    old = _book(_sheets(old_rows, _rows(3)))
    compressed = []
    real_piece = xlsx._piece
    monkeypatch.setattr(xlsx, "_piece", lambda data, rows=0: compressed.append(rows) or real_piece(data, rows))
    patched = xlsx.moved(old, 1, 4, 2, [index + 2 for index in new_order])
    assert len(compressed) <= 4  # (about 6000 / 64 pieces in the sheet)
    assert patched == _book(_sheets(new_rows, _rows(3)))
    assert zipfile.ZipFile(io.BytesIO(patched)).testzip() is None


def test_a_row_written_anew_that_ends_a_piece_no_longer_joins_the_pieces_around_it(monkeypatch):
    monkeypatch.setattr(xlsx, "CHUNK_ROWS", 16)
    old_rows = _rows(400)
    listed = re.search(rb"pieces:([0-9/,]+)", _book(_sheets(old_rows, [])))[1]
    assert len(listed.split(b",")) > 10  # several pieces, of rows chosen by their texts
    new_rows = [list(row) for row in old_rows]
    for index in range(0, 400, 9):  # rows that end a piece and rows that do not, each changed
        new_rows[index][0] = f"Văn bản khác {index}"
    old = _book(_sheets(old_rows, []))
    patched = xlsx.patched(old, 1, 4, [(index + 2, old_rows[index], new_rows[index]) for index in range(0, 400, 9)])
    assert patched == _book(_sheets(new_rows, []))
