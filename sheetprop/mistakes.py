"""The catalogue of common mistakes (shared/notes/mistakes.md) as mutated local rules.

A mistake is an alternative rule for one quantity, written over the same ids as
the graph's own rules, so it can be evaluated on a student's own upstream
numbers: if exactly one mutation reproduces the student's value, that names the
mistake. The generator uses the same mutations to reject variants where a
mistake would land too close to the truth to be told apart.
"""

from __future__ import annotations

from typing import NamedTuple
from functools import lru_cache

from .expr import Expr, Num, Ref, Sigmoid, sum_of
from .graph import Graph, Quantity, input_id, w_out_id

CODES = ("M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8", "M9", "M10", "M11", "M12", "M16")


class Mutation(NamedTuple):
    code: str  # the catalogue's code, e.g. "M7"
    target: str  # the quantity id whose rule it replaces
    expr: Expr
    variant: str = ""  # which form of the mistake, e.g. "x2" or "w_6"


@lru_cache(maxsize=64)
def mutations(graph: Graph) -> dict[str, tuple[Mutation, ...]]:
    """For each quantity id, the mistakes that show first at that cell (do not modify the result)."""
    out: dict[str, list[Mutation]] = {}
    for q in graph:
        found = list(_for_quantity(graph, q))
        if found:
            out[q.id] = found
    return {k: tuple(v) for k, v in out.items()}


def _for_quantity(graph: Graph, q: Quantity):
    s = graph.shape
    neuron = q.about.get("neuron", "")
    if q.rule == "error":
        diff = Ref(f"target_{neuron}") - Ref(f"out_{neuron}")
        yield Mutation("M4", q.id, diff ** 2, "x2")
        yield Mutation("M4", q.id, 0.25 * diff ** 2, "x0.5")
    elif q.rule == "dE_dout_output":
        diff = Ref(f"out_{neuron}") - Ref(f"target_{neuron}")
        yield Mutation("M4", q.id, 2 * diff, "x2")
        yield Mutation("M4", q.id, 0.5 * diff, "x0.5")
        yield Mutation("M5", q.id, Ref(f"target_{neuron}") - Ref(f"out_{neuron}"))
    elif q.rule == "dout_dnet":
        act = Sigmoid(Ref(f"out_{neuron}"))
        yield Mutation("M3", q.id, act * (1 - act))
    elif q.rule == "delta":
        code = "M1" if neuron.startswith("o") else "M2"
        yield Mutation(code, q.id, Ref(f"dE_dout_{neuron}"))
    elif q.rule in ("dE_dout_hidden", "dE_dout_hidden_sum"):
        j = int(neuron[1:]) - 1
        outs = range(s.n_out)
        delta = [Ref(f"delta_o{k + 1}") for k in outs]
        w = [w_out_id(s, k, j) for k in outs]
        # M7: the output weights already updated (new w = w - eta * dE/dw, from the student's own cells)
        yield Mutation("M7", q.id, sum_of(delta[k] * (Ref(w[k]) - Ref("eta") * Ref(f"dE_d{w[k]}")) for k in outs))
        yield Mutation("M9", q.id, sum_of(delta))
        for other in range(s.n_hidden):
            if other != j:
                swapped = [w_out_id(s, k, other) for k in outs]
                yield Mutation("M10", q.id, sum_of(delta[k] * Ref(swapped[k]) for k in outs), swapped[0])
        if s.n_out > 1:
            for k in outs:
                yield Mutation("M12", q.id, delta[k] * Ref(w[k]), f"o{k + 1}")
    elif q.rule == "dE_dw" and q.about["src"].startswith("h"):
        yield Mutation("M11", q.id, Ref(f"delta_{q.about['dst']}") * Ref(f"net_{q.about['src']}"))
    elif q.rule in ("dE_db", "dE_db_shared"):
        fed = q.about["neuron"].split(", ")
        delta = sum_of(Ref(f"delta_{n}") for n in fed)
        if fed[0].startswith("h"):
            feeds = [input_id(i) for i in range(s.n_in)]
        else:
            feeds = [f"out_h{j + 1}" for j in range(s.n_hidden)]
        for x in feeds:
            yield Mutation("M16", q.id, delta * Ref(x), x)
    elif q.rule == "update":
        p, grad, eta = Ref(q.old), Ref(f"dE_d{q.old}"), Ref("eta")
        yield Mutation("M6", q.id, p + eta * grad)
        yield Mutation("M8", q.id, p - grad, "no eta")
        yield Mutation("M8", q.id, p - eta * eta * grad, "eta twice")
        if q.old.startswith("b_"):
            yield Mutation("M16", q.id, p + Num(0.0), "not updated")
