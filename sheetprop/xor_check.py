"""Checking a training run on XOR, epoch by epoch, each from the student's own row above.

A row follows from the row above by one correct step when every cell matches what the
numpy training reference computes from the row above's parameters (the student's own,
not the reference run's): so one slip is found at its epoch, and the rows after it are
judged on the student's own numbers. The reference computes every row at once
(training.py takes a batch of starting parameters); only a row that does not follow is
looked at cell by cell, in the order it is computed: a cell whose own rule, applied to the
student's own cells of the row, gives the student's value is carried; the first that is
not is where the row went wrong, and a catalogued mistake of that cell (epoch_row.py:
the graph's mistakes, folded like its rules) that gives the student's value names it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import training
from .epoch_row import PATTERNS, Row, data_values, epoch_values
from .grading import CARRIED_CREDIT, CellVerdict
from .intake import Rejected
from .tolerance import DEFAULT, Tolerance
from .training import Params
from .values import Reading, read
from .xlsx import Xlsx, parse_reference
from .xor_task import TASK, Run, from_description

GIVEN_TOLERANCE = 1e-12
_COLUMN = re.compile(r"[A-Z]{1,3}")
_COORD = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}")


@dataclass
class RunSubmission:
    """What a student's XOR workbook holds: the run it belongs to and the values they saved."""

    path: Path
    meta: dict
    run: Run  # from the metadata: the givens as generated
    row: Row
    values: np.ndarray  # (epochs, cells) in row.cells order; NaN where not a number
    problems: dict  # (epoch, id) -> Reading, for every cell that is blank or unreadable
    givens: dict  # id -> Reading of each given cell (η, initial parameters, data)
    cells: dict  # id -> column letter; and "zero": the row of epoch 0
    notes: list[str] = field(default_factory=list)
    missing_names: list[str] = field(default_factory=list)
    data: bytes = field(default=b"", repr=False)
    task: str = TASK

    @property
    def readings(self) -> dict:
        # The pipeline looks for formulas saved without results here, to recalculate them.
        return {f"{qid}@{e}": r for (e, qid), r in self.problems.items()}

    @property
    def graph(self):
        return self.row.graph

    def address(self, qid: str, epoch: int) -> str:
        return f"{self.meta['sheet']}!{self.cells['columns'][qid]}{self.cells['zero'] + epoch}"


def _solution_title(book, sheet: str, meta, run: Run) -> bool:
    """Does the sheet's title (A1) read as the generated solution's, in any language?"""
    from .text import LANGS, network_words, text

    cell = book.read(sheet, ["A1"])["A1"]
    shown = (cell.text or "").strip()
    return bool(shown) and any(
        shown == text(lang)("xor.solution_title", layers=run.shape.label, network=network_words(text(lang), run.shape))
        for lang in LANGS)


def read_run(intake, book: Xlsx, meta: dict, notes: list[str]) -> RunSubmission:
    from .network import GivensError

    try:
        run = from_description(meta["exercise"], meta["origin"])
    except GivensError as e:
        raise Rejected("bad_metadata", f"its sheetprop metadata cannot be used: {e}") from None
    row = run.row
    cells = meta["cells"]
    try:
        zero, epochs, columns, given_at = int(cells["zero"]), int(cells["epochs"]), dict(cells["columns"]), \
            dict(cells["givens"])
    except (KeyError, TypeError, ValueError):
        raise Rejected("bad_metadata", "its sheetprop metadata is incomplete") from None
    # The metadata is the student's file too: every address in it must be a plain one.
    from .xor_task import size_error

    if size_error(epochs, len(row.ids)):  # what the (editable) metadata claims decides the memory asked for
        raise Rejected("bad_metadata", f"its sheetprop metadata claims a training block too large to check: "
                                    f"{size_error(epochs, len(row.ids))}")
    if set(columns) != set(row.ids) or epochs != run.epochs or not 1 <= zero <= 1_000_000 - epochs \
            or not all(isinstance(c, str) and _COLUMN.fullmatch(c) for c in columns.values()) \
            or not all(isinstance(c, str) and _COORD.fullmatch(c) for c in given_at.values()):
        raise Rejected("bad_metadata", "its sheetprop metadata is incomplete")
    sheet = meta["sheet"]
    if meta.get("kind") == "solution":
        notes.append("solution_workbook")
    if intake.kind == "xlsm":
        notes.append("macros_ignored")
    if book.external_links:
        notes.append("external_links")
    if sheet not in book.sheets:
        raise Rejected("no_sheet", f"the exercise sheet {sheet!r} is gone: fill in the workbook as generated")
    if "solution_workbook" not in notes and _solution_title(book, sheet, meta, run):
        notes.append("solution_workbook")  # its kind edited to "exercise": the sheet still says what it is
    # The givens by their names where they still point into the sheet, else where generated.
    missing = []
    where = {}
    for qid, coord in given_at.items():
        target = parse_reference(book.defined_names.get(qid, ""))
        if target is None or target[0] != sheet:
            missing.append(qid)
            target = (sheet, str(coord).upper())
        where[qid] = target[1]
    if missing:
        notes.append("names_missing")
    order = row.ids
    # The givens first, through the guarded reader (which also rejects a hostile sheet);
    # then the block's plain numbers in one pass, and only the other cells one by one.
    raw = book.read(sheet, list(where.values()))
    givens = {qid: read(raw[coord]) for qid, coord in where.items()}
    values = book.number_grid(sheet, [columns[q] for q in order], zero + 1, zero + epochs)
    rest = np.argwhere(np.isnan(values))
    others = book.read(sheet, [f"{columns[order[k]]}{zero + 1 + e}" for e, k in rest]) if rest.size else {}
    problems = {}
    for e, k in rest.tolist():
        cell = others[f"{columns[order[k]]}{zero + 1 + e}"]
        r = Reading(None, "external", f"={cell.formula}"[:40]) if cell.formula and "[" in cell.formula \
            else read(cell)
        if r.number is not None:
            values[e, k] = r.number
        else:
            problems[(e + 1, order[k])] = r
    return RunSubmission(path=intake.path, meta=meta, run=run, row=row, values=values, problems=problems,
                         givens=givens, cells={"zero": zero, "columns": columns}, notes=notes,
                         missing_names=missing, data=intake.data)


# -- grading -----------------------------------------------------------------
@dataclass
class EpochFault:
    """Where one epoch's row stops following from the row above."""

    epoch: int
    id: str  # the row id (delta_o1_p2)
    verdict: str  # misconception, wrong, blank, unreadable
    value: float | None
    shown: str | None
    expected: float
    reason: str | None = None
    mistake: str | None = None


@dataclass
class RunGrade:
    epochs: int
    correct: int  # rows that follow from the row above by one correct step
    carried: int  # rows off only where their own inputs were off (tolerance edges)
    faults: list[EpochFault]  # one per row that does not follow, in epoch order
    reached: int | None  # the student's first epoch with E < 0.01
    best: tuple[float, int] | None  # the lowest loss and its epoch
    final_outputs: list[float] | None  # the net's outputs after the student's last epoch
    outputs_right: bool
    reference_reached: int | None
    changed_givens: list[tuple[str, float, str | None, float | None]]  # id, expected, shown, value
    carried_policy: str = "full"
    reference_run: bool = True  # False where the patterns were changed: no reference run to compare
    void: str | None = None  # as Grade.void: a run is never voided (self-study, nothing to verify against)

    @property
    def first(self) -> EpochFault | None:
        return self.faults[0] if self.faults else None

    @property
    def consistent_after(self) -> int:
        """Rows after the first fault that follow from the student's own row above."""
        if not self.faults:
            return 0
        later_faults = len(self.faults) - 1
        return self.epochs - self.faults[0].epoch - later_faults

    @property
    def all_correct(self) -> bool:
        # the deliverable is a run that learns XOR: every step right AND the target reached
        return not self.faults and not self.changed_givens and self.void is None and self.target_met

    @property
    def target_met(self) -> bool:
        return self.reached is not None and self.outputs_right

    # What class summaries, gradebooks and batch lines read of any grade.
    @property
    def points(self) -> float:
        if self.void is not None:  # a generated solution handed in (integrity.py): nothing earned
            return 0.0
        return self.correct + CARRIED_CREDIT[self.carried_policy] * self.carried

    @property
    def max_points(self) -> int:
        return self.epochs

    @property
    def first_wrong(self) -> CellVerdict | None:
        f = self.first
        if f is None:
            return None
        return CellVerdict(f.id, f.verdict, f.value, f.shown, f.expected, f.reason, f.mistake)

    @property
    def cells(self) -> list[CellVerdict]:
        first = self.first_wrong
        return [first] if first else []


def _given_changes(sub: RunSubmission):
    expected = {**sub.run.values(), **data_values()}
    changes, used = [], {}
    for qid, want in expected.items():
        r = sub.givens.get(qid)
        if r is not None and r.number is not None:
            used[qid] = r.number
            if abs(r.number - want) > GIVEN_TOLERANCE * max(1.0, abs(want)):
                changes.append((qid, want, r.shown, r.number))
        else:
            used[qid] = want
            changes.append((qid, want, None if r is None else r.shown, None))
    return changes, used


def grade_run(sub: RunSubmission, tolerance: Tolerance = DEFAULT, carried: str = "full") -> RunGrade:
    row, run = sub.row, sub.run
    shape = run.shape
    changes, used = _given_changes(sub)
    data = {q: used[q] for q in data_values()}
    X = np.array([[data[f"i_{i}_p{p}"] for i in (1, 2)] for p in range(1, PATTERNS + 1)])
    T = np.array([[data[f"target_o1_p{p}"]] for p in range(1, PATTERNS + 1)])
    eta = used["eta"]
    beta = used.get("beta")  # momentum only
    ids = row.ids
    col = {q: k for k, q in enumerate(ids)}
    n_params = len(row.params)
    new_cols = [col[q] for q in row.state_cells]
    start = np.array([used[p] for p in row.state])
    # Each row's starting state: the givens for epoch 1, the student's row above after that
    # (the parameters, and with momentum their velocities).
    before = np.vstack([start, sub.values[:-1, new_cols]])
    usable = np.all(np.isfinite(before), axis=1)
    with np.errstate(all="ignore"):
        state = np.where(usable[:, None], before, 0.0)
        velocity = Params.from_flat(shape, state[:, n_params:]) if row.velocities else None
        start_params = Params.from_flat(shape, state[:, :n_params])
        if row.optimizer == "sgd":
            ep = training.epoch_sgd(shape, start_params, eta, X, T)
            scale = np.zeros((len(before), len(ids)))
        else:
            ep = training.epoch(shape, start_params, eta, X, T, velocity, beta or 0.0)
            scale = _scales(row, ep, X)
        expected = np.column_stack([epoch_values(row, ep)[q] for q in ids])
        # An update is judged on its change from the parameter it replaces: the row above's, or
        # (sgd) the student's own update of the pattern before.
        old = np.zeros_like(expected)
        for k, c in enumerate(row.cells):
            if c.old is not None:
                old[:, k] = before[:, row.state.index(c.old)] if c.old in row.state else sub.values[:, col[c.old]]
        is_update = np.array([c.old is not None for c in row.cells])
        got, want = sub.values - old, expected - old
        allowed = tolerance.rel * np.maximum(np.abs(want), scale) + tolerance.abs \
            + np.where(is_update, tolerance.rel_value * np.abs(expected), 0.0)
        ok = np.abs(got - want) <= allowed
    ok &= np.isfinite(sub.values) & usable[:, None]
    row_ok = np.all(ok, axis=1)
    faults: list[EpochFault] = []
    n_carried = 0
    problems = sub.problems
    for e0 in np.flatnonzero(~row_ok):
        e = int(e0) + 1
        fault = _row_fault(sub, e, e0, ok[e0], expected[e0], before[e0], {**data, "eta": eta, "beta": beta},
                           tolerance, problems)
        if fault is None:
            n_carried += 1
        else:
            faults.append(fault)
    loss = sub.values[:, col["E_total"]]
    below = np.flatnonzero(np.isfinite(loss) & (loss < training.TARGET_LOSS))
    reached = int(below[0]) + 1 if below.size else None
    finite = np.flatnonzero(np.isfinite(loss))
    best = (float(loss[finite].min()), int(finite[np.argmin(loss[finite])]) + 1) if finite.size else None
    final = sub.values[-1, new_cols[:n_params]]
    final_outputs, right = None, False
    if np.all(np.isfinite(final)):
        with np.errstate(all="ignore"):
            out = training.outputs(shape, Params.from_flat(shape, final), X)[:, 0]
        final_outputs = [float(v) for v in out]
        right = bool(np.all((out > 0.5) == (T[:, 0] > 0.5)))
    with np.errstate(all="ignore"):
        reference = training.train(shape, Params.from_flat(shape, start[:n_params]), eta, run.epochs, beta,
                                   sgd=row.optimizer == "sgd") \
            if np.array_equal(X, training.XOR_INPUTS) and np.array_equal(T, training.XOR_TARGETS) else None
    return RunGrade(run.epochs, int(row_ok.sum()), n_carried, faults, reached, best, final_outputs, right,
                    None if reference is None else reference.reached(), changes, carried, reference is not None)


def _scales(row: Row, ep: training.Epoch, X) -> np.ndarray:
    """How large the terms of each cell are: a gradient summed over patterns may cancel."""
    g = Params(np.einsum("...ph,pi->...hi", np.abs(ep.delta_h), np.abs(X)), np.abs(ep.delta_h).sum(axis=-2),
               np.einsum("...po,...ph->...oh", np.abs(ep.delta_o), np.abs(ep.out_h)), np.abs(ep.delta_o).sum(axis=-2))
    grads = dict(zip((f"dE_d{p}" for p in row.params), np.moveaxis(g.flat(), -1, 0)))
    n = ep.loss.shape[0]
    return np.column_stack([grads.get(q, np.zeros(n)) for q in row.ids])


def _row_fault(sub, e, e0, ok_row, expected_row, before, givens, tolerance, problems) -> EpochFault | None:
    """The first cell of the row, in the order it is computed, that its own rule does not explain."""
    row = sub.row
    env = {**givens, **dict(zip(row.state, before.tolist()))}
    values = sub.values[e0]
    for k, cell in enumerate(row.cells):
        if not math.isnan(values[k]):
            env[cell.id] = float(values[k])
    usable = bool(np.all(np.isfinite(before)))
    for k, cell in enumerate(row.cells):
        if ok_row[k]:
            continue
        want = float(expected_row[k]) if usable else math.nan
        problem = problems.get((e, cell.id))
        if problem is not None:
            return EpochFault(e, cell.id, "blank" if problem.blank else "unreadable", None, problem.shown, want,
                              reason=None if problem.blank else problem.reason)
        if not usable:
            return EpochFault(e, cell.id, "wrong", float(values[k]), None, want, reason="previous")
        x = float(values[k])
        if _follows(tolerance, cell, x, _value(cell.expr, env), env):
            continue  # consistent with the student's own cells of this row
        codes = {code for code, _, wrong in cell.mistakes if _follows(tolerance, cell, x, _value(wrong, env), env)}
        if len(codes) == 1:
            return EpochFault(e, cell.id, "misconception", x, None, want, mistake=codes.pop())
        return EpochFault(e, cell.id, "wrong", x, None, want, reason="ambiguous" if codes else None)
    return None


def _value(expr, env) -> float:
    try:
        return expr.value(env)
    except (KeyError, OverflowError, ZeroDivisionError, ValueError):
        return math.nan


def _follows(tol: Tolerance, cell, x: float, target: float, env) -> bool:
    if cell.old is None:
        return tol.matches(x, target, scale=_magnitude(cell.expr, env))
    base = env[cell.old]
    return tol.matches(x - base, target - base, new_value=target)


def _magnitude(expr, env) -> float:
    try:
        return expr.magnitude(env)
    except (KeyError, OverflowError, ZeroDivisionError, ValueError):
        return 0.0
