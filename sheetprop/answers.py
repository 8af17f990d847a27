"""The key: every quantity's id with its value from the numpy reference.

This is the only place where the reference's arrays meet the graph's ids; the
numbering of weights and biases comes from the graph's id functions.
"""

from __future__ import annotations

from functools import lru_cache

from . import reference
from .graph import Graph, b_hidden_id, b_out_id, w_hidden_id, w_out_id
from .network import Givens, Shape


@lru_cache(maxsize=64)
def _plan(shape: Shape) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Which ids each of the reference's arrays holds, in the arrays' row-major order."""
    s = shape
    h = [f"h{j + 1}" for j in range(s.n_hidden)]
    o = [f"o{k + 1}" for k in range(s.n_out)]
    w_h = [w_hidden_id(s, j, i) for j in range(s.n_hidden) for i in range(s.n_in)]
    w_o = [w_out_id(s, k, j) for k in range(s.n_out) for j in range(s.n_hidden)]
    nb_h, nb_o = s.bias_counts()
    plan = [
        ("forward.net_h", [f"net_{n}" for n in h]), ("forward.out_h", [f"out_{n}" for n in h]),
        ("dE_dout_h", [f"dE_dout_{n}" for n in h]), ("dout_dnet_h", [f"dout_dnet_{n}" for n in h]),
        ("delta_h", [f"delta_{n}" for n in h]),
        ("forward.net_o", [f"net_{n}" for n in o]), ("forward.out_o", [f"out_{n}" for n in o]),
        ("forward.E_o", [f"E_{n}" for n in o]), ("dE_dout_o", [f"dE_dout_{n}" for n in o]),
        ("dout_dnet_o", [f"dout_dnet_{n}" for n in o]), ("delta_o", [f"delta_{n}" for n in o]),
        ("dE_dw_hidden", [f"dE_d{w}" for w in w_h]), ("new_w_hidden", [f"new_{w}" for w in w_h]),
        ("dE_dw_out", [f"dE_d{w}" for w in w_o]), ("new_w_out", [f"new_{w}" for w in w_o]),
    ]
    if s.updates_biases:  # frozen biases have no gradient or update cells
        b_h = [b_hidden_id(s, n) for n in range(nb_h)]
        b_o = [b_out_id(s, n) for n in range(nb_o)]
        plan += [("dE_db_hidden", [f"dE_d{b}" for b in b_h]), ("new_b_hidden", [f"new_{b}" for b in b_h]),
                 ("dE_db_out", [f"dE_d{b}" for b in b_o]), ("new_b_out", [f"new_{b}" for b in b_o])]
    return tuple((field, tuple(ids)) for field, ids in plan)


def reference_values(graph: Graph, g: Givens) -> dict[str, float]:
    st = reference.step(g)
    v = graph.given_values(g)
    for field, ids in _plan(graph.shape):
        array = st.forward if field.startswith("forward.") else st
        array = getattr(array, field.rpartition(".")[2])
        v.update(zip(ids, array.ravel().tolist()))
    v["E_total"] = float(st.forward.E_total)
    # Only the graph's quantities: the reference may know more than the sheet asks.
    return {qid: v[qid] for qid in graph.ids}
