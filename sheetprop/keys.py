"""Every quantity's key: what it is and where in the network, from which its id and symbol derive.

The id is the public interface (the workbook's defined name, the key in every report);
it is made here and only here, from a small record, so no module rebuilds or splits
id strings. Mazur's notation, with `_` where his name would be a cell reference
(w1, b1, i1 are cells W1, B1, I1 in Excel and cannot be defined names).

Room for later: `example` (which training pattern) and `epoch` (which row of a training
run) leave the id of one step unchanged when they are None.
"""

from __future__ import annotations

from typing import NamedTuple

# kind -> how the id reads. Neuron quantities are "<kind>_<neuron>"; parameters "<kind>_<n>".
NEURON_KINDS = ("net", "out", "E", "dE_dout", "dout_dnet", "delta", "target")
PARAM_KINDS = ("w", "b")
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


class Key(NamedTuple):
    kind: str  # i, target, w, b, eta, net, out, E, E_total, dE_dout, dout_dnet, delta, grad, new, v
    n: int = 0  # input, weight or bias number (1-based), for i, w, b
    neuron: str = ""  # "h1", "o2": for the neuron quantities and targets
    of: "Key | None" = None  # the parameter of a gradient (grad) or an update (new)
    example: int | None = None
    epoch: int | None = None

    @property
    def id(self) -> str:
        base = self._base_id()
        if self.example is not None:
            base += f"_p{self.example}"
        if self.epoch is not None:
            base += f"_e{self.epoch}"
        return base

    def _base_id(self) -> str:
        k = self.kind
        if k in ("i", "w", "b"):
            return f"{k}_{self.n}"
        if k == "target":
            return f"target_{self.neuron}"
        if k in NEURON_KINDS:
            return f"{k}_{self.neuron}"
        if k == "grad":
            return f"dE_d{self.of.id}"
        if k == "new":
            return f"new_{self.of.id}"
        if k == "v":  # a parameter's momentum (velocity), in a training run
            return f"v_{self.of.id}"
        return k  # eta, E_total

    @property
    def symbol(self) -> str:
        """Mazur's notation: w_5 -> w₅, dE_dw_5 -> ∂E_total/∂w₅, new_w_5 -> w₅⁺."""
        k = self.kind
        if k in ("i", "w", "b"):
            return k + str(self.n).translate(_SUBSCRIPTS)
        if k == "new":
            return self.of.symbol + "⁺"
        if k == "v":
            return f"v({self.of.symbol})"
        if k == "grad":
            return f"∂E_total/∂{self.of.symbol}"
        if k == "dE_dout":
            return f"∂E_total/∂out_{self.neuron}"
        if k == "dout_dnet":
            return f"∂out_{self.neuron}/∂net_{self.neuron}"
        if k == "delta":
            return f"δ_{self.neuron}"
        if k == "eta":
            return "η"
        return self._base_id()

    @property
    def layer(self) -> str:
        """'hidden' or 'output' for a neuron quantity; '' otherwise."""
        if self.neuron.startswith("h"):
            return "hidden"
        if self.neuron.startswith("o"):
            return "output"
        return ""


def inp(n: int) -> Key:
    return Key("i", n=n)


def target(neuron: str) -> Key:
    return Key("target", neuron=neuron)


def weight(n: int) -> Key:
    return Key("w", n=n)


def bias(n: int) -> Key:
    return Key("b", n=n)


def of_neuron(kind: str, neuron: str) -> Key:
    return Key(kind, neuron=neuron)


def grad(param: Key) -> Key:
    return Key("grad", of=param)


def new(param: Key) -> Key:
    return Key("new", of=param)


def velocity(param: Key) -> Key:
    return Key("v", of=param)


ETA = Key("eta")
E_TOTAL = Key("E_total")
