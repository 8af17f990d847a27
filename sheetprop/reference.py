"""The numpy reference: one step of gradient descent on a one-hidden-layer net.

Written in matrix form and kept apart from the spreadsheet side on purpose: it is
the independent witness that the workbook formulas are tested against, so it must
not share their code (not even activations.py's records: its functions and
derivatives are written here again, as a textbook writes them for vectors).
Conventions (Mazur's): online update w <- w - eta * dE/dw, all gradients taken at
the old weights; E is the network's loss summed over its outputs.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .network import Givens


def sigmoid(x):
    # 1/(1+e^-x) = exp(-log(1+e^-x)); logaddexp computes log(e^0+e^-x) without overflow
    # for any x, where 1/(1+exp(-x)) would overflow exp() below about -709.
    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))


def softmax(x):
    z = np.exp(x - np.max(x))  # shifted: the same quotient, no overflow
    return z / z.sum()


def activate(name: str, net: np.ndarray) -> np.ndarray:
    if name == "sigmoid":
        return sigmoid(net)
    if name == "tanh":
        return np.tanh(net)
    if name == "relu":
        return np.maximum(net, 0.0)
    if name == "linear":
        return net.astype(float)
    if name == "softmax":
        return softmax(net)
    raise ValueError(name)


def jacobian(name: str, net: np.ndarray, out: np.ndarray) -> np.ndarray:
    """∂out/∂net of a layer as a matrix: diagonal for elementwise functions."""
    if name == "softmax":
        return np.diag(out) - np.outer(out, out)
    if name == "sigmoid":
        d = out * (1.0 - out)
    elif name == "tanh":
        d = 1.0 - out ** 2
    elif name == "relu":
        d = (net > 0).astype(float)
    elif name == "linear":
        d = np.ones_like(net, dtype=float)
    else:
        raise ValueError(name)
    return np.diag(d)


def losses(name: str, output: str, t: np.ndarray, o: np.ndarray) -> np.ndarray:
    """E per output; E_total is their sum."""
    if name == "squared":
        return 0.5 * (t - o) ** 2
    if name == "mse":
        return (t - o) ** 2 / t.size
    if name == "cross-entropy":
        if output == "softmax":
            return -t * np.log(o)
        return -(t * np.log(o) + (1 - t) * np.log(1 - o))
    raise ValueError(name)


def loss_gradient(name: str, output: str, t: np.ndarray, o: np.ndarray) -> np.ndarray:
    """∂E_total/∂out."""
    if name == "squared":
        return o - t
    if name == "mse":
        return 2.0 * (o - t) / t.size
    if name == "cross-entropy":
        if output == "softmax":
            return -t / o
        return (o - t) / (o * (1 - o))
    raise ValueError(name)


def _expand_bias(b: np.ndarray, size: int) -> np.ndarray:
    """Per-neuron biases from the stored ones: shared biases repeat, no bias is zero."""
    if b.size == 0:
        return np.zeros(size)
    return np.broadcast_to(b, (size,)).astype(float)


def _fold_bias_grad(delta: np.ndarray, b: np.ndarray) -> np.ndarray:
    """dE/db for the stored biases: a shared bias collects the deltas of every neuron it feeds."""
    if b.size == 0:
        return np.zeros(0)
    if b.size == 1 and delta.size != 1:
        return np.array([delta.sum()])
    return delta.copy()


class Forward(NamedTuple):
    net_h: np.ndarray
    out_h: np.ndarray
    net_o: np.ndarray
    out_o: np.ndarray
    E_o: np.ndarray
    E_total: float


class Step(NamedTuple):
    """Every intermediate quantity of one training step, as arrays."""

    forward: Forward
    dE_dout_o: np.ndarray
    dout_dnet_o: np.ndarray  # the diagonal of the output Jacobian
    delta_o: np.ndarray
    dE_dw_out: np.ndarray  # (n_out, n_hidden)
    dE_db_out: np.ndarray
    dE_dout_h: np.ndarray
    dout_dnet_h: np.ndarray
    delta_h: np.ndarray
    dE_dw_hidden: np.ndarray  # (n_hidden, n_in)
    dE_db_hidden: np.ndarray
    new_w_hidden: np.ndarray
    new_w_out: np.ndarray
    new_b_hidden: np.ndarray
    new_b_out: np.ndarray


def forward(g: Givens, w_hidden=None, w_out=None, b_hidden=None, b_out=None, inputs=None) -> Forward:
    s = g.shape
    w_hidden = g.w_hidden if w_hidden is None else w_hidden
    w_out = g.w_out if w_out is None else w_out
    b_hidden = g.b_hidden if b_hidden is None else b_hidden
    b_out = g.b_out if b_out is None else b_out
    inputs = g.inputs if inputs is None else inputs
    net_h = w_hidden @ inputs + _expand_bias(b_hidden, s.n_hidden)
    out_h = activate(s.activation, net_h)
    net_o = w_out @ out_h + _expand_bias(b_out, s.n_out)
    out_o = activate(s.output, net_o)
    E_o = losses(s.loss, s.output, g.targets, out_o)
    return Forward(net_h, out_h, net_o, out_o, E_o, float(E_o.sum()))


def loss(g: Givens, **params) -> float:
    return forward(g, **params).E_total


def step(g: Givens) -> Step:
    s = g.shape
    f = forward(g)
    dE_dout_o = loss_gradient(s.loss, s.output, g.targets, f.out_o)
    j_o = jacobian(s.output, f.net_o, f.out_o)
    delta_o = j_o.T @ dE_dout_o
    dE_dw_out = np.outer(delta_o, f.out_h)
    dE_db_out = _fold_bias_grad(delta_o, g.b_out)
    dE_dout_h = g.w_out.T @ delta_o  # old output weights: Mazur's rule
    j_h = jacobian(s.activation, f.net_h, f.out_h)
    delta_h = j_h.T @ dE_dout_h
    dE_dw_hidden = np.outer(delta_h, g.inputs)
    dE_db_hidden = _fold_bias_grad(delta_h, g.b_hidden)
    train_b = s.train_biases
    return Step(
        forward=f,
        dE_dout_o=dE_dout_o, dout_dnet_o=np.diag(j_o).copy(), delta_o=delta_o,
        dE_dw_out=dE_dw_out, dE_db_out=dE_db_out,
        dE_dout_h=dE_dout_h, dout_dnet_h=np.diag(j_h).copy(), delta_h=delta_h,
        dE_dw_hidden=dE_dw_hidden, dE_db_hidden=dE_db_hidden,
        new_w_hidden=g.w_hidden - g.eta * dE_dw_hidden,
        new_w_out=g.w_out - g.eta * dE_dw_out,
        new_b_hidden=g.b_hidden - g.eta * dE_db_hidden if train_b else g.b_hidden.copy(),
        new_b_out=g.b_out - g.eta * dE_db_out if train_b else g.b_out.copy(),
    )


def loss_after_step(g: Givens) -> float:
    s = step(g)
    return loss(g, w_hidden=s.new_w_hidden, w_out=s.new_w_out, b_hidden=s.new_b_hidden, b_out=s.new_b_out)
