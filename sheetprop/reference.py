"""The numpy reference: one step of gradient descent on a one-hidden-layer net, in matrix form.

It is the independent witness the workbook formulas are tested against, so it shares
none of their code: it uses the numpy half of each activation's and loss's record
(activations.py), never the expressions the formulas are rendered from, and works on
whole layers (a layer's Jacobian, diagonal but for a softmax) where the sheet works cell
by cell. Its gradients are checked against central finite differences.
Conventions (Mazur's): online update w <- w - eta * dE/dw, all gradients taken at
the old weights; E is the network's loss summed over its outputs.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import ACTIVATIONS, LOSSES
from .network import Givens


def sigmoid(x):
    return ACTIVATIONS["sigmoid"].numpy(x)


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
    out_h = ACTIVATIONS[s.activation].numpy(net_h)
    net_o = w_out @ out_h + _expand_bias(b_out, s.n_out)
    out_o = ACTIVATIONS[s.output].numpy(net_o)
    E_o = LOSSES[s.loss].numpy_error(g.targets, out_o, s.output)
    return Forward(net_h, out_h, net_o, out_o, E_o, float(E_o.sum()))


def loss(g: Givens, **params) -> float:
    return forward(g, **params).E_total


def step(g: Givens) -> Step:
    s = g.shape
    f = forward(g)
    dE_dout_o = LOSSES[s.loss].numpy_gradient(g.targets, f.out_o, s.output)
    j_o = ACTIVATIONS[s.output].numpy_jacobian(f.net_o, f.out_o)
    delta_o = j_o.T @ dE_dout_o
    dE_dw_out = np.outer(delta_o, f.out_h)
    dE_db_out = _fold_bias_grad(delta_o, g.b_out)
    dE_dout_h = g.w_out.T @ delta_o  # old output weights: Mazur's rule
    j_h = ACTIVATIONS[s.activation].numpy_jacobian(f.net_h, f.out_h)
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
