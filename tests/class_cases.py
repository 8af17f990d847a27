"""A teacher's term, made on the fly: a roster with accents, and the hand-ins a real class gives.

Each hand-in is made the way a student would make it: numbers typed into their own
exercise, the metadata edited in File → Properties (openpyxl here), a property dropped
by a program on the way. `python -m tests.class_cases DIR` writes the whole scene into DIR
to try the command line by hand.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from sheetprop import metadata
from sheetprop.answers import reference_values
from sheetprop.cli import cli
from sheetprop.mistakes import mutations
from sheetprop.sources import from_description
from sheetprop.submission import load

from .helpers import fill, simulate_student

SECRET = "o segredo da turma 2026"
ROSTER = """id;name
2024001;Ana Lúcia Müller
2024002;João Pereira
2024003;José Ñandú
2024004;Bia Araújo
2024005;Cécile Ôno
andré.souza;André Souza
2024007;Íris Gonçalves
2024008;Mãe Joana Brandão
2024009;Ênio Çar
2024010;Lúcia Öz
"""
# What each student hands in (2024009 and 2024010 hand in nothing).
CASES = {
    "2024001": "correct",
    "2024002": "M2",
    "2024003": "twice",
    "2024004": "copy of 2024001",
    "2024005": "blank",
    "andré.souza": "forged key",
    "2024007": "solution, kind edited",
    "2024008": "metadata dropped",
}


def make_class(root: Path) -> tuple[Path, list[dict]]:
    roster = root / "students.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    out = root / "class"
    res = CliRunner().invoke(cli, ["generate", "--roster", str(roster), "--out", str(out), "--lang", "pt-BR",
                                   "--secret", SECRET])
    assert res.exit_code == 0, res.output
    import csv

    manifest = list(csv.DictReader(open(out / "manifest.csv", encoding="utf-8-sig")))
    return out, manifest


def correct_answers(exercise: Path) -> dict:
    sub = load(exercise, recalculate=False)
    expected = reference_values(sub.graph, sub.givens)
    return {q: expected[q] for q in sub.graph.answer_ids}


def edit_metadata(path: Path, change) -> None:
    """What a student does in File → Properties: the custom property's text, edited and saved."""
    wb = openpyxl.load_workbook(path)
    prop = next(p for p in wb.custom_doc_props.props if p.name == metadata.PROPERTY)
    data = json.loads(prop.value)
    change(data)
    prop.value = json.dumps(data)
    wb.save(path)


def drop_metadata(path: Path) -> None:
    """What a program that keeps no document properties does (Google Sheets): the property is gone."""
    wb = openpyxl.load_workbook(path)
    wb.custom_doc_props.props = [p for p in wb.custom_doc_props.props if p.name != metadata.PROPERTY]
    wb.save(path)


def forge(path: Path) -> None:
    """The forged answer key of issue 13: every given 0 (target 0.5) in the metadata and in the
    cells, so that 0, 0.5 and 0.25 are right everywhere."""
    forged = {}

    def change(data):
        values = data["exercise"]["values"]
        for k in values:
            values[k] = 0.5 if k.startswith("target") else (0.5 if k == "eta" else 0.0)
        forged.update(values)

    edit_metadata(path, change)
    sub = load(path, recalculate=False)
    givens = from_description(sub.meta.exercise, sub.meta.origin)
    answers = simulate_student(sub.graph, givens)
    fill(path, {**forged, **answers}, path)


def hand_ins(out: Path, manifest: list[dict], folder: Path) -> dict[str, list[Path]]:
    """Every case of CASES, as files in `folder`; returns the files of each student."""
    folder.mkdir(parents=True, exist_ok=True)
    ex = {m["id"]: out / m["exercise"] for m in manifest}
    sol = {m["id"]: out / m["solution"] for m in manifest}
    files: dict[str, list[Path]] = {}

    def put(sid, name, values):
        p = fill(ex[sid], values, folder / name)
        files.setdefault(sid, []).append(p)
        return p

    put("2024001", "2024001.xlsx", correct_answers(ex["2024001"]))
    sub = load(ex["2024002"], recalculate=False)
    m2 = next(x for x in mutations(sub.graph)["delta_h1"] if x.code == "M2")
    put("2024002", "sheetprop-2024002-exercise.xlsx", simulate_student(sub.graph, sub.givens, mutation=m2))
    sub = load(ex["2024003"], recalculate=False)
    first = put("2024003", "2024003-first-try.xlsx", simulate_student(sub.graph, sub.givens, mutation=m2))
    second = put("2024003", "2024003-final.xlsx", correct_answers(ex["2024003"]))
    os.utime(first, (1_700_000_000, 1_700_000_000))  # fixed times: the final one is the later
    os.utime(second, (1_700_086_400, 1_700_086_400))
    put("2024004", "2024004.xlsx", correct_answers(ex["2024001"]))  # 2024001's numbers in their own exercise
    put("2024005", "2024005.xlsx", {})
    forged = folder / "andre-souza.xlsx"
    forged.write_bytes(ex["andré.souza"].read_bytes())
    forge(forged)
    files["andré.souza"] = [forged]
    handed = folder / "2024007.xlsx"
    handed.write_bytes(sol["2024007"].read_bytes())
    edit_metadata(handed, lambda d: d.update(kind="exercise"))
    files["2024007"] = [handed]
    dropped = put("2024008", "2024008-from-google.xlsx", correct_answers(ex["2024008"]))
    drop_metadata(dropped)
    return files


if __name__ == "__main__":  # python -m tests.class_cases DIR
    root = Path(sys.argv[1])
    root.mkdir(parents=True, exist_ok=True)
    out, manifest = make_class(root)
    for sid, paths in hand_ins(out, manifest, root / "hand-ins").items():
        print(sid, CASES[sid], *[p.name for p in paths])
