"""A small streaming writer of Excel workbooks (.xlsx): sheets of text and numbers with a header
row, formatted for reading and printing.

The site's workbook has about two million cells at 10,000 documents. A general-purpose writer
keeps an object per cell until the file is closed (half a gigabyte there) and spends most of its
time on per-cell bookkeeping; this one writes each row's XML as it goes, with one table of shared
strings, and takes a tenth of the time. Every part follows ECMA-376 (SpreadsheetML)."""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Sequence

Cell = str | int | float | None  # None: no cell at all; "" is an empty cell with the text style

MAX_TEXT = 32767  # characters a cell may hold
MAX_ROWS = 1048576  # rows a sheet may hold (the header row included): longer sheets go on in more
MAX_NAME = 31  # characters of a sheet's name
ROWS_PER_WRITE = 2000  # rows of XML joined before each write into the archive

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_DATE = (1980, 1, 1, 0, 0, 0)  # every archive entry's time: the same sources give the same bytes

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
    the page number top right."""
    sheets = [part for sheet in sheets for part in _parts(sheet)]
    strings: dict[str, int] = {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        def put(name: str, text: str) -> None:
            archive.writestr(zipfile.ZipInfo(name, _DATE), text.encode("utf-8"), zipfile.ZIP_DEFLATED)

        put("[Content_Types].xml", _content_types(len(sheets)))
        put("_rels/.rels", _root_rels())
        put("docProps/app.xml", _app())
        put("docProps/core.xml", _core(title))
        put("xl/workbook.xml", _workbook(sheets))
        put("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        put("xl/styles.xml", _STYLES)
        references = 0
        for number, sheet in enumerate(sheets, start=1):
            info = zipfile.ZipInfo(f"xl/worksheets/sheet{number}.xml", _DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as stream:
                references += _write_sheet(stream, sheet, number == 1, strings, header_text)
        put("xl/sharedStrings.xml", _shared_strings(strings, references))
    return buffer.getvalue()


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


def _write_sheet(stream, sheet: Sheet, selected: bool, strings: dict[str, int], header_text: str) -> int:
    """Write one worksheet part, a few thousand rows at a time; return how many cells refer to a
    shared string."""
    letters = [column_letters(i) for i in range(len(sheet.headers))]
    last = letters[-1]
    references = 0

    # Each cell is written from pieces made once per sheet or row: this runs for every cell of the
    # workbook (2 million at 10,000 documents), so it builds no string it can reuse.
    starts = [f'<c r="{letter}' for letter in letters]
    number_end = f'" s="{NUMBER}"><v>'

    def row_xml(number: int, cells: Sequence[Cell], text_style: int) -> str:
        nonlocal references
        row = str(number)
        text_end, empty_end = f'{row}" s="{text_style}" t="s"><v>', f'{row}" s="{text_style}"/>'
        number_end_row = row + number_end
        parts = [f'<row r="{row}">']
        for start, value in zip(starts, cells):
            if value is None:
                continue
            if isinstance(value, str):
                if value == "":
                    parts += (start, empty_end)
                    continue
                index = strings.get(value)
                if index is None:
                    index = strings[value] = len(strings)
                references += 1
                parts += (start, text_end, str(index), "</v></c>")
            else:
                parts += (start, number_end_row, _number(value), "</v></c>")
        parts.append("</row>")
        return "".join(parts)

    stream.write(_sheet_start(sheet, selected, last, len(sheet.rows) + 1).encode("utf-8"))
    body = [row_xml(1, sheet.headers, HEADER)]
    for number, cells in enumerate(sheet.rows, start=2):
        body.append(row_xml(number, cells, TEXT))
        if len(body) >= ROWS_PER_WRITE:
            stream.write("".join(body).encode("utf-8"))
            body = []
    stream.write("".join(body).encode("utf-8"))
    stream.write(_sheet_end(last, header_text).encode("utf-8"))
    return references


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


def _shared_strings(strings: dict[str, int], references: int) -> str:
    items = []
    for text in strings:  # in index order: dicts keep insertion order
        stored = _escape(clean_text(text))
        space = ' xml:space="preserve"' if stored != stored.strip() or "\n" in stored else ""
        items.append(f"<si><t{space}>{stored}</t></si>")
    return (f'{_HEAD}<sst xmlns="{_MAIN}" count="{references}" uniqueCount="{len(strings)}">'
            + "".join(items) + "</sst>")


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
    rels.append(f'<Relationship Id="rId{count + 2}" Type="{kind}sharedStrings" Target="sharedStrings.xml"/>')
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
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{kind}spreadsheetml.sharedStrings+xml"/>'
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
