"""The quantities of one epoch of XOR training, built from the step graph's rules.

One epoch is one step of full-batch gradient descent over the four patterns. Its row
holds, for each pattern p, the forward pass (net, out) and the deltas; then the loss
summed over the patterns, each parameter's gradient summed over the patterns, and each
updated parameter. A row reads its parameters from the row above (the updated ones of
the previous epoch), so a row's parameter ids (w_1, b_3) mean "the row above's".

Nothing here writes a rule again: each cell's rule is the graph's own (graph.py, from
the activation and loss records), with the quantities that have no column of their own
(∂E/∂out, ∂out/∂net, a pattern's loss) folded in, and each per-pattern id given its
pattern (keys' `example`). A catalogued mistake at a folded quantity (σ′ left out at the
output, M1) becomes a mistake of the cell it is folded into (that pattern's δ_o1).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable, NamedTuple

import numpy as np

from . import keys
from .expr import Expr, Num, Ref, sum_of
from .graph import Graph, Quantity, graph_for
from .keys import Key
from .mistakes import mutations
from .network import GivensError, Shape


PATTERNS = 4
LOSS_ID = keys.E_TOTAL.id
# The per-pattern quantities that get a column: what a student computes for each pattern.
COLUMN_KINDS = ("net", "out", "delta")


def xor_shape_error(shape: Shape) -> str | None:
    """Why this network cannot learn XOR in a training sheet, or None."""
    if shape.n_in != 2 or shape.n_out != 1:
        return f"XOR has 2 inputs and 1 output: use --layers 2-H-1 (H from 2 to 4), not {shape.label}"
    if shape.n_hidden < 2:
        return "one hidden neuron cannot separate XOR: use 2 to 4 hidden neurons"
    if shape.bias_mode != "neuron" or not shape.train_biases:
        return "XOR training needs a trained bias on every neuron (--bias neuron, biases not frozen)"
    if shape.output == "softmax":
        return "a softmax needs two or more outputs; XOR has one: use a sigmoid or linear output"
    return None


def substitute(e: Expr, f: Callable[[str], Expr | None]) -> Expr:
    """e with every reference f maps to an expression replaced by it (the others kept)."""
    if isinstance(e, Ref):
        r = f(e.id)
        return e if r is None else r
    if isinstance(e, Num):
        return e
    fields = []
    for slot in e.fields():
        v = getattr(e, slot)
        if isinstance(v, Expr):
            v = substitute(v, f)
        elif isinstance(v, tuple) and v and isinstance(v[0], Expr):
            v = tuple(substitute(x, f) for x in v)
        fields.append(v)
    return type(e)(*fields)


class Cell(NamedTuple):
    """One quantity of an epoch row."""

    key: Key  # the step graph's key, with its pattern (example) for a per-pattern cell
    base: Quantity  # the step graph's quantity it computes
    expr: Expr  # over row ids: this row's cells, the row above's parameters, the data, eta
    mistakes: tuple[tuple[str, str, Expr], ...]  # (code, variant, rule) over the same ids
    old: str | None  # for an update, the parameter it replaces: judged on new − old

    @property
    def id(self) -> str:
        return self.key.id

    @property
    def pattern(self) -> int | None:
        return self.key.example


OPTIMIZERS = ("gd", "momentum", "sgd")


class Row(NamedTuple):
    shape: Shape
    graph: Graph
    cells: tuple[Cell, ...]  # in the order they are computed
    params: tuple[str, ...]  # parameter ids in Mazur's numbering (w_1 …, then b_1 …)
    optimizer: str = "gd"
    velocities: tuple[str, ...] = ()  # with momentum: v_w_1 …, each parameter's velocity

    @property
    def state(self) -> tuple[str, ...]:
        """What a row takes from the row above: the parameters, and with momentum their velocities."""
        return self.params + self.velocities

    @property
    def state_cells(self) -> tuple[str, ...]:
        """The cells of a row that hold that state after it (with sgd, pattern 4's updates)."""
        last = f"_p{PATTERNS}" if self.optimizer == "sgd" else ""
        return tuple(f"new_{q}{last}" for q in self.state)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.cells)

    def cell(self, qid: str) -> Cell:
        return next(c for c in self.cells if c.id == qid)


@lru_cache(maxsize=16)
def row_for(shape: Shape, optimizer: str = "gd") -> Row:
    why = xor_shape_error(shape)
    if why:
        raise GivensError(why)
    if optimizer not in OPTIMIZERS:
        raise GivensError(f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
    graph = graph_for(shape)

    def _with_example(qid: str, p: int) -> str:
        return graph[qid].key._replace(example=p).id

    muts = mutations(graph)
    columns = {q.id for q in graph.answers if q.key.kind in COLUMN_KINDS}
    # Folded into the cells that read them: per-pattern quantities with no column of their own.
    folded = {q.id: q.expr for q in graph.answers
              if q.id not in columns and q.key.kind not in ("grad", "new")}
    per_pattern = {q.id for q in graph if q.key.kind in ("i", "target")} | columns

    def inline(e: Expr, defs: dict[str, Expr]) -> Expr:
        return substitute(e, lambda qid: inline(defs[qid], defs) if qid in defs else None)

    def on_pattern(e: Expr, p: int) -> Expr:
        return substitute(e, lambda qid: Ref(_with_example(qid, p)) if qid in per_pattern else None)

    def reachable(e: Expr) -> list[str]:
        out = []
        for r in e.refs():
            if r in folded:
                out += [r] + reachable(folded[r])
        return out

    def with_mistakes(q: Quantity, build: Callable[[Expr, dict], Expr]):
        right = build(q.expr, folded)
        found = []
        for code_of in [q.id] + reachable(q.expr):
            for m in muts.get(code_of, ()):
                if code_of == q.id:
                    wrong = build(m.expr, folded)
                else:
                    wrong = build(q.expr, {**folded, code_of: m.expr})
                if wrong != right:
                    found.append((m.code, m.variant, wrong))
        return right, tuple(found)

    cells: list[Cell] = []
    forward = [q for q in graph.answers if q.id in columns and q.key.kind != "delta"]
    deltas = [q for q in graph.answers if q.key.kind == "delta"]
    params = tuple(qid for field, ids in graph.given_plan if field in ("w_hidden", "w_out") for qid in ids) + \
        tuple(qid for field, ids in graph.given_plan if field in ("b_hidden", "b_out") for qid in ids)
    if optimizer == "sgd":
        # One update per pattern: pattern p starts from the parameters pattern p − 1 ended with
        # (pattern 1 from the row above), and its gradients are its own.
        grads = [q for q in graph.answers if q.key.kind == "grad"]
        updates = [q for q in graph.answers if q.key.kind == "new"]
        per_pattern |= {q.id for q in grads}

        def start_of(p: int):
            if p == 1:
                return lambda qid: None
            return lambda qid: Ref(keys.new(graph[qid].key)._replace(example=p - 1).id) if qid in params else None

        for p in range(1, PATTERNS + 1):
            def build(e, d, p=p):
                return substitute(on_pattern(inline(e, d), p), start_of(p))
            for q in forward + deltas + grads:
                expr, found = with_mistakes(q, build)
                cells.append(Cell(q.key._replace(example=p), q, expr, found, None))
            for q in updates:
                expr, found = with_mistakes(q, build)
                old = q.old if p == 1 else keys.new(graph[q.old].key)._replace(example=p - 1).id
                cells.append(Cell(q.key._replace(example=p), q, expr, found, old))
        total = graph[LOSS_ID]
        expr, found = with_mistakes(total, lambda e, d: sum_of(on_pattern(inline(e, d), p)
                                                               for p in range(1, PATTERNS + 1)))
        cells.append(Cell(total.key, total, expr, found, None))
        return Row(shape, graph, tuple(cells), params, optimizer)
    for p in range(1, PATTERNS + 1):
        for q in forward:
            expr, found = with_mistakes(q, lambda e, d: on_pattern(inline(e, d), p))
            cells.append(Cell(q.key._replace(example=p), q, expr, found, None))
    total = graph[LOSS_ID]
    expr, found = with_mistakes(total, lambda e, d: sum_of(on_pattern(inline(e, d), p)
                                                           for p in range(1, PATTERNS + 1)))
    cells.append(Cell(total.key, total, expr, found, None))
    for p in range(1, PATTERNS + 1):
        for q in deltas:
            expr, found = with_mistakes(q, lambda e, d: on_pattern(inline(e, d), p))
            cells.append(Cell(q.key._replace(example=p), q, expr, found, None))
    for q in graph.answers:
        if q.key.kind == "grad":
            expr, found = with_mistakes(q, lambda e, d: sum_of(on_pattern(inline(e, d), p)
                                                               for p in range(1, PATTERNS + 1)))
            cells.append(Cell(q.key, q, expr, found, None))
    velocities: tuple[str, ...] = ()
    step = {}  # momentum: each update steps along the new velocity instead of the gradient
    if optimizer == "momentum":
        for q in graph.answers:
            if q.key.kind == "grad":
                v = keys.velocity(q.key.of)
                new_v = keys.new(v)
                # v⁺ = β·v + ∂E/∂w, the velocity from the row above
                cells.append(Cell(new_v, q, Ref("beta") * Ref(v.id) + Ref(q.id), (), None))
                step[q.id] = Ref(new_v.id)
        velocities = tuple(keys.velocity(graph[p].key).id for p in params)
    for q in graph.answers:
        if q.key.kind == "new":
            expr, found = with_mistakes(q, lambda e, d: substitute(e, step.get))
            cells.append(Cell(q.key, q, expr, found, q.old))
    return Row(shape, graph, tuple(cells), params, optimizer, velocities)


def data_values() -> dict[str, float]:
    """The XOR patterns under their ids (i_1_p1 …, target_o1_p1 …)."""
    from .training import XOR_INPUTS, XOR_TARGETS

    out = {}
    for p in range(PATTERNS):
        for i in range(XOR_INPUTS.shape[1]):
            out[keys.inp(i + 1)._replace(example=p + 1).id] = float(XOR_INPUTS[p, i])
        out[keys.target("o1")._replace(example=p + 1).id] = float(XOR_TARGETS[p, 0])
    return out


def epoch_values(row: Row, ep) -> dict[str, np.ndarray]:
    """The numpy reference's arrays under the row's ids (each with the run's batch shape);
    ep is an Epoch, or with sgd the four per-pattern steps of training.epoch_sgd."""
    if row.optimizer == "sgd":
        return _sgd_values(row, ep)
    s = row.shape
    v: dict[str, np.ndarray] = {}
    def at(kind, neuron, p):
        return keys.of_neuron(kind, neuron)._replace(example=p + 1).id

    for p in range(PATTERNS):
        for layer, n, arrays in (("h", s.n_hidden, (ep.net_h, ep.out_h, ep.delta_h)),
                                 ("o", s.n_out, (ep.net_o, ep.out_o, ep.delta_o))):
            for j in range(n):
                for kind, a in zip(("net", "out", "delta"), arrays):
                    v[at(kind, f"{layer}{j + 1}", p)] = a[..., p, j]
    v[LOSS_ID] = ep.loss
    grads, news = ep.grad.flat(), ep.new.flat()
    velocities = None if ep.velocity is None else ep.velocity.flat()
    for n, qid in enumerate(row.params):
        key = row.graph[qid].key
        v[keys.grad(key).id] = grads[..., n]
        v[keys.new(key).id] = news[..., n]
        if velocities is not None:
            v[keys.new(keys.velocity(key)).id] = velocities[..., n]
    return {qid: v[qid] for qid in row.ids}


def _sgd_values(row: Row, steps) -> dict[str, np.ndarray]:
    s = row.shape
    v: dict[str, np.ndarray] = {}
    for p, st in enumerate(steps):
        for layer, n, arrays in (("h", s.n_hidden, (st.net_h, st.out_h, st.delta_h)),
                                 ("o", s.n_out, (st.net_o, st.out_o, st.delta_o))):
            for j in range(n):
                for kind, a in zip(("net", "out", "delta"), arrays):
                    v[keys.of_neuron(kind, f"{layer}{j + 1}")._replace(example=p + 1).id] = a[..., 0, j]
        grads, news = st.grad.flat(), st.new.flat()
        for n, qid in enumerate(row.params):
            key = row.graph[qid].key
            v[keys.grad(key)._replace(example=p + 1).id] = grads[..., n]
            v[keys.new(key)._replace(example=p + 1).id] = news[..., n]
    v[LOSS_ID] = sum(st.loss for st in steps)
    return {qid: v[qid] for qid in row.ids}
