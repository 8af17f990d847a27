"""A student at the keyboard of a real LibreOffice, for tests.

Runs the Basic macro in lo_macros/Module1.xba inside headless LibreOffice: it opens a
workbook, types into cells found by their defined names (numbers, text, formulas),
inserts rows, and saves as .xlsx or .ods the way LibreOffice itself saves.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from sheetprop import libreoffice

MACROS = Path(__file__).parent / "lo_macros"
XLSX = "Calc MS Excel 2007 XML"
ODS = "calc8"

class Job:
    def __init__(self):
        self.lines: list[str] = []

    def open(self, path: Path):
        self.lines.append(f"open\t{Path(path).resolve().as_uri()}")
        return self

    def type(self, name: str, content):
        """What a student types: a number, or text, or a formula (text starting with '=')."""
        if isinstance(content, (int, float)) and not isinstance(content, bool):
            self.lines.append(f"formula\t{name}\t{float(content)!r}")
        elif str(content).startswith("="):
            # XCell.setFormula takes LibreOffice's API syntax, whose argument separator is ';'
            # (what a student types in the UI is converted to it the same way); our formulas
            # hold no text literals, so every ',' is a separator.
            self.lines.append(f"formula\t{name}\t{str(content).replace(',', ';')}")
        else:
            self.lines.append(f"string\t{name}\t{content}")
        return self

    def type_at(self, address: str, formula: str):
        """A formula typed into a cell given by its address (A1 style) on the first sheet."""
        self.lines.append(f"cellformula\t{address}\t{formula}")
        return self

    def fill_down(self, cells: str):
        """Select a range (its first row filled in) and fill it down, as Ctrl+D does."""
        self.lines.append(f"filldown\t{cells}")
        return self

    def insert_rows(self, at_row_index: int, count: int):
        self.lines.append(f"insertrows\t{at_row_index}\t{count}")
        return self

    def save(self, path: Path, filter_name: str = XLSX):
        self.lines.append(f"save\t{Path(path).resolve().as_uri()}\t{filter_name}")
        return self

    def close(self):
        self.lines.append("close")
        return self


def run(job: Job, timeout: float = 60):
    soffice = libreoffice.find_soffice()
    if soffice is None:
        raise libreoffice.LibreOfficeError("LibreOffice is not installed")
    with tempfile.TemporaryDirectory(prefix="sheetprop-robot-") as tmp:
        user = Path(tmp) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(libreoffice.PROFILE, encoding="utf-8")
        env = dict(os.environ, HOME=tmp, LANG="en_US.UTF-8", LC_ALL="en_US.UTF-8")
        base = [soffice, f"-env:UserInstallation={Path(tmp).as_uri()}", "--headless", "--invisible",
                "--nologo", "--norestore", "--nolockcheck"]
        # LibreOffice's first start lays down its default Basic library (one module, Module1)
        # over anything already there: start it once, then put our module in its place.
        subprocess.run([*base, "--terminate_after_init"], env=env, capture_output=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
        shutil.copy(MACROS / "Module1.xba", user / "basic" / "Standard" / "Module1.xba")
        log = Path(tmp) / "robot.log"
        jobfile = Path(tmp) / "job.txt"
        jobfile.write_text("\n".join([str(log), *job.lines]) + "\n", encoding="utf-8")
        subprocess.run([*base, f'macro:///Standard.Module1.Run("{jobfile}")'],
                       env=env, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
        if log.exists():
            raise libreoffice.LibreOfficeError(log.read_text(errors="replace").strip())
