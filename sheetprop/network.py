"""What one exercise is made of: the shape of the network and its given numbers.

Nothing here knows about spreadsheets or about how the numbers were chosen.
Weights are stored as matrices in Mazur's numbering: row j of ``w_hidden`` holds
the weights into hidden neuron j, in input order, so ``w_hidden.flat`` is
w_1, w_2, ... and the output weights continue the count.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

BIAS_MODES = ("neuron", "layer", "none")

# A hand exercise beyond this is no longer a hand exercise, and the sheet grows
# quadratically with the layer sizes.
MAX_LAYER_SIZE = 4


class GivensError(ValueError):
    """A network or its given numbers do not make a consistent exercise."""


def normalize_bias(mode) -> str:
    """'neuron', 'layer', 'none', or one per layer as 'HIDDEN/OUTPUT' (also a {hidden, output} table);
    the same convention on both layers is written once."""
    if isinstance(mode, dict):
        unknown = set(mode) - {"hidden", "output"}
        if unknown or not mode:
            raise GivensError(f"a bias table has the keys hidden and output, got {', '.join(sorted(map(str, mode)))}")
        mode = f"{mode.get('hidden', 'neuron')}/{mode.get('output', 'neuron')}"
    if not isinstance(mode, str):
        raise GivensError(f"bias must be one of {', '.join(BIAS_MODES)} or HIDDEN/OUTPUT, got {mode!r}")
    parts = mode.split("/")
    if len(parts) not in (1, 2) or any(p not in BIAS_MODES for p in parts):
        raise GivensError(f"bias must be one of {', '.join(BIAS_MODES)}, or one per layer as HIDDEN/OUTPUT "
                          f"such as layer/neuron, got {mode!r}")
    return parts[0] if len(set(parts)) == 1 else "/".join(parts)


# Records here are NamedTuples and slotted classes rather than dataclasses: every command
# imports this module, and a dataclass costs about a millisecond of start-up to create.
class _ShapeFields(NamedTuple):
    n_in: int = 2
    n_hidden: int = 2
    n_out: int = 1
    # one bias per neuron, one shared per layer, or none; or one convention per layer written
    # HIDDEN/OUTPUT ("layer/neuron": one shared hidden bias, one per output neuron)
    bias_mode: str = "neuron"
    train_biases: bool = True
    activation: str = "sigmoid"  # of the hidden layer (activations.HIDDEN)
    output: str = "sigmoid"  # of the output layer (activations.OUTPUT)
    loss: str = "squared"  # activations.LOSSES: ½Σ(t − o)² by default, Mazur's


class Shape(_ShapeFields):
    """The network of an exercise: layer sizes, bias convention, activations and loss."""

    __slots__ = ()

    def __new__(cls, n_in=2, n_hidden=2, n_out=1, bias_mode="neuron", train_biases=True, activation="sigmoid",
                output="sigmoid", loss="squared"):
        for name, size in (("n_in", n_in), ("n_hidden", n_hidden), ("n_out", n_out)):
            if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_LAYER_SIZE:
                raise GivensError(f"layer size {name} must be a whole number from 1 to {MAX_LAYER_SIZE}, got {size!r}")
        bias_mode = normalize_bias(bias_mode)
        from .activations import combination_error

        why = combination_error(activation, output, loss, n_out, bias_mode.rpartition("/")[2])
        if why:
            raise GivensError(why)
        return super().__new__(cls, n_in, n_hidden, n_out, bias_mode, train_biases, activation, output, loss)

    @property
    def label(self) -> str:
        return f"{self.n_in}-{self.n_hidden}-{self.n_out}"

    @property
    def is_mazur_kind(self) -> bool:
        """Sigmoid everywhere and ½Σ(t − o)²: the network of Mazur's walkthrough (the default)."""
        return (self.activation, self.output, self.loss) == ("sigmoid", "sigmoid", "squared")

    @property
    def hidden_bias(self) -> str:
        return self.bias_mode.partition("/")[0]

    @property
    def output_bias(self) -> str:
        return self.bias_mode.rpartition("/")[2]

    @property
    def has_biases(self) -> bool:
        return self.hidden_bias != "none" or self.output_bias != "none"

    @property
    def updates_biases(self) -> bool:
        return self.has_biases and self.train_biases

    def bias_counts(self) -> tuple[int, int]:
        """How many distinct bias numbers the hidden and the output layer have."""
        per = {"neuron": None, "layer": 1, "none": 0}
        h, o = per[self.hidden_bias], per[self.output_bias]
        return (self.n_hidden if h is None else h), (self.n_out if o is None else o)


class Givens:
    """Everything the student is given: one training example and the network's parameters.

    Arrays are read-only once made; origin says how it was made (seed, preset, file)."""

    __slots__ = ("shape", "inputs", "targets", "w_hidden", "w_out", "b_hidden", "b_out", "eta", "origin")

    def __init__(self, shape: Shape, inputs, targets, w_hidden, w_out, b_hidden, b_out, eta: float,
                 origin: dict | None = None):
        self.shape = shape
        self.inputs = inputs  # (n_in,)
        self.targets = targets  # (n_out,)
        self.w_hidden = w_hidden  # (n_hidden, n_in)
        self.w_out = w_out  # (n_out, n_hidden)
        self.b_hidden = b_hidden  # (n_hidden,), (1,) or (0,) following shape.bias_mode
        self.b_out = b_out  # (n_out,), (1,) or (0,)
        self.eta = eta
        self.origin = {} if origin is None else origin
        self._validate()

    def __repr__(self):
        return "Givens(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__) + ")"

    def _validate(self):
        s = self.shape
        nb_h, nb_o = s.bias_counts()
        expected = {
            "inputs": (s.n_in,),
            "targets": (s.n_out,),
            "w_hidden": (s.n_hidden, s.n_in),
            "w_out": (s.n_out, s.n_hidden),
            "b_hidden": (nb_h,),
            "b_out": (nb_o,),
        }
        for name, want in expected.items():
            value = np.asarray(getattr(self, name), dtype=float)
            if value.shape != want:
                raise GivensError(f"{name} should have shape {want} for a {s.label} net with bias mode "
                                  f"'{s.bias_mode}', got {value.shape}")
            if not np.all(np.isfinite(value)):
                raise GivensError(f"{name} must be finite numbers")
            value.setflags(write=False)
            setattr(self, name, value)
        try:
            eta = float(self.eta)
        except (TypeError, ValueError):
            eta = float("nan")
        if not np.isfinite(eta) or eta <= 0:
            raise GivensError(f"the learning rate eta must be a positive number, got {self.eta!r}")
        self.eta = eta
        from .activations import LOSSES
        from .keys import target

        ids = [target(f"o{k + 1}").id for k in range(s.n_out)]
        why = LOSSES[s.loss].check_targets(self.targets, s.output, ids)
        if why:
            raise GivensError(why)

    def with_values(self, **changes) -> "Givens":
        fields = dict(shape=self.shape, inputs=self.inputs, targets=self.targets, w_hidden=self.w_hidden,
                      w_out=self.w_out, b_hidden=self.b_hidden, b_out=self.b_out, eta=self.eta,
                      origin=self.origin)
        fields.update(changes)
        return Givens(**fields)
