import os
import shutil
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


def pytest_collection_modifyitems(config, items):
    for marker, (available, what) in PROGRAMS.items():
        needing = [item for item in items if marker in item.keywords]
        if not needing or available():
            continue
        for item in needing:
            if os.environ.get("CI"):
                item.add_marker(pytest.mark.usefixtures(f"_{marker}_required"))
            else:
                item.add_marker(pytest.mark.skip(reason=f"{what} is not installed"))


def _required(what):
    @pytest.fixture
    def fixture():
        pytest.fail(f"CI is set but {what} is not installed: .ci/run must install it")

    return fixture


_libreoffice_required = _required(PROGRAMS["libreoffice"][1])
_gnumeric_required = _required(PROGRAMS["gnumeric"][1])
_chromium_required = _required(PROGRAMS["chromium"][1])
