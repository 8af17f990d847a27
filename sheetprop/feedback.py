"""The student's own workbook handed back: each answer cell coloured by its verdict, with a
comment saying why, and a summary sheet. Written to a new file; the input is never touched."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from .check import FileResult
from .report import fmt_number, lang_of, reason_text, summary_lines, what_text
from .text import text

FILLS = {
    "correct": "C6EFCE",
    "carried": "DDEBF7",
    "misconception": "E4DFEC",
    "wrong": "FFC7CE",
    "blank": "EDEDED",
    "unreadable": "FFEB9C",
}


class FeedbackError(ValueError):
    pass


def write_feedback(result: FileResult, out: Path, lang: str | None = None, show_answers: bool = False) -> Path:
    if result.error is not None or result.submission is None:
        raise FeedbackError(f"{result.path} could not be checked, so it has no feedback")
    out = Path(out)
    if out.exists() and out.resolve() == Path(result.path).resolve():
        raise FeedbackError("the feedback would overwrite the student's file; choose another name")
    t = text(lang_of(result, lang))
    sub, grade = result.submission, result.grade
    _refuse_unusual(sub)
    # The bytes intake already vetted (zip limits, size); openpyxl parses them through defusedxml.
    wb = openpyxl.load_workbook(io.BytesIO(sub.data), keep_links=False, keep_vba=False)
    for cell in grade.cells:
        sheet, coord = sub.cells[cell.id].split("!")
        if sheet not in wb.sheetnames:
            continue
        target = wb[sheet][coord]
        target.fill = PatternFill("solid", fgColor=FILLS[cell.verdict])
        target.comment = Comment(_comment(t, cell, show_answers), "sheetprop", width=320, height=110)

    summary = wb.create_sheet(t("sheet.summary_sheet_name"), 0)
    summary.column_dimensions["A"].width = 22
    summary.column_dimensions["B"].width = 20
    summary.column_dimensions["C"].width = 18
    summary.column_dimensions["D"].width = 90
    summary["A1"] = t("feedback.summary_title")
    summary["A1"].font = Font(bold=True, size=14)
    summary["A3"], summary["B3"] = t("feedback.file"), Path(result.path).name
    summary["A4"] = t("feedback.exercise")
    summary["B4"] = ", ".join(f"{k} {v}" for k, v in sub.meta.origin.items())
    row = 6
    for line in summary_lines(result, t):
        summary.cell(row, 1, line)
        row += 1
    row += 1
    summary.cell(row, 1, t("feedback.legend")).font = Font(bold=True)
    for verdict, colour in FILLS.items():
        row += 1
        c = summary.cell(row, 1, t(f"report.verdicts.{verdict}"))
        c.fill = PatternFill("solid", fgColor=colour)
    row += 2
    summary.cell(row, 1, t("feedback.cells")).font = Font(bold=True)
    for cell in grade.cells:
        row += 1
        summary.cell(row, 1, sub.graph.symbols[cell.id])
        summary.cell(row, 2, cell.id)
        verdict = summary.cell(row, 3, t(f"report.verdicts.{cell.verdict}") + (f" {cell.mistake}" if cell.mistake
                                                                               else ""))
        verdict.fill = PatternFill("solid", fgColor=FILLS[cell.verdict])
        summary.cell(row, 4, _comment(t, cell, show_answers).replace("\n", "  "))
    wb.active = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


# openpyxl makes an object for every cell of a merged range and every cell up to the
# sheet's extent: a workbook beyond these is not one a spreadsheet program saved from
# the exercise, and annotating it could take minutes and gigabytes.
MAX_MERGE_CELLS = 10_000


def _refuse_unusual(sub) -> None:
    import zipfile

    from .xlsx import Xlsx

    book = Xlsx(zipfile.ZipFile(io.BytesIO(sub.data)))
    for sheet in book.sheets:
        if book.largest_merge(sheet) > MAX_MERGE_CELLS:
            raise FeedbackError("it has a merged range too large to annotate safely")


def _comment(t, cell, show_answers: bool) -> str:
    head = t(f"report.verdicts.{cell.verdict}")
    if cell.verdict == "correct":
        body = t("feedback.correct_comment")
    elif cell.verdict == "carried":
        body = t("feedback.carried_comment")
    elif cell.verdict == "unreadable":
        body = reason_text(t, cell.reason, cell.shown)
    elif cell.verdict == "misconception":
        body = t(f"mistakes.{cell.mistake}") + f" [{cell.mistake}]"
    elif cell.verdict == "wrong":
        body = what_text(t, cell) + " " + t("feedback.wrong_comment")
    else:
        body = what_text(t, cell)
    text_ = f"{head}: {body}"
    if show_answers and cell.verdict != "correct":
        text_ += "\n" + t("feedback.expected", value=fmt_number(cell.expected))
    return text_
