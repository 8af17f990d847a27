"""The numpy training reference: full-batch gradient descent on XOR, in matrix form.

The independent witness of a training sheet, as reference.py is of one step: the four
patterns are rows of a matrix, and every array may carry leading batch dimensions (one
per epoch row being checked), so a whole run's rows are judged in one vectorised call.
Like reference.py it uses the numpy half of the activation and loss records (activations.py),
never the expressions the sheet's formulas are rendered from.

Conventions: the loss of an epoch is the sum over the four patterns of each pattern's loss
(E = Σ_p ½(t_p − o_p)² by default), taken at the epoch's starting parameters; the update is
w ← w − η·∂E/∂w with the gradient summed over the patterns.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import ACTIVATIONS, LOSSES
from .network import Givens, Shape

XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_TARGETS = np.array([[0.0], [1.0], [1.0], [0.0]])
TARGET_LOSS = 0.01  # the course's bar: E < 0.01 forces every |t − o| < 0.141 (squared loss)


def slope(name: str, net: np.ndarray, out: np.ndarray) -> np.ndarray:
    """∂out/∂net, element by element (the elementwise activations only): the record's own."""
    f = ACTIVATIONS[name].numpy_slope
    if f is None:
        raise ValueError(f"{name} is not elementwise")
    return f(net, out)


def pattern_loss(name: str, output: str, t: np.ndarray, o: np.ndarray) -> np.ndarray:
    """Each pattern's loss summed over the outputs (last axis)."""
    return LOSSES[name].numpy_error(t, o, output).sum(axis=-1)


def loss_slope(name: str, output: str, t: np.ndarray, o: np.ndarray) -> np.ndarray:
    """∂E/∂out for each pattern and output."""
    return LOSSES[name].numpy_gradient(t, o, output)


def activate(name: str, net: np.ndarray) -> np.ndarray:
    return ACTIVATIONS[name].numpy(net)


class Params(NamedTuple):
    """A net's parameters, each with optional leading batch dimensions (one per run row)."""

    w_hidden: np.ndarray  # (..., H, I)
    b_hidden: np.ndarray  # (..., H)
    w_out: np.ndarray  # (..., O, H)
    b_out: np.ndarray  # (..., O)

    def flat(self) -> np.ndarray:
        """(..., P) in Mazur's numbering: w_1 … (hidden, then output), then b_1 … (hidden, then output)."""
        lead = self.w_hidden.shape[:-2]
        return np.concatenate([a.reshape(lead + (-1,)) for a in (self.w_hidden, self.w_out, self.b_hidden,
                                                                  self.b_out)], axis=-1)

    @classmethod
    def from_flat(cls, shape: Shape, flat: np.ndarray) -> "Params":
        flat = np.asarray(flat, dtype=float)
        lead = flat.shape[:-1]
        H, I, O = shape.n_hidden, shape.n_in, shape.n_out
        cuts = np.cumsum([H * I, O * H, H])
        wh, wo, bh, bo = np.split(flat, cuts, axis=-1)
        return cls(wh.reshape(lead + (H, I)), bh, wo.reshape(lead + (O, H)), bo)

    @classmethod
    def of(cls, g: Givens) -> "Params":
        return cls(np.array(g.w_hidden, dtype=float), np.array(g.b_hidden, dtype=float),
                   np.array(g.w_out, dtype=float), np.array(g.b_out, dtype=float))


class Epoch(NamedTuple):
    """Every quantity of one epoch, per pattern where it is per pattern: (..., 4, neurons)."""

    net_h: np.ndarray
    out_h: np.ndarray
    net_o: np.ndarray
    out_o: np.ndarray
    loss: np.ndarray  # (...,): summed over the patterns
    delta_o: np.ndarray
    delta_h: np.ndarray
    grad: Params  # summed over the patterns
    new: Params
    velocity: Params | None = None  # with momentum: β·v + ∂E/∂w, the step taken is η times it


def epoch(shape: Shape, p: Params, eta, X=XOR_INPUTS, T=XOR_TARGETS, velocity: Params | None = None,
          beta=0.0) -> Epoch:
    """One full-batch step from parameters p: forward on every pattern, backward, summed update.
    With a velocity (momentum): v ← β·v + ∂E/∂w, then w ← w − η·v."""
    net_h = np.einsum("...hi,pi->...ph", p.w_hidden, X) + p.b_hidden[..., None, :]
    out_h = activate(shape.activation, net_h)
    net_o = np.einsum("...oh,...ph->...po", p.w_out, out_h) + p.b_out[..., None, :]
    out_o = activate(shape.output, net_o)
    loss = pattern_loss(shape.loss, shape.output, T, out_o).sum(axis=-1)
    delta_o = loss_slope(shape.loss, shape.output, T, out_o) * slope(shape.output, net_o, out_o)
    # The hidden deltas go back through the epoch's starting output weights.
    delta_h = np.einsum("...po,...oh->...ph", delta_o, p.w_out) * slope(shape.activation, net_h, out_h)
    grad = Params(
        w_hidden=np.einsum("...ph,pi->...hi", delta_h, X),
        b_hidden=delta_h.sum(axis=-2),
        w_out=np.einsum("...po,...ph->...oh", delta_o, out_h),
        b_out=delta_o.sum(axis=-2),
    )
    step = grad
    if velocity is not None:
        beta = np.asarray(beta, dtype=float)[..., None]
        step = Params(beta[..., None] * velocity.w_hidden + grad.w_hidden, beta * velocity.b_hidden + grad.b_hidden,
                      beta[..., None] * velocity.w_out + grad.w_out, beta * velocity.b_out + grad.b_out)
    eta = np.asarray(eta, dtype=float)[..., None]
    new = Params(p.w_hidden - eta[..., None] * step.w_hidden, p.b_hidden - eta * step.b_hidden,
                 p.w_out - eta[..., None] * step.w_out, p.b_out - eta * step.b_out)
    return Epoch(net_h, out_h, net_o, out_o, loss, delta_o, delta_h, grad, new, None if velocity is None else step)


def epoch_sgd(shape: Shape, p: Params, eta, X=XOR_INPUTS, T=XOR_TARGETS) -> tuple[Epoch, ...]:
    """One epoch of per-pattern (stochastic) gradient descent: four steps, one per pattern in
    order, each a full step on that pattern alone from the parameters the one before ended with.
    The epoch's loss is the sum of the four patterns' losses, each at its own step's start."""
    steps = []
    for k in range(X.shape[0]):
        steps.append(epoch(shape, p, eta, X[k:k + 1], T[k:k + 1]))
        p = steps[-1].new
    return tuple(steps)


def outputs(shape: Shape, p: Params, X=XOR_INPUTS) -> np.ndarray:
    """The net's output on each pattern, (..., 4, O)."""
    out_h = activate(shape.activation, np.einsum("...hi,pi->...ph", p.w_hidden, X) + p.b_hidden[..., None, :])
    return activate(shape.output, np.einsum("...oh,...ph->...po", p.w_out, out_h) + p.b_out[..., None, :])


class Run(NamedTuple):
    params: np.ndarray  # (epochs + 1, P): before epoch 1, then after each epoch
    loss: np.ndarray  # (epochs,): loss of each epoch, at its starting parameters
    final_out: np.ndarray  # (4,): the outputs after the last epoch

    def reached(self, target: float = TARGET_LOSS) -> int | None:
        """The first epoch (1-based) whose loss is below target, or None."""
        below = np.flatnonzero(self.loss < target)
        return int(below[0]) + 1 if below.size else None

    def all_right(self, targets=XOR_TARGETS[:, 0]) -> bool:
        return bool(np.all((self.final_out > 0.5) == (np.asarray(targets) > 0.5)))


def train_many(shape: Shape, flats: np.ndarray, etas, epochs: int, beta: float | None = None, history: bool = False,
               sgd: bool = False):
    """Several runs at once (a batch of starting parameters, each with its η), from zero velocity
    with momentum: (losses (B, epochs), final parameters (B, P), outputs after training (B, 4),
    and with history every epoch's parameters (B, epochs + 1, P))."""
    flats = np.asarray(flats, dtype=float)
    p = Params.from_flat(shape, flats)
    v = None if beta is None else Params.from_flat(shape, np.zeros_like(flats))
    losses = np.empty((flats.shape[0], epochs))
    kept = [flats] if history else None
    for e in range(epochs):
        if sgd:
            steps = epoch_sgd(shape, p, etas)
            losses[:, e] = sum(st.loss for st in steps)
            p = steps[-1].new
        else:
            step = epoch(shape, p, etas, velocity=v, beta=beta or 0.0)
            losses[:, e] = step.loss
            p, v = step.new, step.velocity
        if history:
            kept.append(p.flat())
    final = p.flat()
    return losses, final, outputs(shape, p)[..., 0], (np.stack(kept, axis=1) if history else None)


def train(shape: Shape, p: Params, eta: float, epochs: int, beta: float | None = None, sgd: bool = False) -> Run:
    """Full-batch gradient descent; with beta, momentum (starting from zero velocity); or per-pattern."""
    losses, _, out, kept = train_many(shape, p.flat()[None], np.array([eta]), epochs, beta, history=True, sgd=sgd)
    return Run(kept[0], losses[0], out[0])
