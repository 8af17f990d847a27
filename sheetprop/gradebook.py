"""The gradebook: one row per checked workbook, written in the form a teacher asks for.

The rows are built once (`table`); each form writes the same rows: the CSV a person opens
(`.csv`), a workbook for people (`.xlsx`, gradebook_xlsx.py), or the CSV a course platform
imports (`--gradebook-format moodle|canvas`, platforms.py).

The people's CSV is UTF-8 with a byte-order mark: Excel needs it to read accents in a CSV.
LibreOffice ignores the mark and guesses the character set (headless, it guessed Western
European here); the .xlsx gradebook is the one that opens right everywhere. Decimal points,
comma separators.
Every text a student wrote (their id, name, file name) goes through inert.csv_cell.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from .check import FileResult
from .classroom import student_id, student_name
from .inert import csv_cell
from .outputs import replace_with

FIXED = ["student_id", "name", "file", "score", "max_score", "first_wrong", "error", "flags"]
FORMATS = ("csv", "xlsx", "moodle", "canvas")


class GradebookError(ValueError):
    pass


@dataclass
class Row:
    """One workbook's line: who, what they scored, and each cell's verdict."""

    student_id: str
    name: str
    file: str
    score: float | None
    max_score: int | None
    first_wrong: str
    error: str
    flags: str
    verdicts: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # id -> (verdict, mistake)
    lang: str = "en"
    result: FileResult | None = None

    def verdict_code(self, qid: str) -> str:
        """'correct', 'misconception M2', …: the words the CSV and the platforms carry."""
        if qid not in self.verdicts:
            return ""
        verdict, mistake = self.verdicts[qid]
        return verdict + (f" {mistake}" if mistake else "")


def table(results: list[FileResult], flags: dict[int, list[dict]] | None = None) -> tuple[list[str], list[Row]]:
    """The quantity ids (columns, in the order the sheet asks them) and one row per result."""
    flags = flags or {}
    ids: list[str] = []
    for r in results:
        if r.grade is not None:
            for c in r.grade.cells:
                if c.id not in ids:
                    ids.append(c.id)
    rows = []
    for n, r in enumerate(results):
        flag_text = "; ".join(f"{fl['kind']}: {fl['other']}" for fl in flags.get(n, []))
        lang = r.submission.meta.get("lang", "en") if r.submission is not None else "en"
        if r.grade is None:
            rows.append(Row(student_id(r), student_name(r), r.path, None, None, "", r.error or "", flag_text,
                            lang=lang, result=r))
            continue
        first = r.grade.first_wrong
        rows.append(Row(student_id(r), student_name(r), r.path, r.grade.points, r.grade.max_points,
                        first.id if first else "", "", flag_text,
                        {c.id: (c.verdict, c.mistake) for c in r.grade.cells}, lang, r))
    return ids, rows


def format_for(path: Path, fmt: str | None) -> str:
    """The form to write: the one asked for, else the file's extension (.csv or .xlsx)."""
    if fmt:
        if fmt not in FORMATS:
            raise GradebookError(f"unknown gradebook format {fmt!r}; choose one of {', '.join(FORMATS)}")
        if fmt == "xlsx" and Path(path).suffix.lower() != ".xlsx":
            raise GradebookError(f"an .xlsx gradebook needs a file name ending in .xlsx, not {Path(path).name}")
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix in (".csv", ".xlsx"):
        return suffix[1:]
    raise GradebookError(f"the gradebook {Path(path).name} should end in .csv or .xlsx "
                         "(or choose --gradebook-format moodle|canvas)")


def write_gradebook(results: list[FileResult], path: Path, flags: dict[int, list[dict]] | None = None,
                    fmt: str | None = None, lang: str | None = None, summary: dict | None = None,
                    assignment: str = "sheetprop") -> Path:
    """Write the gradebook in the form asked for (or told by the extension); returns its path."""
    path = Path(path)
    kind = format_for(path, fmt)
    ids, rows = table(results, flags)
    if kind == "xlsx":
        from .gradebook_xlsx import write_xlsx

        return replace_with(path, lambda tmp: write_xlsx(ids, rows, tmp, lang, summary))
    if kind in ("moodle", "canvas"):
        from . import platforms

        return replace_with(path, lambda tmp: platforms.WRITERS[kind](rows, tmp, lang, assignment))
    return replace_with(path, lambda tmp: _write_csv(ids, rows, tmp))


def _write_csv(ids: list[str], rows: list[Row], path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow([csv_cell(h) for h in FIXED + ids])
        for row in rows:
            score = "" if row.score is None else f"{row.score:g}"
            w.writerow([csv_cell(row.student_id), csv_cell(row.name), csv_cell(row.file), score,
                        "" if row.max_score is None else row.max_score, row.first_wrong, csv_cell(row.error),
                        csv_cell(row.flags)] + [row.verdict_code(q) for q in ids])
