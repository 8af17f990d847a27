"""The catalogue of common mistakes (shared/notes/mistakes.md) as mutated local rules.

A mistake is an alternative rule for one quantity, written over the same ids as
the graph's own rules, so it can be evaluated on a student's own upstream
numbers: if exactly one mutation reproduces the student's value, that names the
mistake. The generator uses the same mutations to reject variants where a
mistake would land too close to the truth to be told apart.

The mistakes of the chain rule itself (M1, M2, M6–M12, M16) are built here from the
graph's structure; those that belong to an activation or a loss (M3, M4, M5, M17–M20)
come from its record in activations.py.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from . import keys
from .activations import ACTIVATIONS, LOSSES
from .expr import Expr, Num, Ref, sum_of
from .graph import Graph, Quantity, input_id, w_out_id, w_out_key

CODES = ("M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8", "M9", "M10", "M11", "M12", "M16",
         "M17", "M18", "M19", "M20", "M21")


class Mutation(NamedTuple):
    code: str  # the catalogue's code, e.g. "M7"
    target: str  # the quantity id whose rule it replaces
    expr: Expr
    variant: str = ""  # which form of the mistake, e.g. "x2" or "w_6"
    may_equal_truth: bool = False  # see activations.Mistake


@lru_cache(maxsize=64)
def mutations(graph: Graph) -> dict[str, tuple[Mutation, ...]]:
    """For each quantity id, the mistakes that show first at that cell (do not modify the result)."""
    out: dict[str, list[Mutation]] = {}
    for q in graph:
        found = [m for m in _for_quantity(graph, q) if m.expr != q.expr]
        if found:
            out[q.id] = found
    return {k: tuple(v) for k, v in out.items()}


def _ref(kind: str, neuron: str) -> Ref:
    return Ref(keys.of_neuron(kind, neuron).id)


def _for_quantity(graph: Graph, q: Quantity):
    s = graph.shape
    kind, neuron, layer = q.key.kind, q.key.neuron, q.key.layer
    loss, out_act = LOSSES[s.loss], ACTIVATIONS[s.output]
    act = ACTIVATIONS[s.activation] if layer == "hidden" else out_act

    def from_records(found):
        for m in found:
            yield Mutation(m.code, q.id, m.rule, m.variant, m.may_equal_truth)

    if kind == "E":
        yield from from_records(loss.error_mistakes(_ref("target", neuron), _ref("out", neuron), s.n_out, s.output))
    elif kind == "dE_dout" and layer == "output":
        yield from from_records(loss.dE_dout_mistakes(_ref("target", neuron), _ref("out", neuron), s.n_out, s.output))
    elif kind == "dout_dnet":
        yield from from_records(act.derivative_mistakes(_ref("out", neuron), _ref("net", neuron)))
    elif kind == "delta" and layer == "output":
        # M1: the output's derivative left out (for a linear output it is 1: no mistake there)
        if s.output != "linear":
            yield Mutation("M1", q.id, _ref("dE_dout", neuron))
        if not out_act.elementwise:
            # M19: softmax treated element-wise, as if ∂out_k/∂net_k were all of its derivative
            out = _ref("out", neuron)
            yield Mutation("M19", q.id, _ref("dE_dout", neuron) * out * (1 - out))
        yield from from_records(loss.delta_mistakes(_ref("target", neuron), _ref("out", neuron), s.output))
    elif kind == "delta" and layer == "hidden":
        # ReLU′ is 1 on a unit that is on: leaving it out gives the right number there.
        yield Mutation("M2", q.id, _ref("dE_dout", neuron), may_equal_truth=s.activation == "relu")
    elif kind == "dE_dout" and layer == "hidden":
        j = int(neuron[1:]) - 1
        outs = range(s.n_out)
        delta = [_ref("delta", f"o{k + 1}") for k in outs]
        wk = [w_out_key(s, k, j) for k in outs]
        w = [key.id for key in wk]
        # M7: the output weights already updated (new w = w - eta * dE/dw, from the student's own cells)
        yield Mutation("M7", q.id, sum_of(delta[k] * (Ref(w[k]) - Ref("eta") * Ref(keys.grad(wk[k]).id))
                                          for k in outs))
        yield Mutation("M9", q.id, sum_of(delta))
        for other in range(s.n_hidden):
            if other != j:
                swapped = [w_out_id(s, k, other) for k in outs]
                yield Mutation("M10", q.id, sum_of(delta[k] * Ref(swapped[k]) for k in outs), swapped[0])
        if s.n_out > 1:
            for k in outs:
                yield Mutation("M12", q.id, delta[k] * Ref(w[k]), f"o{k + 1}")
    elif kind == "grad" and q.key.of.kind == "w" and q.about["src"].startswith("h"):
        # A ReLU unit that is on has out = net: then the mistake is the right number.
        yield Mutation("M11", q.id, _ref("delta", q.about["dst"]) * _ref("net", q.about["src"]),
                       may_equal_truth=s.activation == "relu")
    elif kind == "grad" and q.key.of.kind == "b":
        fed = q.about["fed"]
        delta = sum_of(_ref("delta", n) for n in fed)
        if fed[0].startswith("h"):
            feeds = [input_id(i) for i in range(s.n_in)]
        else:
            feeds = [keys.of_neuron("out", f"h{j + 1}").id for j in range(s.n_hidden)]
        for x in feeds:
            yield Mutation("M16", q.id, delta * Ref(x), x)
    elif kind == "new":
        p, grad, eta = Ref(q.old), Ref(keys.grad(q.key.of).id), Ref("eta")
        yield Mutation("M6", q.id, p + eta * grad)
        yield Mutation("M8", q.id, p - grad, "no eta")
        yield Mutation("M8", q.id, p - eta * eta * grad, "eta twice")
        if q.key.of.kind == "b":
            yield Mutation("M16", q.id, p + Num(0.0), "not updated")
