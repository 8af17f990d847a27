"""The gradebook: one CSV row per checked workbook, or per roster student, for a course platform to import.

UTF-8 with a byte-order mark: Excel needs it to read accents in a CSV, and LibreOffice,
Moodle and Canvas accept it. Decimal points, comma separators.

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

FIXED = ["student_id", "name", "file", "score", "max_score", "first_wrong", "error", "flags"]


@dataclass
class Row:
    """One line: who, what they scored, and each cell's verdict."""

    student_id: str
    name: str
    file: str
    score: float | None
    max_score: int | None
    first_wrong: str
    error: str
    flags: str
    verdicts: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # id -> (verdict, mistake)
    result: FileResult | None = None

    def verdict_code(self, qid: str) -> str:
        if qid not in self.verdicts:
            return ""
        verdict, mistake = self.verdicts[qid]
        return verdict + (f" {mistake}" if mistake else "")


def _row(r: FileResult, flag_text: str, sid: str | None = None, name: str | None = None) -> Row:
    sid = student_id(r) if sid is None else sid
    name = student_name(r) if name is None else name
    if r.grade is None:
        return Row(sid, name, r.path, None, None, "", r.error or "", flag_text, result=r)
    first = r.grade.first_wrong
    return Row(sid, name, r.path, r.grade.points, r.grade.max_points, first.id if first else "", "", flag_text,
               {c.id: (c.verdict, c.mistake) for c in r.grade.cells}, r)


def table(results: list[FileResult], flags: dict[int, list[dict]] | None = None, standings=None, klass=None,
          lang: str = "en") -> tuple[list[str], list[Row]]:
    """The quantity ids (columns, in the order the sheet asks them) and the rows."""
    from .report import flag_text
    from .text import text

    t = text(lang)
    flags = flags or {}
    ids: list[str] = []
    for r in results:
        if r.grade is not None:
            for c in r.grade.cells:
                if c.id not in ids:
                    ids.append(c.id)

    def words(n: int) -> str:
        return "; ".join(flag_text(t, f) for f in flags.get(n, []))

    if klass is None or standings is None:
        return ids, [_row(r, words(n)) for n, r in enumerate(results)]
    counted = {st.student: n for n, st in enumerate(standings) if st.student and st.counted}
    rows = []
    for sid in klass.ids:
        n = counted.get(sid)
        if n is None:
            rows.append(Row(sid, klass.name_of(sid), "", None, None, "", t("integrity.not_handed_in"), ""))
        else:
            rows.append(_row(results[n], words(n), sid, klass.name_of(sid)))
    for n, st in enumerate(standings):
        if not st.student:  # fits no roster student: listed apart, with no id to import
            rows.append(_row(results[n], words(n), "", ""))
    return ids, rows


def write_gradebook(results: list[FileResult], path: Path, flags: dict[int, list[dict]] | None = None,
                    standings=None, klass=None, lang: str = "en") -> Path:
    ids, rows = table(results, flags, standings, klass, lang)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(FIXED + ids)
        for row in rows:
            score = "" if row.score is None else f"{row.score:g}"
            w.writerow([csv_cell(row.student_id), csv_cell(row.name), csv_cell(row.file), score,
                        "" if row.max_score is None else row.max_score, row.first_wrong, csv_cell(row.error),
                        csv_cell(row.flags)] + [row.verdict_code(q) for q in ids])
    return path
