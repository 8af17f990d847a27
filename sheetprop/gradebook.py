"""The gradebook: one row per checked workbook, written in the form a teacher asks for.

The rows are built once (`table`); each form writes the same rows: the CSV a person opens
(`.csv`), a workbook for people (`.xlsx`, gradebook_xlsx.py), or the CSV a course platform
imports (`--gradebook-format moodle|canvas`, platforms.py).

The people's CSV is UTF-8 with a byte-order mark: Excel needs it to read accents in a CSV.
LibreOffice ignores the mark and guesses the character set (headless, it guessed Western
European here); the .xlsx gradebook is the one that opens right everywhere. Decimal points,
comma separators.
Every text a student wrote (their id, name, file name) goes through inert.csv_cell.

With the class (`check --class`), the roster is the spine: one row per student in roster
order (their counted hand-in, "not handed in", or the file's error), then the files that fit
no roster student, with an empty student_id so that a platform's import leaves them out.
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


def _row(r: FileResult, flag_text: str, lang: str, sid: str | None = None, name: str | None = None) -> Row:
    sid = student_id(r) if sid is None else sid
    name = student_name(r) if name is None else name
    if r.grade is None:
        return Row(sid, name, r.path, None, None, "", r.error or "", flag_text, lang=lang, result=r)
    first = r.grade.first_wrong
    return Row(sid, name, r.path, r.grade.points, r.grade.max_points, first.id if first else "", "", flag_text,
               {c.id: (c.verdict, c.mistake) for c in r.grade.cells}, lang, r)


def table(results: list[FileResult], flags: dict[int, list[dict]] | None = None, standings=None, klass=None,
          lang: str | None = None) -> tuple[list[str], list[Row]]:
    """The quantity ids (columns, in the order the sheet asks them) and the rows: one per result,
    or with the class one per roster student and then the files that fit none."""
    from .report import flag_text
    from .text import text

    flags = flags or {}
    ids: list[str] = []
    for r in results:
        if r.grade is not None:
            for c in r.grade.cells:
                if c.id not in ids:
                    ids.append(c.id)

    def lang_of(r) -> str:
        return lang or (r.submission.meta.lang if r.submission is not None else "en")

    def words(n: int) -> str:
        t = text(lang_of(results[n]))
        return "; ".join(flag_text(t, f) for f in flags.get(n, []))

    if klass is None or standings is None:
        return ids, [_row(r, words(n), lang_of(r)) for n, r in enumerate(results)]
    book_lang = lang or next((r.submission.meta.lang for r in results if r.submission is not None), "en")
    counted = {st.student: n for n, st in enumerate(standings) if st.student and st.counted}
    rows = []
    for sid in klass.ids:
        n = counted.get(sid)
        if n is None:
            rows.append(Row(sid, klass.name_of(sid), "", None, None, "", text(book_lang)("integrity.not_handed_in"),
                            "", lang=book_lang))
        else:
            rows.append(_row(results[n], words(n), lang_of(results[n]), sid, klass.name_of(sid)))
    for n, st in enumerate(standings):
        if not st.student:  # fits no roster student: listed apart, with no id to import
            rows.append(_row(results[n], words(n), lang_of(results[n]), "", ""))
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
                    assignment: str = "sheetprop", standings=None, klass=None) -> Path:
    """Write the gradebook in the form asked for (or told by the extension); returns its path."""
    path = Path(path)
    kind = format_for(path, fmt)
    ids, rows = table(results, flags, standings, klass, lang)
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
