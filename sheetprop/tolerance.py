"""When is a student's number the same as the expected one?

Purely relative tolerance fails honest students on tiny first-layer gradients,
and a fixed number of decimals fails them on small ones too; so a relative
tolerance with a small absolute floor. An updated weight is judged on its change
Delta = new - old, because a forgotten eta or a flipped sign hides in the weight
itself (often within a few percent) but not in Delta. A student who writes the
new weight with 6 significant digits has rounded it by up to half a unit of the
6th digit of the WEIGHT, which can be large next to a tiny Delta: that rounding
is allowed for by a term relative to the new value.
"""

from __future__ import annotations

import math
from typing import NamedTuple


class Tolerance(NamedTuple):  # a NamedTuple: cheap to create at start-up, immutable, hashable
    rel: float = 1e-4  # relative to the expected value (or to the expected change, for updates)
    abs: float = 1e-9  # floor, for values at or near zero
    # updates only, relative to the expected new value: its rounding to 6 significant digits
    # is at most half a unit of the 6th digit, 5e-6 of the value for a weight like 1.00000.
    rel_value: float = 6e-6

    def allowed(self, expected: float, new_value: float | None = None, scale: float = 0.0) -> float:
        """scale: the size of the numbers the cell combines (Expr.magnitude), for sums that cancel."""
        extra = 0.0 if new_value is None else self.rel_value * abs(new_value)
        return self.rel * max(abs(expected), scale) + self.abs + extra

    def matches(self, value: float, expected: float, new_value: float | None = None, scale: float = 0.0) -> bool:
        if not (math.isfinite(value) and math.isfinite(expected)):
            return False
        return abs(value - expected) <= self.allowed(expected, new_value, scale)


def judged(qid_old: str | None, value: float, env: dict[str, float]) -> float:
    """The number a cell is judged on: the value itself, or new - old for an update."""
    return value if qid_old is None else value - env[qid_old]


DEFAULT = Tolerance()
