"""The exercise and its solution on paper: A4 portrait, fit to the page width, the title and
the column headings on every page, every rule wrapped rather than cut, and room to write
the answers by hand; and PDFs of both, printed by LibreOffice where it is installed.

Row heights are set here rather than left to the spreadsheet: a row with its own height
keeps the room to write in, and LibreOffice and Excel differ in when they fit a row to
wrapped text. The heights are estimated from each text's length in the column's width.
"""

from __future__ import annotations

import math
from pathlib import Path

from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from .layout import COLUMN_NUMBERS, COLUMNS, WIDTHS, Layout

LINE = 15.0  # points per line of 11-point text
ANSWER_ROOM = 30.0  # points: about 10 mm, room to write a number by hand
MARGIN = 0.5  # inches, left and right (the top and bottom keep room for the page header and footer)
# A character of proportional text takes about this much of a column-width unit (the width
# of a digit); below 1 to err on the side of one line too many rather than text cut.
CHAR = 0.95
WRAP = Alignment(wrap_text=True, vertical="center")
WRAP_TOP = Alignment(wrap_text=True, vertical="top")


def lines_needed(text: str | None, width: float, scale: float = 1.0) -> int:
    """How many lines `text` takes wrapped in a column `width` units wide (font size × scale)."""
    if not text:
        return 1
    per_line = max(1, int(width / (CHAR * scale)))
    return sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))


def set_up_pages(ws: Worksheet, layout: Layout) -> None:
    """Page setup and wrapping; the same for the exercise and the solution (one layout)."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages as it takes, down
    ws.page_margins.left = ws.page_margins.right = MARGIN
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "&P / &N"
    last = COLUMNS["hint"]
    for row in layout.rows:
        r = row.number
        if row.kind == "header":
            ws.print_title_rows = f"{r}:{r}"  # the column headings on every page
        elif row.kind in ("title", "instruction"):
            # Long lines span the page and wrap instead of running off its edge.
            ws.merge_cells(f"A{r}:{last}{r}")
            ws.cell(r, 1).alignment = WRAP_TOP
        elif row.kind == "quantity":
            for col in COLUMN_NUMBERS.values():
                ws.cell(r, col).alignment = WRAP
    fit_rows(ws, layout)


def fit_rows(ws: Worksheet, layout: Layout) -> None:
    """Row heights for the texts now in the sheet: room to write in an empty answer cell, one
    line for a filled one (the solution); run again once the solution's texts are in."""
    full_width = sum(WIDTHS.values())
    hint_width = WIDTHS[COLUMNS["hint"]]
    for row in layout.rows:
        r = row.number
        if row.kind == "title":
            ws.row_dimensions[r].height = 20.0 * lines_needed(ws.cell(r, 1).value, full_width, 1.3)
        elif row.kind == "instruction":
            line = ws.cell(r, 1).value  # the solution has fewer lines than the rows kept for them
            ws.row_dimensions[r].height = LINE * lines_needed(line, full_width) if line else 4.0
        elif row.kind == "quantity":
            hint = ws.cell(r, COLUMN_NUMBERS["hint"]).value
            filled = ws.cell(r, COLUMN_NUMBERS["value"]).value is not None
            room = LINE + 4 if filled else ANSWER_ROOM
            ws.row_dimensions[r].height = max(room, LINE * lines_needed(hint, hint_width) + 4)


def set_page_title(ws: Worksheet, title: str) -> None:
    """The workbook's title at the top of every printed page."""
    ws.oddHeader.center.text = title.replace("&", "&&")
    ws.oddHeader.center.size = 9


def write_pdfs(workbooks, lang: str = "en", timeout: float = 300) -> list[Path]:
    """A PDF beside each workbook, printed by LibreOffice (which also computes the solution's
    formulas, so its numbers are on the page), with the numbers in the language's format."""
    from . import libreoffice

    workbooks = [Path(w) for w in workbooks]
    by_folder: dict[Path, list[Path]] = {}
    for w in workbooks:
        by_folder.setdefault(w.parent, []).append(w)
    for folder, books in by_folder.items():
        libreoffice.convert(books, folder, "pdf", timeout, locale="pt-BR" if lang == "pt-BR" else "en-US")
    return [w.with_suffix(".pdf") for w in workbooks]
