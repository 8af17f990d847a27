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
