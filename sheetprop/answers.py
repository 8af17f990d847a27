"""The key: every quantity's id with its value from the numpy reference.

This is the only place where the reference's arrays meet the graph's ids; the
ids come from keys.py through the graph's parameter numbering.
"""

from __future__ import annotations

from functools import lru_cache

from . import keys, reference
from .graph import Graph, b_hidden_key, b_out_key, w_hidden_key, w_out_key
from .network import Givens, Shape


@lru_cache(maxsize=64)
def _plan(shape: Shape) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Which ids each of the reference's arrays holds, in the arrays' row-major order."""
    s = shape
    h = [f"h{j + 1}" for j in range(s.n_hidden)]
    o = [f"o{k + 1}" for k in range(s.n_out)]

    def per(kind, neurons):
        return [keys.of_neuron(kind, n).id for n in neurons]

    w_h = [w_hidden_key(s, j, i) for j in range(s.n_hidden) for i in range(s.n_in)]
    w_o = [w_out_key(s, k, j) for k in range(s.n_out) for j in range(s.n_hidden)]
    nb_h, nb_o = s.bias_counts()
    plan = [
        ("forward.net_h", per("net", h)), ("forward.out_h", per("out", h)),
        ("dE_dout_h", per("dE_dout", h)), ("dout_dnet_h", per("dout_dnet", h)), ("delta_h", per("delta", h)),
        ("forward.net_o", per("net", o)), ("forward.out_o", per("out", o)), ("forward.E_o", per("E", o)),
        ("dE_dout_o", per("dE_dout", o)), ("dout_dnet_o", per("dout_dnet", o)), ("delta_o", per("delta", o)),
        ("dE_dw_hidden", [keys.grad(w).id for w in w_h]), ("new_w_hidden", [keys.new(w).id for w in w_h]),
        ("dE_dw_out", [keys.grad(w).id for w in w_o]), ("new_w_out", [keys.new(w).id for w in w_o]),
    ]
    if s.updates_biases:  # frozen biases have no gradient or update cells
        b_h = [b_hidden_key(s, n) for n in range(nb_h)]
        b_o = [b_out_key(s, n) for n in range(nb_o)]
        plan += [("dE_db_hidden", [keys.grad(b).id for b in b_h]), ("new_b_hidden", [keys.new(b).id for b in b_h]),
                 ("dE_db_out", [keys.grad(b).id for b in b_o]), ("new_b_out", [keys.new(b).id for b in b_o])]
    return tuple((field, tuple(ids)) for field, ids in plan)


def reference_values(graph: Graph, g: Givens, st: reference.Step | None = None) -> dict[str, float]:
    """st: the reference's step for g, where the caller has it already."""
    st = reference.step(g) if st is None else st
    v = graph.given_values(g)
    for field, ids in _plan(graph.shape):
        array = st.forward if field.startswith("forward.") else st
        array = getattr(array, field.rpartition(".")[2])
        v.update(zip(ids, array.ravel().tolist()))
    v[keys.E_TOTAL.id] = float(st.forward.E_total)
    # Only the graph's quantities: the reference may know more than the sheet asks
    # (the diagonal of a softmax's Jacobian, which the sheet does not ask for).
    return {qid: v[qid] for qid in graph.ids}
