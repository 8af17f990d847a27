"""Workbooks made by sheetprop 0.1.0 (before activations and losses could be chosen) still check.

The two files in tests/fixtures were written by sheetprop 0.1.0's `generate`; their metadata has no
activation, output or loss, which means Mazur's sigmoid network and ½Σ(t − o)²."""

from pathlib import Path

import openpyxl
import pytest

from sheetprop import metadata, sources
from sheetprop.answers import reference_values
from sheetprop.check import Options, check_file
from sheetprop.graph import Graph

from .helpers import fill

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("name", ["v0.1.0-seed42-exercise.xlsx", "v0.1.0-mazur-pt-BR-exercise.xlsx"])
def test_a_0_1_0_exercise_filled_in_checks_as_before(name, tmp_path):
    path = FIXTURES / name
    wb = openpyxl.load_workbook(path)
    meta = metadata.decode(next(p.value for p in wb.custom_doc_props if p.name == metadata.PROPERTY))
    assert "activation" not in meta["exercise"]  # really an old workbook
    g = sources.from_description(meta["exercise"], meta["origin"])
    assert (g.shape.activation, g.shape.output, g.shape.loss) == ("sigmoid", "sigmoid", "squared")
    graph = Graph(g.shape)
    expected = reference_values(graph, g)
    right = fill(path, {q: expected[q] for q in graph.answer_ids}, tmp_path / "right.xlsx")
    result = check_file(right, Options(recalculate=False))
    assert result.error is None and result.status == 0, result.error
    wrong = dict(expected, delta_o1=expected["dE_dout_o1"])  # σ′ left out at the output, nothing else changed
    result = check_file(fill(path, {q: wrong[q] for q in graph.answer_ids}, tmp_path / "m1.xlsx"),
                        Options(recalculate=False))
    by_id = {c.id: c for c in result.grade.cells}
    assert (by_id["delta_o1"].verdict, by_id["delta_o1"].mistake) == ("misconception", "M1")


@pytest.mark.parametrize("name", ["v0.1.0-seed42-exercise.xlsx"])
def test_a_0_1_0_seed_workbook_is_not_taken_for_a_forgery(name, tmp_path):
    """It names no drawing rules: it was drawn by rules 1, and its seed says so, through the command line."""
    import json

    from click.testing import CliRunner

    from sheetprop.cli import cli

    res = CliRunner().invoke(cli, ["check", "--json", str(FIXTURES / name)])
    one = json.loads(res.stdout)["files"][0]
    assert one["flags"] == [] and one["score"]["void"] is None, one["flags"]


def test_a_class_regenerated_after_the_upgrade_keeps_its_variants(tmp_path):
    """A manifest written before drawing rules were recorded (sheetprop 0.1.0: rules 1): a student
    whose file is missing gets the same exercise again, not one drawn by today's rules."""
    import csv

    from sheetprop import metadata as md
    from sheetprop.roster import MANIFEST, generate_class, seed_for

    roster = tmp_path / "students.csv"
    roster.write_text("id,name\na1,Ana\nb2,Bia\n", encoding="utf-8")
    out = tmp_path / "class"
    generate_class(roster, out, "s3cret")
    rows = list(csv.DictReader(open(out / MANIFEST, encoding="utf-8-sig")))
    assert {r["rules"] for r in rows} == {"2"}
    # as 0.1.0 wrote it: no rules column, the variants drawn by rules 1
    with open(out / MANIFEST, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, [k for k in rows[0] if k != "rules"], extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    missing = out / rows[0]["exercise"]
    missing.unlink()
    generate_class(roster, out, "s3cret")
    wb = openpyxl.load_workbook(missing)
    meta = md.decode(next(p.value for p in wb.custom_doc_props if p.name == md.PROPERTY))
    want = sources.from_seed(seed_for("s3cret", "a1"), rules=1)
    assert meta.origin["rules"] == 1
    assert meta.exercise["values"] == sources.describe(want)["values"]
