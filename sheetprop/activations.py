"""Activation functions and losses: each a record that owns its math.

A record holds its formula (as an expression, so it renders as an Excel formula, as
text and as a number), its derivative written with its output where that is natural
(σ′ = out(1 − out), tanh′ = 1 − out², ReLU′ = IF(net>0,1,0)), its numpy function, the
draws it makes a poor exercise of, and the catalogued mistakes that belong to it.
Its words (name, hints, mistakes) are in templates/*.toml under its name. Adding one
is adding a record here plus its words; the graph, the mistakes, the variants and the
command line read this table.

Each record holds its math twice, on purpose: as an expression (what the workbook's formulas
and the follow-through marking use) and as numpy functions (what the numpy reference, in
matrix form, uses). The two are written independently and tested against each other: the
reference's gradients against finite differences, the workbooks against the reference.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from .expr import Expr, Num, Relu, Sigmoid, Step, exp, ln, lift, sum_of, tanh


class Mistake(NamedTuple):
    """A catalogued mistake as a rule in place of the right one (see mistakes.py)."""

    code: str
    rule: Expr
    variant: str = ""
    # The mistake gives the right number wherever the exercise is a good one (ReLU′ = 1 on a unit
    # that is on; −t/o = t/o for a class whose target is 0): no draw is rejected for it.
    may_equal_truth: bool = False


def _np_sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))


def _np_softmax(x):
    z = np.exp(np.asarray(x, dtype=float) - np.max(x))
    return z / z.sum()


class Activation(NamedTuple):
    name: str
    where: tuple[str, ...]  # "hidden", "output": where a course uses it
    out: Callable[[list[Expr], int], Expr]  # neuron k's output from its layer's net inputs
    # ∂out/∂net from (out, net); None for softmax, whose derivative is a Jacobian (the delta
    # rule then sums over the layer's outputs).
    derivative: Callable[[Expr, Expr], Expr] | None
    numpy: Callable[[np.ndarray], np.ndarray]  # a layer's outputs from its net inputs
    # ∂out/∂net element by element, from (net, out), for arrays of any shape; None for a softmax
    numpy_slope: Callable[[np.ndarray, np.ndarray], np.ndarray] | None
    # Mistakes in place of the derivative, from (out, net).
    derivative_mistakes: Callable[[Expr, Expr], tuple[Mistake, ...]]
    # Why a layer's net inputs and outputs make a poor exercise, or None.
    screen: Callable[[np.ndarray, np.ndarray], str | None]

    @property
    def elementwise(self) -> bool:
        return self.derivative is not None

    def numpy_jacobian(self, net: np.ndarray, out: np.ndarray) -> np.ndarray:
        """∂out/∂net of one layer as a matrix: diagonal but for a softmax."""
        if self.numpy_slope is not None:
            return np.diag(self.numpy_slope(net, out))
        return np.diag(out) - np.outer(out, out)  # softmax: ∂out_j/∂net_k = out_j([j = k] − out_k)


def _sig_screen(net, out):
    return "a sigmoid saturates" if np.any(out * (1 - out) < 0.05) else None


def _tanh_screen(net, out):
    return "a tanh saturates" if np.any(1 - out ** 2 < 0.1) else None


def _relu_screen(net, out):
    # A unit that is off passes no gradient back: half the exercise would be zeros.
    return "a ReLU unit is off (dead for this example)" if np.any(net < 0.05) else None


def _softmax_screen(net, out):
    return "a softmax output is nearly 0 or 1" if np.any((out < 0.05) | (out > 0.95)) else None


ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (
    Activation(
        "sigmoid", ("hidden", "output"),
        out=lambda nets, k: Sigmoid(nets[k]),
        derivative=lambda out, net: out * (1 - out),
        numpy=_np_sigmoid,
        numpy_slope=lambda net, out: out * (1.0 - out),
        # M3: σ′ taken of the activation, σ(out)(1 − σ(out)) instead of out(1 − out).
        derivative_mistakes=lambda out, net: (Mistake("M3", Sigmoid(out) * (1 - Sigmoid(out))),),
        screen=_sig_screen,
    ),
    Activation(
        "tanh", ("hidden",),
        out=lambda nets, k: tanh(nets[k]),
        derivative=lambda out, net: 1 - out ** 2,
        numpy=np.tanh,
        numpy_slope=lambda net, out: 1.0 - out ** 2,
        derivative_mistakes=lambda out, net: (
            Mistake("M3", 1 - tanh(out) ** 2),  # the derivative taken of the activation again
            Mistake("M18", out * (1 - out)),  # the sigmoid's derivative used for tanh
        ),
        screen=_tanh_screen,
    ),
    Activation(
        "relu", ("hidden",),
        out=lambda nets, k: Relu(nets[k]),
        derivative=lambda out, net: Step(net),
        numpy=lambda x: np.maximum(0.0, x),
        numpy_slope=lambda net, out: (net > 0).astype(float),
        # M17: ReLU′ taken as 1 everywhere. Where the unit is on it is 1 indeed, so it shows only
        # where a net input is negative (a teacher's example; drawn variants keep every unit on).
        derivative_mistakes=lambda out, net: (Mistake("M17", Num(1.0), may_equal_truth=True),),
        screen=_relu_screen,
    ),
    Activation(
        "linear", ("output",),
        out=lambda nets, k: nets[k],
        derivative=lambda out, net: Num(1.0),
        numpy=lambda x: np.asarray(x, dtype=float),
        numpy_slope=lambda net, out: np.ones_like(net, dtype=float),
        derivative_mistakes=lambda out, net: (),
        screen=lambda net, out: None,
    ),
    Activation(
        "softmax", ("output",),
        out=lambda nets, k: exp(nets[k]) / sum_of(exp(n) for n in nets),
        derivative=None,
        numpy=_np_softmax,
        numpy_slope=None,
        derivative_mistakes=lambda out, net: (),
        screen=_softmax_screen,
    ),
)}

HIDDEN = tuple(a.name for a in ACTIVATIONS.values() if "hidden" in a.where)
OUTPUT = tuple(a.name for a in ACTIVATIONS.values() if "output" in a.where)


class Loss(NamedTuple):
    name: str
    outputs: tuple[str, ...]  # the output activations it goes with
    # E_o for one output, from (target, out, number of outputs, output activation)
    error: Callable[[Expr, Expr, int, str], Expr]
    # ∂E_total/∂out_o
    dE_dout: Callable[[Expr, Expr, int, str], Expr]
    # Where the chain ∂E/∂out · ∂out/∂net simplifies (out − target), that form; else None.
    simplified_delta: Callable[[Expr, Expr, str], Expr | None]
    # Mistakes at E_o and at ∂E/∂out, from (target, out, n, output activation)
    error_mistakes: Callable[[Expr, Expr, int, str], tuple[Mistake, ...]]
    dE_dout_mistakes: Callable[[Expr, Expr, int, str], tuple[Mistake, ...]]
    # Mistakes at an output delta that belong to the loss (M20), from (target, out, output activation)
    delta_mistakes: Callable[[Expr, Expr, str], tuple[Mistake, ...]]
    # Why targets do not fit this loss and output, naming the id (or None)
    check_targets: Callable[[np.ndarray, str, list[str]], str | None]
    # numpy: E per output, and ∂E_total/∂out, from (targets, outputs, output activation)
    numpy_error: Callable[[np.ndarray, np.ndarray, str], np.ndarray]
    numpy_gradient: Callable[[np.ndarray, np.ndarray, str], np.ndarray]


def _twice_over(e: Expr, n: int) -> Expr:
    """2·e/n as a person writes it: 2·e for one output, e for two."""
    return 2 * e if n == 1 else e if n == 2 else 2 * e / n


def _over(e: Expr, n: int) -> Expr:
    return e if n == 1 else e / n


def _in_unit_interval(targets, output, ids):
    for t, qid in zip(targets, ids):
        if not 0 <= t <= 1:
            return f"{qid} must lie between 0 and 1: a {output} output can only approach it there, got {t:g}"
    return None


def _squared_targets(targets, output, ids):
    if output == "linear":
        return None
    return _in_unit_interval(targets, output, ids) or _softmax_targets(targets, output, ids)


def _softmax_targets(targets, output, ids):
    # A softmax's outputs always add up to 1: targets that do not could never be reached.
    if output == "softmax" and abs(float(np.sum(targets)) - 1.0) > 1e-9:
        return (f"{', '.join(ids)} must add up to 1 for a softmax output (its outputs always do), "
                f"got {float(np.sum(targets)):g}")
    return None


def _ce_targets(targets, output, ids):
    return _in_unit_interval(targets, output, ids) or _softmax_targets(targets, output, ids)


def _ce_error(t, o, n, output):
    if output == "softmax":  # categorical: only the target's class counts
        return -(t * ln(o))
    return -(t * ln(o) + (1 - t) * ln(1 - o))  # binary, one per sigmoid output


def _ce_dE_dout(t, o, n, output):
    if output == "softmax":
        return -(t / o)
    return (o - t) / (o * (1 - o))


def _ce_dE_dout_mistakes(t, o, n, output):
    sign = Mistake("M5", t / o, may_equal_truth=True) if output == "softmax" else Mistake("M5", (t - o) / (o * (1 - o)))
    # M21: the squared error's derivative, out − target, kept for cross-entropy
    return (sign, Mistake("M21", o - t))


LOSSES: dict[str, Loss] = {l.name: l for l in (
    Loss(
        "squared", ("sigmoid", "linear", "softmax"),
        error=lambda t, o, n, out: 0.5 * (t - o) ** 2,
        dE_dout=lambda t, o, n, out: o - t,
        simplified_delta=lambda t, o, out: None,
        error_mistakes=lambda t, o, n, out: (Mistake("M4", (t - o) ** 2, "x2"),
                                             Mistake("M4", 0.25 * (t - o) ** 2, "x0.5")),
        dE_dout_mistakes=lambda t, o, n, out: (Mistake("M4", 2 * (o - t), "x2"), Mistake("M4", 0.5 * (o - t), "x0.5"),
                                               Mistake("M5", t - o)),
        delta_mistakes=lambda t, o, out: (),
        check_targets=_squared_targets,
        numpy_error=lambda t, o, out: 0.5 * (t - o) ** 2,
        numpy_gradient=lambda t, o, out: o - t,
    ),
    Loss(
        # Keras' and PyTorch's MSE: the mean over the outputs of (t − o)², without the ½.
        "mse", ("sigmoid", "linear", "softmax"),
        error=lambda t, o, n, out: _over((t - o) ** 2, n),
        dE_dout=lambda t, o, n, out: _twice_over(o - t, n),
        simplified_delta=lambda t, o, out: None,
        error_mistakes=lambda t, o, n, out: (Mistake("M4", _over(0.5 * (t - o) ** 2, n), "x0.5"),)
        + ((Mistake("M4", (t - o) ** 2, "no 1/n"),) if n > 1 else ()),
        dE_dout_mistakes=lambda t, o, n, out: (Mistake("M4", _over(o - t, n), "no 2"), Mistake("M5", _twice_over(t - o, n)))
        + ((Mistake("M4", 2 * (o - t), "no 1/n"),) if n > 1 else ()),
        delta_mistakes=lambda t, o, out: (),
        check_targets=_squared_targets,
        numpy_error=lambda t, o, out: (t - o) ** 2 / t.shape[-1],  # the last axis: the outputs
        numpy_gradient=lambda t, o, out: 2.0 * (o - t) / t.shape[-1],
    ),
    Loss(
        # Binary cross-entropy summed over sigmoid outputs; categorical cross-entropy over a softmax.
        "cross-entropy", ("sigmoid", "softmax"),
        error=_ce_error,
        dE_dout=_ce_dE_dout,
        simplified_delta=lambda t, o, out: o - t,
        error_mistakes=lambda t, o, n, out: (),
        dE_dout_mistakes=_ce_dE_dout_mistakes,
        # M20: the simplified delta multiplied by σ′ again, as if the loss were squared;
        # M5: the simplified delta's sign flipped.
        delta_mistakes=lambda t, o, out: (Mistake("M20", (o - t) * o * (1 - o)), Mistake("M5", t - o, "delta")),
        check_targets=_ce_targets,
        numpy_error=lambda t, o, out: -t * np.log(o) if out == "softmax" else -(t * np.log(o) + (1 - t) * np.log(1 - o)),
        numpy_gradient=lambda t, o, out: -t / o if out == "softmax" else (o - t) / (o * (1 - o)),
    ),
)}


def combination_error(activation: str, output: str, loss: str, n_out: int, bias_mode: str = "neuron") -> str | None:
    """Why a hidden activation, output activation and loss make no exercise together, or None."""
    if activation not in HIDDEN:
        return f"unknown hidden activation {activation!r}; choose one of {', '.join(HIDDEN)}"
    if output not in OUTPUT:
        return f"unknown output activation {output!r}; choose one of {', '.join(OUTPUT)}"
    if loss not in LOSSES:
        return f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}"
    if output == "softmax" and n_out < 2:
        return "a softmax output needs two or more outputs: a softmax of one number is always 1"
    if output == "softmax" and bias_mode == "layer" and n_out > 1:
        return ("a softmax output with one bias shared by the layer: adding the same number to every net "
                "input does not change a softmax, so that bias would never learn (its gradient is always 0); "
                "give the output layer one bias per neuron or none, e.g. --bias layer/neuron (HIDDEN/OUTPUT)")
    if output not in LOSSES[loss].outputs:
        return (f"{loss} goes with {' or '.join(LOSSES[loss].outputs)} outputs, not {output}: "
                f"its logarithm needs outputs strictly between 0 and 1")
    return None


__all__ = ["ACTIVATIONS", "LOSSES", "HIDDEN", "OUTPUT", "Activation", "Loss", "Mistake", "combination_error", "lift"]
