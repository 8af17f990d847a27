"""The graph of named quantities for one training step.

Each quantity has a key (keys.py: its id and symbol derive from it) and a local rule
over other ids. The rules come from the activation and loss records of the network
(activations.py), so any hidden activation, output activation and loss builds the
same way; the 2-2-1 sigmoid default gives exactly the id table of the product notes.

Weight numbering is Mazur's: each neuron's incoming weights in input order,
hidden layer first (w_1 i1->h1, w_2 i2->h1, w_3 i1->h2, ...; then w_5 h1->o1 ...).
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from typing import NamedTuple

from . import keys
from .activations import ACTIVATIONS, LOSSES
from .expr import Expr, Ref, sum_of
from .keys import Key
from .network import Givens, Shape

SECTIONS = ("given", "forward", "loss", "backward_output", "backward_hidden", "update")


# --- the parameters' keys, in Mazur's numbering ---------------------------------
def input_key(i: int) -> Key:
    return keys.inp(i + 1)


def target_key(k: int) -> Key:
    return keys.target(f"o{k + 1}")


def w_hidden_key(shape: Shape, j: int, i: int) -> Key:
    return keys.weight(j * shape.n_in + i + 1)


def w_out_key(shape: Shape, k: int, j: int) -> Key:
    return keys.weight(shape.n_in * shape.n_hidden + k * shape.n_hidden + j + 1)


def b_hidden_key(shape: Shape, n: int) -> Key:
    """n indexes the stored hidden biases (one per neuron, or the single shared one)."""
    return keys.bias(n + 1)


def b_out_key(shape: Shape, n: int) -> Key:
    return keys.bias(shape.bias_counts()[0] + n + 1)


def input_id(i: int) -> str:
    return input_key(i).id


def target_id(k: int) -> str:
    return target_key(k).id


def w_hidden_id(shape: Shape, j: int, i: int) -> str:
    return w_hidden_key(shape, j, i).id


def w_out_id(shape: Shape, k: int, j: int) -> str:
    return w_out_key(shape, k, j).id


def b_hidden_id(shape: Shape, n: int) -> str:
    return b_hidden_key(shape, n).id


def b_out_id(shape: Shape, n: int) -> str:
    return b_out_key(shape, n).id


# --- the graph ---------------------------------------------------------------
class Quantity(NamedTuple):
    # A NamedTuple rather than a dataclass: it is created at import time in every command,
    # and start-up time is part of what a student waits for.
    id: str  # key.id, kept: it is read for every cell of every file checked
    key: Key
    section: str
    rule: str  # which hint text describes it: a key under [hints], or a dotted path in the templates
    expr: Expr | None  # None: a given number
    about: dict  # words for the hint: which neuron, which weight
    old: str | None  # for an update, the parameter it replaces: judged on new - old
    inputs: tuple[str, ...]  # the ids its rule reads
    # Other right rules for the same number (δ = out − target where the chain simplifies):
    # a student who writes either is following a correct rule.
    alts: tuple[Expr, ...] = ()

    @property
    def is_given(self) -> bool:
        return self.expr is None

    @property
    def symbol(self) -> str:
        return self.key.symbol

    @property
    def neuron(self) -> str:
        return self.key.neuron


def quantity(key: Key, section: str, rule: str, expr: Expr | None = None, about: dict | None = None,
             old: str | None = None, alts: tuple[Expr, ...] = ()) -> Quantity:
    return Quantity(key.id, key, section, rule, expr, about or {}, old, () if expr is None else expr.refs(), alts)


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
    def given_plan(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Which ids each array of Givens holds, in the arrays' row-major order (Mazur's numbering)."""
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
        for field, ids in self.given_plan:
            values.update(zip(ids, getattr(g, field).ravel().tolist()))
        values["eta"] = float(g.eta)
        return values

    def givens_from_values(self, values: dict[str, float], origin: dict | None = None) -> Givens:
        """The inverse of given_values: the Givens of this graph's shape with these numbers."""
        import numpy as np

        s = self.shape
        nb_h, nb_o = s.bias_counts()
        arrays = {field: np.array([values[q] for q in ids], dtype=float) for field, ids in self.given_plan}
        return Givens(
            shape=s,
            inputs=arrays["inputs"],
            targets=arrays["targets"],
            w_hidden=arrays["w_hidden"].reshape(s.n_hidden, s.n_in),
            w_out=arrays["w_out"].reshape(s.n_out, s.n_hidden),
            b_hidden=arrays["b_hidden"].reshape(nb_h),
            b_out=arrays["b_out"].reshape(nb_o),
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
    act, out_act, loss = ACTIVATIONS[s.activation], ACTIVATIONS[s.output], LOSSES[s.loss]

    def ref(kind, neuron):
        return Ref(keys.of_neuron(kind, neuron).id)

    def hb(j):  # the bias feeding hidden neuron j, if any
        return None if nb_h == 0 else b_hidden_key(s, j if nb_h > 1 else 0)

    def ob(k):
        return None if nb_o == 0 else b_out_key(s, k if nb_o > 1 else 0)

    # Given
    for i in range(s.n_in):
        yield quantity(input_key(i), "given", "input")
    for k in range(s.n_out):
        yield quantity(target_key(k), "given", "target", about={"neuron": o[k]})
    for j in range(s.n_hidden):
        for i in range(s.n_in):
            yield quantity(w_hidden_key(s, j, i), "given", "weight", about={"src": f"i{i + 1}", "dst": h[j]})
    for k in range(s.n_out):
        for j in range(s.n_hidden):
            yield quantity(w_out_key(s, k, j), "given", "weight", about={"src": h[j], "dst": o[k]})
    for n in range(nb_h):
        yield quantity(b_hidden_key(s, n), "given", "bias", about={"neuron": h[n] if nb_h > 1 else ", ".join(h)})
    for n in range(nb_o):
        yield quantity(b_out_key(s, n), "given", "bias", about={"neuron": o[n] if nb_o > 1 else ", ".join(o)})
    yield quantity(keys.ETA, "given", "eta")

    # Forward pass
    nets_h = [ref("net", n) for n in h]
    for j in range(s.n_hidden):
        terms = [Ref(w_hidden_id(s, j, i)) * Ref(input_id(i)) for i in range(s.n_in)]
        if hb(j):
            terms.append(Ref(hb(j).id))
        yield quantity(keys.of_neuron("net", h[j]), "forward", "net", sum_of(terms), {"neuron": h[j]})
        yield quantity(keys.of_neuron("out", h[j]), "forward", f"activations.{act.name}.out", act.out(nets_h, j),
                       {"neuron": h[j]})
    nets_o = [ref("net", n) for n in o]
    net_o, out_o = [], []
    for k in range(s.n_out):
        terms = [Ref(w_out_id(s, k, j)) * ref("out", h[j]) for j in range(s.n_hidden)]
        if ob(k):
            terms.append(Ref(ob(k).id))
        net_o.append(quantity(keys.of_neuron("net", o[k]), "forward", "net", sum_of(terms), {"neuron": o[k]}))
        out_o.append(quantity(keys.of_neuron("out", o[k]), "forward", f"activations.{out_act.name}.out",
                              out_act.out(nets_o, k), {"neuron": o[k]}))
    if out_act.elementwise:
        for pair in zip(net_o, out_o):
            yield from pair
    else:  # a softmax reads every net input of its layer: all of them come first
        yield from net_o
        yield from out_o

    # Loss
    for k in range(s.n_out):
        yield quantity(keys.of_neuron("E", o[k]), "loss", f"losses.{loss.name}.error",
                       loss.error(Ref(target_id(k)), ref("out", o[k]), s.n_out, s.output), {"neuron": o[k]})
    yield quantity(keys.E_TOTAL, "loss", "error_total", sum_of(ref("E", n) for n in o))

    # Backward, output layer
    deltas = []
    for k in range(s.n_out):
        t, out = Ref(target_id(k)), ref("out", o[k])
        about = {"neuron": o[k]}
        yield quantity(keys.of_neuron("dE_dout", o[k]), "backward_output", f"losses.{loss.name}.dE_dout",
                       loss.dE_dout(t, out, s.n_out, s.output), about)
        simplified = loss.simplified_delta(t, out, s.output)
        alts = () if simplified is None else (simplified,)
        if out_act.elementwise:
            yield quantity(keys.of_neuron("dout_dnet", o[k]), "backward_output", f"activations.{out_act.name}.dout_dnet",
                           out_act.derivative(out, ref("net", o[k])), about)
            yield quantity(keys.of_neuron("delta", o[k]), "backward_output",
                           "delta" if simplified is None else "delta_simplified",
                           ref("dE_dout", o[k]) * ref("dout_dnet", o[k]), about, alts=alts)
        else:
            # softmax: ∂out_j/∂net_k = out_j([j = k] − out_k), so δ_k = out_k(∂E/∂out_k − Σ_j out_j ∂E/∂out_j),
            # which reads every output's ∂E/∂out: the deltas come after all of them.
            weighted = sum_of(ref("out", n) * ref("dE_dout", n) for n in o)
            deltas.append(quantity(keys.of_neuron("delta", o[k]), "backward_output",
                                   "delta_softmax" if simplified is None else "delta_softmax_simplified",
                                   out * (ref("dE_dout", o[k]) - weighted), about, alts=alts))
    yield from deltas
    for k in range(s.n_out):
        for j in range(s.n_hidden):
            w = w_out_key(s, k, j)
            yield quantity(keys.grad(w), "backward_output", "dE_dw", ref("delta", o[k]) * ref("out", h[j]),
                           {"weight": w.id, "src": h[j], "dst": o[k]})
    yield from _bias_gradients(s, "backward_output", nb_o, o, b_out_key)

    # Backward, hidden layer: each hidden neuron collects the deltas of every output it feeds,
    # through the OLD output weights.
    for j in range(s.n_hidden):
        paths = [ref("delta", o[k]) * Ref(w_out_id(s, k, j)) for k in range(s.n_out)]
        about = {"neuron": h[j]}
        yield quantity(keys.of_neuron("dE_dout", h[j]), "backward_hidden",
                       "dE_dout_hidden" if s.n_out == 1 else "dE_dout_hidden_sum", sum_of(paths), about)
        yield quantity(keys.of_neuron("dout_dnet", h[j]), "backward_hidden", f"activations.{act.name}.dout_dnet",
                       act.derivative(ref("out", h[j]), ref("net", h[j])), about)
        yield quantity(keys.of_neuron("delta", h[j]), "backward_hidden", "delta",
                       ref("dE_dout", h[j]) * ref("dout_dnet", h[j]), about)
    for j in range(s.n_hidden):
        for i in range(s.n_in):
            w = w_hidden_key(s, j, i)
            yield quantity(keys.grad(w), "backward_hidden", "dE_dw", ref("delta", h[j]) * Ref(input_id(i)),
                           {"weight": w.id, "src": f"i{i + 1}", "dst": h[j]})
    yield from _bias_gradients(s, "backward_hidden", nb_h, h, b_hidden_key)

    # Update
    params = [w_hidden_key(s, j, i) for j in range(s.n_hidden) for i in range(s.n_in)]
    params += [w_out_key(s, k, j) for k in range(s.n_out) for j in range(s.n_hidden)]
    if s.updates_biases:
        params += [b_hidden_key(s, n) for n in range(nb_h)] + [b_out_key(s, n) for n in range(nb_o)]
    for p in params:
        yield quantity(keys.new(p), "update", "update", Ref(p.id) - Ref("eta") * Ref(keys.grad(p).id),
                       {"param": p.id}, old=p.id)


def _bias_gradients(s: Shape, section: str, count: int, neurons: list[str], bias_key):
    if not s.updates_biases:
        return  # frozen biases (Mazur): their gradient is never used, so it is not asked for
    for n in range(count):
        fed = neurons if count == 1 else [neurons[n]]
        b = bias_key(s, n)
        yield quantity(keys.grad(b), section, "dE_db" if len(fed) == 1 else "dE_db_shared",
                       sum_of(Ref(keys.of_neuron("delta", x).id) for x in fed),
                       {"bias": b.id, "neuron": ", ".join(fed), "fed": tuple(fed)})
