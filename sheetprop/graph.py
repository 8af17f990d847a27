"""The graph of named quantities for one training step.

Each quantity knows its id (the public name: defined name, report key), its
symbol in Mazur's notation, and its local rule over other ids. Built for any
small shape; the 2-2-1 default gives exactly the id table of the product notes.

Weight numbering is Mazur's: each neuron's incoming weights in input order,
hidden layer first (w_1 i1->h1, w_2 i2->h1, w_3 i1->h2, ...; then w_5 h1->o1 ...).
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from typing import NamedTuple

from .expr import Expr, Ref, Sigmoid, sum_of
from .network import Givens, Shape

SECTIONS = ("given", "forward", "loss", "backward_output", "backward_hidden", "update")


# --- ids ---------------------------------------------------------------------
def input_id(i: int) -> str:
    return f"i_{i + 1}"


def target_id(k: int) -> str:
    return f"target_o{k + 1}"


def w_hidden_id(shape: Shape, j: int, i: int) -> str:
    return f"w_{j * shape.n_in + i + 1}"


def w_out_id(shape: Shape, k: int, j: int) -> str:
    return f"w_{shape.n_in * shape.n_hidden + k * shape.n_hidden + j + 1}"


def b_hidden_id(shape: Shape, n: int) -> str:
    """n indexes the stored hidden biases (one per neuron, or the single shared one)."""
    return f"b_{n + 1}"


def b_out_id(shape: Shape, n: int) -> str:
    return f"b_{shape.bias_counts()[0] + n + 1}"


def _subscript(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def symbol_of(qid: str) -> str:
    """Mazur's notation for an id: w_5 -> w₅, dE_dw_5 -> ∂E_total/∂w₅, new_w_5 -> w₅⁺."""
    if qid.startswith("new_"):
        return symbol_of(qid[4:]) + "⁺"
    if qid.startswith("dE_d"):
        return f"∂E_total/∂{symbol_of(qid[4:])}"
    if qid.startswith("dout_dnet_"):
        n = qid[len("dout_dnet_"):]
        return f"∂out_{n}/∂net_{n}"
    if qid.startswith("delta_"):
        return f"δ_{qid[6:]}"
    if qid == "eta":
        return "η"
    if qid[:2] in ("w_", "b_", "i_"):
        return qid[0] + _subscript(qid[2:])
    return qid


# --- the graph ---------------------------------------------------------------
class Quantity(NamedTuple):
    # A NamedTuple rather than a dataclass: it is created at import time in every command,
    # and start-up time is part of what a student waits for.
    id: str
    section: str
    rule: str  # which hint text describes it (a key in the templates)
    expr: Expr | None  # None: a given number
    about: dict  # words for the hint: which neuron, which weight
    old: str | None  # for an update, the parameter it replaces: judged on new - old
    inputs: tuple[str, ...]  # the ids its rule reads

    @property
    def is_given(self) -> bool:
        return self.expr is None

    @property
    def symbol(self) -> str:
        return symbol_of(self.id)


def quantity(qid: str, section: str, rule: str, expr: Expr | None = None, about: dict | None = None,
             old: str | None = None) -> Quantity:
    return Quantity(qid, section, rule, expr, about or {}, old, () if expr is None else expr.refs())


class Graph:
    """The quantities of one exercise, in the order they are computed."""

    def __init__(self, shape: Shape):
        self.shape = shape
        self.quantities: tuple[Quantity, ...] = tuple(_build(shape))
        self.by_id = {q.id: q for q in self.quantities}

    def __reduce__(self):
        # Rebuilt from its shape: a batch sends results between processes.
        return graph_for, (self.shape,)

    def __iter__(self):
        return iter(self.quantities)

    def __getitem__(self, qid: str) -> Quantity:
        return self.by_id[qid]

    @cached_property
    def ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.quantities)

    @cached_property
    def given_ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.quantities if q.is_given)

    @cached_property
    def answer_ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.answers)

    @cached_property
    def answers(self) -> tuple[Quantity, ...]:
        return tuple(q for q in self.quantities if not q.is_given)

    @cached_property
    def symbols(self) -> dict[str, str]:
        return {q.id: q.symbol for q in self.quantities}

    @cached_property
    def _given_plan(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        s = self.shape
        nb_h, nb_o = s.bias_counts()
        return (
            ("inputs", tuple(input_id(i) for i in range(s.n_in))),
            ("targets", tuple(target_id(k) for k in range(s.n_out))),
            ("w_hidden", tuple(w_hidden_id(s, j, i) for j in range(s.n_hidden) for i in range(s.n_in))),
            ("w_out", tuple(w_out_id(s, k, j) for k in range(s.n_out) for j in range(s.n_hidden))),
            ("b_hidden", tuple(b_hidden_id(s, n) for n in range(nb_h))),
            ("b_out", tuple(b_out_id(s, n) for n in range(nb_o))),
        )

    def given_values(self, g: Givens) -> dict[str, float]:
        values: dict[str, float] = {}
        for field, ids in self._given_plan:  # the arrays' row-major order is Mazur's numbering
            values.update(zip(ids, getattr(g, field).ravel().tolist()))
        values["eta"] = float(g.eta)
        return values

    def givens_from_values(self, values: dict[str, float], origin: dict | None = None) -> Givens:
        """The inverse of given_values: the Givens of this graph's shape with these numbers."""
        import numpy as np

        s = self.shape
        nb_h, nb_o = s.bias_counts()
        return Givens(
            shape=s,
            inputs=np.array([values[input_id(i)] for i in range(s.n_in)]),
            targets=np.array([values[target_id(k)] for k in range(s.n_out)]),
            w_hidden=np.array([[values[w_hidden_id(s, j, i)] for i in range(s.n_in)] for j in range(s.n_hidden)]),
            w_out=np.array([[values[w_out_id(s, k, j)] for j in range(s.n_hidden)] for k in range(s.n_out)]),
            b_hidden=np.array([values[b_hidden_id(s, n)] for n in range(nb_h)]),
            b_out=np.array([values[b_out_id(s, n)] for n in range(nb_o)]),
            eta=values["eta"],
            origin=dict(origin or {}),
        )


@lru_cache(maxsize=64)
def graph_for(shape: Shape) -> Graph:
    """One graph per shape: building it is pure, and a class batch asks for the same one each time."""
    return Graph(shape)


def _build(s: Shape):
    h = [f"h{j + 1}" for j in range(s.n_hidden)]
    o = [f"o{k + 1}" for k in range(s.n_out)]
    nb_h, nb_o = s.bias_counts()

    def hb(j):  # the bias id feeding hidden neuron j, if any
        return None if nb_h == 0 else b_hidden_id(s, j if nb_h > 1 else 0)

    def ob(k):
        return None if nb_o == 0 else b_out_id(s, k if nb_o > 1 else 0)

    # Given
    for i in range(s.n_in):
        yield quantity(input_id(i), "given", "input")
    for k in range(s.n_out):
        yield quantity(target_id(k), "given", "target", about={"neuron": o[k]})
    for j in range(s.n_hidden):
        for i in range(s.n_in):
            yield quantity(w_hidden_id(s, j, i), "given", "weight", about={"src": f"i{i + 1}", "dst": h[j]})
    for k in range(s.n_out):
        for j in range(s.n_hidden):
            yield quantity(w_out_id(s, k, j), "given", "weight", about={"src": h[j], "dst": o[k]})
    for n in range(nb_h):
        yield quantity(b_hidden_id(s, n), "given", "bias",
                       about={"neuron": h[n] if nb_h > 1 else ", ".join(h)})
    for n in range(nb_o):
        yield quantity(b_out_id(s, n), "given", "bias",
                       about={"neuron": o[n] if nb_o > 1 else ", ".join(o)})
    yield quantity("eta", "given", "eta")

    # Forward pass
    for j in range(s.n_hidden):
        terms = [Ref(w_hidden_id(s, j, i)) * Ref(input_id(i)) for i in range(s.n_in)]
        if hb(j):
            terms.append(Ref(hb(j)))
        yield quantity(f"net_{h[j]}", "forward", "net", sum_of(terms), {"neuron": h[j]})
        yield quantity(f"out_{h[j]}", "forward", "out", Sigmoid(Ref(f"net_{h[j]}")), {"neuron": h[j]})
    for k in range(s.n_out):
        terms = [Ref(w_out_id(s, k, j)) * Ref(f"out_{h[j]}") for j in range(s.n_hidden)]
        if ob(k):
            terms.append(Ref(ob(k)))
        yield quantity(f"net_{o[k]}", "forward", "net", sum_of(terms), {"neuron": o[k]})
        yield quantity(f"out_{o[k]}", "forward", "out", Sigmoid(Ref(f"net_{o[k]}")), {"neuron": o[k]})

    # Loss
    for k in range(s.n_out):
        yield quantity(f"E_{o[k]}", "loss", "error", 0.5 * (Ref(target_id(k)) - Ref(f"out_{o[k]}")) ** 2,
                       {"neuron": o[k]})
    yield quantity("E_total", "loss", "error_total", sum_of(Ref(f"E_{n}") for n in o))

    # Backward, output layer
    for k in range(s.n_out):
        yield from _chain_rule(o[k], "backward_output", "dE_dout_output", Ref(f"out_{o[k]}") - Ref(target_id(k)))
    for k in range(s.n_out):
        for j in range(s.n_hidden):
            w = w_out_id(s, k, j)
            yield quantity(f"dE_d{w}", "backward_output", "dE_dw", Ref(f"delta_{o[k]}") * Ref(f"out_{h[j]}"),
                           {"weight": w, "src": h[j], "dst": o[k]})
    yield from _bias_gradients(s, "backward_output", nb_o, o, b_out_id)

    # Backward, hidden layer: each hidden neuron collects the deltas of every output it feeds,
    # through the OLD output weights.
    for j in range(s.n_hidden):
        paths = [Ref(f"delta_{o[k]}") * Ref(w_out_id(s, k, j)) for k in range(s.n_out)]
        yield from _chain_rule(h[j], "backward_hidden", "dE_dout_hidden" if s.n_out == 1 else "dE_dout_hidden_sum",
                               sum_of(paths))
    for j in range(s.n_hidden):
        for i in range(s.n_in):
            w = w_hidden_id(s, j, i)
            yield quantity(f"dE_d{w}", "backward_hidden", "dE_dw", Ref(f"delta_{h[j]}") * Ref(input_id(i)),
                           {"weight": w, "src": f"i{i + 1}", "dst": h[j]})
    yield from _bias_gradients(s, "backward_hidden", nb_h, h, b_hidden_id)

    # Update
    weights = [w_hidden_id(s, j, i) for j in range(s.n_hidden) for i in range(s.n_in)]
    weights += [w_out_id(s, k, j) for k in range(s.n_out) for j in range(s.n_hidden)]
    params = weights + ([b_hidden_id(s, n) for n in range(nb_h)] + [b_out_id(s, n) for n in range(nb_o)]
                        if s.updates_biases else [])
    for p in params:
        yield quantity(f"new_{p}", "update", "update", Ref(p) - Ref("eta") * Ref(f"dE_d{p}"), {"param": p}, old=p)


def _chain_rule(neuron: str, section: str, rule: str, dE_dout: Expr):
    """A neuron's three chain-rule factors: how E changes with its output (rule, given), the
    sigmoid's derivative written with that output, and their product, the neuron's delta."""
    about = {"neuron": neuron}
    out = Ref(f"out_{neuron}")
    yield quantity(f"dE_dout_{neuron}", section, rule, dE_dout, about)
    yield quantity(f"dout_dnet_{neuron}", section, "dout_dnet", out * (1 - out), about)
    yield quantity(f"delta_{neuron}", section, "delta", Ref(f"dE_dout_{neuron}") * Ref(f"dout_dnet_{neuron}"), about)


def _bias_gradients(s: Shape, section: str, count: int, neurons: list[str], bias_id):
    if not s.updates_biases:
        return  # frozen biases (Mazur): their gradient is never used, so it is not asked for
    for n in range(count):
        fed = neurons if count == 1 else [neurons[n]]
        b = bias_id(s, n)
        yield quantity(f"dE_d{b}", section, "dE_db" if len(fed) == 1 else "dE_db_shared",
                       sum_of(Ref(f"delta_{x}") for x in fed), {"bias": b, "neuron": ", ".join(fed)})
