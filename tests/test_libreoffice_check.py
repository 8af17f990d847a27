"""A student who fills the exercise in a real LibreOffice: typed numbers, formulas, mistakes,
inserted rows, .xlsx and .ods. Each file below was saved by LibreOffice, then checked."""


import pytest

from sheetprop import libreoffice, sources
from sheetprop.answers import reference_values
from sheetprop.check import Options, check_file
from sheetprop.graph import Graph
from sheetprop.write import write_pair

from . import lo_robot
from .helpers import fill

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def saved_by_libreoffice(tmp_path_factory):
    """One LibreOffice session plays several students; returns their saved files."""
    tmp = tmp_path_factory.mktemp("students")
    g = sources.from_seed(42)
    graph = Graph(g.shape)
    expected = reference_values(graph, g)
    ex, _ = write_pair(g, tmp / "gen")
    job = lo_robot.Job()
    files = {}

    # A careful student: formulas everywhere, written like the hints.
    job.open(ex)
    for qid in graph.answer_ids:
        job.type(qid, "=" + graph[qid].expr.excel())
    files["formulas"] = tmp / "formulas.xlsx"
    files["formulas_ods"] = tmp / "formulas.ods"
    job.save(files["formulas"]).save(files["formulas_ods"], lo_robot.ODS).close()

    # A student who types numbers with 6 significant digits, then inserts rows above the blocks.
    job.open(ex)
    for qid in graph.answer_ids:
        job.type(qid, float(f"{expected[qid]:.6g}"))
    job.insert_rows(3, 4)
    files["typed_rows_inserted"] = tmp / "typed_rows_inserted.xlsx"
    job.save(files["typed_rows_inserted"]).close()

    # A student who forgets sigma' at the output, with formulas (the mistake carries forward).
    job.open(ex)
    for qid in graph.answer_ids:
        job.type(qid, "=dE_dout_o1" if qid == "delta_o1" else "=" + graph[qid].expr.excel())
    files["m1"] = tmp / "m1.xlsx"
    job.save(files["m1"]).close()

    # Data-entry trouble as LibreOffice stores it.
    job.open(ex)
    job.type("net_h1", "0,5").type("out_h1", "=1/0").type("net_h2", "abc")
    files["entry"] = tmp / "entry.xlsx"
    job.save(files["entry"]).close()

    lo_robot.run(job)
    return g, graph, expected, files


def test_formulas_typed_in_libreoffice_are_all_correct(saved_by_libreoffice):
    *_, files = saved_by_libreoffice
    for name in ("formulas", "formulas_ods"):
        result = check_file(files[name], Options(recalculate=False))
        assert result.error is None, result.error
        assert [c.id for c in result.grade.cells if c.verdict != "correct"] == [], name
        assert result.status == 0
    assert "converted_ods" in check_file(files["formulas_ods"]).submission.notes


def test_rows_inserted_in_libreoffice_are_still_found(saved_by_libreoffice):
    *_, files = saved_by_libreoffice
    result = check_file(files["typed_rows_inserted"], Options(recalculate=False))
    assert result.status == 0, [(c.id, c.verdict) for c in result.grade.cells]
    assert not result.submission.missing_names
    # the names moved with the rows: nothing is read at its original address
    original = result.submission.meta.cells
    assert all(result.submission.cells[q].split("!")[1] != original[q] for q in original)


def test_a_mistake_made_in_libreoffice_is_caught_and_carried(saved_by_libreoffice):
    *_, files = saved_by_libreoffice
    result = check_file(files["m1"], Options(recalculate=False))
    by_id = {c.id: c for c in result.grade.cells}
    assert (by_id["delta_o1"].verdict, by_id["delta_o1"].mistake) == ("misconception", "M1")
    assert result.grade.first_wrong.id == "delta_o1"
    assert by_id["new_w_5"].verdict == "carried" and by_id["delta_h1"].verdict == "carried"


def test_data_entry_trouble_saved_by_libreoffice(saved_by_libreoffice):
    *_, files = saved_by_libreoffice
    by_id = {c.id: c for c in check_file(files["entry"], Options(recalculate=False)).grade.cells}
    assert (by_id["net_h1"].verdict, by_id["net_h1"].reason) == ("unreadable", "decimal_comma")
    assert (by_id["out_h1"].verdict, by_id["out_h1"].reason, by_id["out_h1"].shown) == \
        ("unreadable", "error", "#DIV/0!")
    assert (by_id["net_h2"].verdict, by_id["net_h2"].reason) == ("unreadable", "text")


def test_openpyxl_fill_after_a_libreoffice_round_trip_is_all_correct(tmp_path):
    g = sources.from_seed(17)
    graph = Graph(g.shape)
    expected = reference_values(graph, g)
    ex, _ = write_pair(g, tmp_path / "gen")
    filled = fill(ex, {q: expected[q] for q in graph.answer_ids}, tmp_path / "filled.xlsx")
    saved, = libreoffice.recalculate([filled], tmp_path / "saved")
    assert check_file(saved, Options(recalculate=False)).status == 0


def test_a_formula_without_its_result_is_recalculated_where_libreoffice_is_installed(tmp_path):
    g = sources.from_seed(23)
    graph = Graph(g.shape)
    ex, _ = write_pair(g, tmp_path / "gen")
    # openpyxl saves formulas with no result, like some tools and scripts do
    filled = fill(ex, {q: "=" + graph[q].expr.excel() for q in graph.answer_ids}, tmp_path / "hand-in" / "f.xlsx")
    before = filled.read_bytes()
    unrecalculated = check_file(filled, Options(recalculate=False))
    assert {c.reason for c in unrecalculated.grade.cells} == {"no_result"}
    result = check_file(filled)
    assert result.status == 0 and "recalculated" in result.submission.notes
    assert filled.read_bytes() == before
    assert sorted(p.name for p in filled.parent.iterdir()) == ["f.xlsx"]
