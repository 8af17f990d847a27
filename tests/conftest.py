import os
import shutil
from functools import lru_cache
from pathlib import Path

import pytest

from sheetprop import libreoffice

ROOT = Path(__file__).resolve().parent.parent

# marker -> (is the program here?, what it is). Tests that need one skip on a developer's machine
# without it, but fail in CI: there scripts/install-libreoffice.sh must have installed it.
PROGRAMS = {
    "libreoffice": (libreoffice.available, "LibreOffice (soffice)"),
    "gnumeric": (lambda: shutil.which("ssconvert") is not None, "Gnumeric (ssconvert)"),
    "chromium": (lambda: any(shutil.which(n) for n in ("chromium", "chromium-browser")), "Chromium"),
}


@lru_cache(maxsize=None)
def _available(marker: str) -> bool:
    return bool(PROGRAMS[marker][0]())


def pytest_runtest_setup(item):
    for marker, (_, what) in PROGRAMS.items():
        if marker in item.keywords and not _available(marker):
            if os.environ.get("CI"):
                pytest.fail(f"CI is set but {what} is not installed: .ci/run must install it", pytrace=False)
            pytest.skip(f"{what} is not installed")
