"""A verdict for every answer cell, as each node of the graph would judge it: locally.

correct       matches the numpy reference within tolerance;
carried       does not, but the cell's own rule applied to the student's own input
              cells gives the student's value (follow-through marking);
misconception exactly one catalogued mistake, applied to the student's own inputs,
              gives the student's value;
wrong         none of these; blank; unreadable (with the reason).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .graph import Graph
from .mistakes import mutations
from .tolerance import DEFAULT, Tolerance
from .values import Reading
from .verdicts import FOLLOWS_A_RIGHT_RULE, Verdict

CARRIED_CREDIT = {"full": 1.0, "half": 0.5, "none": 0.0}
# An input this much smaller than it should be (a delta of 0, say) makes every later cell
# trivially consistent with it: no carried credit rests on it.
DEGENERATE = 1e-3
# Nor on an absurd one: every quantity of a sigmoid step is of order one, and a number this
# many times larger (1e16 typed in every cell) would otherwise earn the cells that only repeat
# it (E_total = E_o1, a bias gradient = its delta, out - target).
ABSURD = 1e3


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
          tolerance: Tolerance = DEFAULT, carried: str = "full", muts=None) -> Grade:
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

    cells = []
    rel, floor = tolerance.rel, tolerance.abs
    for q in graph.answers:
        qid = q.id
        r = readings.get(qid)
        want = expected[qid]
        if r is None or r.blank:
            cells.append(CellVerdict(qid, Verdict.BLANK, None, None, want))
            continue
        if r.number is None:
            cells.append(CellVerdict(qid, Verdict.UNREADABLE, None, r.shown, want, reason=r.reason))
            continue
        x = r.number
        env[qid] = x
        usable.add(qid)
        verdict = CellVerdict(qid, Verdict.WRONG, x, r.shown, want)
        # Most cells are plainly right: test that first, inline; the scale of a rule is
        # needed only near the edge.
        if (q.old is None and abs(x - want) <= rel * abs(want) + floor) or \
                _same(tolerance, q.old, x, want, expected) or \
                _same(tolerance, q.old, x, want, expected, _scale(q.expr, expected)):
            verdict.verdict, verdict.points = Verdict.CORRECT, 1.0
        elif _carried(tolerance, q, x, env, usable, sound):
            verdict.verdict, verdict.points = Verdict.CARRIED, CARRIED_CREDIT[carried]
        if verdict.verdict == Verdict.WRONG and not _carried(tolerance, q, x, env, usable, usable):
            # No name for a number the right rule gives on the student's own (degenerate) inputs;
            # and like carried credit, a name rests only on inputs that are filled in and not
            # degenerate: on a δ of 0 every mistake that multiplies by it "fits".
            codes = {m.code for m in muts.get(qid, ())
                     if all(i in usable and i in sound for i in m.expr.refs())
                     and _same(tolerance, q.old, x, _safe(m.expr, env), env, _scale(m.expr, env))}
            if len(codes) == 1:
                verdict.verdict, verdict.mistake = Verdict.MISCONCEPTION, codes.pop()
            elif len(codes) > 1:
                verdict.reason = "ambiguous"
        if DEGENERATE * abs(want) < abs(x) <= ABSURD * max(abs(want), 1.0):
            sound.add(qid)  # even a wrong number can carry forward; a vanishing or absurd one cannot
        cells.append(verdict)
    return Grade(cells, changed, carried)


def _carried(tolerance: Tolerance, q, x: float, env, usable: set, sound: set) -> bool:
    """Does x follow a right rule for q (its own, or an equivalent form such as δ = out − target)
    from the student's own input cells, each filled in and not degenerate?"""
    for rule in (q.expr, *q.alts):
        refs = q.inputs if rule is q.expr else rule.refs()
        if all(i in usable and i in sound for i in refs) and \
                _same(tolerance, q.old, x, _safe(rule, env), env, _scale(rule, env)):
            return True
    return False


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
          scale: float = 0.0) -> bool:
    """x against target, on the change new - old for an update (old taken from env)."""
    if old is None:
        return tol.matches(x, target, scale=scale)
    base = env[old]
    # An update's own magnitude is that of the weight: its rounding is the rel_value term.
    return tol.matches(x - base, target - base, new_value=target)
