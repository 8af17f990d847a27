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


def simulate_student(graph, givens, mutation=None, digits=None, overrides=None) -> dict:
    """What a student writes when they compute every cell from their OWN earlier cells:
    with one catalogued mistake (a Mutation), rounding to `digits` significant digits,
    or a value forced into some cells."""
    overrides = overrides or {}
    env = graph.given_values(givens)
    for qid in graph.answer_ids:
        q = graph[qid]
        expr = mutation.expr if mutation is not None and mutation.target == qid else q.expr
        value = overrides[qid] if qid in overrides else expr.value(env)
        if digits is not None:
            value = float(f"{value:.{digits}g}")
        env[qid] = value
    return {qid: env[qid] for qid in graph.answer_ids}


def fill(exercise: Path, values: dict, out: Path) -> Path:
    """The exercise with these values typed in, saved by openpyxl (no cached formula results)."""
    wb = openpyxl.load_workbook(exercise)
    for qid, value in values.items():
        (sheet, coord), = list(wb.defined_names[qid].destinations)
        wb[sheet][coord.replace("$", "")].value = value
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
