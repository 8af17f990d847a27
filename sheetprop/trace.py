"""Checking the training trace a student's own Python MLP writes, epoch by epoch.

The course's part 2 is usually a program. Its trace is a small CSV (README, "A trace from your
own program"): a first line declaring the network and η, a header, then one line per epoch
with the loss of that epoch (at its starting parameters) and every parameter after it; line
epoch 0 holds the initial parameters. Each epoch is checked like a training sheet's row:
one correct full-batch step from the student's own previous line. Where it is not, the
catalogued mistakes, each applied as a program applies it (to every pattern), are tried on
the student's previous line; the one that gives the student's line names the mistake.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import metadata, training
from .epoch_row import Row, data_values, row_for, xor_shape_error
from .intake import Rejected, read_bytes
from .network import GivensError
from .tolerance import DEFAULT, Tolerance
from .training import Params
from .values import PLAIN_NUMBER, escape
from .xor_check import EpochFault, RunGrade
from .xor_task import MAX_EPOCHS, Run, describe

MAGIC = "# sheetprop xor trace:"
DECLARED = ("layers", "activation", "output", "loss", "eta", "optimizer")
TRACE_OPTIMIZERS = ("gd", "sgd")  # momentum would need the velocities in the trace


def _bad(why: str) -> Rejected:
    return Rejected("bad_trace", why)


@dataclass
class TraceSubmission:
    path: Path
    meta: dict
    run: Run
    row: Row
    params: np.ndarray  # (epochs + 1, P): line epoch 0, then after each epoch
    loss: np.ndarray  # (epochs,)
    columns: tuple[str, ...]
    notes: list[str] = field(default_factory=list)
    missing_names: list[str] = field(default_factory=list)
    data: bytes = field(default=b"", repr=False)
    task: str = "xor"
    kind: str = "trace"
    readings: dict = field(default_factory=dict)

    @property
    def graph(self):
        return self.row.graph

    def address(self, qid: str, epoch: int) -> str:
        """The trace's column: loss, or the parameter's own name."""
        return "loss" if qid == "E_total" else self.row.cell(qid).key.of.id


def columns_for(row: Row) -> tuple[str, ...]:
    return ("epoch", "loss") + row.params


def _number(text: str, where: str) -> float:
    s = text.strip()
    if not PLAIN_NUMBER.fullmatch(s):
        raise _bad(f"{where}: {escape(s)!r} is not a number")
    x = float(s)
    if not math.isfinite(x):
        raise _bad(f"{where}: {escape(s)!r} is not a finite number")
    return x


def parse(data: bytes, name: str) -> TraceSubmission:
    if data.startswith(b"PK\x03\x04"):
        raise _bad("a workbook (zip) named .csv: give it its .xlsx name and check that")
    try:
        body = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _bad("not UTF-8 text: write the trace with open(..., 'w', encoding='utf-8')") from None
    lines = [(n, line.strip()) for n, line in enumerate(body.splitlines(), start=1)]
    lines = [(n, line) for n, line in lines if line]
    if not lines or not lines[0][1].startswith(MAGIC):
        raise _bad(f"not a sheetprop training trace (its first line must start with {MAGIC!r}, see the README); "
                   f"for the exercise, hand in the .xlsx workbook")
    declared = {}
    for part in lines[0][1][len(MAGIC):].split():
        key, sep, value = part.partition("=")
        if not sep or key not in DECLARED:
            raise _bad(f"line {lines[0][0]}: {escape(part)!r} is not one of {', '.join(k + '=' for k in DECLARED)}")
        declared[key] = value
    if "eta" not in declared:
        raise _bad("the first line must declare the learning rate, e.g. eta=0.5")
    eta = _number(declared["eta"], "eta")
    if eta <= 0:
        raise _bad("eta must be positive")
    from .sources import shape_from

    try:
        shape = shape_from(declared.get("layers", "2-2-1"), "neuron", True, declared.get("activation", "sigmoid"),
                           declared.get("output", "sigmoid"), declared.get("loss", "squared"))
        why = xor_shape_error(shape)
        if why:
            raise GivensError(why)
    except GivensError as e:
        raise _bad(str(e)) from None
    optimizer = declared.get("optimizer", "gd")
    if optimizer not in TRACE_OPTIMIZERS:
        raise _bad(f"optimizer={escape(optimizer)}: a trace is checked for gd (full batch) or sgd (one update per "
                   f"pattern, in the order (0,0), (0,1), (1,0), (1,1))")
    row = row_for(shape, optimizer)
    want = columns_for(row)
    if len(lines) < 2:
        raise _bad("no header line: expected " + ",".join(want))
    header = tuple(h.strip() for h in lines[1][1].split(","))
    if header != want:
        if sorted(header) == sorted(want):
            raise _bad(f"line {lines[1][0]}: the columns are reordered; write them in this order: {','.join(want)}")
        missing = [c for c in want if c not in header]
        extra = [escape(c) for c in header if c not in want]
        detail = (f"missing {', '.join(missing)}" if missing else "") + ("; " if missing and extra else "") + \
                 (f"unknown {', '.join(extra)}" if extra else "")
        raise _bad(f"line {lines[1][0]}: the header must be {','.join(want)} ({detail})")
    records = lines[2:]
    if not records:
        raise _bad("no epochs: the line of epoch 0 (the initial parameters) comes first")
    if len(records) - 1 > MAX_EPOCHS:
        raise _bad(f"more than {MAX_EPOCHS} epochs")
    params = np.empty((len(records), len(row.params)))
    loss = np.empty(len(records) - 1)
    for k, (n, line) in enumerate(records):
        fields = line.split(",")
        if len(fields) != len(want):
            raise _bad(f"line {n} has {len(fields)} fields; the header has {len(want)}")
        epoch_text = fields[0].strip()
        if not re.fullmatch(r"[0-9]{1,6}", epoch_text):
            raise _bad(f"line {n}, column epoch: {escape(epoch_text)!r} is not a whole number")
        epoch = int(epoch_text)
        if epoch != k:
            if k == 0:
                raise _bad(f"line {n}: the first epoch must be 0 (the initial parameters), not {epoch}")
            raise _bad(f"line {n}: epoch {epoch} follows epoch {k - 1}; every epoch must be written, in order")
        for j, column in enumerate(row.params):
            params[k, j] = _number(fields[2 + j], f"line {n}, column {column}")
        if k:
            loss[k - 1] = _number(fields[1], f"line {n}, column loss")
    run = Run(shape, Params.from_flat(shape, params[0]), eta, len(records) - 1, {}, optimizer)
    # Two traces are "the same variant" (classroom.py) when they start from the same parameters and η.
    # A trace carries no sheetprop metadata: this record says only what it is (English words,
    # no student, nothing to verify against a class).
    meta = metadata.Metadata(kind="trace", lang="en", sheet=name, cells={}, exercise=describe(run), origin={},
                             task="xor")
    return TraceSubmission(Path(name), meta, run, row, params, loss, want)


def load(path: Path) -> TraceSubmission:
    data = read_bytes(Path(path), max_bytes=20 * 1024 * 1024)
    sub = parse(data, str(path))
    sub.path = Path(path)
    return sub


def _evaluate(row: Row, env: dict, overrides: dict) -> dict:
    """One epoch's row on env, with some cells' rules replaced (a mistake made in every pattern).
    A first pass with the right rules puts every cell in env: a mistake may read a cell that
    comes after it in the row (M7 reads the updated output weights)."""
    env = dict(env)
    for cell in row.cells:
        env[cell.id] = _value(cell.expr, env)
    if overrides:
        for cell in row.cells:
            env[cell.id] = _value(overrides.get(cell.id, cell.expr), env)
    return env


def _value(expr, env) -> float:
    try:
        return expr.value(env)
    except (KeyError, OverflowError, ZeroDivisionError, ValueError):
        return math.nan


def mistake_families(row: Row) -> dict[tuple[str, str, str], dict]:
    """Each catalogued mistake as a program makes it: in one rule, for every pattern."""
    families: dict[tuple[str, str, str, str], dict] = {}
    for cell in row.cells:
        key = cell.base.key
        where = key.layer or (key.of.kind if key.kind == "grad" else "")
        for code, variant, wrong in cell.mistakes:
            # A program makes a mistake in one line of code: at every pattern and, for a rule shared
            # by a layer or by every parameter (σ′ of the hidden layer, the update), at each of them.
            # Only the forms that differ in kind stay apart (a factor 2 or ½; η left out or twice).
            form = variant if code in ("M4", "M8", "M16") and not variant.startswith(("w_", "h")) else ""
            families.setdefault((key.kind, where, code, form), {})[cell.id] = wrong
    return families


# A net that has not learned XOR yet has a loss of about 0.5 (½Σ over the four patterns) or more
# (MSE, cross-entropy); one below this at its first epoch was trained before the trace began.
UNTRAINED = 0.1


def grade_trace(sub: TraceSubmission, tolerance: Tolerance = DEFAULT, carried: str = "full") -> RunGrade:
    row, run = sub.row, sub.run
    shape, eta = run.shape, run.eta
    before, after = sub.params[:-1], sub.params[1:]
    with np.errstate(all="ignore"):
        start = Params.from_flat(shape, before)
        if row.optimizer == "sgd":
            steps = training.epoch_sgd(shape, start, np.full(len(before), eta))
            want_new, want_loss = steps[-1].new.flat(), sum(st.loss for st in steps)
        else:
            ep = training.epoch(shape, start, np.full(len(before), eta))
            want_new, want_loss = ep.new.flat(), ep.loss
        d_got, d_want = after - before, want_new - before
        ok_params = np.abs(d_got - d_want) <= tolerance.rel * np.abs(d_want) + tolerance.abs \
            + tolerance.rel_value * np.abs(want_new)
        ok_loss = np.abs(sub.loss - want_loss) <= tolerance.rel * np.abs(want_loss) + tolerance.abs
    ok = np.column_stack([ok_loss, ok_params])
    ids = ("E_total",) + row.state_cells
    expected = np.column_stack([want_loss, want_new])
    got = np.column_stack([sub.loss, after])
    faults = []
    families = None
    for e0 in np.flatnonzero(~np.all(ok, axis=1)):
        k = int(np.flatnonzero(~ok[e0])[0])
        fault = EpochFault(int(e0) + 1, ids[k], "wrong", float(got[e0, k]), None, float(expected[e0, k]))
        if not faults:  # the first: which mistake, if any, gives the student's whole line
            families = families or mistake_families(row)
            env = {**data_values(), "eta": eta, **dict(zip(row.params, before[e0].tolist()))}
            codes = set()
            for (_, _, code, _), overrides in families.items():
                out = _evaluate(row, env, overrides)
                theirs = np.array([out[i] for i in ids])
                old = np.concatenate([[0.0], before[e0]])
                is_new = np.arange(len(ids)) > 0
                fine = np.abs((got[e0] - old) - (theirs - old)) <= tolerance.rel * np.abs(theirs - old) \
                    + tolerance.abs + np.where(is_new, tolerance.rel_value * np.abs(theirs), 0.0)
                if np.all(fine):
                    codes.add(code)
            if len(codes) == 1:
                fault.verdict, fault.mistake = "misconception", codes.pop()
            elif codes:
                fault.reason = "ambiguous"
        faults.append(fault)
    below = np.flatnonzero(sub.loss < training.TARGET_LOSS)
    reached = int(below[0]) + 1 if below.size else None
    if sub.loss.size and not sub.loss[0] >= UNTRAINED:
        # A run that starts where it should end shows no learning (constant parameters "follow"
        # from any tiny η): the target is not met by it, whatever its rows say.
        reached = None
        if "started_trained" not in sub.notes:
            sub.notes.append("started_trained")
    best = (float(sub.loss.min()), int(np.argmin(sub.loss)) + 1) if sub.loss.size else None
    with np.errstate(all="ignore"):
        out = training.outputs(shape, Params.from_flat(shape, sub.params[-1]))[:, 0]
        reference = training.train(shape, Params.from_flat(shape, sub.params[0]), eta, run.epochs,
                                   sgd=row.optimizer == "sgd")
    right = bool(np.all(np.isfinite(out)) and np.all((out > 0.5) == (training.XOR_TARGETS[:, 0] > 0.5)))
    n_ok = int(np.all(ok, axis=1).sum())
    return RunGrade(run.epochs, n_ok, 0, faults, reached, best, [float(o) for o in out], right,
                    reference.reached(), [], carried)
