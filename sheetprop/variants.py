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
from .answers import reference_values
from .graph import Graph, graph_for
from .mistakes import mutations
from .network import Givens, GivensError, Shape
from .precision import reach
from .tolerance import DEFAULT, Tolerance, judged

# Learning rates a student multiplies by easily. Never 1: forgetting eta would be invisible.
ETAS = (0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75, 0.8)
MAX_DRAWS = 10_000
# How many tolerances apart a mistake must land from the truth and from other mistakes.
MARGIN = 20.0


def _pick(rng: random.Random, n: int) -> int:
    """0 <= k < n from random() alone: Python guarantees the random() sequence of a seed
    across versions, not that of randrange() or of numpy's generators, and a seed must
    keep giving the same exercise."""
    return min(int(rng.random() * n), n - 1)


def _hand_numbers(rng: random.Random, shape, low: float, high: float, min_abs: float = 0.0):
    """Numbers with two decimals in [low, high], none closer to zero than min_abs."""
    lo, hi, floor = round(low * 100), round(high * 100), round(min_abs * 100)
    count = int(np.prod(shape))
    cents = []
    for _ in range(count):
        c = lo + _pick(rng, hi - lo + 1)
        if abs(c) < floor:
            c = floor if c >= 0 else -floor
        cents.append(c)
    return np.array(cents, dtype=float).reshape(shape) / 100.0


def draw(seed: int, shape: Shape = Shape(), tolerance: Tolerance = DEFAULT) -> Givens:
    if not isinstance(seed, int) or seed < 0:
        raise GivensError(f"the seed must be a whole number 0 or more, got {seed!r}")
    rng = random.Random(seed)
    graph = graph_for(shape)
    muts = mutations(graph)
    nb_h, nb_o = shape.bias_counts()
    for attempt in range(MAX_DRAWS):
        g = Givens(
            shape=shape,
            inputs=_hand_numbers(rng, shape.n_in, -1, 1, 0.05),
            targets=_hand_numbers(rng, shape.n_out, 0.01, 0.99),
            w_hidden=_hand_numbers(rng, (shape.n_hidden, shape.n_in), -1, 1, 0.05),
            w_out=_hand_numbers(rng, (shape.n_out, shape.n_hidden), -1, 1, 0.05),
            b_hidden=_hand_numbers(rng, nb_h, -1, 1),
            b_out=_hand_numbers(rng, nb_o, -1, 1),
            eta=ETAS[_pick(rng, len(ETAS))],
            origin={"seed": seed},
        )
        if why_rejected(g, graph, muts, tolerance) is None:
            return g
    raise GivensError(f"no good exercise found for seed {seed} in {MAX_DRAWS} draws")  # pragma: no cover


def why_rejected(g: Givens, graph: Graph, muts=None, tolerance: Tolerance = DEFAULT) -> str | None:
    """None for a good exercise, else the first reason it is not one."""
    muts = mutations(graph) if muts is None else muts
    st = reference.step(g)
    f = st.forward
    outs = np.concatenate([f.out_h, f.out_o])
    if np.any(outs * (1 - outs) < 0.05):
        return "a sigmoid saturates"
    if np.any(np.abs(np.concatenate([f.net_h, f.net_o])) < 0.05):
        return "a net input is nearly zero (its rounding would dominate)"
    if np.any(np.abs(st.dE_dout_o) < 0.05):
        return "an output is already nearly on target"
    grads = np.concatenate([st.dE_dw_hidden.ravel(), st.dE_dw_out.ravel(), st.dE_db_hidden, st.dE_db_out])
    if np.any(np.abs(grads) < 1e-4):
        return "a gradient is vanishingly small"
    env = reference_values(graph, g)
    given = frozenset(graph.given_ids)
    for qid, ms in muts.items():
        q = graph[qid]
        truth = judged(q.old, env[qid], env)
        new_value = env[qid] if q.old else None
        scale = 0.0 if q.old else q.expr.magnitude(env)
        # A student who rounds to the fewest digits asked for lands anywhere within reach.
        seen = [(truth, reach(q.expr, env, given))]
        for m in ms:
            value = judged(q.old, m.expr.value(env), env)
            if not math.isfinite(value):
                continue
            spread = reach(m.expr, env, given)
            for other, other_spread in seen:
                if abs(value - other) <= MARGIN * tolerance.allowed(other, new_value, scale) + spread + other_spread:
                    near = "the truth" if other is seen[0][0] else "another mistake"
                    return f"mistake {m.code} at {qid} is too close to {near}"
            seen.append((value, spread))
    return None
