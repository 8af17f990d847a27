"""A verdict for every answer cell, as each node of the graph would judge it: locally.

correct       matches the numpy reference within tolerance;
carried       does not, but the cell's own rule applied to the student's own input
              cells gives the student's value (follow-through marking);
misconception exactly one catalogued mistake, applied to the student's own inputs,
              gives the student's value;
wrong         none of these; blank; unreadable (with the reason);
too_few_digits fewer significant digits than the exercise asks for: nothing earned.

A typed number is judged at the precision it was typed with: it may be off by half a
unit in its last digit, plus whatever the rounding of the typed inputs it was computed
from does through its rule. A cell that follows its rule within that rounding from
inputs that are themselves right is correct, however far honest rounding along the
chain has drifted from the exact reference.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .graph import Graph
from .mistakes import mutations
from .precision import MIN_DIGITS, half_unit_at, input_rounding
from .tolerance import DEFAULT, Tolerance
from .typed import misplaced_point, reason_for_shift, stray_character
from .values import Reading
from .verdicts import FOLLOWS_A_RIGHT_RULE, Verdict

CARRIED_CREDIT = {"full": 1.0, "half": 0.5, "none": 0.0}
# An input this much smaller than it should be (a delta of 0, say) makes every later cell
# trivially consistent with it: no carried credit rests on it.
DEGENERATE = 1e-3
# Nor on an absurd one: every quantity of a step is of order one, and a number this many times
# larger (1e16 typed in every cell) would otherwise earn the cells that only repeat it
# (E_total = E_o1, a bias gradient = its delta, out - target).
ABSURD = 1e3
TOO_FEW_DIGITS = Verdict.TOO_FEW_DIGITS  # a verdict, and its reason


@dataclass
class CellVerdict:
    id: str
    verdict: Verdict
    value: float | None
    shown: str | None
    expected: float
    reason: str | None = None  # unreadable: why; wrong/carried: more detail codes
    mistake: str | None = None
    points: float = 0.0
    digits: int | None = None  # as typed: significant digits and decimals (None: a formula's result)
    decimals: int | None = None


@dataclass
class GivenChange:
    id: str
    expected: float
    shown: str | None
    value: float | None


@dataclass
class Grade:
    cells: list[CellVerdict]
    changed_givens: list[GivenChange] = field(default_factory=list)
    carried_policy: str = "full"
    min_digits: int = MIN_DIGITS
    # Why the file earns nothing whatever its cells say (integrity.py: a forged exercise, a
    # solution handed in), or None.
    void: str | None = None

    @property
    def points(self) -> float:
        # A void file earns nothing; its cells keep what each would have earned, for the record.
        return 0.0 if self.void is not None else sum(c.points for c in self.cells)

    @property
    def max_points(self) -> int:
        return len(self.cells)

    @property
    def first_wrong(self) -> CellVerdict | None:
        return next((c for c in self.cells if c.verdict not in FOLLOWS_A_RIGHT_RULE), None)

    @property
    def all_correct(self) -> bool:
        return all(c.verdict == Verdict.CORRECT for c in self.cells) and not self.changed_givens and self.void is None

    def carried_after(self, qid: str) -> int:
        """How many cells after qid are consistent with the student's own numbers."""
        ids = [c.id for c in self.cells]
        return sum(1 for c in self.cells[ids.index(qid) + 1:] if c.verdict == Verdict.CARRIED)


def grade(graph: Graph, expected: dict[str, float], readings: dict[str, Reading],
          tolerance: Tolerance = DEFAULT, carried: str = "full", muts=None,
          min_digits: int = MIN_DIGITS) -> Grade:
    if carried not in CARRIED_CREDIT:
        raise ValueError(f"carried credit must be one of {', '.join(CARRIED_CREDIT)}")
    muts = mutations(graph) if muts is None else muts
    env: dict[str, float] = {}  # the student's own numbers, where usable
    changed = []
    for qid in graph.given_ids:
        r = readings.get(qid)
        want = expected[qid]
        if r is not None and r.number is not None:
            env[qid] = r.number
            if abs(r.number - want) > 1e-12 * max(1.0, abs(want)):
                changed.append(GivenChange(qid, want, r.shown, r.number))
        else:
            env[qid] = want
            changed.append(GivenChange(qid, want, None if r is None else r.shown, None))
    usable = set(graph.given_ids)
    sound = set(graph.given_ids)  # inputs on which carried credit may rest
    # Inputs that are right as far as the student's rounding goes: a cell computed from them
    # by the right rule is correct, however far honest rounding has drifted from the reference.
    honest = set(graph.given_ids) - {ch.id for ch in changed}
    half_units: dict[str, float] = {}  # how much each typed cell may have been rounded
    precisions = {q: r.precision for q in graph.answer_ids if (r := readings.get(q)) is not None}
    keeps_digits = _keeps_digits(precisions, min_digits)

    cells = []
    for q in graph.answers:
        qid = q.id
        r = readings.get(qid)
        want = expected[qid]
        if r is None or r.blank:
            cells.append(CellVerdict(qid, Verdict.BLANK, None, None, want))
            continue
        if r.number is None:
            reason = "stray_character" if r.reason in ("text", "lookalike") and stray_character(r.shown) else r.reason
            cells.append(CellVerdict(qid, Verdict.UNREADABLE, None, r.shown, want, reason=reason))
            continue
        x = r.number
        env[qid] = x
        usable.add(qid)
        p = precisions[qid]
        judge = _Judge(q, x, want, expected, env, half_units, honest, sound, usable, tolerance, muts.get(qid, ()))
        if p is None and q.old is None and abs(x - want) <= tolerance.rel * abs(want) + tolerance.abs:
            # A formula's result on the reference: most cells of most files, so taken first.
            half_units[qid] = 0.0
            verdict, right = (Verdict.CORRECT, 1.0, None, None), True
        elif p is None or p.digits >= min_digits:
            verdict, right = judge(0.0 if p is None else p.half_unit)
        else:
            # Files keep no trailing zeros: from a student who keeps enough digits elsewhere,
            # 0.13 is taken for 0.130 and judged as such. Otherwise, or if it is not right to
            # that many digits, there are too few digits to tell: nothing earned, nothing named.
            verdict, right = judge(half_unit_at(x, min_digits)) if keeps_digits else (None, False)
            if verdict is None or verdict[0] == Verdict.WRONG:
                # What it passes on is judged one digit short of the floor at most: a gradient
                # of 0.0079 carries its information on, a 0 typed for it makes no later cell right.
                _, right = judge(min(p.half_unit, half_unit_at(x, max(1, min_digits - 1))))
                verdict = (TOO_FEW_DIGITS, 0.0, None, TOO_FEW_DIGITS)
        name, points, mistake, reason = verdict
        if name == Verdict.CARRIED:
            points = CARRIED_CREDIT[carried]
        if right:
            honest.add(qid)  # right as far as its rounding goes: what is computed from it can be too
        cells.append(CellVerdict(qid, name, x, r.shown, want, reason, mistake, points,
                                 None if p is None else p.digits, None if p is None else p.decimals))
        if DEGENERATE * abs(want) < abs(x) <= ABSURD * max(abs(want), 1.0):
            sound.add(qid)  # even a wrong number can carry forward; a vanishing or absurd one cannot
    return Grade(cells, changed, carried, min_digits)


class _Judge:
    """One cell's verdict at a given rounding of its own (half a unit in its last digit)."""

    def __init__(self, q, x, want, expected, env, half_units, honest, sound, usable, tolerance, muts):
        self.q, self.x, self.want, self.expected, self.env = q, x, want, expected, env
        self.half_units, self.honest, self.sound, self.tolerance, self.muts = half_units, honest, sound, tolerance, muts
        self.usable = usable

    def __call__(self, half: float):
        """((verdict, points, mistake, reason), right within that rounding); leaves half in half_units."""
        q, x, env = self.q, self.x, self.env
        self.half_units[q.id] = half
        on_reference, follows = _fits(q, x, self.want, self.expected, env, self.half_units, self.usable,
                                      self.tolerance)
        # follows: the inputs of the right rule the number follows from (None: it follows none)
        right = on_reference or (follows is not None and all(i in self.honest for i in follows))
        if right:
            return (Verdict.CORRECT, 1.0, None, None), True
        if follows is not None:
            if all(i in self.sound for i in follows):
                return (Verdict.CARRIED, 1.0, None, None), False
            # The right rule on degenerate inputs (a δ of 0): no credit rests on them, and no
            # mistake is named either, though every one that multiplies by them "fits".
            return (Verdict.WRONG, 0.0, None, None), False
        codes = {m.code for m in self.muts
                 if all(i in self.usable and i in self.sound for i in m.expr.refs())
                 and _same(self.tolerance, q.old, x, _safe(m.expr, env), env, _scale(m.expr, env),
                           half + input_rounding(m.expr, env, self.half_units))}
        if len(codes) == 1:
            return (Verdict.MISCONCEPTION, 0.0, codes.pop(), None), False
        if codes:
            return (Verdict.WRONG, 0.0, None, "ambiguous"), False
        # 0.380 typed in a Portuguese spreadsheet is stored as 380: say so.
        slack = self.tolerance.allowed(self.want, scale=_scale(q.expr, self.expected))
        if all(i in self.usable for i in q.inputs):
            slack += input_rounding(q.expr, env, self.half_units)
        shift = misplaced_point(x, self.want, half, slack)
        return (Verdict.WRONG, 0.0, None, None if shift is None else reason_for_shift(shift)), False


def _fits(q, x, want, expected, env, half_units, usable, tolerance) -> tuple[bool, tuple[str, ...] | None]:
    """(x is the reference value, the inputs of a right rule x follows from the student's own
    inputs or None), each within the student's rounding."""
    half = half_units[q.id]
    rel, floor = tolerance.rel, tolerance.abs
    # Most cells are plainly right: test that first, inline; the scale of a rule and the
    # student's rounding are needed only near the edge.
    on_reference = (q.old is None and abs(x - want) <= rel * abs(want) + floor + half) or \
        _same(tolerance, q.old, x, want, expected, slack=half) or \
        _same(tolerance, q.old, x, want, expected, _scale(q.expr, expected), slack=half)
    follows = None if on_reference else follows_rule(q, x, env, half_units, tolerance, usable)
    return on_reference, follows


def follows_rule(q, x: float, env: dict[str, float], half_units: dict[str, float], tolerance: Tolerance,
                 usable) -> tuple[str, ...] | None:
    """Does x follow from a right rule for the cell (its own, or an equivalent form such as
    δ = out − target) applied to the student's own input cells, all filled in, within the
    rounding the student could have done: half a unit in x's last digit, plus the rounding
    of the inputs they typed, carried through the rule? The inputs of the rule it follows,
    or None. (The carried check, in one place.)"""
    for rule in (q.expr, *q.alts):
        refs = q.inputs if rule is q.expr else rule.refs()
        if not all(i in usable for i in refs):
            continue
        reach = half_units.get(q.id, 0.0) + input_rounding(rule, env, half_units)
        if _same(tolerance, q.old, x, _safe(rule, env), env, _scale(rule, env), reach):
            return refs
    return None


def _keeps_digits(precisions: dict, min_digits: int) -> bool:
    """Does the student type at least min_digits significant digits in most cells? Then a
    shorter number is most likely one whose trailing zeros the file dropped."""
    typed = [p.digits for p in precisions.values() if p is not None]
    return bool(typed) and 2 * sum(d >= min_digits for d in typed) > len(typed)


def _safe(expr, env) -> float:
    try:
        return expr.value(env)
    except (OverflowError, ZeroDivisionError, ValueError):
        return math.nan


def _scale(expr, env) -> float:
    try:
        return expr.magnitude(env)
    except (OverflowError, ZeroDivisionError, ValueError):
        return 0.0


def _same(tol: Tolerance, old: str | None, x: float, target: float, env: dict[str, float],
          scale: float = 0.0, slack: float = 0.0) -> bool:
    """x against target, on the change new - old for an update (old taken from env); slack:
    how far the student's own rounding may have moved x."""
    if not (math.isfinite(x) and math.isfinite(target)):
        return False
    if old is None:
        return abs(x - target) <= tol.allowed(target, scale=scale) + slack
    base = env[old]
    # An update's own magnitude is that of the weight: its rounding is the rel_value term.
    return abs(x - target) <= tol.allowed(target - base, new_value=target) + slack
