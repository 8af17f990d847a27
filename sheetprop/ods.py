"""Reading the few cells sheetprop needs from an OpenDocument spreadsheet (.ods), straight
from its XML, as xlsx.py does for an .xlsx.

An .ods keeps, beside every formula, the result the student's office computed and showed
(office:value, or calcext:value-type="error" for an error). That result is what is graded,
as for an .xlsx: recalculating the file elsewhere would grade something the student never
saw (a pt-BR Calc's =VALOR("0,6112") is 0.6112 there and 6112 in an en-US LibreOffice; an
English =SUM(...) typed into a pt-BR Calc shows #NOME? there and a sum here). Reading it
directly also needs no LibreOffice. Every part is streamed through expat with the same
guards as xlsx.py (no DTD, no entities), after intake has inspected the zip; repeated rows
and columns are counted, never expanded.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from functools import cached_property

from .xlsx import BLANK, COORD, Cell, _AllFound, _col_index, _damaged, _guarded_parse

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
SEP = "}"  # expat's namespace separator here: "uri}local"

MAX_ROWS, MAX_COLUMNS = 1 << 20, 1 << 14  # a spreadsheet's own limits
# An error value as an office without the calcext attribute saves it: #DIV/0!, #VALUE!, #NOME?, #N/A.
ERROR_TEXT = re.compile(r"#[A-Za-zÀ-ÿ0-9/]{1,10}[!?]|#N/[AD]")


def _q(ns: str, local: str) -> str:
    return f"{ns}{SEP}{local}"


T_TABLE, T_ROW, T_CELL, T_COVERED = (_q(TABLE, n) for n in ("table", "table-row", "table-cell",
                                                            "covered-table-cell"))
T_NAMED_RANGE, T_NAMED_EXPRESSIONS = _q(TABLE, "named-range"), _q(TABLE, "named-expressions")
A_NAME, A_RANGE = _q(TABLE, "name"), _q(TABLE, "cell-range-address")
A_ROWS, A_COLS = _q(TABLE, "number-rows-repeated"), _q(TABLE, "number-columns-repeated")
A_FORMULA = _q(TABLE, "formula")
A_TYPE, A_VALUE, A_DATE, A_BOOL = (_q(OFFICE, n) for n in ("value-type", "value", "date-value", "boolean-value"))
A_CALC_TYPE = _q(CALCEXT, "value-type")
T_ANNOTATION = _q(OFFICE, "annotation")
T_P, T_S, T_TAB, T_BREAK = (_q(TEXT, n) for n in ("p", "s", "tab", "line-break"))
A_C = _q(TEXT, "c")
T_USER_DEFINED, A_META_NAME = _q(META, "user-defined"), _q(META, "name")


def _count(value, limit: int) -> int:
    try:
        return max(1, min(int(value), limit))
    except (TypeError, ValueError):
        return 1


class Ods:
    """The same questions as xlsx.Xlsx answers, for an .ods."""

    def __init__(self, z: zipfile.ZipFile):
        self.z = z
        self._names = set(z.namelist())

    def _open(self, name: str):
        if name not in self._names:
            raise _damaged(f"no {name}")
        return self.z.open(name)

    @cached_property
    def external_links(self) -> bool:
        """A formula into another file (['file:///…'#$Sheet1.A1]) or a sheet linked from one."""
        if "content.xml" not in self._names:
            return False
        with self.z.open("content.xml") as f:
            data = f.read()
        return bool(_EXTERNAL.search(data)) or b"table-source" in data

    @cached_property
    def custom_properties(self) -> dict[str, str]:
        """meta:user-defined fields: name -> text (the first of each name)."""
        scanner = _UserDefined()
        if "meta.xml" in self._names:
            with self.z.open("meta.xml") as f:
                _guarded_parse(f, scanner, "meta.xml", namespaces=SEP)
        return scanner.found

    @cached_property
    def _structure(self) -> tuple[list[str], dict[str, str]]:
        scanner = _Structure()
        with self._open("content.xml") as f:
            _guarded_parse(f, scanner, "content.xml", namespaces=SEP)
        return scanner.sheets, scanner.names

    @cached_property
    def sheets(self) -> dict[str, str]:
        return {name: name for name in self._structure[0]}

    @cached_property
    def defined_names(self) -> dict[str, str]:
        """Document-level named ranges, written as xlsx.parse_reference reads them ('Sheet'!$C$20)."""
        return self._structure[1]

    def number_grid(self, sheet: str, columns: list[str], first_row: int, last_row: int):
        """Xlsx.number_grid's shape with no fast path: every cell of a training block in an .ods
        is read by read(), one by one (a LibreOffice user's run, not a class's thousands)."""
        import numpy as np

        return np.full((last_row - first_row + 1, len(columns)), np.nan)

    def read(self, sheet: str, coords) -> dict[str, Cell]:
        asked = {str(c).upper() for c in coords}
        if sheet not in self.sheets:
            raise KeyError(sheet)
        wanted: dict[int, dict[int, str]] = {}
        for coord in asked:
            m = COORD.fullmatch(coord) if len(coord) <= 10 else None
            if m:
                wanted.setdefault(int(m.group(2)), {})[_col_index(m.group(1))] = coord
        scanner = _Cells(sheet, wanted)
        try:
            with self._open("content.xml") as f:
                _guarded_parse(f, scanner, "content.xml", namespaces=SEP)
        except _AllFound:
            pass
        found = {coord: self._cell_from(raw) for coord, raw in scanner.found.items()}
        return {c: found.get(c, BLANK) for c in asked}

    def _cell_from(self, raw: dict) -> Cell:
        formula = raw.get("formula")
        if formula is not None:
            formula = _plain_formula(formula)
        kind = raw.get("type")
        text = raw.get("text", "")
        if raw.get("calc_type") == "error" or (formula is not None and kind == "string"
                                               and ERROR_TEXT.fullmatch(text.strip())):
            return Cell("error", text=text.strip() or "#?", formula=formula)
        if kind in ("float", "percentage", "currency"):
            try:
                number = float(raw.get("value") or "")
            except (TypeError, ValueError):  # no value saved, or not a number: what it shows is text
                return Cell("text", text=text, formula=formula)
            if not math.isfinite(number):
                return Cell("text", text=raw.get("value") or "", formula=formula)
            return Cell("number", number, formula=formula)
        if kind in ("date", "time"):
            # a time cell has no date-value: it is a date to the student's eye all the same (unreadable)
            return Cell("number", _serial(raw.get("date") or ""), formula=formula, date=True)
        if kind == "boolean":
            return Cell("bool", 1.0 if raw.get("bool", "").strip().lower() == "true" else 0.0, formula=formula)
        if kind == "string":
            return Cell("text", text=text, formula=formula) if text != "" else Cell("blank", formula=formula)
        if formula is not None:
            return Cell("no_result", formula=formula)
        return BLANK


_EXTERNAL = re.compile(rb"\[(?:'|&apos;)[A-Za-z][A-Za-z0-9+.-]{0,20}:")
# [.C24], [$Sheet.C24], [.C24:.C25]: a reference inside the file; one with a '#' names another file.
_REFERENCE = re.compile(r"\[([^\[\]#]*)\]")


def _plain_formula(formula: str) -> str:
    """'of:=[.C24]*[$Data.C25]' -> 'C24*Data!C25'. A reference into another file keeps its
    brackets, which is how the reader tells an external link (as in an .xlsx's [1]Sheet1!A1)."""
    text = formula.split(":", 1)[1] if re.match(r"[a-z]{2,8}:", formula) else formula
    text = text[1:] if text.startswith("=") else text
    return _REFERENCE.sub(lambda m: _reference(m.group(1)), text)


def _reference(inside: str) -> str:
    out = []
    for part in inside.split(":"):
        sheet, _, cell = part.rpartition(".")
        sheet = sheet.lstrip("$")
        out.append(f"{sheet}!{cell}" if sheet else cell)
    return ":".join(out)


def _serial(value: str) -> float:
    """A date as a spreadsheet's serial number (days since 1899-12-30), for the report's echo."""
    try:
        when = dt.datetime.fromisoformat(value[:19])
    except ValueError:
        return 0.0
    return (when - dt.datetime(1899, 12, 30)).total_seconds() / 86400


class _UserDefined:
    def __init__(self):
        self.found: dict[str, str] = {}
        self.name: str | None = None
        self.buf: list[str] = []

    def start(self, name, attrs):
        if name == T_USER_DEFINED:
            self.name, self.buf = attrs.get(A_META_NAME, ""), []

    def chars(self, data):
        if self.name is not None:
            self.buf.append(data)

    def end(self, name):
        if name == T_USER_DEFINED and self.name is not None:
            self.found.setdefault(self.name, "".join(self.buf))
            self.name = None


def _as_reference(address: str) -> str:
    """'$Exercise.$C$21' or "$'Ex!1'.$C$21" -> "'Ex!1'!$C$21" (one cell; anything else as it is)."""
    sheet, dot, cell = address.rpartition(".")
    if not dot or ":" in address:
        return address
    sheet = sheet.lstrip("$")
    if sheet.startswith("'") and sheet.endswith("'") and len(sheet) >= 2:
        sheet = sheet[1:-1].replace("''", "'")
    return "'" + sheet.replace("'", "''") + "'!" + cell


class _Structure:
    """The sheets' names, in order, and the document's named ranges."""

    def __init__(self):
        self.sheets: list[str] = []
        self.names: dict[str, str] = {}
        self.tables = 0

    def start(self, name, attrs):
        if name == T_TABLE:
            if self.tables == 0:
                self.sheets.append(attrs.get(A_NAME, ""))
            self.tables += 1
        elif name == T_NAMED_RANGE and self.tables == 0:
            self.names.setdefault(attrs.get(A_NAME, ""), _as_reference(attrs.get(A_RANGE, "")))

    def end(self, name):
        if name == T_TABLE:
            self.tables -= 1

    def chars(self, data):
        pass


class _Cells:
    """The wanted cells of one sheet: value type, value, formula and shown text. Repeated
    rows and cells advance the position by their count without being expanded."""

    def __init__(self, sheet: str, wanted: dict[int, dict[int, str]]):
        self.sheet, self.wanted = sheet, wanted
        self.total = sum(len(cols) for cols in wanted.values())
        self.found: dict[str, dict] = {}
        self.tables = 0  # depth of table:table elements; 1 inside a sheet, more in a nested table
        self.here = False  # inside the wanted sheet
        self.row = 0  # the first row of the current table:table-row (1-based)
        self.rows = 1  # how many rows it repeats
        self.col = 1  # the next column
        self.cols_here: dict[int, str] | None = None  # wanted columns of the current row(s)
        self._rows_hit: list[int] = []
        self.cell: dict | None = None
        self.targets: list[str] = []
        self.text: list[str] | None = None
        self.paragraphs = 0
        self.note = 0  # inside an annotation (a comment), whose text is not the cell's

    def start(self, name, attrs):
        if name == T_TABLE:
            self.tables += 1
            if self.tables == 1:
                self.here = attrs.get(A_NAME) == self.sheet
                self.row = 1
                self.rows = 0
            return
        if not self.here or self.tables != 1:
            return
        if name == T_ROW:
            self.row += self.rows
            self.rows = _count(attrs.get(A_ROWS), MAX_ROWS)
            self.col = 1
            rows = range(self.row, self.row + self.rows)
            if self.rows == 1:
                self.cols_here = self.wanted.get(self.row)
            else:  # a repeated row holds the same cells on each of its rows
                hits = [r for r in self.wanted if r in rows]
                self.cols_here = {c: coord for r in hits for c, coord in self.wanted[r].items()} or None
                self._rows_hit = hits
            return
        if name in (T_CELL, T_COVERED):
            span = _count(attrs.get(A_COLS), MAX_COLUMNS)
            first, self.col = self.col, self.col + span
            if name == T_COVERED or not self.cols_here:
                return
            targets = [coord for c, coord in self.cols_here.items() if first <= c < first + span]
            if self.rows > 1:  # the coords of every wanted row this repeated row covers
                targets = [coord for r in self._rows_hit for c, coord in self.wanted[r].items()
                           if first <= c < first + span]
            if targets:
                self.targets = targets
                self.cell = {"type": attrs.get(A_TYPE), "value": attrs.get(A_VALUE), "date": attrs.get(A_DATE),
                             "bool": attrs.get(A_BOOL), "calc_type": attrs.get(A_CALC_TYPE),
                             "formula": attrs.get(A_FORMULA)}
                self.text, self.paragraphs = [], 0
            return
        if self.cell is None:
            return
        if name == T_ANNOTATION:
            self.note += 1
        elif self.note:
            return
        elif name == T_P:
            if self.paragraphs:
                self.text.append("\n")
            self.paragraphs += 1
        elif name == T_S:
            self.text.append(" " * _count(attrs.get(A_C), 1000))
        elif name == T_TAB:
            self.text.append("\t")
        elif name == T_BREAK:
            self.text.append("\n")

    def chars(self, data):
        if self.text is not None and not self.note:
            self.text.append(data)

    def end(self, name):
        if name == T_TABLE:
            self.tables -= 1
            if self.tables == 0 and self.here:
                raise _AllFound()  # the wanted sheet is read
            return
        if self.cell is None or self.tables != 1:
            return
        if name == T_ANNOTATION:
            self.note -= 1
        elif name == T_CELL and not self.note:
            self.cell["text"] = "".join(self.text)
            for coord in self.targets:
                self.found.setdefault(coord, self.cell)
            self.cell, self.text, self.targets = None, None, []
            if len(self.found) == self.total:
                raise _AllFound()

