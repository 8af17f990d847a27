"""Recalculating workbooks in a real spreadsheet application: headless LibreOffice.

A plain `soffice --convert-to` only computes formula cells that have no cached
value and keeps stale ones, so a throwaway profile sets OOXMLRecalcMode (and
ODFRecalcMode) to "always"; it also pins the en-US locale so that text-to-number
coercion does not change with the caller's environment. Many files go in one
soffice call, since starting it costs most of the time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>en-US</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse"><value>en-US</value></prop></item>
</oor:items>
"""

FILTERS = {
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "ods": "ods:calc8",
    "pdf": "pdf:calc_pdf_Export",
}


class LibreOfficeError(RuntimeError):
    pass


def find_soffice() -> str | None:
    """SHEETPROP_SOFFICE names the program (for an install outside PATH); set to a path that
    does not exist, it makes sheetprop behave as if LibreOffice were missing."""
    chosen = os.environ.get("SHEETPROP_SOFFICE")
    if chosen is not None:
        return chosen if os.path.isfile(chosen) and os.access(chosen, os.X_OK) else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in ("/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice",
                      "/Applications/LibreOffice.app/Contents/MacOS/soffice"):
        if os.path.exists(candidate):
            return candidate
    return None


def available() -> bool:
    return find_soffice() is not None


# One soffice call takes many files, but not without end: seen here, one call stopped
# writing after some 240 workbooks. Batches of this size stay well inside that.
FILES_PER_CALL = 100


def convert(paths, out_dir: Path, to: str = "xlsx", timeout: float = 300, locale: str = "en-US") -> list[Path]:
    """Open each file in LibreOffice, recalculate every formula, and save it into out_dir.
    locale: how numbers are shown (a printed pt-BR sheet has decimal commas); en-US otherwise."""
    paths = list(paths)
    outs: list[Path] = []
    for i in range(0, len(paths), FILES_PER_CALL):
        outs.extend(_convert_some(paths[i: i + FILES_PER_CALL], out_dir, to, timeout, locale))
    return outs


def _convert_some(paths, out_dir: Path, to: str, timeout: float, locale: str = "en-US") -> list[Path]:
    """The output paths in input order; raises LibreOfficeError if any is missing
    (soffice exits 0 even when it could not load an input)."""
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeError("LibreOffice (soffice) is not installed")
    paths = [Path(p).resolve() for p in paths]
    if not paths:
        return []
    stems = [p.stem for p in paths]
    if len(set(stems)) != len(stems):
        raise LibreOfficeError("files converted together need distinct names")
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    ext = to.split(":")[0]
    with tempfile.TemporaryDirectory(prefix="sheetprop-lo-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(PROFILE.replace("en-US", locale), encoding="utf-8")
        env = dict(os.environ, LANG="en_US.UTF-8", LC_ALL="en_US.UTF-8", HOME=profile)
        cmd = [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--invisible",
               "--nologo", "--nodefault", "--norestore", "--nolockcheck",
               "--convert-to", FILTERS.get(to, to), "--outdir", str(out_dir), *map(str, paths)]
        try:
            done = subprocess.run(cmd, env=env, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise LibreOfficeError(f"LibreOffice did not finish within {timeout:.0f} s") from None
    outs = [out_dir / f"{p.stem}.{ext}" for p in paths]
    missing = [o.name for o in outs if not o.exists()]
    if missing:
        detail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] if done.stderr else []
        raise LibreOfficeError(f"LibreOffice did not write {', '.join(missing)}"
                               + (f" ({detail[0]})" if detail else ""))
    return outs


def recalculate(paths, out_dir: Path, timeout: float = 300) -> list[Path]:
    return convert(paths, out_dir, "xlsx", timeout)
