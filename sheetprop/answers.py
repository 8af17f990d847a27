"""The key: every quantity's id with its value from the numpy reference.

This is the only place where the reference's arrays meet the graph's ids; the
numbering of weights and biases comes from the graph's id functions.
"""

from __future__ import annotations

from . import reference
from .graph import Graph, b_hidden_id, b_out_id, input_id, target_id, w_hidden_id, w_out_id
from .network import Givens


def reference_values(graph: Graph, g: Givens) -> dict[str, float]:
    s = graph.shape
    st = reference.step(g)
    f = st.forward
    h = [f"h{j + 1}" for j in range(s.n_hidden)]
    o = [f"o{k + 1}" for k in range(s.n_out)]
    v = graph.given_values(g)
    for j, n in enumerate(h):
        v[f"net_{n}"] = f.net_h[j]
        v[f"out_{n}"] = f.out_h[j]
        v[f"dE_dout_{n}"] = st.dE_dout_h[j]
        v[f"dout_dnet_{n}"] = st.dout_dnet_h[j]
        v[f"delta_{n}"] = st.delta_h[j]
    for k, n in enumerate(o):
        v[f"net_{n}"] = f.net_o[k]
        v[f"out_{n}"] = f.out_o[k]
        v[f"E_{n}"] = f.E_o[k]
        v[f"dE_dout_{n}"] = st.dE_dout_o[k]
        v[f"dout_dnet_{n}"] = st.dout_dnet_o[k]
        v[f"delta_{n}"] = st.delta_o[k]
    v["E_total"] = f.E_total
    for j in range(s.n_hidden):
        for i in range(s.n_in):
            w = w_hidden_id(s, j, i)
            v[f"dE_d{w}"] = st.dE_dw_hidden[j, i]
            v[f"new_{w}"] = st.new_w_hidden[j, i]
    for k in range(s.n_out):
        for j in range(s.n_hidden):
            w = w_out_id(s, k, j)
            v[f"dE_d{w}"] = st.dE_dw_out[k, j]
            v[f"new_{w}"] = st.new_w_out[k, j]
    if s.updates_biases:
        for n in range(g.b_hidden.size):
            b = b_hidden_id(s, n)
            v[f"dE_d{b}"] = st.dE_db_hidden[n]
            v[f"new_{b}"] = st.new_b_hidden[n]
        for n in range(g.b_out.size):
            b = b_out_id(s, n)
            v[f"dE_d{b}"] = st.dE_db_out[n]
            v[f"new_{b}"] = st.new_b_out[n]
    # Only the graph's quantities: the reference may know more than the sheet asks.
    return {qid: float(v[qid]) for qid in graph.ids}


__all__ = ["reference_values", "input_id", "target_id"]
