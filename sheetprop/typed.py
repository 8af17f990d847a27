"""What people really type, and how to tell them: a point read as a thousands separator
(in a Portuguese spreadsheet 0.380 is stored as 380), a number with a stray character
('0,5 typed into a cell formatted as text keeps its apostrophe), and numbers and error
values shown the way the student's spreadsheet showed them."""

from __future__ import annotations

import math
import re

# A saved number read from a cell is at most this far off by a power of ten to be called
# a misplaced point (beyond, a coincidence is as likely).
MAX_SHIFT = 9
# Characters that slip into a number: apostrophes and quotes (a leading ' keeps text as
# text), a backtick, spaces a keyboard or a copy from a web page brings.
STRAY = "'\u2018\u2019\u00b4`\"\u201c\u201d\u00a0\u2009\u202f "
# Each part unambiguous, so that a match runs in time linear in the text (values.PLAIN_NUMBER).
_NUMBER = re.compile(r"[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)")


def misplaced_point(x: float, target: float, half: float, slack: float) -> int | None:
    """k when x is target times 10**k (k != 0) within the student's rounding: half a unit of
    x's last digit (scaled with it) plus slack (the rule's own tolerance)."""
    if x == 0 or target == 0 or not (math.isfinite(x) and math.isfinite(target)):
        return None
    k = round(math.log10(abs(x)) - math.log10(abs(target)))  # x / target could overflow
    if k == 0 or abs(k) > MAX_SHIFT:
        return None
    return k if abs(x / 10.0 ** k - target) <= half / 10.0 ** k + slack else None


def reason_for_shift(k: int) -> str:
    return "thousands_separator" if k > 0 and k % 3 == 0 else "power_of_ten"


def stray_character(shown: str | None) -> str | None:
    """The one stray character that keeps this text from being a number, if that is all."""
    if not shown:
        return None
    strays = [ch for ch in shown if ch in STRAY]
    if len(set(strays)) != 1:
        return None
    rest = shown.replace(strays[0], "")
    return strays[0] if _NUMBER.fullmatch(rest) else None


def number_text(text: str, lang: str) -> str:
    """A number's text as the student's spreadsheet shows it: a decimal comma in Portuguese."""
    return text.replace(".", ",") if lang == "pt-BR" else text


def error_text(shown: str, names: dict) -> str:
    """An error value in the student's language, where the templates name it (#NOME? for #NAME?)."""
    return names.get(shown, shown)
