"""Reading the few cells sheetprop needs from an .xlsx, straight from its XML.

Why not openpyxl here: a checker reads about fifty cells by name, and must tell
apart what openpyxl folds together (a formula saved without its result reads as
None, like a blank; a date is a number with a date format). Reading the parts
directly gives that, bounded work (only the cells asked for, never a loop to
max_row), and the speed a class batch needs. Every part goes through defusedxml,
and only after intake has inspected the zip.
"""

from __future__ import annotations

import io
import math
import posixpath
import re
import zipfile
from xml.parsers import expat
from functools import cached_property, lru_cache
from typing import NamedTuple

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from .intake import Rejected

HOSTILE = "its XML declares entities or a DTD, which workbooks never need: not checked"


def _damaged(why: str) -> Rejected:
    return Rejected("damaged", f"damaged ({why}): save it again as .xlsx")

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# Excel's built-in number formats that show a date or a time.
DATE_FORMAT_IDS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
COORD = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


# The caches below hold parts a class's workbooks share (workbook, relationships, styles),
# by their exact bytes: parsing them is most of a file's cost. They are bounded in bytes,
# not only in entries: a part larger than this is parsed for its own file and never kept
# (an exercise's parts are a few KB; a student's file may hold parts of megabytes, and a
# tree costs some twenty times its XML).
CACHED_PART_BYTES = 32 * 1024


def _parse(data: bytes, name: str):
    try:
        return SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise Rejected("hostile_xml", HOSTILE) from None
    except SafeET.ParseError:
        raise _damaged(f"{name} is not well-formed XML") from None


def _small_parts_cached(derive):
    """derive(data), remembered by the part's bytes when the part is small (see above)."""
    cached = lru_cache(maxsize=128)(derive)

    def lookup(data: bytes):
        return cached(data) if len(data) <= CACHED_PART_BYTES else derive(data)

    return lookup


# What the parts shared by a class's workbooks say, by their exact stored bytes (the cache
# keeps only what was derived, and a changed part is a different key); small parts only.
_BY_STORED: dict = {}
@_small_parts_cached
def _workbook_from(data: bytes) -> tuple[tuple[tuple[str, str], ...], dict[str, str]]:
    root = _parse(data, "xl/workbook.xml")
    sheets, names = [], {}
    for el in root.iter():
        tag = _local(el.tag)
        if tag == "sheet":
            sheets.append((el.get("name"), el.get(f"{{{REL_NS}}}id")))
        elif tag == "definedName" and el.get("localSheetId") is None:
            names.setdefault(el.get("name", ""), (el.text or "").strip())
    return tuple(sheets), names


@_small_parts_cached
def _rels_from(data: bytes) -> dict[str, str]:
    rels = {}
    for rel in _parse(data, "xl/_rels/workbook.xml.rels"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        rels[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join("xl", target))
    return rels


@_small_parts_cached
def _targets_by_type_from(data: bytes) -> dict[str, str]:
    """Relationship type (its last word: sharedStrings, styles, ...) -> the first part of that type."""
    out: dict[str, str] = {}
    for rel in _parse(data, "xl/_rels/workbook.xml.rels"):
        kind = rel.get("Type", "").rsplit("/", 1)[-1]
        out.setdefault(kind, posixpath.normpath(posixpath.join("xl", rel.get("Target", ""))))
    return out


@_small_parts_cached
def _date_styles_from(data: bytes) -> frozenset[int]:
    custom, xfs = {}, []
    for el in _parse(data, "xl/styles.xml"):
        name = _local(el.tag)
        if name == "numFmts":
            for f in el:
                custom[_int(f.get("numFmtId"))] = f.get("formatCode", "")
        elif name == "cellXfs":
            xfs = [_int(xf.get("numFmtId")) for xf in el if _local(xf.tag) == "xf"]
    return frozenset(i for i, fmt in enumerate(xfs)
                     if fmt in DATE_FORMAT_IDS or (fmt in custom and is_date_format(custom[fmt])))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class Cell(NamedTuple):
    """A cell as saved: kind is number, text, bool, error, blank, or no_result (a formula without its value)."""

    kind: str
    number: float | None = None
    text: str | None = None  # for a number, the text it was saved as ("0.1311")
    formula: str | None = None
    date: bool = False  # a number shown with a date or time format


BLANK = Cell("blank")


class Xlsx:
    def __init__(self, z: zipfile.ZipFile):
        self.z = z
        self._names = set(z.namelist())

    # -- parts -----------------------------------------------------------------
    def _bytes(self, name: str) -> bytes | None:
        try:
            return self.z.read(name)
        except KeyError:
            return None
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            raise _damaged("a part failed its checksum") from None
        except Exception:  # zlib.error and friends: a corrupt stream
            raise _damaged("a part cannot be inflated") from None

    def _shared(self, name: str, derive, missing):
        """derive(part bytes), for a part a class's workbooks share (workbook, relationships,
        styles). Looked up by the part's stored (compressed) bytes first: the same stored bytes
        inflate to the same part, so a hit needs neither inflating nor parsing."""
        key = self._stored(name)
        if key is not None and (derive, key) in _BY_STORED:
            return _BY_STORED[derive, key]
        data = self._bytes(name)
        value = missing if data is None else derive(data)
        if key is not None and len(key[3]) <= CACHED_PART_BYTES:
            if len(_BY_STORED) >= 512:
                _BY_STORED.clear()
            _BY_STORED[derive, key] = value
        return value

    def _stored(self, name: str) -> tuple | None:
        try:
            info = self.z.getinfo(name)
            buf = self.z.fp.getbuffer()
            off = info.header_offset
            if bytes(buf[off: off + 4]) != b"PK\x03\x04":
                return None
            start = off + 30 + int.from_bytes(buf[off + 26: off + 28], "little") \
                + int.from_bytes(buf[off + 28: off + 30], "little")
            return name, info.compress_type, info.file_size, bytes(buf[start: start + info.compress_size])
        except (KeyError, AttributeError, ValueError, BufferError):
            return None

    @cached_property
    def _workbook(self) -> tuple:
        found = self._shared("xl/workbook.xml", _workbook_from, None)
        if found is None:
            raise _damaged("no workbook part")
        return found

    @cached_property
    def _rels(self) -> dict[str, str]:
        return self._shared("xl/_rels/workbook.xml.rels", _rels_from, {})

    @cached_property
    def sheets(self) -> dict[str, str]:
        """Sheet name -> the part that holds its cells (worksheets only)."""
        out = {}
        for name, rid in self._workbook[0]:
            part = self._rels.get(rid)
            if part and part in self._names and "worksheets/" in part and name not in out:
                out[name] = part
        return out

    @cached_property
    def defined_names(self) -> dict[str, str]:
        """Workbook-level defined names -> their formula text, e.g. 'Exercise'!$C$20."""
        return self._workbook[1]

    @cached_property
    def external_links(self) -> bool:
        return any(n.startswith("xl/externalLinks/") for n in self._names)

    @cached_property
    def custom_properties(self) -> dict[str, str]:
        """Custom document properties: name -> text. (Read with expat: each file's are its own,
        so there is nothing to cache, and a tree would cost more than the rest of the file.)"""
        data = self._bytes("docProps/custom.xml")
        scanner = _PropertyScanner()
        if data is not None:
            _guarded_parse(io.BytesIO(data), scanner, "docProps/custom.xml")
        return scanner.found

    def _strings(self, wanted: set[int]) -> dict[int, str]:
        """The shared strings at these indices, streamed: the others are never kept (a
        student's file may hold megabytes of them), and phonetic runs are skipped in one pass."""
        part = self._rels_of_type("sharedStrings") or "xl/sharedStrings.xml"
        scanner = _StringScanner(wanted)
        if wanted and part in self._names:
            try:
                with self.z.open(part) as f:
                    _guarded_parse(f, scanner, part)
            except _AllFound:
                pass
        return scanner.found

    @cached_property
    def _date_styles(self) -> frozenset[int]:
        return self._shared("xl/styles.xml", _date_styles_from, frozenset())

    def _rels_of_type(self, kind: str) -> str | None:
        return self._shared("xl/_rels/workbook.xml.rels", _targets_by_type_from, {}).get(kind)

    # -- cells -----------------------------------------------------------------
    def read(self, sheet: str, coords) -> dict[str, Cell]:
        """The cells at these coordinates (like 'C12') of one sheet; absent cells are blank.

        The wanted cells are cut out of the sheet's XML where the cut is exact and read
        directly (or through expat when not in a plain form); otherwise the sheet is
        streamed through expat with handlers that keep only the wanted cells. Either way
        nothing is built for the cells around them and memory stays small.
        """
        asked = {str(c).upper() for c in coords}
        # A coordinate that is not one (the metadata is the student's) names no cell: it reads
        # blank, and never reaches the cut's pattern (which is cached).
        wanted = {c for c in asked if len(c) <= 10 and COORD.fullmatch(c)}
        part = self.sheets.get(sheet)
        if part is None:
            raise KeyError(sheet)
        scanner = _CellScanner(wanted)
        try:
            data = self.z.read(part)
        except KeyError:
            data = b""
        except Exception:
            data = None  # let the streaming parse below report the damage
        elements = None if data is None else _wanted_cells_only(data, wanted)
        if elements is not None:
            # Cells in their plainest form (as Excel and LibreOffice write numbers and
            # formulas) are read directly; any other goes through expat.
            rest = []
            direct: dict[str, Cell] = {}
            for coord, element in elements:
                if isinstance(element, bytes):
                    raw = _plain_cell(element)
                else:
                    cell = self._number_cell(element)
                    if cell is not None:
                        direct[coord] = cell
                        continue
                    raw = _common_raw(element)
                if raw is None:
                    rest.append(element)
                else:
                    scanner.found[coord] = raw
            if rest:
                try:
                    _guarded_parse(io.BytesIO(b"<x>" + b"".join(rest) + b"</x>"), scanner, part)
                except _AllFound:
                    pass
                except Rejected:  # an odd attribute fooled the cut: read the sheet whole
                    scanner = _CellScanner(wanted)
                    elements = None
        if elements is None:
            try:
                with self.z.open(part) as f:
                    _guarded_parse(f, scanner, part)
            except (_AllFound, KeyError):
                pass
        indices = {i for raw in scanner.found.values() if raw.get("t") == "s"
                   for i in [_int(raw.get("v"))] if i is not None and i >= 0}
        strings = self._strings(indices)
        found = {}
        for coord, raw in scanner.found.items():
            found[coord] = self._cell_from(raw, strings)
        if elements is not None:
            found.update(direct)
        return {c: found.get(c, BLANK) for c in asked}

    def number_grid(self, sheet: str, columns: list[str], first_row: int, last_row: int):
        """The plain numbers of a block of cells as a (rows, columns) numpy array, NaN where a
        cell holds anything else (blank, text, a date-formatted number, a formula pointing to
        another workbook, a form this pass does not read): read() reads those.

        A training run's block has some 100,000 cells, too many to build a Cell each: one
        regular-expression pass over the sheet, converted to numbers by numpy. Nothing is taken
        from a sheet that is not plain XML (see _wanted_cells_only)."""
        import numpy as np

        grid = np.full((last_row - first_row + 1, len(columns)), np.nan)
        part = self.sheets.get(sheet)
        if part is None:
            raise KeyError(sheet)
        try:
            data = self.z.read(part)
        except KeyError:
            return grid
        if _NOT_PLAIN.search(data) or _PREFIXED_CELL.search(data) or \
                not data[-256:].rstrip().endswith(b"</worksheet>"):
            return grid
        # findall holds every match at once: a sheet with far more cells than the block (a hostile
        # one could pack a million into its part) goes the streaming way instead.
        if data.count(b"<c ") > 2 * grid.size + 10_000:
            return grid
        found = _PLAIN_NUMBER_CELL.findall(data)
        if not found:
            return grid
        letters, rows, styles, values = zip(*found)
        where = {c.encode(): k for k, c in enumerate(columns)}
        cols = np.fromiter((where.get(c, -1) for c in letters), dtype=np.int64, count=len(letters))
        rows = np.array(rows).astype(np.int64)
        try:
            numbers = np.array(values).astype(float)
        except ValueError:  # something like "1-2" that only looks numeric: those cells go to read()
            numbers = np.array([_float_or_nan(v) for v in values])
        dates = [str(n).encode() for n in self._date_styles]
        keep = (cols >= 0) & (rows >= first_row) & (rows <= last_row) & np.isfinite(numbers)
        if dates:
            keep &= ~np.isin(np.array(styles), dates)
        # Reversed, so that where a cell is written twice the first one stays, as a full parse keeps.
        idx = np.flatnonzero(keep)[::-1]
        grid[rows[idx] - first_row, cols[idx]] = numbers[idx]
        return grid

    def largest_merge(self, sheet: str) -> int:
        """The number of cells in the sheet's largest merged range (openpyxl materialises them all)."""
        part = self.sheets.get(sheet)
        if part is None:
            return 0
        scanner = _MergeScanner()
        try:
            with self.z.open(part) as f:
                _guarded_parse(f, scanner, part)
        except KeyError:
            pass
        return scanner.largest

    def _number_cell(self, m: re.Match) -> Cell | None:
        """A plain number (with or without its formula) straight from the match, or None to
        take the general way. Same result as _cell_from, which tests check."""
        s, t, f, f_text, v = m.groups()
        if (t is not None and t != b"n") or not v:
            return None
        try:
            number = float(v)
        except ValueError:
            return None
        if not math.isfinite(number):
            return None
        formula = None if f is None else (f_text or b"").decode("utf-8", "replace")
        # The saved text too: it tells how many digits a typed number was given with.
        return Cell("number", number, v.decode("ascii", "replace"), formula,
                    s is not None and int(s) in self._date_styles)

    def _cell_from(self, raw: dict, strings: dict[int, str] | None = None) -> Cell:
        t = raw.get("t") or "n"
        v, formula, inline = raw.get("v"), raw.get("f"), raw.get("is")
        if t == "inlineStr":
            return Cell("text", text=unescape_ooxml(inline or ""), formula=formula)
        if v is None or (v == "" and t != "str"):
            if formula is not None:
                return Cell("no_result", formula=formula)
            return BLANK
        if t == "s":
            i = _int(v)
            if strings is None:
                strings = self._strings({i} if i is not None and i >= 0 else set())
            return Cell("text", text=strings.get(i, ""), formula=formula)
        if t == "str":
            return Cell("text", text=v, formula=formula) if v != "" else Cell("blank", formula=formula)
        if t == "b":
            return Cell("bool", number=1.0 if v.strip() in ("1", "true") else 0.0, formula=formula)
        if t == "e":
            return Cell("error", text=v, formula=formula)
        try:
            number = float(v)
        except ValueError:
            return Cell("text", text=v, formula=formula)
        if not math.isfinite(number):
            return Cell("text", text=v, formula=formula)
        style = _int(raw.get("s"))
        return Cell("number", number=number, text=v, formula=formula,
                    date=style is not None and style in self._date_styles)


_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape_ooxml(text: str) -> str:
    """Excel writes characters XML cannot hold (control characters) as _xHHHH_. A character
    beyond the 16-bit range comes as two (a surrogate pair), joined here; a lone surrogate
    stays one, for the outputs to escape (see inert.py)."""
    if "_x" not in text:
        return text
    out = _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return out.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def is_date_format(code: str) -> bool:
    """Does an Excel number format show a date or time? Quoted text, escapes and [colour] don't count."""
    code = re.sub(r'"[^"]*"|\\.|_.|\*.', "", code[:MAX_FORMAT])
    # [^\[\]]*, not [^\]]*: each '[' then scans only to the next bracket (linear time).
    code = re.sub(r"\[(?!h\]|hh\]|m\]|mm\]|s\]|ss\])[^\[\]]*\]", "", code, flags=re.IGNORECASE)
    section = code.split(";")[0].lower()
    return bool(re.search(r"[dmyhs]", section)) and section not in ("general",)


# Excel refuses a number format longer than this.
MAX_FORMAT = 255


class _AllFound(Exception):
    pass


class _HostileXML(Exception):
    pass


def _forbid(*_args):
    raise _HostileXML()


def _guarded_parse(f, handler, part: str, chunk: int = 1 << 16, namespaces: str | None = None):
    """Feed a part to expat with the guards defusedxml installs: no DTD, no entity declarations,
    no external entities. (defusedxml's own parsers build a tree through Python callbacks for
    every element; this keeps only what the handler wants.) With `namespaces`, names come as
    uri + namespaces + local name."""
    p = expat.ParserCreate(namespace_separator=namespaces) if namespaces else expat.ParserCreate()
    p.buffer_text = True
    p.StartDoctypeDeclHandler = _forbid
    p.EntityDeclHandler = _forbid
    p.UnparsedEntityDeclHandler = _forbid
    p.ExternalEntityRefHandler = _forbid
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    p.StartElementHandler = handler.start
    p.EndElementHandler = handler.end
    p.CharacterDataHandler = handler.chars
    try:
        while True:
            block = f.read(chunk)
            p.Parse(block, not block)
            if not block:
                break
    except _HostileXML:
        raise Rejected("hostile_xml", HOSTILE) from None
    except expat.ExpatError:
        raise _damaged(f"{part} is not well-formed XML") from None
    except (zipfile.BadZipFile, OSError, EOFError):
        raise _damaged("a part failed its checksum") from None
    except (_AllFound, Rejected):
        raise
    except Exception as e:  # zlib.error: a corrupt stream
        if type(e).__name__ == "error":
            raise _damaged("a part cannot be inflated") from None
        raise


# One pass finds anything that makes the cut inexact: a comment, CDATA or DTD ('<!'), a
# namespace prefix on a cell, or a cell that does not start '<c r="C12"'.
# (Two patterns, each starting with a literal, so that the regex engine can skip ahead.)
_NOT_PLAIN = re.compile(rb'<(?:!|c(?! r="[A-Z]{1,3}[1-9][0-9]{0,6}")[\s>/])')
_PREFIXED_CELL = re.compile(rb':c[\s>/]')


# Beyond this many wanted cells one alternation takes longer to compile and run than
# matching every cell and keeping the wanted ones.
_ALTERNATION_LIMIT = 1000
_ANY_CELL = re.compile(rb'<c r="([A-Z]{1,3}[1-9][0-9]{0,6})"')


@lru_cache(maxsize=32)
def _wanted_pattern(wanted: frozenset) -> re.Pattern:
    """One pass finds every wanted cell (a class's workbooks all want the same ones)."""
    return re.compile(rb'<c r="(' + b"|".join(re.escape(c.encode()) for c in sorted(wanted)) + rb')"')


def _wanted_cells_only(data: bytes, wanted: set[str]) -> list[tuple[str, bytes | re.Match]] | None:
    """The wanted <c> elements alone (matched in place where they are in the commonest form),
    or None to parse the whole sheet.

    A sheet is mostly labels and hints around the answer column; cutting the wanted
    cells out first makes reading several times faster. The cut is taken only where it
    is exact: plain XML (no comment, CDATA section or DTD: no '<!' anywhere), no
    namespace prefix on cells, every cell written as Excel and LibreOffice write it,
    '<c r="C12"' first, and the sheet's closing tag in place. Anything else goes through
    the parser whole.
    """
    if _NOT_PLAIN.search(data) or _PREFIXED_CELL.search(data) or not data[-256:].rstrip().endswith(b"</worksheet>"):
        return None  # (a truncated sheet, too, goes to the parser, which says it is damaged)
    starts: dict[bytes, int] = {}
    if len(wanted) > _ALTERNATION_LIMIT:  # a training run's block: one pattern per cell costs seconds
        wanted_bytes = {c.encode() for c in wanted}
        for m in _ANY_CELL.finditer(data):
            if m.group(1) in wanted_bytes:
                starts.setdefault(m.group(1), m.start())
    else:
        for m in _wanted_pattern(frozenset(wanted)).finditer(data):
            starts.setdefault(m.group(1), m.start())  # the first, as a full parse keeps
    parts = []
    for coord, start in starts.items():
        m = _COMMON_CELL.match(data, start)
        if m is not None:  # the commonest form, read in place
            parts.append((coord.decode(), m))
            continue
        close = data.find(b">", start)
        if close < 0:
            return None
        if data[close - 1: close] == b"/":
            parts.append((coord.decode(), data[start: close + 1]))
            continue
        end = data.find(b"</c>", close)
        if end < 0:
            return None
        parts.append((coord.decode(), data[start: end + 4]))
    return parts


# A cell with only plain attributes, an optional formula and an optional value, no markup
# or entity in either: read without a parser. Anything else is left to expat.
_PLAIN_CELL = re.compile(
    rb'<c((?:\s+[A-Za-z]+="[^"<>&]*")*)\s*'
    rb'(?:/>|>(?:<f(?:\s+[A-Za-z]+="[^"<>&]*")*\s*(?:/>|>([^<&]*)</f>))?(?:<v>([^<&]*)</v>)?</c>)')
_ATTRIBUTE = re.compile(rb'([A-Za-z]+)="([^"]*)"')


# The commonest form of all, attributes in the order Excel, LibreOffice and openpyxl write them.
_COMMON_CELL = re.compile(
    rb'<c r="[A-Z]+[0-9]+"(?: s="([0-9]+)")?(?: t="([a-zA-Z]+)")?'
    rb'(?:/>|>(<f(?: [A-Za-z]+="[^"<>&]*")*(?:/>|>([^<&]*)</f>))?(?:<v>([^<&]*)</v>)?</c>)')


# A number cell as Excel, LibreOffice and Gnumeric save one, with or without its formula.
_PLAIN_NUMBER_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"(?: s="([0-9]+)")?(?: t="n")?>'
    rb'(?:<f(?: [A-Za-z]+="[^"<>&]*")*>[^<&\[]*</f>)?<v>([-+.0-9eE]+)</v></c>')  # no '[': no other workbook


def _float_or_nan(v: bytes) -> float:
    try:
        return float(v)
    except ValueError:
        return math.nan


def _common_raw(m: re.Match) -> dict:
    s, t, f, f_text, v = m.groups()
    raw = {"t": None if t is None else t.decode(), "s": None if s is None else s.decode()}
    if f is not None:
        raw["f"] = (f_text or b"").decode("utf-8", "replace")
    if v is not None:
        raw["v"] = v.decode("utf-8", "replace")
    return raw


def _plain_cell(element: bytes) -> dict | None:
    m = _PLAIN_CELL.fullmatch(element)
    if m is None:
        return None
    attrs = dict(_ATTRIBUTE.findall(m.group(1)))
    raw = {"t": _text(attrs.get(b"t")), "s": _text(attrs.get(b"s"))}
    if b"<f" in element:
        raw["f"] = (m.group(2) or b"").decode("utf-8", "replace")
    if m.group(3) is not None:
        raw["v"] = m.group(3).decode("utf-8", "replace")
    return raw


def _text(b: bytes | None) -> str | None:
    return None if b is None else b.decode("utf-8", "replace")


class _PropertyScanner:
    """<property name="..."><vt:lpwstr>text</vt:lpwstr></property>: the first value of each name."""

    def __init__(self):
        self.found: dict[str, str] = {}
        self.name: str | None = None
        self.depth = 0
        self.buf: list[str] | None = None

    def start(self, name, attrs):
        local = name.rpartition(":")[2]
        if local == "property":
            self.name, self.depth = attrs.get("name", ""), 0
        elif self.name is not None:
            self.depth += 1
            if self.depth == 1:
                self.buf = []

    def chars(self, data):
        if self.buf is not None:
            self.buf.append(data)

    def end(self, name):
        local = name.rpartition(":")[2]
        if local == "property":
            self.name = None
        elif self.name is not None:
            if self.depth == 1 and self.buf is not None:
                self.found.setdefault(self.name, "".join(self.buf))
                self.buf = None
            self.depth -= 1


class _StringScanner:
    """Expat handlers that keep the shared strings at the wanted indices: the text of their
    <t> elements outside phonetic runs (<rPh>, the reading aids of East Asian text)."""

    def __init__(self, wanted: set[int]):
        self.wanted = wanted
        self.last = max(wanted, default=-1)
        self.found: dict[int, str] = {}
        self.index = -1
        self.depth = 0  # inside the <sst> element's children
        self.phonetic = 0
        self.buf: list[str] | None = None
        self.parts: list[str] | None = None

    def start(self, name, attrs):
        local = name.rpartition(":")[2]
        self.depth += 1
        if local == "si" and self.depth == 2:
            self.index += 1
            if self.index > self.last:
                raise _AllFound()
            self.parts = [] if self.index in self.wanted else None
        elif self.parts is not None:
            if local == "rPh":
                self.phonetic += 1
            elif local == "t" and not self.phonetic:
                self.buf = []

    def chars(self, data):
        if self.buf is not None:
            self.buf.append(data)

    def end(self, name):
        local = name.rpartition(":")[2]
        self.depth -= 1
        if self.parts is None:
            return
        if local == "t" and self.buf is not None:
            self.parts.append("".join(self.buf))
            self.buf = None
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "si" and self.depth == 1:
            self.found[self.index] = unescape_ooxml("".join(self.parts))
            self.parts = None


class _MergeScanner:
    def __init__(self):
        self.largest = 0

    def start(self, name, attrs):
        if name.rpartition(":")[2] == "mergeCell":
            self.largest = max(self.largest, _area(attrs.get("ref", "")))

    def end(self, name):
        pass

    def chars(self, data):
        pass


class _CellScanner:
    """Expat handlers that keep the wanted cells' type, style, value, formula and inline text."""

    def __init__(self, wanted: set[str]):
        self.wanted = wanted
        self.found: dict[str, dict] = {}
        self.row = 0
        self.col = 0
        self.cell: dict | None = None
        self.coord = ""
        self.buf: list[str] | None = None
        self.in_phonetic = False

    def start(self, name, attrs):
        local = name.rpartition(":")[2]
        if local == "c":
            ref = attrs.get("r")
            m = COORD.fullmatch(ref) if ref else None
            self.col = _col_index(m.group(1)) if m else self.col + 1
            if m:  # a cell's own reference names its row too
                self.row = int(m.group(2))
            coord = f"{_col_letters(self.col)}{self.row}"
            if coord in self.wanted and coord not in self.found:
                self.cell, self.coord = {"t": attrs.get("t"), "s": attrs.get("s")}, coord
            else:
                self.cell = None
        elif local == "row":
            r = _int(attrs.get("r"))
            self.row = r if r is not None else self.row + 1
            self.col = 0
        elif self.cell is not None:
            if local == "rPh":
                self.in_phonetic = True
            elif local in ("v", "f", "t"):
                self.buf = []

    def chars(self, data):
        if self.buf is not None:
            self.buf.append(data)

    def end(self, name):
        if self.cell is None:
            return
        local = name.rpartition(":")[2]
        if local in ("v", "f") and self.buf is not None:
            self.cell[local] = "".join(self.buf)
            self.buf = None
        elif local == "t" and self.buf is not None:
            if not self.in_phonetic:
                self.cell["is"] = self.cell.get("is", "") + "".join(self.buf)
            self.buf = None
        elif local == "rPh":
            self.in_phonetic = False
        elif local == "c":
            self.found[self.coord] = self.cell
            self.cell = None
            if len(self.found) == len(self.wanted):
                raise _AllFound()


def _area(ref: str) -> int:
    m = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7}):\$?([A-Za-z]{1,3})\$?([0-9]{1,7})", ref)
    if not m:
        return 1
    cols = abs(_col_index(m.group(3)) - _col_index(m.group(1))) + 1
    rows = abs(int(m.group(4)) - int(m.group(2))) + 1
    return cols * rows


def _int(s) -> int | None:
    try:
        return int(s)
    except (TypeError, ValueError):
        return None


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _col_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


@lru_cache(maxsize=4096)
def parse_reference(text: str) -> tuple[str, str] | None:
    """'Exercise'!$C$20 -> ('Exercise', 'C20'); None for anything but a single cell on one sheet."""
    if len(text) > 300:  # a sheet name has at most 31 characters: this is no cell reference
        return None
    m = re.fullmatch(r"(?:'((?:[^']|'')+)'|([^'!:\[\]]+))!\$?([A-Za-z]{1,3})\$?([0-9]{1,7})", text.strip())
    if not m:
        return None
    sheet = (m.group(1) or "").replace("''", "'") if m.group(1) else m.group(2)
    return sheet, f"{m.group(3).upper()}{m.group(4)}"
