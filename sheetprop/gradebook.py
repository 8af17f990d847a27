"""The gradebook: one CSV row per checked workbook, for a course platform to import.

UTF-8 with a byte-order mark: Excel needs it to read accents in a CSV, and LibreOffice,
Moodle and Canvas accept it. Decimal points, comma separators. Every cell goes through
inert.csv_cell: a student's id, name or file name is shown as text, never run as a formula.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .check import FileResult
from .classroom import student_id, student_name
from .inert import csv_cell

FIXED = ["student_id", "name", "file", "score", "max_score", "first_wrong", "error", "flags"]


def write_gradebook(results: list[FileResult], path: Path, flags: dict[int, list[dict]] | None = None) -> Path:
    flags = flags or {}
    ids: list[str] = []
    for r in results:
        if r.grade is not None:
            for c in r.grade.cells:
                if c.id not in ids:
                    ids.append(c.id)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow([csv_cell(h) for h in FIXED + ids])
        for n, r in enumerate(results):
            flag_text = "; ".join(f"{fl['kind']}: {fl['other']}" for fl in flags.get(n, []))
            if r.grade is None:
                row = [student_id(r), student_name(r), r.path, "", "", "", r.error, flag_text] + [""] * len(ids)
            else:
                verdicts = {c.id: c.verdict + (f" {c.mistake}" if c.mistake else "") for c in r.grade.cells}
                first = r.grade.first_wrong
                row = [student_id(r), student_name(r), r.path, r.grade.points, r.grade.max_points,
                       first.id if first else "", "", flag_text] + [verdicts.get(q, "") for q in ids]
            w.writerow([csv_cell(v) for v in row])
    return path
