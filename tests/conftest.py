import os
from pathlib import Path

import pytest

from sheetprop import libreoffice

ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(config, items):
    """LibreOffice tests skip on a developer's machine without it, but fail in CI: there it must be present."""
    if libreoffice.available():
        return
    for item in items:
        if "libreoffice" in item.keywords:
            if os.environ.get("CI"):
                item.add_marker(pytest.mark.usefixtures("_libreoffice_required"))
            else:
                item.add_marker(pytest.mark.skip(reason="LibreOffice (soffice) is not installed"))


@pytest.fixture
def _libreoffice_required():
    pytest.fail("CI is set but LibreOffice (soffice) is not installed: .ci/run must install it")
