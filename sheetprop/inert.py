"""Making a student's text inert before it reaches a teacher's spreadsheet or terminal.

Anything a student wrote (their id and name in the metadata, a file name, a cell's text)
is data, never a formula or a control sequence, wherever sheetprop writes it.
"""

from __future__ import annotations

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
    text = str(value)
    # Lone surrogates (a cell's _xD800_) cannot be encoded: show them, do not crash on them.
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text
