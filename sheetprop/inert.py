"""Making a student's text inert before it reaches a teacher's spreadsheet, terminal or program.

Anything a student wrote (their id and name in the metadata, a file name, a cell's text)
is data, never a formula, a control sequence or an encoding error, wherever sheetprop
writes it: CSV (csv_cell), a workbook cell (sheet_text), a terminal (terminal) and JSON
(json_text).
"""

from __future__ import annotations

import json
import math
import re

# OWASP's rule for CSV injection: a cell that starts with one of these is read as a formula
# (or a DDE command) by Excel, LibreOffice and Google Sheets. A leading apostrophe makes the
# spreadsheet show the text as it is.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value) -> str:
    """A value as a CSV cell a spreadsheet will show as text: numbers as they are, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:g}" if isinstance(value, float) else str(value)
    # Control characters (a CSV printed to a terminal is a terminal's input), bidi overrides
    # and lone surrogates (a cell's _xD800_, which cannot be encoded) are shown as \uXXXX.
    text = _TERMINAL_UNSAFE.sub(lambda m: _escaped(m.group()), str(value))
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def from_csv_cell(text: str) -> str:
    """csv_cell undone, for a CSV sheetprop reads back (the roster's manifest)."""
    return text[1:] if text[:1] == "'" and text[1:2] and text[1:].startswith(_FORMULA_STARTS) else text


def _escaped(ch: str) -> str:
    return f"\\u{ord(ch):04x}"


# Characters that could rewrite or reorder a terminal line (C0 and C1 controls: ESC starts
# CSI and OSC sequences, OSC 52 sets the clipboard, CR returns over what was printed; 0x9B
# is a one-byte CSI), bidi overrides and isolates, line and paragraph separators, and lone
# surrogates (which cannot be encoded at all).
_TERMINAL_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def terminal(text, limit: int = 40) -> str:
    """Text as it may be echoed to a terminal: every unsafe character shown as \\uXXXX, cut at limit."""
    out = _TERMINAL_UNSAFE.sub(lambda m: _escaped(m.group()), str(text))
    return out if len(out) <= limit else out[: limit - 1] + "…"


# What XML 1.0 cannot hold (openpyxl refuses it when saving) and lone surrogates.
_SHEET_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def sheet_text(value) -> str:
    """Text for a workbook cell written as a string (never a formula: see feedback.py)."""
    return _SHEET_UNSAFE.sub(lambda m: _escaped(m.group()), str(value))


# Outside JSON's own escapes (json.dumps escapes C0 controls): characters a terminal acts on
# if the document is printed, and lone surrogates, which make the document unencodable.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _finite(value):
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def json_text(doc, indent: int | None = None) -> str:
    """Strict JSON: a number JSON cannot hold (NaN, ±Infinity: a given of 1e308 overflows) is
    null, and the characters above are \\u escapes (json.dumps leaves them raw with
    ensure_ascii=False; they occur only inside strings, so escaping them keeps the text valid)."""
    try:
        text = json.dumps(doc, ensure_ascii=False, indent=indent, allow_nan=False)
    except ValueError:  # rare: only then walk the document
        text = json.dumps(_finite(doc), ensure_ascii=False, indent=indent, allow_nan=False)
    return _JSON_UNSAFE.sub(lambda m: _escaped(m.group()), text) if _JSON_UNSAFE.search(text) else text
