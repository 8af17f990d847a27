"""A corpus of hostile and broken files, made on the fly (never committed: links and FIFOs
cannot be), each with the answer the checker must give."""

from __future__ import annotations

import io
import os
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sheetprop import sources
from sheetprop.answers import reference_values
from sheetprop.graph import Graph
from sheetprop.write import write_pair

from .helpers import fill


@dataclass
class Case:
    name: str
    path: Path
    status: int  # the exit status `sheetprop check` must give
    says: str = ""  # a phrase its one line must contain (the error) or a JSON error_code
    code: str = ""


def good_workbook(folder: Path) -> Path:
    g = sources.from_seed(42)
    graph = Graph(g.shape)
    expected = reference_values(graph, g)
    ex, _ = write_pair(g, folder / "gen")
    return fill(ex, {q: expected[q] for q in graph.answer_ids}, folder / "good.xlsx")


def entries(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as z:
        return [(i.filename, z.read(i.filename)) for i in z.infolist()]


def rezip(path: Path, entries, compression=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as z:
        for name, data in entries:
            z.writestr(name, data)
    return path


def replace_part(good: Path, out: Path, name: str, transform) -> Path:
    return rezip(out, [(n, transform(d) if n == name else d) for n, d in entries(good)])


SHEET = "xl/worksheets/sheet1.xml"  # where openpyxl writes the exercise's one sheet


def build(folder: Path) -> list[Case]:
    folder.mkdir(parents=True, exist_ok=True)
    good = good_workbook(folder / "src")
    cases: list[Case] = []

    def add(name, status, says="", code="", path=None):
        cases.append(Case(name, path or folder / name, status, says, code))

    # --- not regular files --------------------------------------------------
    os.mkfifo(folder / "fifo.xlsx")
    add("fifo.xlsx", 2, "not a regular file", "special")
    os.symlink("/dev/zero", folder / "zero.xlsx")
    add("zero.xlsx", 2, "outside its folder", "link")
    os.symlink("/etc/passwd", folder / "passwd.xlsx")
    add("passwd.xlsx", 2, "outside its folder", "link")
    os.symlink(folder / "nowhere.xlsx", folder / "dangling.xlsx")
    add("dangling.xlsx", 2, "link to nothing", "link")
    (folder / "dir.xlsx").mkdir()
    add("dir.xlsx", 2, "a folder", "directory")
    inner = folder / "linked-good.xlsx"
    inner.write_bytes(good.read_bytes())
    os.symlink(inner, folder / "link-in-folder.xlsx")
    add("link-in-folder.xlsx", 0)
    with open(folder / "huge.xlsx", "wb") as f:  # sparse: large without using the disk
        f.truncate(64 * 1024 * 1024)
    add("huge.xlsx", 2, "too large", "too_large")

    # --- not workbooks ------------------------------------------------------
    (folder / "empty.xlsx").write_bytes(b"")
    add("empty.xlsx", 2, "empty", "empty")
    (folder / "notes.xlsx").write_text("my answers are in my notebook\n")
    add("notes.xlsx", 2, "text file", "text")
    (folder / "table.xlsx").write_text("id,value\nnet_h1,0.5\nout_h1,0.6\n")
    add("table.xlsx", 2, "CSV", "csv")
    (folder / "page.xlsx").write_text("<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>")
    add("page.xlsx", 2, "HTML", "html")
    (folder / "doc.xlsx").write_bytes(b"%PDF-1.4\n%...")
    add("doc.xlsx", 2, "PDF", "pdf")
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500
    (folder / "old.xlsx").write_bytes(ole + "Workbook".encode("utf-16-le") + b"\x00" * 100)
    add("old.xlsx", 2, ".xls", "xls")
    (folder / "locked.xlsx").write_bytes(ole + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 100)
    add("locked.xlsx", 2, "password", "encrypted")
    data = good.read_bytes()
    (folder / "truncated.xlsx").write_bytes(data[: len(data) // 2])
    add("truncated.xlsx", 2, "damaged", "damaged")
    rezip(folder / "word.xlsx", [("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w/>")])
    add("word.xlsx", 2, "Word", "word")
    rezip(folder / "zipped.xlsx", [("answers.xlsx", data)])
    add("zipped.xlsx", 2, "unzip", "zip_of_workbook")
    rezip(folder / "binary.xlsx", [("xl/workbook.bin", b"\x00" * 10)])
    add("binary.xlsx", 2, ".xlsb", "xlsb")
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = 0.5
    wb.save(folder / "plain.xlsx")
    add("plain.xlsx", 2, "not a sheetprop exercise", "not_exercise")

    # --- zip tricks -----------------------------------------------------------
    bomb = folder / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in entries(good):
            z.writestr(n, d)
        with z.open("xl/worksheets/sheet2.xml", "w") as f:
            chunk = b"\x00" * (1 << 20)
            for _ in range(120):
                f.write(chunk)
    add("bomb.xlsx", 2, "zip bomb", "zip_limits")
    ratio = folder / "ratio.xlsx"
    with zipfile.ZipFile(ratio, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in entries(good):
            z.writestr(n, d)
        z.writestr("xl/media/blank.bin", b"\x00" * (5 << 20))
    add("ratio.xlsx", 2, "100:1", "zip_limits")
    many = folder / "many.xlsx"
    with zipfile.ZipFile(many, "w", zipfile.ZIP_STORED) as z:
        for n, d in entries(good):
            z.writestr(n, d)
        for i in range(1200):
            z.writestr(f"xl/junk/{i}.xml", b"")
    add("many.xlsx", 2, "too many parts", "zip_limits")
    dup = folder / "duplicate.xlsx"
    with zipfile.ZipFile(dup, "w") as z:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for n, d in entries(good):
                z.writestr(n, d)
            z.writestr("xl/worksheets/sheet1.xml", b"<worksheet/>")
    add("duplicate.xlsx", 2, "repeats a part", "zip_limits")
    add("liar.xlsx", 2, "damaged", "damaged", path=_lying_size(good, folder / "liar.xlsx"))
    add("encrypted-entry.xlsx", 2, "password", "encrypted", path=_set_flag(good, folder / "encrypted-entry.xlsx"))
    add("deflate64.xlsx", 2, "compressed in a way", "damaged",
        path=_set_method(good, folder / "deflate64.xlsx", 9))

    # --- hostile XML ----------------------------------------------------------
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                         for i in range(1, 10))
              + b']><workbook>&lol9;</workbook>')
    replace_part(good, folder / "laughs.xlsx", "xl/workbook.xml", lambda d: laughs)
    add("laughs.xlsx", 2, "entities", "hostile_xml")
    def xxe(d):
        body = d.split(b"?>", 1)[1] if d.startswith(b"<?xml") else d
        body = body.replace(b"<sheetData>", b"<sheetData>&e;", 1)
        return b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + body
    replace_part(good, folder / "xxe.xlsx", SHEET, xxe)
    add("xxe.xlsx", 2, "entities", "hostile_xml")
    replace_part(good, folder / "badxml.xlsx", SHEET, lambda d: d[: len(d) // 2])
    add("badxml.xlsx", 2, "not well-formed", "damaged")
    replace_part(good, folder / "token.xlsx", SHEET,
             lambda d: d.replace(b"<sheetData>", b"<sheetData><x a=\"" + b"A" * (9 << 20) + b"\"/>", 1))
    add("token.xlsx", 2, "100:1", "zip_limits")

    # --- odd but readable -----------------------------------------------------
    replace_part(good, folder / "far-cell.xlsx", SHEET,
             lambda d: d.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
                                                   b"</sheetData>").replace(b'<dimension ref="A1:D69"/>',
                                                                           b'<dimension ref="A1:XFD1048576"/>'))
    add("far-cell.xlsx", 0)
    replace_part(good, folder / "merged.xlsx", SHEET,
             lambda d: d.replace(b"</worksheet>", b'<mergeCells count="1"><mergeCell ref="E1:XFD1048576"/>'
                                                  b"</mergeCells></worksheet>"))
    add("merged.xlsx", 0)
    replace_part(good, folder / "no-sheet-part.xlsx", "xl/_rels/workbook.xml.rels",
             lambda d: d.replace(b"worksheets/sheet1.xml", b"worksheets/missing.xml"))
    add("no-sheet-part.xlsx", 2, "sheet", "no_sheet")
    replace_part(good, folder / "bad-meta.xlsx", "docProps/custom.xml", lambda d: d.replace(b">{", b">[", 1))
    add("bad-meta.xlsx", 2, "metadata", "bad_metadata")
    macro = folder / "macros.xlsm"
    rezip(macro, entries(good) + [("xl/vbaProject.bin", b"\x00" * 64)])
    add("macros.xlsm", 0)
    (folder / "-dash.xlsx").write_bytes(data)
    add("-dash.xlsx", 0)
    return cases


def _patch_central(path: Path, out: Path, patch) -> Path:
    """Rewrite fields of the central directory (and local headers) of a zip: patch(name, fields)."""
    data = bytearray(path.read_bytes())
    z = zipfile.ZipFile(io.BytesIO(bytes(data)))
    for info in z.infolist():
        patch(data, info)
    out.write_bytes(bytes(data))
    return out


def _central_offset(data: bytearray, info) -> int:
    sig = b"PK\x01\x02"
    pos = data.find(sig)
    while pos != -1:
        n = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46: pos + 46 + n].decode() == info.filename:
            return pos
        pos = data.find(sig, pos + 4)
    raise KeyError(info.filename)


def _lying_size(good: Path, out: Path) -> Path:
    def patch(data, info):
        if info.filename == "xl/worksheets/sheet1.xml":
            c = _central_offset(data, info)
            struct.pack_into("<I", data, c + 24, 1000)  # claims 1000 bytes once inflated
            struct.pack_into("<I", data, info.header_offset + 22, 1000)
    return _patch_central(good, out, patch)


def _set_flag(good: Path, out: Path) -> Path:
    def patch(data, info):
        if info.filename == "xl/workbook.xml":
            c = _central_offset(data, info)
            struct.pack_into("<H", data, c + 8, info.flag_bits | 1)
            struct.pack_into("<H", data, info.header_offset + 6, info.flag_bits | 1)
    return _patch_central(good, out, patch)


def _set_method(good: Path, out: Path, method: int) -> Path:
    def patch(data, info):
        if info.filename == "xl/workbook.xml":
            c = _central_offset(data, info)
            struct.pack_into("<H", data, c + 10, method)
            struct.pack_into("<H", data, info.header_offset + 8, method)
    return _patch_central(good, out, patch)
