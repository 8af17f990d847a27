"""Where everything goes on the sheet: one row per quantity, in sections, top to bottom.

Exercise and solution share one layout, so a quantity has the same address in
both; the address is also recorded in the metadata, for the day a student
deletes a defined name.
"""

from __future__ import annotations

from typing import NamedTuple

from .graph import SECTIONS, Graph
from .text import Text

# The drawings of one step: one row per quantity (here), Tom Yeh's staircase of matrices (byhand.py).
LAYOUTS = ("rows", "byhand")

COLUMNS = {"symbol": "A", "id": "B", "value": "C", "hint": "D"}
COLUMN_NUMBERS = {name: ord(letter) - 64 for name, letter in COLUMNS.items()}
# In character widths; together they fit an A4 page in portrait (paper.py wraps the rules).
WIDTHS = {"A": 18, "B": 15, "C": 17, "D": 58}


class Row(NamedTuple):
    number: int
    kind: str  # title, variant, instruction, header, section, quantity
    key: str = ""  # the section name, the quantity id, or the instruction's index


class Layout(NamedTuple):
    sheet: str
    rows: tuple[Row, ...]
    cell_of: dict  # quantity id -> "C12"

    def address(self, qid: str) -> str:
        return f"'{self.sheet}'!${COLUMNS['value']}${self.cell_of[qid][1:]}"


def lay_out(graph: Graph, text: Text) -> Layout:
    rows: list[Row] = []
    n = 0

    def add(kind, key=""):
        nonlocal n
        n += 1
        rows.append(Row(n, kind, key))

    add("title")
    add("variant")
    n += 1
    # The same height for exercise and solution instructions keeps both sheets' addresses equal.
    height = max(len(text.lines("instructions.exercise")), len(text.lines("instructions.solution")))
    for i in range(height):
        add("instruction", str(i))
    n += 1
    add("header")
    cell_of = {}
    for section in SECTIONS:
        members = [q for q in graph if q.section == section]
        if not members:
            continue
        add("section", section)
        for q in members:
            add("quantity", q.id)
            cell_of[q.id] = f"{COLUMNS['value']}{n}"
        n += 1
    return Layout(text("sheet.sheet_name"), tuple(rows), cell_of)
