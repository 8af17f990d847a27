"""The verdicts a cell can get: one enumeration, used by grading and by every report.

A StrEnum, so a verdict is also its plain name ("correct") wherever it is written out:
JSON, CSV, the terminal, a platform's import file.
"""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    CORRECT = "correct"  # matches the numpy reference within tolerance
    CARRIED = "carried"  # the right rule on the student's own inputs (follow-through)
    MISCONCEPTION = "misconception"  # exactly one catalogued mistake on the student's own inputs
    WRONG = "wrong"  # none of these
    BLANK = "blank"
    UNREADABLE = "unreadable"  # text, a date, an error value, a formula without its result
    TOO_FEW_DIGITS = "too_few_digits"  # fewer significant digits than the exercise asks for: nothing earned


# Verdicts that follow a right rule: they earn credit, and a cell with one is no place to start fixing.
FOLLOWS_A_RIGHT_RULE = frozenset({Verdict.CORRECT, Verdict.CARRIED})
