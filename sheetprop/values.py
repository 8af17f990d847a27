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


class Reading(NamedTuple):
    number: float | None  # None unless the cell holds a usable number
    reason: str | None = None  # why not: blank, text, decimal_comma, number_as_text, lookalike, date, bool,
    #                            error, no_result
    shown: str | None = None  # what the cell holds, as it may be echoed (escaped)

    @property
    def blank(self) -> bool:
        return self.reason == "blank"


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
        return Reading(cell.number)  # a number is shown formatted from its value
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


