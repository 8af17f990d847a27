"""The gradebook as a workbook for people: one sheet for the class, one for what it gets wrong.

A workbook, not a CSV, so that Excel and LibreOffice open it with no import dialog (no
encoding or separator to guess), with the header frozen and each verdict in its colour.
Every text a student wrote (id, name, file name) is written as a plain string cell, never
a formula, whatever it starts with.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .classroom import summarize
from .feedback import FILLS
from .text import Text, text

MAX_CELL_TEXT = 32_767  # Excel's limit for one cell's text
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
CENTER = Alignment(horizontal="center")
VERDICTS = tuple(FILLS)


def plain(ws, row: int, col: int, value) -> None:
    """A cell holding exactly this text, shown as written: a string, never a formula. Characters
    XML cannot carry are shown as \\xNN rather than refused."""
    if value is None or value == "":
        return
    value = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))[:MAX_CELL_TEXT]
    cell = ws.cell(row, col)
    cell.value = value
    cell.data_type = "s"


def write_xlsx(ids: list[str], rows: list, path: Path, lang: str | None = None, summary: dict | None = None) -> None:
    t = text(lang or next((r.lang for r in rows if r.result is not None and r.result.grade is not None), "en"))
    results = [r.result for r in rows if r.result is not None]
    summary = summary if summary is not None else summarize(results)
    symbols = next((r.result.submission.graph.symbols for r in rows
                    if r.result is not None and r.result.submission is not None), {})
    wb = Workbook()
    _grades(wb.active, t, ids, rows, symbols)
    _summary(wb.create_sheet(t("gradebook.summary_sheet")), t, summary, rows, symbols)
    wb.save(path)


def _grades(ws, t: Text, ids: list[str], rows: list, symbols: dict) -> None:
    ws.title = t("gradebook.grades_sheet")
    header = [t(f"gradebook.{k}") for k in ("student_id", "name", "file", "score", "max_score", "first_wrong",
                                              "error", "flags")]
    fixed = len(header)
    for col, name in enumerate(header + ids, start=1):
        c = ws.cell(1, col, name)
        c.font, c.fill = BOLD, HEADER_FILL
        c.alignment = Alignment(text_rotation=90, horizontal="center", vertical="bottom") if col > fixed \
            else Alignment(vertical="bottom", wrap_text=True)
    for n, row in enumerate(rows, start=2):
        plain(ws, n, 1, row.student_id)
        plain(ws, n, 2, row.name)
        plain(ws, n, 3, Path(row.file).name)
        if row.score is not None:
            ws.cell(n, 4, row.score)
            ws.cell(n, 5, row.max_score)
        plain(ws, n, 6, symbols.get(row.first_wrong, row.first_wrong) if row.first_wrong else "")
        plain(ws, n, 7, row.error)
        plain(ws, n, 8, row.flags)
        for col, qid in enumerate(ids, start=fixed + 1):
            if qid not in row.verdicts:
                continue
            verdict, mistake = row.verdicts[qid]
            c = ws.cell(n, col, t(f"report.verdicts.{verdict}") + (f" {mistake}" if mistake else ""))
            c.fill = PatternFill("solid", fgColor=FILLS[verdict])
    for col, width in enumerate([14, 24, 28, 8, 8, 14, 30, 24], start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for col in range(fixed + 1, fixed + len(ids) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 12
    ws.row_dimensions[1].height = 80
    # The header row and who the row is (id, name, file: without a roster only the file says it)
    # stay in view while scrolling either way.
    ws.freeze_panes = "D2"
    ws.auto_filter.ref = f"A1:{get_column_letter(fixed + len(ids))}{len(rows) + 1}"
    # Printed, a class runs over several pages: each repeats the header and who the row is.
    ws.print_title_rows = "1:1"
    ws.print_title_cols = "A:C"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.scale = 75


def _summary(ws, t: Text, summary: dict, rows: list, symbols: dict) -> None:
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 52
    for col in range(3, 3 + len(VERDICTS)):  # the list of a mistake's students runs on to the right
        ws.column_dimensions[get_column_letter(col)].width = 13
    ws.cell(1, 1, t("gradebook.summary_title")).font = Font(bold=True, size=14)
    ws.cell(2, 1, t("batch.class_title", files=summary["files"], checked=summary["checked"],
                    unchecked=summary["unchecked"]))
    r = 3
    if summary.get("attempts", summary["checked"]) and summary["mean_score"] is not None:
        # Over the real attempts only (classroom.summarize counts blank, forged and copied files apart).
        ws.cell(r, 1, t("batch.mean", mean=f"{summary['mean_score']:g}", max=summary["max_score"],
                        all_correct=summary["all_correct"], checked=summary.get("attempts", summary["checked"])))
    r += 2

    ws.cell(r, 1, t("feedback.legend")).font = BOLD
    for verdict in VERDICTS:
        r += 1
        c = ws.cell(r, 1, t(f"report.verdicts.{verdict}"))
        c.fill = PatternFill("solid", fgColor=FILLS[verdict])
        ws.cell(r, 2, t(f"legend.{verdict}"))
    r += 2

    ws.cell(r, 1, t("gradebook.mistakes_title")).font = BOLD
    r += 1
    for col, key in enumerate(("mistake_code", "mistake_text", "mistake_students", "mistake_who"), start=1):
        c = ws.cell(r, col, t(f"gradebook.{key}"))
        c.font, c.fill = BOLD, HEADER_FILL
    who = _who_made(rows)
    for m in summary["mistakes"]:
        r += 1
        ws.cell(r, 1, m["code"])
        ws.cell(r, 2, t(f"mistakes_short.{m['code']}"))
        students = m["students"]
        ws.cell(r, 3, students if isinstance(students, int) else len(students)).alignment = CENTER
        plain(ws, r, 4, ", ".join(m.get("who") or who.get(m["code"], [])))
    if not summary["mistakes"]:
        r += 1
        ws.cell(r, 1, t("gradebook.no_mistakes"))
    r += 2

    ws.cell(r, 1, t("gradebook.cells_title")).font = BOLD
    r += 1
    heads = [t("gradebook.quantity"), t("gradebook.symbol")] + [t(f"report.verdicts.{v}") for v in VERDICTS]
    for col, name in enumerate(heads, start=1):
        c = ws.cell(r, col, name)
        c.font = BOLD
        c.fill = PatternFill("solid", fgColor=FILLS[VERDICTS[col - 3]]) if col > 2 else HEADER_FILL
    for qid, counts in summary["cells"].items():
        r += 1
        ws.cell(r, 1, qid)
        ws.cell(r, 2, symbols.get(qid, qid))
        for col, verdict in enumerate(VERDICTS, start=3):
            ws.cell(r, col, counts.get(verdict, 0)).alignment = CENTER
    r += 2

    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _who_made(rows: list) -> dict[str, list[str]]:
    """Each mistake's students, by id (or file name when the workbook carries no id)."""
    who: dict[str, list[str]] = {}
    for row in rows:
        for code in sorted({m for _, m in row.verdicts.values() if m}):
            who.setdefault(code, []).append(row.student_id or Path(row.file).name)
    return who
