"""A small writer of Excel workbooks (.xlsx): sheets of text and numbers with a header row,
formatted for reading and printing, that can be patched row by row.

The site's workbook has about two million cells at 10,000 documents. A general-purpose writer
keeps an object per cell until the file is closed (half a gigabyte there) and spends most of its
time on per-cell bookkeeping; this one writes each row's XML as it goes and takes a tenth of the
time. Every part follows ECMA-376 (SpreadsheetML).

So that a build after an edit can replace, move, add or take out a few rows without compressing
the whole workbook again (`patched`, `moved`), texts are written in their cells (no table of
shared strings, whose numbering would change with any text), rows and cells are not numbered (a
row is the one after the row before it, a cell the one after the cell before it: ECMA-376 makes
the numbers optional, and spreadsheet programs read such sheets), and each sheet is compressed in
pieces, each on its own (a deflate stream of independent parts, as parallel compressors write).
Where a piece ends is chosen by the text of its last row alone (`_ends_piece`), so that rows
moved, added or taken out change only the pieces around them, and a patched workbook is the one
written anew. The archive is written here: each sheet's entry names the compressed length,
length, CRC-32 and rows of its pieces in its comment in the archive's directory, which
spreadsheet programs ignore."""
from __future__ import annotations

import os
import re
import struct
import zlib
from bisect import bisect_right
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence

Cell = str | int | float | None  # None: no cell at all; "" is an empty cell with the text style

MAX_TEXT = 32767  # characters a cell may hold
MAX_ROWS = 1048576  # rows a sheet may hold (the header row included): longer sheets go on in more
MAX_NAME = 31  # characters of a sheet's name
CHUNK_ROWS = 512  # rows of a sheet compressed together, apart from the others, on average
LEVEL = 5  # zlib's compression level: 6 takes 60% more time for 2% fewer bytes (the sheets of 10,000 documents)

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_DOS_TIME, _DOS_DATE = 0, (1 << 5) | 1  # every entry's time, 1980-01-01 00:00: the same sources, the same bytes
# Starts the comment of a sheet's entry, before each piece's compressed length, length, CRC-32
# and rows ("1234/5678/90/512,…"): a patch compresses the pieces it changes and works out the
# sheet's CRC-32 from the pieces', without reading the others.
_PIECES = b"pieces:"
_LAST_BLOCK = b"\x03\x00"  # an empty final deflate block: ends a stream of pieces
_ROW = b"<row>"  # starts each row's XML (texts hold no "<")

# cellXfs indexes in styles.xml
HEADER, TEXT, NUMBER = 1, 2, 3

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPE_LOOKALIKE = re.compile("(_x[0-9A-Fa-f]{4}_)")  # Excel would read it as an escaped character


@dataclass
class Sheet:
    name: str  # at most 31 characters, none of : \\ / ? * [ ]
    headers: Sequence[str]
    widths: Sequence[float]  # column widths in characters, as Excel shows them
    rows: Sequence[Sequence[Cell]]


def workbook(title: str, sheets: Sequence[Sheet], header_text: str = "") -> bytes:
    """The workbook's bytes: on each sheet the first row is frozen, filtered and repeated on every
    printed page; pages are A4 landscape, one page wide; `header_text` is printed top left with
    the page number top right. A sheet with more rows than a sheet may hold goes on in more
    (`_parts`)."""
    sheets = [part for sheet in sheets for part in _parts(sheet)]
    members = [_whole(name, text) for name, text in (
        ("[Content_Types].xml", _content_types(len(sheets))), ("_rels/.rels", _root_rels()),
        ("docProps/app.xml", _app()), ("docProps/core.xml", _core(title)), ("xl/workbook.xml", _workbook(sheets)),
        ("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets))), ("xl/styles.xml", _STYLES))]
    for number, sheet in enumerate(sheets, start=1):
        members.append(_sheet_member(f"xl/worksheets/sheet{number}.xml", sheet, number == 1, header_text))
    return _archive(members)


@dataclass
class _Member:
    """One file of the archive, compressed."""
    name: str
    crc: int
    size: int  # uncompressed
    data: bytes  # raw deflate
    comment: bytes = b""


def _whole(name: str, text: str) -> _Member:
    data = text.encode("utf-8")
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return _Member(name, zlib.crc32(data), len(data), compressor.compress(data) + compressor.flush())


# A piece of a sheet: compressed, its length and CRC-32 uncompressed, the data rows it holds (the
# sheet's start, with the header row, and its end hold none)
_Piece = tuple[bytes, int, int, int]


def _piece(data: bytes, rows: int = 0) -> _Piece:
    """`data` compressed on its own, as a part of a longer stream (not its last)."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH), len(data), zlib.crc32(data), rows


def _pieces(runs: Iterable[list[bytes]]) -> list[_Piece]:
    """A piece of each run of rows, over all cores when there are several: zlib lets other threads
    run while it compresses, so the runs are compressed as they are made."""
    workers = min(os.cpu_count() or 1, 4)
    if workers < 2:
        return [_piece(b"".join(rows), len(rows)) for rows in runs]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="xlsx-piece") as pool:
        return [made.result() for made in [pool.submit(_piece, b"".join(rows), len(rows)) for rows in runs]]


def _ends_piece(row: bytes) -> bool:
    """Whether a piece ends with this row (a row's XML): one row in CHUNK_ROWS, chosen by its text
    alone, wherever the row is."""
    return zlib.crc32(row) % CHUNK_ROWS == CHUNK_ROWS - 1


def _runs(rows: Iterable[bytes]) -> Iterator[list[bytes]]:
    """The rows in runs, each ending with a row that ends a piece (`_ends_piece`) or the last row."""
    run: list[bytes] = []
    for row in rows:
        run.append(row)
        if _ends_piece(row):
            yield run
            run = []
    if run:
        yield run


def _joined_crc(pieces: list[_Piece]) -> int:
    """The CRC-32 of the pieces' data one after the other, from each one's length and CRC-32 (as
    zlib's crc32_combine, which Python's zlib does not offer)."""
    crc = 0
    for piece in pieces:
        crc = _times(_x_to_8n(piece[1]), crc) ^ piece[2]
    return crc


_CRC_POLYNOMIAL = 0xEDB88320  # CRC-32's, its bits reversed (the lowest is the highest power)


def _times(a: int, b: int) -> int:
    """a × b modulo CRC-32's polynomial, both polynomials over GF(2) in CRC-32's bit order (a ≠ 0)."""
    product, bit = 0, 1 << 31
    while True:
        if a & bit:
            product ^= b
            if not a & (bit - 1):
                return product
        bit >>= 1
        b = (b >> 1) ^ _CRC_POLYNOMIAL if b & 1 else b >> 1


def _squares() -> list[int]:
    """x^(2^k) modulo the polynomial, for k = 0…31 (then they repeat)."""
    powers = [1 << 30]  # x
    for _ in range(31):
        powers.append(_times(powers[-1], powers[-1]))
    return powers


_X_TO_2_TO_THE = _squares()


def _x_to_8n(n: int) -> int:
    """x^(8n) modulo the polynomial: what carries a CRC past n more bytes (n zero bytes would
    turn the CRC so far, before its final inversion, into that times it)."""
    power, k = 1 << 31, 3  # x^0; 8n = n × 2^3
    while n:
        if n & 1:
            power = _times(_X_TO_2_TO_THE[k & 31], power)
        n >>= 1
        k += 1
    return power


def _comment(pieces: list[_Piece]) -> bytes:
    """A sheet entry's comment listing its pieces; empty when more than a comment can hold (a
    sheet that is not patched)."""
    comment = _PIECES + ",".join(f"{len(data)}/{size}/{crc}/{rows}" for data, size, crc, rows in pieces).encode("ascii")
    return comment if len(comment) <= 0xFFFF else b""


def _sheet_member(name: str, sheet: Sheet, selected: bool, header_text: str) -> _Member:
    """A worksheet part, compressed in pieces: its start with the header row, then its rows in
    runs (`_runs`), then its end."""
    last = column_letters(len(sheet.headers) - 1)
    row_xml = row_writer(len(sheet.headers))
    start = _sheet_start(sheet, selected, last, len(sheet.rows) + 1) + row_xml(sheet.headers, HEADER)
    rows = (row_xml(cells, TEXT).encode("utf-8") for cells in sheet.rows)  # each compressed in its run as it comes
    pieces = [_piece(start.encode("utf-8")), *(_piece(b"".join(run), len(run)) for run in _runs(rows)),
              _piece(_sheet_end(last, header_text).encode("utf-8"))]
    return _Member(name, _joined_crc(pieces), sum(piece[1] for piece in pieces),
                   b"".join(piece[0] for piece in pieces) + _LAST_BLOCK, _comment(pieces))


def _archive(members: list[_Member]) -> bytes:
    """A ZIP archive of the members, in order (no ZIP64: a larger workbook is an error)."""
    out, directory = [], []
    offset = 0
    for member in members:
        name = member.name.encode("utf-8")
        if max(offset, member.size, len(member.data)) >= 0xFFFFFFFF or len(member.comment) > 0xFFFF:
            raise ValueError("the workbook is too large for a ZIP archive without ZIP64")
        fields = (20, 0, 8, _DOS_TIME, _DOS_DATE, member.crc, len(member.data), member.size, len(name))
        out += [struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0), name, member.data]
        directory += [struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, len(member.comment), 0, 0, 0,
                                  offset), name, member.comment]
        offset += 30 + len(name) + len(member.data)
    central = b"".join(directory)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), offset, 0)
    return b"".join(out) + central + end


def _read_archive(data: bytes) -> list[_Member] | None:
    """The members of an archive `_archive` wrote (None for any other)."""
    if len(data) < 22 or data[-22:-18] != b"PK\x05\x06":
        return None
    count, start = struct.unpack("<IHHHHIIH", data[-22:])[4:7:2]
    members, at = [], start
    for _ in range(count):
        if data[at:at + 4] != b"PK\x01\x02":
            return None
        crc, compressed, size, name_length, extra, comment_length = struct.unpack("<IIIHHH", data[at + 16:at + 34])
        offset = struct.unpack("<I", data[at + 42:at + 46])[0]
        name = data[at + 46:at + 46 + name_length].decode("utf-8")
        comment = data[at + 46 + name_length + extra:at + 46 + name_length + extra + comment_length]
        begin = offset + 30 + sum(struct.unpack("<HH", data[offset + 26:offset + 30]))  # past its local header
        members.append(_Member(name, crc, size, data[begin:begin + compressed], comment))
        at += 46 + name_length + extra + comment_length
    return members


def patched(data: bytes, sheet: int, columns: int, rows: list[tuple[int, list, list]]) -> bytes | None:
    """A workbook this module wrote, with rows of its `sheet` (1 for the first; `columns` cells a
    row) replaced: [(row number (the header is row 1), the cells written, the new cells)]. Only
    the pieces around them are compressed again. None when the workbook is not one this module
    wrote or does not hold those rows as written."""
    found = _sheet_pieces(data, sheet)
    if found is None:
        return None
    members, member, pieces = found
    held, row_xml = _SheetRows(pieces), row_writer(columns)
    edits = []
    try:
        for number, old, new in sorted(rows, key=lambda row: row[0]):
            index = number - 2
            if not 0 <= index < held.total or held.row(index) != row_xml(old, TEXT).encode("utf-8"):
                return None
            edits.append((index, index + 1, [row_xml(new, TEXT).encode("utf-8")]))
        made = held.edited(edits)
    except _NotWritten:
        return None
    return _with_pieces(members, member, made) if made is not None else None


def moved(data: bytes, sheet: int, columns: int, first: int, sources: list[int | list],
          to_end: bool = False) -> bytes | None:
    """A workbook this module wrote, with the rows of its `sheet` from row number `first` on
    written again from `sources`, one per row: a row number (that row as the workbook holds it)
    or cells (written anew). With `to_end`, `sources` are the sheet's rows from `first` to its
    end, however many there were: the sheet's size is written anew. Only the pieces around the
    rows that change place are compressed again. None when the workbook is not one this module
    wrote or lacks a row."""
    found = _sheet_pieces(data, sheet)
    if found is None or not (sources or to_end):
        return None
    members, member, pieces = found
    held, row_xml = _SheetRows(pieces), row_writer(columns)
    start = first - 2
    end = held.total if to_end else start + len(sources)
    if not 0 <= start <= end <= held.total or (start == held.total and not to_end) or \
            start + len(sources) + 1 >= MAX_ROWS or (to_end and held.total + 1 >= MAX_ROWS):
        return None  # (no such rows; or a sheet too long for one, which goes on in more)
    rows: list[bytes | int] = []
    for source in sources:
        if type(source) is int:
            if not 0 <= source - 2 < held.total:
                return None
            rows.append(source - 2)
        else:
            rows.append(row_xml(source, TEXT).encode("utf-8"))
    try:
        made = held.edited([(start, end, rows)])
    except _NotWritten:
        return None
    if made is None:
        return None
    if to_end:
        head = _resized(made[0], column_letters(columns - 1), held.total + 1, start + len(sources) + 1)
        if head is None:
            return None
        made[0] = head
    return _with_pieces(members, member, made)


class _NotWritten(Exception):
    """A piece does not hold rows as this module writes them."""


class _SheetRows:
    """The data rows of a sheet as its pieces hold them (`_sheet_pieces`), each piece's read when
    one of its rows is asked for. Rows are given by index (0: the row after the header)."""

    def __init__(self, pieces: list[_Piece]):
        self.pieces = pieces
        self.starts, at = [], 0  # each piece's first row
        for piece in pieces:
            self.starts.append(at)
            at += piece[3]
        self.total = at
        self._rows: dict[int, list[bytes]] = {}
        # the last row of each piece but the last: those that end a piece (`_ends_piece`)
        self._ending = frozenset(start - 1 for start in self.starts[2:-1])

    def piece_of(self, index: int) -> int:
        """The piece holding the row `index` (< total)."""
        return bisect_right(self.starts, index, 1, len(self.pieces) - 1) - 1

    def rows_of(self, number: int) -> list[bytes]:
        rows = self._rows.get(number)
        if rows is None:
            data, _, _, count = self.pieces[number]
            parts = zlib.decompressobj(-15).decompress(data).split(_ROW)
            if parts[0] or len(parts) != count + 1:
                raise _NotWritten
            rows = self._rows[number] = [_ROW + part for part in parts[1:]]
        return rows

    def row(self, index: int) -> bytes:
        number = self.piece_of(index)
        return self.rows_of(number)[index - self.starts[number]]

    def edited(self, edits: list[tuple[int, int, list[bytes | int]]]) -> list[_Piece] | None:
        """The sheet's pieces with each edit (start, end, rows) made: the rows from `start` to
        before `end` replaced by `rows` (a row's XML, or the index of a row held now). The edits
        in order, none overlapping (else None). Each edit's rows are put in a run of rows from the
        start of the piece it begins in to a row that ends a piece (or the sheet's end); that run
        is cut into pieces as the whole sheet would be (`_runs`), those made of the same rows as
        a piece held now being that piece."""
        pieces, last = self.pieces, len(self.pieces) - 1  # (the sheet's end)
        out: list[_Piece | list] = [pieces[0]]  # pieces, and runs of rows to compress
        run: list[bytes | int] = []  # the rows of the edits under way, and those held around them
        after = 1  # the first piece not yet placed or put in `run`
        done = 0  # where the last edit ended
        for start, end, rows in edits:
            if start < done or end < start:
                return None
            number = self.piece_of(start) if start < self.total else max(1, last - 1)
            if number >= after:  # a piece after the run: the run ends, the pieces up to this one are kept
                out += self._cut(run)
                out += pieces[after:number]
                run = list(range(self.starts[number], start))
            else:  # within the run: its last rows, held from `start` on, give way
                del run[len(run) - (self.starts[after] - start):]
            run += rows
            holding_end = self.piece_of(end - 1) if end > start else number
            after = max(after, holding_end + 1, number + 1) if number < last else last
            run += range(end, self.starts[after])
            while after < last and run and not self._ends(run[-1]):
                run += range(self.starts[after], self.starts[after + 1])  # (the run goes on into the next piece)
                after += 1
            done = end
        out += self._cut(run)
        out += pieces[after:]
        runs = [item for item in out if type(item) is list]
        made = iter(_pieces(runs))
        return [next(made) if type(item) is list else item for item in out]

    def _ends(self, row: bytes | int) -> bool:
        """`_ends_piece` of a row's XML or of the row held at an index: each piece but the last
        ends with such a row, and only there (the last ends with the sheet)."""
        if type(row) is not int:
            return _ends_piece(row)
        return row in self._ending or (row == self.total - 1 and _ends_piece(self.row(row)))

    def _cut(self, run: list[bytes | int]) -> list:
        """The run's rows in pieces: a piece held now where the rows are its, else the rows' XML."""
        out: list = []
        piece: list[bytes | int] = []
        for row in run:
            piece.append(row)
            if self._ends(row):
                out.append(self._kept(piece))
                piece = []
        if piece:
            out.append(self._kept(piece))
        return out

    def _kept(self, rows: list[bytes | int]) -> _Piece | list[bytes]:
        first = rows[0]
        if type(first) is int:
            number = self.piece_of(first)
            start, count = self.starts[number], self.pieces[number][3]
            if first == start and len(rows) == count and rows == list(range(start, start + count)):
                return self.pieces[number]
        return [self.row(row) if type(row) is int else row for row in rows]


def _resized(start: _Piece, last: str, rows: int, now: int) -> _Piece | None:
    """A sheet's first piece (`_sheet_start`) with the size it gives, `rows` rows of columns up
    to `last`, made `now` rows; None when it does not give that size."""
    if rows == now:
        return start
    text = zlib.decompressobj(-15).decompress(start[0])
    size = f'<dimension ref="A1:{last}{rows}"/>'.encode("ascii")
    if text.count(size) != 1:
        return None
    return _piece(text.replace(size, f'<dimension ref="A1:{last}{now}"/>'.encode("ascii")))


def _sheet_pieces(data: bytes, sheet: int) -> tuple[list, "_Member", list[_Piece]] | None:
    """The archive's members, the `sheet`'s member, and its pieces (`_sheet_member`); None when
    the workbook is not one this module wrote."""
    members = _read_archive(data)
    name = f"xl/worksheets/sheet{sheet}.xml"
    member = next((m for m in members or () if m.name == name), None)
    if member is None or not member.comment.startswith(_PIECES):
        return None
    pieces, at = [], 0
    for entry in member.comment[len(_PIECES):].split(b","):
        numbers = entry.split(b"/")
        if len(numbers) != 4 or not all(number.isdigit() for number in numbers):  # (a workbook written before)
            return None
        length, size, crc, rows = (int(n) for n in numbers)
        pieces.append((member.data[at:at + length], size, crc, rows))
        at += length
    if member.data[at:] != _LAST_BLOCK or len(pieces) < 2 or pieces[0][3] or pieces[-1][3]:
        return None
    return members, member, pieces


def _with_pieces(members: list, member: "_Member", pieces: list[_Piece]) -> bytes:
    """The archive with the sheet `member` made of `pieces`."""
    stream = b"".join(piece[0] for piece in pieces) + _LAST_BLOCK
    size = sum(piece[1] for piece in pieces)
    members = [m if m is not member else _Member(member.name, _joined_crc(pieces), size, stream, _comment(pieces))
               for m in members]
    return _archive(members)


def _parts(sheet: Sheet) -> list[Sheet]:
    """The sheet as Excel can open it: rows beyond MAX_ROWS go on in sheets named "Kết quả (2)",
    "Kết quả (3)", … (about 100,000 documents give a million result rows), each with the header."""
    per_sheet = MAX_ROWS - 1
    if len(sheet.rows) <= per_sheet:
        return [sheet]
    parts = []
    for number, start in enumerate(range(0, len(sheet.rows), per_sheet), start=1):
        suffix = f" ({number})" if number > 1 else ""
        name = sheet.name[: MAX_NAME - len(suffix)] + suffix
        parts.append(Sheet(name, sheet.headers, sheet.widths, sheet.rows[start:start + per_sheet]))
    return parts


def column_letters(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def clean_text(value: str) -> str:
    """A cell's text as the file stores it: characters XML cannot hold removed, Excel's own escape
    sequences escaped, cut at Excel's limit."""
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    if "_x" in value:
        value = _ESCAPE_LOOKALIKE.sub(r"_x005F\1", value)
    return value[:MAX_TEXT]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(text: str) -> str:
    return _escape(text).replace('"', "&quot;")


def row_writer(columns: int) -> Callable[[Sequence[Cell], int], str]:
    """A function giving a row's XML: (cells, style of its text cells) -> XML. Neither the row nor
    its cells are numbered: a row is the one after the row before it, and so is each cell."""
    number_start = f'<c s="{NUMBER}"><v>'
    # A text's element, by the text: the same few thousand texts fill most cells (a document's
    # title on each of its targets' rows, units, statuses: 33,000 texts in 950,000 cells).
    elements: dict[str, str] = {}

    def row_xml(cells: Sequence[Cell], text_style: int) -> str:
        text_start, empty = f'<c s="{text_style}" t="inlineStr"><is>', f'<c s="{text_style}"/>'
        parts = ["<row>"]
        for value in cells[:columns]:
            if value is None:
                parts.append("<c/>")  # (no value and no style: where the next cell is told)
            elif isinstance(value, str):
                if value == "":
                    parts.append(empty)
                    continue
                element = elements.get(value)
                if element is None:
                    element = elements[value] = _text_element(value)
                parts += (text_start, element, "</is></c>")
            else:
                parts += (number_start, _number(value), "</v></c>")
        parts.append("</row>")
        return "".join(parts)

    return row_xml


def _text_element(value: str) -> str:
    stored = _escape(clean_text(value))
    if stored != stored.strip() or "\n" in stored:
        return f'<t xml:space="preserve">{stored}</t>'
    return f"<t>{stored}</t>"


def _number(value: int | float) -> str:
    if isinstance(value, int) or value.is_integer():
        return str(int(value))
    return f"{value:.16G}"


def _width(characters: float) -> float:
    """Excel's stored column width for a width in characters (Calibri 11: 7 pixels a character,
    5 pixels of padding)."""
    return int((characters * 7 + 5) / 7 * 256) / 256


def _sheet_start(sheet: Sheet, selected: bool, last: str, rows: int) -> str:
    cols = "".join(f'<col min="{i}" max="{i}" width="{_width(w)}" customWidth="1"/>'
                   for i, w in enumerate(sheet.widths, start=1))
    tab = 'tabSelected="1" ' if selected else ""
    return (f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            f'<dimension ref="A1:{last}{rows}"/>'
            f'<sheetViews><sheetView {tab}workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
            f"<cols>{cols}</cols><sheetData>")


def _sheet_end(last: str, header_text: str) -> str:
    header = "&amp;L" + _escape(clean_text(header_text[:200]).replace("&", "&&")) if header_text else ""
    return (f'</sheetData><autoFilter ref="A1:{last}1"/>'
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            '<pageSetup paperSize="9" orientation="landscape" fitToHeight="0"/>'
            f"<headerFooter><oddHeader>{header}&amp;RTrang &amp;P/&amp;N</oddHeader></headerFooter>"
            "</worksheet>")


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _workbook(sheets: Sequence[Sheet]) -> str:
    entries = "".join(f'<sheet name="{_attribute(s.name)}" sheetId="{i}" r:id="rId{i}"/>'
                      for i, s in enumerate(sheets, start=1))
    names = []
    for index, s in enumerate(sheets):
        last = column_letters(len(s.headers) - 1)
        names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
                     f"{_escape(_quoted(s.name))}!$A$1:${last}$1</definedName>")
    for index, s in enumerate(sheets):
        names.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">'
                     f"{_escape(_quoted(s.name))}!$1:$1</definedName>")
    return (f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><workbookPr/>'
            '<bookViews><workbookView/></bookViews>'
            f"<sheets>{entries}</sheets><definedNames>{''.join(names)}</definedNames>"
            '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>')


def _workbook_rels(count: int) -> str:
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    rels = [f'<Relationship Id="rId{i}" Type="{kind}worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, count + 1)]
    rels.append(f'<Relationship Id="rId{count + 1}" Type="{kind}styles" Target="styles.xml"/>')
    return f'{_HEAD}<Relationships xmlns="{_PKG_REL}">{"".join(rels)}</Relationships>'


def _root_rels() -> str:
    kind = "http://schemas.openxmlformats.org/"
    return (f'{_HEAD}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{kind}officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{kind}package/2006/relationships/metadata/core-properties" '
            'Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{kind}officeDocument/2006/relationships/extended-properties" '
            'Target="docProps/app.xml"/></Relationships>')


def _content_types(count: int) -> str:
    kind = "application/vnd.openxmlformats-officedocument."
    sheets = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                     f'ContentType="{kind}spreadsheetml.worksheet+xml"/>' for i in range(1, count + 1))
    return (f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{kind}spreadsheetml.sheet.main+xml"/>'
            f"{sheets}"
            f'<Override PartName="/xl/styles.xml" ContentType="{kind}spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            f'<Override PartName="/docProps/app.xml" ContentType="{kind}extended-properties+xml"/>'
            "</Types>")


def _core(title: str) -> str:
    return (f'{_HEAD}<cp:coreProperties '
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{_escape(clean_text(title))}</dc:title>"
            '<dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:created>'
            '<dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:modified>'
            "</cp:coreProperties>")


def _app() -> str:
    return (f'{_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>sitegen</Application></Properties>")


_BORDER = '<color auto="1"/>'
_STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0.##"/></numFmts>'
    '<fonts count="2">'
    '<font><sz val="11"/><color rgb="FF000000"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><color rgb="FF000000"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFF4F6F8"/><bgColor indexed="64"/></patternFill></fill>'
    '</fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    f'<border><left style="thin">{_BORDER}</left><right style="thin">{_BORDER}</right>'
    f'<top style="thin">{_BORDER}</top><bottom style="thin">{_BORDER}</bottom><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" '
    'applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1" '
    'applyAlignment="1"><alignment vertical="top"/></xf>'
    '</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0"/></styleSheet>'
)
