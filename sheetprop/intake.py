"""Taking in a file a student handed in: untrusted until proven otherwise.

Everything here happens before any XML is parsed (shared/notes/untrusted-files.md):
only a regular file is opened, without following links out of its folder and
without blocking; its size is capped; its format is told from its first bytes,
not its name; and a zip's central directory is inspected for bombs before a
single part is inflated. The zip limits follow Apache POI's ZipSecureFile: at
most 1000 entries, and no entry over 100 KB that inflates more than 100 times
(compressed/uncompressed below 0.01). Nothing is ever extracted to disk.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 20 * 1024 * 1024  # a filled exercise is about 10 KB
MAX_ENTRIES = 1000  # POI's default
# Uncompressed, one part. A filled step exercise's sheet is about 50 KB; a training run's (part 2)
# is large: 2,000 epochs saved by LibreOffice, formulas and values, about 12 MB; 5,000, about 30 MB.
MAX_ENTRY_BYTES = 32 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024  # uncompressed, all parts
MIN_INFLATE_RATIO = 0.01  # POI's default
RATIO_APPLIES_ABOVE = 100 * 1024  # POI applies its ratio rule to larger entries only

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


class Rejected(Exception):
    """The file cannot be checked. str() is the one line the user reads; code names the case."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Intake:
    path: Path
    data: bytes
    kind: str  # "xlsx", "xlsm" or "ods"
    zip: zipfile.ZipFile


def read_bytes(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, if it is a regular file (or a link to one inside its own folder)."""
    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise Rejected("missing", "no such file") from None
    except OSError as e:
        raise Rejected("unreadable", f"cannot be read ({e.strerror or e})") from None
    target = path
    if stat.S_ISLNK(st.st_mode):
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            raise Rejected("link", "a link to nothing: hand in the workbook itself") from None
        folder = path.absolute().parent.resolve()
        if folder not in target.parents:
            raise Rejected("link", "a link pointing outside its folder: hand in the workbook itself")
        st = os.stat(target)
    if stat.S_ISDIR(st.st_mode):
        raise Rejected("directory", "a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise Rejected("special", "not a regular file (a pipe, socket or device)")
    if st.st_size > max_bytes:
        raise Rejected("too_large", f"too large ({st.st_size // 1024} KB; the limit is {max_bytes // 1024} KB)")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(target, flags)
    except OSError as e:
        raise Rejected("unreadable", f"cannot be read ({e.strerror or e})") from None
    try:
        st2 = os.fstat(fd)
        if not stat.S_ISREG(st2.st_mode) or (st2.st_ino, st2.st_dev) != (st.st_ino, st.st_dev):
            raise Rejected("special", "the file changed while it was being opened")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise Rejected("too_large", f"too large (over {max_bytes // 1024} KB)")
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)


def take_in(path: Path) -> Intake:
    data = read_bytes(path)
    kind, z = identify(data)
    return Intake(Path(path), data, kind, z)


def identify(data: bytes) -> tuple[str, zipfile.ZipFile]:
    """Tell the format from the content, and check a zip's directory before anything is inflated."""
    if not data:
        raise Rejected("empty", "an empty file")
    if data.startswith(OLE2_MAGIC):
        raise _ole2(data)
    if not data.startswith(b"PK"):
        raise _not_a_zip(data)
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise Rejected("damaged", "damaged or truncated: open it in your spreadsheet program and save it again "
                                  "as .xlsx") from None
    _inspect_directory(infos)
    names = {i.filename for i in infos}
    if "mimetype" in names:
        mime = _read_part(z, "mimetype", 200).strip()
        if mime == ODS_MIME:
            return "ods", z
        if mime.startswith(b"application/vnd.oasis.opendocument"):
            raise Rejected("opendocument", "an OpenDocument file that is not a spreadsheet: hand in the workbook "
                                           "(.xlsx)")
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        if "xl/workbook.bin" in names:
            raise Rejected("xlsb", "a binary workbook (.xlsb): save it as .xlsx (Excel Workbook)")
        return ("xlsm" if "xl/vbaProject.bin" in names else "xlsx"), z
    if "word/document.xml" in names:
        raise Rejected("word", "a Word document, not a workbook: hand in the .xlsx file")
    if any(n.startswith("ppt/") for n in names):
        raise Rejected("powerpoint", "a PowerPoint file, not a workbook: hand in the .xlsx file")
    inner = [n for n in names if n.lower().endswith((".xlsx", ".xlsm", ".ods"))]
    if inner:
        raise Rejected("zip_of_workbook", f"a zip archive holding {inner[0]!r}: unzip it and hand in the workbook")
    raise Rejected("zip", "a zip archive, not a workbook: hand in the .xlsx file")


def _inspect_directory(infos):
    if len(infos) > MAX_ENTRIES:
        raise Rejected("zip_limits", f"too many parts ({len(infos)}; the limit is {MAX_ENTRIES}): not a workbook "
                                     "a spreadsheet program saved")
    seen = set()
    total = 0
    for info in infos:
        if info.filename in seen:
            raise Rejected("zip_limits", "it repeats a part name: a tampered or damaged file")
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise Rejected("encrypted", "password-protected: remove the password (save it again without one)")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Rejected("damaged", "compressed in a way spreadsheets do not use: save it again as .xlsx")
        if info.file_size > MAX_ENTRY_BYTES:
            raise Rejected("zip_limits", f"a part inflates to {info.file_size // (1024 * 1024)} MB: "
                                         "too large for a workbook (a zip bomb?)")
        if info.file_size > RATIO_APPLIES_ABOVE and info.compress_size < MIN_INFLATE_RATIO * info.file_size:
            raise Rejected("zip_limits", "a part compresses more than 100:1, as zip bombs do: not checked")
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise Rejected("zip_limits", f"it inflates to more than {MAX_TOTAL_BYTES // (1024 * 1024)} MB: too large "
                                     "for a workbook")


def _read_part(z: zipfile.ZipFile, name: str, limit: int) -> bytes:
    with z.open(name) as f:
        return f.read(limit)


def _ole2(data: bytes) -> Rejected:
    head = data[:1 << 20]
    if "EncryptedPackage".encode("utf-16-le") in head:
        return Rejected("encrypted", "password-protected: remove the password (save it again without one)")
    if "WordDocument".encode("utf-16-le") in head:
        return Rejected("word", "an old Word document (.doc), not a workbook: hand in the .xlsx file")
    return Rejected("xls", "an old Excel file (.xls): save it as .xlsx (Excel Workbook) and check that")


def _not_a_zip(data: bytes) -> Rejected:
    head = data[:4096]
    if head.startswith(b"%PDF"):
        return Rejected("pdf", "a PDF, not a workbook: hand in the .xlsx file")
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<table" in lowered[:1000]:
        return Rejected("html", "a web page (HTML), not a workbook: save it as .xlsx in your spreadsheet program")
    if lowered.startswith(b"<?xml"):
        return Rejected("xml", "an XML file, not an .xlsx workbook: save it as .xlsx")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and not any(ch in text for ch in "\x00"):
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if lines and all(("," in ln or ";" in ln or "\t" in ln) for ln in lines[:5]):
            return Rejected("csv", "a CSV/text table, not a workbook: open the exercise .xlsx, fill it in and "
                                   "save it as .xlsx")
        return Rejected("text", "a text file, not a workbook: hand in the .xlsx file")
    return Rejected("unknown", "not a workbook sheetprop can read: save it as .xlsx")
