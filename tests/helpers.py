"""Small helpers shared by the tests."""

from pathlib import Path

import numpy as np

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


def random_givens(rng, shape):
    """Any numbers a network of this kind can take (not a drawn exercise): for the reference's tests."""
    from sheetprop.network import Givens

    nb_h, nb_o = shape.bias_counts()
    if shape.output == "softmax":
        targets = rng.dirichlet(np.ones(shape.n_out))
    elif shape.output == "linear":
        targets = rng.uniform(-1, 1, shape.n_out)
    else:
        targets = rng.uniform(0.05, 0.95, shape.n_out)
    return Givens(shape, rng.uniform(-1, 1, shape.n_in), targets,
                  rng.uniform(-1.5, 1.5, (shape.n_hidden, shape.n_in)),
                  rng.uniform(-1.5, 1.5, (shape.n_out, shape.n_hidden)),
                  rng.uniform(-1, 1, nb_h), rng.uniform(-1, 1, nb_o), rng.uniform(0.05, 0.9))


def central_difference(g, name: str, h=1e-6) -> np.ndarray:
    """dE_total/d(each number of g's array `name`), from the reference's loss alone."""
    from sheetprop import reference

    base = getattr(g, name)
    grad = np.zeros(base.shape)
    for idx in np.ndindex(base.shape):
        up, down = base.copy(), base.copy()
        up[idx] += h
        down[idx] -= h
        grad[idx] = (reference.loss(g, **{name: up}) - reference.loss(g, **{name: down})) / (2 * h)
    return grad
