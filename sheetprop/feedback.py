"""The student's work handed back: the exercise, built fresh, with the student's values in it,
each answer cell coloured by its verdict with a comment saying why, and a summary sheet.

Built from the exercise's own layout (write.py), never from the student's file: nothing
the student's workbook carries (formulas such as WEBSERVICE or DDE, hyperlinks, defined
names like Auto_Open, recalculation on load, a sheet of millions of cells) can reach the
teacher's spreadsheet, and the work is the same small workbook whatever was handed in.
Every value the student typed goes in as a plain number or as text, never as a formula.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from .check import FileResult, TimeUp, deadline
from .inert import sheet_text
from .layout import lay_out
from .outputs import replace_with
from .grading import TOO_FEW_DIGITS
from .report import fmt_number, lang_of, reason_text, summary_lines, verdict_text, what_text
from .sources import from_description
from .text import origin_text, text
from .typed import number_text
from .write import build

# No colour shared with another verdict, nor with the exercise's blue givens and yellow answers.
FILLS = {
    "correct": "C6EFCE",
    "carried": "A6E3E0",
    "misconception": "C9B3E6",
    "wrong": "FFC7CE",
    "blank": "D9D9D9",
    "unreadable": "F8CBAD",
    TOO_FEW_DIGITS: "DDD9C4",
}
# Building the workbook takes well under a second; this is the same backstop as reading.
TIME_LIMIT = 60.0


class FeedbackError(ValueError):
    pass


def write_feedback(result: FileResult, out: Path, lang: str | None = None, show_answers: bool = False,
                   time_limit: float = TIME_LIMIT) -> Path:
    if result.error is not None or result.submission is None:
        raise FeedbackError(f"{result.path} could not be checked, so it has no feedback")
    out = Path(out)
    if out.exists() and out.resolve() == Path(result.path).resolve():
        raise FeedbackError("the feedback would overwrite the student's file; choose another name")
    try:
        with deadline(time_limit):
            wb = _workbook(result, text(lang_of(result, lang)), show_answers)
            _save(wb, out)
    except TimeUp:
        raise FeedbackError(f"took longer than {time_limit:g} s to write") from None
    return out


def _workbook(result: FileResult, t, show_answers: bool):
    sub, grade = result.submission, result.grade
    meta = sub.meta
    givens = sub.givens or from_description(meta["exercise"], meta["origin"])
    # The origin is shown on the sheet (the student's id and name): as inert text.
    givens = givens.with_values(origin={str(k): sheet_text(v) for k, v in givens.origin.items()})
    wb = build(givens, "exercise", t.lang)
    wb.custom_doc_props.props = []  # not an exercise to fill in: no sheetprop metadata
    wb.calculation.fullCalcOnLoad = False  # nothing to compute: plain values only
    ws = wb.active
    where = lay_out(sub.graph, t).cell_of
    for cell in grade.cells:
        target = ws[where[cell.id]]
        if cell.value is not None:
            target.value = cell.value
        elif cell.shown:
            _put_text(target, cell.shown)
        target.fill = PatternFill("solid", fgColor=FILLS[cell.verdict])
        target.comment = Comment(sheet_text(_comment(t, cell, show_answers, grade)), "sheetprop", width=320,
                                 height=110)
    for change in grade.changed_givens:
        target = ws[where[change.id]]
        if change.value is not None:
            target.value = change.value
        else:
            _put_text(target, change.shown or "")
        target.fill = PatternFill("solid", fgColor=FILLS["wrong"])
        target.comment = Comment(sheet_text(t("feedback_given.changed", value=fmt_number(change.expected, t.lang))),
                                 "sheetprop", width=320, height=60)

    summary = wb.create_sheet(t("sheet.summary_sheet_name"), 0)
    # Printed on A4, as wide as the page: the long lines are the comments the student reads.
    summary.page_setup.paperSize = summary.PAPERSIZE_A4
    summary.sheet_properties.pageSetUpPr.fitToPage = True
    summary.page_setup.fitToWidth, summary.page_setup.fitToHeight = 1, 0
    for col, width in (("A", 22), ("B", 20), ("C", 18), ("D", 90)):
        summary.column_dimensions[col].width = width
    _put_text(summary["A1"], t("feedback.summary_title")).font = Font(bold=True, size=14)
    _put_text(summary["A3"], t("feedback.file"))
    _put_text(summary["B3"], Path(result.path).name)
    _put_text(summary["A4"], t("feedback.exercise"))
    _put_text(summary["B4"], origin_text(t, meta.get("origin", {})))
    row = 6
    for line in summary_lines(result, t):
        _put_text(summary.cell(row, 1), line)
        row += 1
    row += 1
    _put_text(summary.cell(row, 1), t("feedback.legend")).font = Font(bold=True)
    for verdict, colour in FILLS.items():
        row += 1
        _put_text(summary.cell(row, 1), verdict_text(t, verdict)).fill = PatternFill("solid", fgColor=colour)
        _put_text(summary.cell(row, 2), t(f"legend.{verdict}"))
    row += 2
    _put_text(summary.cell(row, 1), t("feedback.cells")).font = Font(bold=True)
    for cell in grade.cells:
        row += 1
        _put_text(summary.cell(row, 1), sub.graph.symbols[cell.id])
        _put_text(summary.cell(row, 2), cell.id)
        verdict = _put_text(summary.cell(row, 3), verdict_text(t, cell.verdict)
                            + (f" {cell.mistake}" if cell.mistake else ""))
        verdict.fill = PatternFill("solid", fgColor=FILLS[cell.verdict])
        _put_text(summary.cell(row, 4), _comment(t, cell, show_answers, grade).replace("\n", "  "))
    wb.active = 0
    return wb


def _put_text(cell, value):
    """Text as text: openpyxl would store '=...' as a formula; the string type keeps it inert."""
    cell.value = sheet_text(value)
    cell.data_type = "s"
    return cell


def _save(wb, out: Path) -> None:
    replace_with(out, wb.save)


def _comment(t, cell, show_answers: bool, grade) -> str:
    head = verdict_text(t, cell.verdict)
    if cell.verdict == "correct" and cell.digits is not None:
        body = t("precision.correct_comment", shown=number_text(cell.shown or "", t.lang))
    elif cell.verdict == "correct":
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
        body = what_text(t, cell, grade.min_digits)
    text_ = f"{head}: {body}"
    if show_answers and cell.verdict != "correct":
        text_ += "\n" + t("feedback.expected", value=fmt_number(cell.expected, t.lang))
    return text_
