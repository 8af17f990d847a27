"""Drawing an exercise from a seed, and the fixed presets.

A variant is drawn from the seed's own random stream and drawn again, from the
same stream, until it is a good exercise: hand-friendly numbers, no saturated
sigmoid, no vanishing gradient, and no catalogued mistake that would land within
a few tolerances of the truth (or of another mistake at the same cell), since
then the checker could neither fail it nor name it. The seed stays the only input.
"""

from __future__ import annotations

import math
import random

import numpy as np

from . import reference
from .activations import ACTIVATIONS
from .answers import reference_values
from .graph import Graph, graph_for
from .mistakes import mutations
from .network import Givens, GivensError, Shape
from .precision import reach
from .tolerance import DEFAULT, Tolerance, judged

# Learning rates a student multiplies by easily. Never 1: forgetting eta would be invisible.
ETAS = (0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75, 0.8)
MAX_DRAWS = 10_000
# How far is_drawn_from replays a seed's stream looking for a file's givens: a draw takes a few
# dozen candidates; a forged key, which matches none, is not replayed ten thousand times.
REPLAY = 2_000
# How many tolerances apart a mistake must land from the truth and from other mistakes.
MARGIN = 20.0
# The version of the drawing rules. A workbook's metadata keeps the version it was drawn
# with (origin.rules), so that a class regenerated after an upgrade gets the same exercise
# for the same seed: a change to what draw() accepts or how it draws makes a new version,
# and the old one stays drawable here.
#   1  sheetprop 0.1.0: mistakes 20 tolerances from the truth and from each other.
#   2  also beyond what a student who rounds to 3 significant digits can reach (issue 12).
RULES = 2
KNOWN_RULES = (1, 2)


def _pick(rng: random.Random, n: int) -> int:
    """0 <= k < n from random() alone: Python guarantees the random() sequence of a seed
    across versions, not that of randrange() or of numpy's generators, and a seed must
    keep giving the same exercise."""
    return min(int(rng.random() * n), n - 1)


def _hand_numbers(rng: random.Random, count: int, low: float, high: float, min_abs: float = 0.0) -> list[float]:
    """Numbers with two decimals in [low, high], none closer to zero than min_abs (a flat list:
    arrays are made of a candidate only when it is screened)."""
    lo, hi, floor = round(low * 100), round(high * 100), round(min_abs * 100)
    cents = []
    for _ in range(count):
        c = lo + _pick(rng, hi - lo + 1)
        if abs(c) < floor:
            c = floor if c >= 0 else -floor
        cents.append(c / 100.0)
    return cents


def _targets(rng: random.Random, shape: Shape):
    """Targets a network of this kind can reach: inside (0, 1) for a sigmoid, anywhere in
    [-1, 1] for a linear output, a probability for each class for a softmax.

    A softmax's targets are a distribution with every class at 0.05 or more, not one-hot:
    with one-hot targets and cross-entropy, treating the softmax element-wise (M19) gives
    the right delta at the target class and 0 elsewhere, the same 0 as leaving the
    derivative out (M1), so neither mistake could be named."""
    if shape.output == "softmax":
        left, cents = 100, []
        for k in range(shape.n_out - 1):
            room = left - 5 * (shape.n_out - k)  # leave at least 5 cents for each class after this one
            cents.append(5 + _pick(rng, room + 1))
            left -= cents[-1]
        cents.append(left)
        return [c / 100.0 for c in cents]
    if shape.output == "linear":
        return _hand_numbers(rng, shape.n_out, -1, 1)
    return _hand_numbers(rng, shape.n_out, 0.01, 0.99)


def _check_request(seed, rules):
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise GivensError(f"the seed must be a whole number 0 or more, got {seed!r}")
    if rules not in KNOWN_RULES:
        raise GivensError(f"drawing rules version {rules!r} is unknown to this sheetprop (it knows "
                          f"{', '.join(map(str, KNOWN_RULES))}); upgrade sheetprop")


def _candidate_arrays(seed: int, shape: Shape, rules: int):
    """The seed's stream of candidate variants, good or not, in order (at most MAX_DRAWS), as the
    arrays of Givens in their field order: inputs, targets, w_hidden, w_out, b_hidden, b_out, eta."""
    rng = random.Random(seed)
    nb_h, nb_o = shape.bias_counts()
    for _ in range(MAX_DRAWS):
        yield (_hand_numbers(rng, shape.n_in, -1, 1, 0.05), _targets(rng, shape),
               _hand_numbers(rng, shape.n_hidden * shape.n_in, -1, 1, 0.05),
               _hand_numbers(rng, shape.n_out * shape.n_hidden, -1, 1, 0.05),
               _hand_numbers(rng, nb_h, -1, 1), _hand_numbers(rng, nb_o, -1, 1), ETAS[_pick(rng, len(ETAS))])


def _givens(shape: Shape, arrays, seed: int, rules: int) -> Givens:
    inputs, targets, w_hidden, w_out, b_hidden, b_out, eta = arrays
    return Givens(shape=shape, inputs=np.array(inputs), targets=np.array(targets),
                  w_hidden=np.array(w_hidden).reshape(shape.n_hidden, shape.n_in),
                  w_out=np.array(w_out).reshape(shape.n_out, shape.n_hidden),
                  b_hidden=np.array(b_hidden, dtype=float), b_out=np.array(b_out, dtype=float), eta=eta,
                  origin={"seed": seed, "rules": rules})


def draw(seed: int, shape: Shape = Shape(), tolerance: Tolerance = DEFAULT, rules: int = RULES) -> Givens:
    _check_request(seed, rules)
    graph = graph_for(shape)
    muts = mutations(graph)
    for arrays in _candidate_arrays(seed, shape, rules):
        g = _givens(shape, arrays, seed, rules)
        if why_rejected(g, graph, muts, tolerance, rules) is None:
            return g
    raise GivensError(f"no good exercise found for seed {seed} in {MAX_DRAWS} draws")  # pragma: no cover


def is_drawn_from(seed: int, shape: Shape, values: dict[str, float], rules: int = RULES) -> bool:
    """Are these givens one of the candidates this seed's stream draws? Much cheaper than draw()
    when checking a class's worth of workbooks: the stream is replayed (random numbers only, no
    screening) to the candidate that matches. Givens that no candidate of the seed matches (a
    forged key: every given 0, or edited numbers) are refused. What this does not tell is
    whether the candidate was the one draw() accepted: a student who swaps in another candidate
    of their own seed gains nothing, since every cell is judged against the givens in the file."""
    _check_request(seed, rules)
    graph = graph_for(shape)
    # The file's numbers in the arrays' order (Mazur's numbering; see Graph.given_plan), to be
    # compared with each candidate's before any Givens is made of it.
    order = [qid for _, ids in graph.given_plan for qid in ids] + ["eta"]
    try:
        want = [float(f"{float(values[q]):.12g}") for q in order]
    except (KeyError, TypeError, ValueError):
        return False
    if set(values) != set(order):
        return False
    for n, arrays in enumerate(_candidate_arrays(seed, shape, rules)):
        if n == REPLAY:
            return False  # (then against_its_seed compares with the seed's own draw, the slow way)
        have = [x for a in arrays[:-1] for x in a] + [arrays[-1]]
        if all(abs(h - w) <= 1e-12 * max(1.0, abs(w)) for h, w in zip(have, want)):
            return True
    return False


def why_rejected(g: Givens, graph: Graph, muts=None, tolerance: Tolerance = DEFAULT, rules: int = RULES) -> str | None:
    """None for a good exercise under these drawing rules, else the first reason it is not one."""
    muts = mutations(graph) if muts is None else muts
    st = reference.step(g)
    f = st.forward
    s = g.shape
    why = ACTIVATIONS[s.activation].screen(f.net_h, f.out_h) or ACTIVATIONS[s.output].screen(f.net_o, f.out_o)
    if why:
        return why
    if np.any(np.abs(np.concatenate([f.net_h, f.net_o])) < 0.05):
        return "a net input is nearly zero (its rounding would dominate)"
    if np.any(np.abs(f.out_o - g.targets) < 0.05):
        return "an output is already nearly on target"
    grads = np.concatenate([st.dE_dw_hidden.ravel(), st.dE_dw_out.ravel(), st.dE_db_hidden, st.dE_db_out])
    if np.any(np.abs(grads) < 1e-4):
        return "a gradient is vanishingly small"
    env = reference_values(graph, g, st)
    given = frozenset(graph.given_ids)

    class Landing:
        """Where a rule lands, and (rules 2) how far a student who rounds can move it: the exact
        reach is costly, so a cheap bound decides first whether it could matter at all."""

        __slots__ = ("value", "expr", "_reach", "bound")

        def __init__(self, value, expr, own, size):
            """value: as judged; own: the rule's own result; size: its magnitude (Expr.magnitude)."""
            self.value, self.expr, self._reach = value, expr, None
            # reach is half a unit of the result plus the inputs' rounding carried through the rule,
            # each at most 0.5% at 3 digits: twice that, over the result and its magnitude, bounds it
            self.bound = 0.01 * (abs(own) + size) + 1e-12 if rules >= 2 else 0.0

        @property
        def reach(self):
            if self._reach is None:
                self._reach = reach(self.expr, env, given) if rules >= 2 else 0.0
            return self._reach

    for qid, ms in muts.items():
        q = graph[qid]
        size = q.expr.magnitude(env)
        truth = Landing(judged(q.old, env[qid], env), q.expr, env[qid], size)
        new_value = env[qid] if q.old else None
        scale = 0.0 if q.old else size
        # Rules 2: a student who rounds to the fewest digits asked for lands anywhere within reach.
        seen = [truth]
        for m in ms:
            own = m.expr.value(env)
            value = judged(q.old, own, env)
            if not math.isfinite(value):
                continue
            if m.may_equal_truth and abs(value - truth.value) <= 1e-12 * max(1.0, abs(truth.value)):
                continue  # the same number here (ReLU′ = 1 where the unit is on): no mistake to tell
            mine = Landing(value, m.expr, own, m.expr.magnitude(env) if rules >= 2 else 0.0)
            for other in seen:
                gap = abs(value - other.value) - MARGIN * tolerance.allowed(other.value, new_value, scale)
                if gap <= 0 or (gap <= mine.bound + other.bound and gap <= mine.reach + other.reach):
                    near = "the truth" if other is truth else "another mistake"
                    return f"mistake {m.code} at {qid} is too close to {near}"
            seen.append(mine)
    return None
