"""Gradebooks: the people's CSV and workbook, and the CSVs Moodle and Canvas import."""

import csv
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sheetprop.cli import cli
from sheetprop.feedback import FILLS
from sheetprop.mistakes import mutations
from sheetprop.submission import load
from sheetprop.write import ANSWER_FILL, GIVEN_FILL

from .helpers import fill, simulate_student

SAMPLES = Path(__file__).parent / "samples"
SECRET = "gradebook secret"
EVIL = "=2+5+cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def hand_ins(tmp_path_factory):
    """Three students (one with an id a spreadsheet would run as a formula) and a broken file."""
    tmp = tmp_path_factory.mktemp("gb")
    roster = tmp / "roster.csv"
    roster.write_text(f"id;name\n2024001;Ana Lúcia Müller\n2024002;João Pereira\n{EVIL};@SUM(1+1)\n",
                      encoding="utf-8")
    out = tmp / "class"
    res = CliRunner().invoke(cli, ["generate", "--roster", str(roster), "--out", str(out), "--secret", SECRET,
                                   "--lang", "pt-BR"])
    assert res.exit_code == 0, res.output
    manifest = list(csv.DictReader(open(out / "manifest.csv", encoding="utf-8-sig")))
    files = []
    for n, m in enumerate(manifest):
        sub = load(out / m["exercise"], recalculate=False)
        mutation = next(x for x in mutations(sub.graph)["delta_h1"] if x.code == "M2") if n == 1 else None
        files.append(fill(out / m["exercise"], simulate_student(sub.graph, sub.givens, mutation=mutation),
                          tmp / "in" / f"{n}.xlsx"))
    broken = tmp / "in" / "3.xlsx"
    broken.write_text("not a workbook")
    return tmp, files + [broken]


def run(files, *args):
    return CliRunner().invoke(cli, ["check", *map(str, files), *args])


def test_people_csv_neutralises_what_students_wrote(hand_ins, tmp_path):
    _, files = hand_ins
    book = tmp_path / "grades.csv"
    assert run(files, "--gradebook", str(book)).exit_code == 2
    assert book.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(open(book, encoding="utf-8-sig")))
    assert [r["student_id"] for r in rows] == ["2024001", "2024002", "'" + EVIL, ""]
    assert rows[2]["name"] == "'@SUM(1+1)"
    assert rows[1]["delta_h1"] == "misconception M2" and rows[1]["score"] == "34"
    assert rows[3]["error"] and rows[3]["score"] == ""


# --- Moodle: the rules of docs.moodle.org/en/Grade_import (see sheetprop/platforms.py) ---
MOODLE_USER_FIELDS = {"ID number", "Email address", "Username"}


def moodle_grades(path: Path) -> dict[str, float | None]:
    """Read a file the way Moodle's CSV grade import does, failing on what it would refuse:
    a header row, a column mappable to a user field, grades as numbers with a decimal point."""
    raw = path.read_bytes()
    rows = list(csv.reader(raw.decode("utf-8").splitlines()))
    header = rows[0]
    assert len(set(header)) == len(header), "each column is mapped once"
    id_col = next(i for i, h in enumerate(header) if h in MOODLE_USER_FIELDS)
    grade_col = next(i for i, h in enumerate(header) if i != id_col and h not in MOODLE_USER_FIELDS
                     and "feedback" not in h.lower() and h != "Full name")
    grades = {}
    for row in rows[1:]:
        assert len(row) == len(header)
        value = row[grade_col]
        assert value == "" or re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value), value
        grades[row[id_col]] = float(value) if value else None
    return grades


def test_moodle_sample_is_read_by_the_validator():
    assert moodle_grades(SAMPLES / "moodle-grades.csv") == {"2024001": 30.0, "2024002": None}


def test_moodle_gradebook(hand_ins, tmp_path):
    _, files = hand_ins
    book = tmp_path / "moodle.csv"
    res = run(files, "--gradebook", str(book), "--gradebook-format", "moodle", "--assignment", "Backprop step")
    assert res.exit_code == 2, res.output
    assert not book.read_bytes().startswith(b"\xef\xbb\xbf")
    grades = moodle_grades(book)
    assert grades == {"2024001": 35.0, "2024002": 34.0, "'" + EVIL: 35.0}, "the broken file has nobody to grade"
    header, *rows = list(csv.reader(open(book, encoding="utf-8")))
    assert header == ["ID number", "Full name", "Backprop step", "Backprop step (feedback)"]
    assert rows[1][3].startswith("Comece por aqui: δ_h1 (delta_h1)") and "[M2]" in rows[1][3]
    assert rows[0][3] == "Todas as células estão certas. Parabéns!"


# --- Canvas: the columns of Canvas's gradebook import (see sheetprop/platforms.py) ---
CANVAS_FIXED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def canvas_scores(path: Path) -> tuple[dict, dict]:
    """Read a file the way Canvas's gradebook import does: the five fixed columns, then one
    column per assignment `Name (id)` (a bare name is a new assignment), an optional
    Points Possible row; rows matched by ID, SIS User ID or SIS Login ID."""
    rows = list(csv.reader(path.read_bytes().decode("utf-8").splitlines()))
    header = rows[0]
    assert header[:5] == CANVAS_FIXED
    assignments = [h for h in header[5:] if h not in ("Current Score", "Final Score", "Current Grade")]
    assert assignments and all(re.fullmatch(r"[^()]+( \([0-9]+\))?", a) for a in assignments)
    body = rows[1:]
    points = {}
    if body and body[0][0].strip() == "Points Possible":
        points = {a: float(body[0][header.index(a)]) for a in assignments}
        body = body[1:]
    scores = {}
    for row in body:
        assert len(row) == len(header)
        key = row[1] or row[2] or row[3]
        assert key, "Canvas needs ID, SIS User ID or SIS Login ID"
        scores[key] = {a: float(row[header.index(a)]) if row[header.index(a)] else None for a in assignments}
    return points, scores


def test_canvas_sample_is_read_by_the_validator():
    points, scores = canvas_scores(SAMPLES / "canvas-gradebook.csv")
    assert points == {"Backprop step (1234)": 35.0}
    assert scores == {"5678": {"Backprop step (1234)": 30.0}, "5679": {"Backprop step (1234)": None}}


@pytest.mark.parametrize("assignment", ["Backprop step (1234)", "Backprop step"])
def test_canvas_gradebook(hand_ins, tmp_path, assignment):
    _, files = hand_ins
    book = tmp_path / "canvas.csv"
    res = run(files, "--gradebook", str(book), "--gradebook-format", "canvas", "--assignment", assignment)
    assert res.exit_code == 2, res.output
    points, scores = canvas_scores(book)
    assert points == {assignment: 35.0}
    assert scores == {"2024001": {assignment: 35.0}, "2024002": {assignment: 34.0}, "'" + EVIL: {assignment: 35.0}}
    rows = list(csv.reader(open(book, encoding="utf-8")))
    assert rows[2][0] == "Ana Lúcia Müller" and rows[4][0] == "'@SUM(1+1)"


# --- the workbook for people ---
def test_xlsx_gradebook(hand_ins, tmp_path):
    _, files = hand_ins
    book = tmp_path / "grades.xlsx"
    assert run(files, "--gradebook", str(book)).exit_code == 2
    wb = openpyxl.load_workbook(book)
    grades, klass = wb.worksheets
    assert (grades.title, klass.title) == ("Notas", "Turma")
    assert grades.freeze_panes == "D2"
    header = [c.value for c in grades[1]]
    assert header[:4] == ["Identificação", "Nome", "Arquivo", "Nota"] and "delta_h1" in header
    evil = grades.cell(4, 1)
    assert evil.value == EVIL and evil.data_type == "s", "a student's id is text, never a formula"
    assert grades.cell(4, 2).value == "@SUM(1+1)" and grades.cell(4, 2).data_type == "s"
    assert grades.cell(3, 4).value == 34 and grades.cell(3, 5).value == 35
    m2 = grades.cell(3, header.index("delta_h1") + 1)
    assert m2.value == "equívoco M2" and m2.fill.fgColor.rgb.endswith(FILLS["misconception"])
    assert grades.cell(2, header.index("delta_h1") + 1).fill.fgColor.rgb.endswith(FILLS["correct"])
    assert grades.cell(5, 7).value and grades.cell(5, 4).value is None, "the broken file: its error, no score"
    texts = [[c.value for c in row] for row in klass.iter_rows()]
    m2_row = next(r for r in texts if r[0] == "M2")
    assert m2_row[2] == 1 and m2_row[3] == "2024002"
    legend = {r[0]: r[1] for r in texts if r[0] in ("certo", "consistente", "equívoco", "errado", "em branco",
                                                    "ilegível")}
    assert len(legend) == 6 and all(legend.values())
    delta = next(r for r in texts if r[0] == "delta_h1")
    assert delta[2:4] == [2, 0] and delta[4] == 1


def test_verdict_colours_are_their_own():
    colours = list(FILLS.values()) + [GIVEN_FILL.fgColor.rgb[-6:], ANSWER_FILL.fgColor.rgb[-6:]]
    assert len(set(colours)) == len(colours)


@pytest.mark.libreoffice
def test_libreoffice_opens_the_xlsx_gradebook_as_written(hand_ins, tmp_path):
    """No import dialog, no mojibake, no formula run: LibreOffice reads the cells as written."""
    from sheetprop import libreoffice

    _, files = hand_ins
    book = tmp_path / "grades.xlsx"
    run(files, "--gradebook", str(book))
    saved, = libreoffice.recalculate([book], tmp_path / "lo")
    wb = openpyxl.load_workbook(saved)
    grades = wb.worksheets[0]
    assert grades.cell(2, 2).value == "Ana Lúcia Müller"
    assert grades.cell(4, 1).value == EVIL and grades.cell(4, 1).data_type == "s"
    # (Headless LibreOffice has no view, so the frozen panes are not in what it saves.)
    assert wb.worksheets[1].cell(1, 1).value == "sheetprop: a turma"


def test_a_gradebook_name_must_say_its_form(hand_ins, tmp_path):
    _, files = hand_ins
    res = run(files[:1], "--gradebook", str(tmp_path / "grades.txt"))
    assert res.exit_code == 2 and "should end in .csv or .xlsx" in res.output
    res = run(files[:1], "--gradebook-format", "canvas")
    assert res.exit_code == 2 and "--gradebook-format goes with --gradebook" in res.output


def test_moodle_names_the_identifier_for_what_the_ids_are(tmp_path):
    from sheetprop.gradebook import Row
    from sheetprop.platforms import write_moodle

    rows = [Row("ana@example.edu", "Ana", "a.xlsx", 30.0, 35, "", "", ""),
            Row("bia@example.edu", "Bia", "b.xlsx", None, None, "", "damaged", "")]
    write_moodle(rows, tmp_path / "m.csv")
    assert moodle_grades(tmp_path / "m.csv") == {"ana@example.edu": 30.0, "bia@example.edu": None}
    assert (tmp_path / "m.csv").read_text(encoding="utf-8").startswith("Email address,")


def test_an_xlsx_form_needs_an_xlsx_name(hand_ins, tmp_path):
    _, files = hand_ins
    res = run(files[:1], "--gradebook", str(tmp_path / "g.csv"), "--gradebook-format", "xlsx")
    assert res.exit_code == 2 and "needs a file name ending in .xlsx" in res.output
