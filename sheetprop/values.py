"""What a saved cell means as a student's answer: a number, a blank, or a reason it is unreadable.

Nothing typed is coerced: '0,5' stored as text is a decimal comma typed into an
office that expects a dot, and the student should hear that, not get it silently
converted (and float() would accept 'nan', '1_000' or full-width digits).
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from .inert import terminal as escape  # noqa: F401 - what a cell shows, as echoed
from .xlsx import Cell


class Precision(NamedTuple):
    """How precisely a typed number was given: 0.1311 has 4 significant digits and 4 decimals,
    and may stand for anything within half a unit of its last digit (5e-5)."""

    digits: int  # significant digits
    decimals: int  # digits after the point (negative for 1.2E3: hundreds)

    @property
    def half_unit(self) -> float:
        return 0.5 * 10.0 ** -self.decimals


class Reading(NamedTuple):
    number: float | None  # None unless the cell holds a usable number
    reason: str | None = None  # why not: blank, text, decimal_comma, number_as_text, lookalike, date, bool,
    #                            error, no_result
    shown: str | None = None  # what the cell holds, as it may be echoed (escaped)
    typed: bool = False  # a number typed as a constant, not a formula's result

    @property
    def blank(self) -> bool:
        return self.reason == "blank"

    @property
    def precision(self) -> Precision | None:
        """A typed number's precision; None for a formula's result (15 digits: exact as far as
        a student's rounding goes) and for anything that is not a number. Worked out when
        asked: only answer cells need it."""
        return precision_of(self.shown) if self.typed and self.shown else None


BLANK = Reading(None, "blank")
# ASCII digits only: Python's \d also matches full-width and other scripts' digits.
# Each unambiguous, so that a match runs in time linear in the text: "[0-9]+\.?[0-9]*" could
# split a run of digits in n ways, and 32,000 digits then an x took a minute to refuse.
PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
COMMA_NUMBER = re.compile(r"[+-]?([0-9]{1,3}(\.[0-9]{3})*|[0-9]+),[0-9]+([eE][+-]?[0-9]+)?")


def read(cell: Cell) -> Reading:
    if cell.kind == "number":
        if cell.date:
            return Reading(None, "date", escape(_number_text(cell.number)))
        if cell.formula:
            return Reading(cell.number)  # shown formatted from its value
        # The saved text: digits and signs only, nothing to escape.
        return Reading(cell.number, None, typed_text(cell.text or _number_text(cell.number), cell.number), True)
    if cell.kind == "blank":
        return BLANK
    if cell.kind == "no_result":
        return Reading(None, "no_result", escape("=" + (cell.formula or "")))
    if cell.kind == "error":
        return Reading(None, "error", escape(cell.text or "#?"))
    if cell.kind == "bool":
        return Reading(None, "bool", "TRUE" if cell.number else "FALSE")
    text = cell.text or ""
    stripped = text.strip()
    if stripped == "":
        return BLANK
    if COMMA_NUMBER.fullmatch(stripped):
        return Reading(None, "decimal_comma", escape(text))
    if PLAIN_NUMBER.fullmatch(stripped):
        return Reading(None, "number_as_text", escape(text))
    folded = unicodedata.normalize("NFKC", stripped).replace("_", "")
    if folded.lower() in ("nan", "inf", "-inf", "+inf", "infinity") or PLAIN_NUMBER.fullmatch(folded):
        return Reading(None, "lookalike", escape(text))
    return Reading(None, "text", escape(text))


def _number_text(x: float) -> str:
    return repr(float(x))


# Beyond this many significant digits a saved number is binary noise (Excel writes 0.3 as
# 0.29999999999999999), not something a person typed.
_TYPED_DIGITS = 15
_NUMBER_CHARS = frozenset("0123456789.+-eE")


def typed_text(saved: str, number: float) -> str:
    """What the person typed, as far as the file tells: its saved text, without binary noise."""
    text = saved.strip()
    if text and _NUMBER_CHARS.issuperset(text) and text.count(".") <= 1 and text.upper().count("E") <= 1 and \
            len(text.upper().partition("E")[0].lstrip("+-").replace(".", "").lstrip("0")) <= _TYPED_DIGITS:
        return text
    return f"{number:.{_TYPED_DIGITS}g}"


def precision_of(typed: str) -> Precision:
    """The precision of a typed number's text (from typed_text). A file keeps no trailing
    zeros (0.130 typed is saved as 0.13); grading knows that."""
    mantissa, _, exponent = typed.upper().partition("E")
    whole, _, fraction = mantissa.lstrip("+-").partition(".")
    significant = (whole + fraction).lstrip("0")
    try:
        shift = int(exponent or 0)
    except ValueError:  # not from typed_text
        shift = 0
    # Clamped: a saved 0E+400 is zero, and 10.0 ** 400 would overflow.
    return Precision(max(len(significant), 1), max(-300, min(300, len(fraction) - shift)))
