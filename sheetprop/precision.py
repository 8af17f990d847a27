"""What rounding by hand can do to a number: the allowance a typed answer gets, and the
reach a student who rounds to the fewest digits asked for has, which catalogued mistakes
must stay out of (variants.py screens for it)."""

from __future__ import annotations

import math

# Fewer significant digits than this tell too little to grade; an exercise may ask for more.
MIN_DIGITS = 3


def half_unit_at(x: float, digits: int) -> float:
    """Half a unit in the last of `digits` significant digits of x (0.2632 at 3 digits: 0.0005)."""
    if x == 0 or not math.isfinite(x):
        return 0.0
    return 0.5 * 10.0 ** (math.floor(math.log10(abs(x))) - digits + 1)


def input_rounding(expr, env: dict[str, float], half_units: dict[str, float]) -> float:
    """How far expr can move on env when each typed input is off by up to its half unit."""
    typed = {i: half_units[i] for i in expr.refs() if half_units.get(i)}
    if not typed:
        return 0.0
    try:
        return expr.rounding_effect(env, typed)
    except (OverflowError, ZeroDivisionError, ValueError):
        return 0.0


def reach(expr, env: dict[str, float], given: set[str] | frozenset[str], digits: int = MIN_DIGITS) -> float:
    """How far from expr's exact value a student can land who rounds every cell it reads
    (givens excepted: they are printed exactly) and its own result to `digits` digits."""
    halves = {i: half_unit_at(env[i], digits) for i in expr.refs() if i not in given}
    try:
        own = expr.value(env)
    except (OverflowError, ZeroDivisionError, ValueError):
        return math.inf
    return half_unit_at(own, digits) + input_rounding(expr, env, halves)
