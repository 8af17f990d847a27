"""Property-based: mangled workbooks never crash the checker, never hang it, and a mangled cell
is graded as a cell (never turns the whole file into an internal error)."""

import json
import zlib
import re
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetprop.check import Options, check_file

from . import hostile

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
OPTIONS = Options(recalculate=False)


class Quiet(tuple):
    def __repr__(self):  # keeps hypothesis' failure reports readable
        return "<good workbook>"


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mangle")
    path = hostile.good_workbook(folder)
    return Quiet((folder, path.read_bytes(), dict(hostile.entries(path))))


def _check(folder: Path, name: str, data: bytes):
    path = folder / name
    path.write_bytes(data)
    result = check_file(path, OPTIONS)
    assert result.status in (0, 1, 2)
    if result.error is not None:
        assert "\n" not in result.error and result.error.strip()
    return result


@SETTINGS
@given(data=st.data())
def test_random_byte_damage_never_crashes(good, data):
    folder, raw, _ = good
    blob = bytearray(raw)
    for _ in range(data.draw(st.integers(1, 8))):
        kind = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        pos = data.draw(st.integers(0, len(blob) - 1))
        if kind == "flip":
            blob[pos] ^= data.draw(st.integers(1, 255))
        elif kind == "cut":
            del blob[pos: pos + data.draw(st.integers(1, 200))]
        else:
            blob[pos:pos] = data.draw(st.binary(min_size=1, max_size=50))
        if not blob:
            break
    _check(folder, "bytes.xlsx", bytes(blob))


CELL = re.compile(rb'<c r="C(\d+)"[^>]*?(?:/>|>.*?</c>)', re.S)
# Text XML 1.0 can hold (no control characters): what a spreadsheet program could have written.
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
values = st.one_of(
    texts,
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", "1e309", "-0", "NaN", "TRUE", "#DIV/0!", "1_000", "０.５", "0,5", "99999999999"]),
)


@SETTINGS
@given(data=st.data())
def test_mangled_cells_are_graded_not_crashed(good, data):
    folder, _, entries = good
    sheet = entries["xl/worksheets/sheet1.xml"]
    rows = sorted({int(m.group(1)) for m in CELL.finditer(sheet)})
    for _ in range(data.draw(st.integers(1, 6))):
        row = data.draw(st.sampled_from(rows))
        t = data.draw(st.sampled_from(["n", "s", "str", "b", "e", "inlineStr", "d", "bogus", None]))
        v = xml_escape(data.draw(values)).encode("utf-8", "surrogatepass")
        attr = b"" if t is None else b' t="%s"' % t.encode()
        style = data.draw(st.sampled_from([b"", b' s="0"', b' s="999"', b' s="-1"', b' s="x"']))
        body = data.draw(st.sampled_from([b"<v>%s</v>" % v, b"<f>%s</f>" % v, b"<f>SUM(A1)</f><v>%s</v>" % v,
                                          b"<is><t>%s</t></is>" % v, b""]))
        new = b'<c r="C%d"%s%s>%s</c>' % (row, attr, style, body)
        sheet = re.sub(rb'<c r="C%d"[^>]*?(?:/>|>.*?</c>)' % row, lambda m: new, sheet, count=1, flags=re.S)
    out = dict(entries)
    out["xl/worksheets/sheet1.xml"] = sheet
    path = folder / "cells.xlsx"
    hostile.rezip(path, out.items())
    result = _check(folder, "cells.xlsx", path.read_bytes())
    assert result.error is None, result.error
    assert len(result.grade.cells) == 35


@SETTINGS
@given(names=st.dictionaries(st.sampled_from(["net_h1", "delta_o1", "new_w_1", "eta", "w_1", "zz"]),
                             st.one_of(texts, st.sampled_from(["Exercise!#REF!", "'Exercise'!$C$1:$C$9",
                                                               "Nope!$C$5", "'Exer''cise'!C5", "Exercise!$ZZZZ$1"])),
                             max_size=4))
def test_mangled_defined_names_fall_back_or_answer(good, names):
    folder, _, entries = good
    wbxml = entries["xl/workbook.xml"]
    for name, target in names.items():
        replacement = b'<definedName name="%s">%s</definedName>' % (name.encode(), xml_escape(target).encode())
        wbxml, n = re.subn(rb'<definedName name="%s">[^<]*</definedName>' % name.encode(),
                           lambda m: replacement, wbxml)
    out = dict(entries)
    out["xl/workbook.xml"] = wbxml
    path = folder / "names.xlsx"
    hostile.rezip(path, out.items())
    result = _check(folder, "names.xlsx", path.read_bytes())
    assert result.error is None, result.error


@SETTINGS
@given(meta=st.recursive(st.none() | st.booleans() | st.floats() | texts | st.integers(),
                         lambda c: st.lists(c, max_size=3) | st.dictionaries(texts, c, max_size=3), max_leaves=10),
       keep=st.booleans())
def test_mangled_metadata_gets_one_line(good, meta, keep):
    folder, _, entries = good
    custom = entries["docProps/custom.xml"].decode()
    raw = re.search(r"<vt:lpwstr>(.*)</vt:lpwstr>", custom, re.S).group(1)
    if keep:  # damage one field of real metadata
        real = json.loads(raw.replace("&quot;", '"'))
        real[list(real)[zlib.crc32(json.dumps(meta, default=str).encode()) % len(real)]] = meta  # stable, unlike hash()
        meta = real
    body = xml_escape(json.dumps(meta, default=str))
    out = dict(entries)
    out["docProps/custom.xml"] = custom.replace(raw, body).encode()
    path = folder / "meta.xlsx"
    hostile.rezip(path, out.items())
    result = _check(folder, "meta.xlsx", path.read_bytes())
    if result.error is not None:
        assert result.error_code in ("bad_metadata", "not_exercise"), result.error


@pytest.fixture(scope="module")
def good_ods(good, tmp_path_factory):
    from sheetprop import libreoffice

    folder, raw, _ = good
    src = tmp_path_factory.mktemp("ods") / "good.xlsx"
    src.write_bytes(raw)
    ods, = libreoffice.convert([src], src.parent / "lo", "ods")
    return Quiet((folder, dict(hostile.entries(ods))))


ODS_CELL = re.compile(rb'<table:table-cell[^>]*table:formula="[^"]*"[^>]*>.*?</table:table-cell>', re.S)


@pytest.mark.libreoffice
@SETTINGS
@given(data=st.data())
def test_mangled_ods_cells_are_graded_not_crashed(good_ods, data):
    """An .ods is read from its own XML (ods.py): odd value types, values, repeat counts and text
    are graded as cells, never an internal error."""
    folder, entries = good_ods
    content = entries["content.xml"]
    cells = list(re.finditer(rb'<table:table-cell table:style-name="[^"]*" office:value-type="float" '
                             rb'office:value="[^"]*" calcext:value-type="float">.*?</table:table-cell>', content,
                             re.S))
    assert cells
    for _ in range(data.draw(st.integers(1, 6))):
        m = data.draw(st.sampled_from(cells))
        kind = data.draw(st.sampled_from(["float", "string", "date", "time", "boolean", "percentage", "bogus", ""]))
        value = xml_escape(data.draw(values), {'"': "&quot;"}).encode("utf-8", "surrogatepass")
        attrs = b"" if not kind else b' office:value-type="%s"' % kind.encode()
        attrs += data.draw(st.sampled_from([b' office:value="%s"' % value, b' office:date-value="%s"' % value,
                                            b' office:boolean-value="%s"' % value, b' calcext:value-type="error"',
                                            b' table:formula="of:=%s"' % value, b""]))
        attrs += data.draw(st.sampled_from([b"", b' table:number-columns-repeated="%s"' % value,
                                            b' table:number-columns-repeated="3"']))
        text = data.draw(st.sampled_from([b"<text:p>%s</text:p>" % value, b"", b"<text:p>a<text:s text:c=\"%s\"/>"
                                          b"b</text:p><text:p>c</text:p>" % value,
                                          b"<office:annotation><text:p>note</text:p></office:annotation>"]))
        new = b"<table:table-cell%s>%s</table:table-cell>" % (attrs, text)
        content = content.replace(m.group(0), new, 1)
    out = dict(entries)
    out["content.xml"] = content
    path = folder / "cells.ods"
    hostile.rezip(path, out.items())
    result = _check(folder, "cells.ods", path.read_bytes())
    if result.error is not None:
        assert result.error_code in ("damaged", "hostile_xml"), result.error
    else:
        assert len(result.grade.cells) == 35
