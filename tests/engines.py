"""The two independent spreadsheet engines the tests recalculate workbooks in.

LibreOffice through sheetprop.libreoffice (the product uses it too); Gnumeric through
its command line converter, which recalculates on load with `--recalc`. Each reads the
formulas openpyxl wrote and saves its own results, which the tests read back.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from sheetprop import libreoffice


def gnumeric_available() -> bool:
    return shutil.which("ssconvert") is not None


def require_gnumeric():
    """Fail (CI) or skip (a developer's machine) where Gnumeric is missing."""
    if gnumeric_available():
        return
    if os.environ.get("CI"):
        pytest.fail("CI is set but Gnumeric (ssconvert) is not installed: .ci/run must install it")
    pytest.skip("Gnumeric (ssconvert) is not installed")


def gnumeric_recalculate(paths, out_dir: Path) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    outs = []
    for p in map(Path, paths):
        out = out_dir / p.name
        done = subprocess.run(["ssconvert", "--recalc", str(p), str(out)], capture_output=True, timeout=120,
                              stdin=subprocess.DEVNULL, env=dict(os.environ, LC_ALL="C.UTF-8"))
        assert out.exists(), f"ssconvert wrote nothing for {p.name}: {done.stderr.decode(errors='replace')[-300:]}"
        outs.append(out)
    return outs


def libreoffice_recalculate(paths, out_dir: Path) -> list[Path]:
    return libreoffice.recalculate(list(paths), out_dir)


ENGINES = {"libreoffice": libreoffice_recalculate, "gnumeric": gnumeric_recalculate}
