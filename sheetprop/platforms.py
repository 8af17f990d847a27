"""The CSV files course platforms import as grades: every rule of their formats in this one place.

Moodle, "Import grades from CSV" (docs.moodle.org/en/Grade_import, "CSV import"): the first
row is a header; one column identifies the user and is mapped at import to a user field
(ID number, email address or username); each further column is mapped to a grade item;
a column may be mapped to a grade item's feedback. Moodle reads UTF-8 and a comma separator
(both chosen on the import page), numbers with a decimal point; a blank grade is left as it is.

Canvas, "How do I import grades in the Gradebook?" (community.canvaslms.com, Canvas
Instructor Guide): the columns are `Student`, `ID`, `SIS User ID`, `SIS Login ID`, `Section`,
then one column per assignment named `Assignment Name (assignment id)`; a second row whose
first cell is `Points Possible` may give each assignment's points. Canvas matches a row to a
student by ID, SIS User ID or SIS Login ID; a column without an assignment id becomes a new
assignment. UTF-8, comma separated, decimal points; a blank score is left as it is.

Both files are written without a byte-order mark (what the platforms export and expect);
the people's CSV (gradebook.py) has one for Excel. A workbook that could not be checked, or
was not handed in, gets a blank score, so an import never overwrites a grade with 0 by
accident. Every text a student wrote goes through inert.csv_cell.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .inert import csv_cell
from .text import text

MOODLE_ID_NUMBER = "ID number"
MOODLE_EMAIL = "Email address"
CANVAS_FIXED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_ROW = "Points Possible"


def _score(row) -> str:
    return "" if row.score is None else f"{row.score:g}"


def _feedback(row, lang: str | None) -> str:
    """One line the student reads beside the grade: where to start, or that it is all correct."""
    from .report import _label, what_text

    if row.result is None or row.result.grade is None:
        return row.error
    t = text(lang or row.lang)
    g, sub = row.result.grade, row.result.submission
    first = g.first_wrong
    if first is None:
        return t("report.all_correct")
    return t("report.start_here", label=_label(sub.graph.symbols, first.id), what=what_text(t, first))


def write_moodle(rows, path: Path, lang: str | None = None, assignment: str = "sheetprop") -> None:
    """Moodle: the user's identifier, their name (not mapped, for the teacher's eye), the grade,
    and its feedback. The identifier column is named for what the roster's ids are: emails when
    every id is one, else ID numbers (a username works too: choose it at import)."""
    ids = [r.student_id for r in rows if r.student_id]
    id_column = MOODLE_EMAIL if ids and all("@" in i for i in ids) else MOODLE_ID_NUMBER
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow([id_column, "Full name", csv_cell(assignment), f"{csv_cell(assignment)} (feedback)"])
        for row in rows:
            if not row.student_id:
                continue  # nobody to give the grade to; the people's gradebook lists the file
            w.writerow([csv_cell(row.student_id), csv_cell(row.name), _score(row), csv_cell(_feedback(row, lang))])


def canvas_assignment(assignment: str) -> str:
    """`Name (id)` as the teacher gave it (an existing Canvas assignment), else the bare name,
    which Canvas imports as a new assignment."""
    return assignment.strip() or "sheetprop"


def write_canvas(rows, path: Path, lang: str | None = None, assignment: str = "sheetprop") -> None:
    """Canvas: the roster id goes in `SIS User ID` (a student number, as a registrar's roster
    has it); `ID` is Canvas's own user number, which sheetprop does not know, so it is left blank."""
    column = csv_cell(canvas_assignment(assignment))
    max_score = max((r.max_score for r in rows if r.max_score is not None), default="")
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(CANVAS_FIXED + [column])
        w.writerow([CANVAS_POINTS_ROW, "", "", "", "", max_score])
        for row in rows:
            if not row.student_id:
                continue
            w.writerow([csv_cell(row.name or row.student_id), "", csv_cell(row.student_id), "", "", _score(row)])


WRITERS = {"moodle": write_moodle, "canvas": write_canvas}
