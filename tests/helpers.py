"""Small helpers shared by the tests."""

from pathlib import Path

import openpyxl


def values_by_name(path: Path) -> dict:
    """Each defined name's cached value, read straight with openpyxl (as a spreadsheet saved it)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        out = {}
        for name, dn in wb.defined_names.items():
            (sheet, coord), = list(dn.destinations)
            out[name] = wb[sheet][coord.replace("$", "")].value
        return out
    finally:
        wb.close()


def assert_close_to_reference(got: dict, expected: dict, rtol=1e-9, atol=1e-12, where=""):
    """The precision LibreOffice keeps (15 significant digits) with a floor for cancellations."""
    bad = []
    for qid, want in expected.items():
        value = got.get(qid)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or abs(value - want) > atol + rtol * abs(want):
            bad.append(f"{qid}: got {value!r}, numpy {want!r}")
    assert not bad, f"{where}: " + "; ".join(bad)
