"""Checking a student's workbook: verdicts, follow-through marking, unreadable cells, the report."""

import datetime as dt
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from sheetprop import sources
from sheetprop.answers import reference_values
from sheetprop.check import Options, check_file
from sheetprop.cli import cli
from sheetprop.grading import grade
from sheetprop.graph import Graph
from sheetprop.mistakes import mutations
from sheetprop.network import Shape
from sheetprop.tolerance import Tolerance
from sheetprop.values import Reading
from sheetprop.write import write_pair

from .helpers import fill, simulate_student

NO_LO = Options(recalculate=False)


def readings_of(graph, givens, answers):
    r = {q: Reading(v) for q, v in graph.given_values(givens).items()}
    r.update({q: Reading(v) for q, v in answers.items()})
    return r


def variants():
    for seed in range(60):
        yield sources.from_seed(seed)
    for n, shape in enumerate([Shape(2, 2, 2), Shape(2, 2, 2, "layer", False), Shape(3, 2, 2, "layer", True)]):
        for seed in range(10):
            yield sources.from_seed(500 + 10 * n + seed, shape)
    yield sources.from_preset("mazur")


@pytest.fixture
def exercise(tmp_path):
    g = sources.from_seed(42)
    ex, _ = write_pair(g, tmp_path / "gen")
    return g, ex


def test_reference_values_are_all_correct(exercise, tmp_path):
    g, ex = exercise
    graph = Graph(g.shape)
    expected = reference_values(graph, g)
    filled = fill(ex, {q: expected[q] for q in graph.answer_ids}, tmp_path / "answers.xlsx")
    result = check_file(filled, NO_LO)
    assert result.error is None and result.status == 0
    assert {c.verdict for c in result.grade.cells} == {"correct"}
    assert result.grade.points == result.grade.max_points == len(graph.answer_ids)


def test_six_significant_digits_in_every_cell_pass():
    """A student who rounds every cell to 6 significant digits, and computes on from the rounded
    numbers, gets every cell correct, the updated weights included."""
    for g in variants():
        graph = Graph(g.shape)
        expected = reference_values(graph, g)
        answers = simulate_student(graph, g, digits=6)
        result = grade(graph, expected, readings_of(graph, g, answers))
        bad = [(c.id, c.verdict) for c in result.cells if c.verdict != "correct"]
        assert not bad, (g.origin, bad)


def test_five_significant_digits_do_not_all_pass_with_a_strict_tolerance():
    g = sources.from_seed(3)
    graph = Graph(g.shape)
    answers = simulate_student(graph, g, digits=4)
    result = grade(graph, reference_values(graph, g), readings_of(graph, g, answers), Tolerance(rel=1e-7))
    assert any(c.verdict != "correct" for c in result.cells)


def test_every_catalogued_mistake_is_not_correct():
    for g in variants():
        graph = Graph(g.shape)
        expected = reference_values(graph, g)
        for target, muts in mutations(graph).items():
            for m in muts:
                answers = simulate_student(graph, g, mutation=m)
                result = grade(graph, expected, readings_of(graph, g, answers))
                cell = next(c for c in result.cells if c.id == target)
                assert cell.verdict != "correct", (g.origin, m)
                assert result.first_wrong.id == target, (g.origin, m, result.first_wrong.id)


def test_a_wrong_upstream_value_carries_forward():
    g = sources.from_seed(42)
    graph = Graph(g.shape)
    expected = reference_values(graph, g)
    answers = simulate_student(graph, g, overrides={"out_h1": expected["out_h1"] * 1.1})
    result = grade(graph, expected, readings_of(graph, g, answers))
    by_id = {c.id: c for c in result.cells}
    assert by_id["out_h1"].verdict == "wrong"
    assert by_id["net_h1"].verdict == "correct" and by_id["net_h2"].verdict == "correct"
    for qid in ("net_o1", "out_o1", "E_total", "delta_o1", "dE_dw_5", "dE_dout_h1", "delta_h1", "dE_dw_1",
                "new_w_1", "new_w_5"):
        assert by_id[qid].verdict == "carried", qid
    # cells that do not rest on out_h1 at all stay correct
    assert by_id["out_h2"].verdict == "correct"
    assert result.first_wrong.id == "out_h1" and result.carried_after("out_h1") > 20


def test_no_carried_credit_on_a_degenerate_input():
    g = sources.from_seed(42)
    graph = Graph(g.shape)
    expected = reference_values(graph, g)
    answers = simulate_student(graph, g, overrides={"delta_o1": 0.0})
    by_id = {c.id: c for c in grade(graph, expected, readings_of(graph, g, answers)).cells}
    assert by_id["delta_o1"].verdict == "wrong"
    for qid in ("dE_dw_5", "dE_db_3", "dE_dout_h1", "delta_h1", "dE_dw_1", "new_w_1", "new_w_5"):
        assert by_id[qid].verdict != "carried", qid


def test_carried_policy_sets_the_score():
    g = sources.from_seed(42)
    graph = Graph(g.shape)
    expected = reference_values(graph, g)
    answers = simulate_student(graph, g, overrides={"out_o1": expected["out_o1"] + 0.01})
    scores = {p: grade(graph, expected, readings_of(graph, g, answers), carried=p).points
              for p in ("full", "half", "none")}
    assert scores["full"] > scores["half"] > scores["none"]
    n_carried = sum(c.verdict == "carried" for c in grade(graph, expected, readings_of(graph, g, answers)).cells)
    assert scores["full"] - scores["none"] == pytest.approx(n_carried)


def test_an_updated_weight_is_judged_on_its_change():
    g = sources.from_seed(42)
    graph = Graph(g.shape)
    expected = reference_values(graph, g)
    answers = {q: expected[q] for q in graph.answer_ids}
    delta = expected["new_w_1"] - expected["w_1"]
    answers["new_w_1"] = expected["w_1"] + 1.05 * delta  # 5% off the change, a tiny fraction of the weight
    cell = next(c for c in grade(graph, expected, readings_of(graph, g, answers)).cells if c.id == "new_w_1")
    assert abs(answers["new_w_1"] - expected["new_w_1"]) < 1e-3 * abs(expected["new_w_1"])
    assert cell.verdict != "correct"


UNREADABLE = [
    ("abc", "unreadable", "text"),
    ("0,5", "unreadable", "decimal_comma"),
    ("0.5", "unreadable", "number_as_text"),
    ("nan", "unreadable", "lookalike"),
    ("１２", "unreadable", "lookalike"),
    (dt.datetime(2024, 2, 1), "unreadable", "date"),
    ("#DIV/0!", "unreadable", "error"),
    ("=net_h1*2", "unreadable", "no_result"),
    (True, "unreadable", "bool"),
    (None, "blank", None),
    ("   ", "blank", None),
]


@pytest.mark.parametrize("typed, verdict, reason", UNREADABLE, ids=[repr(u[0]) for u in UNREADABLE])
def test_unreadable_cells_get_their_reason(exercise, tmp_path, typed, verdict, reason):
    g, ex = exercise
    filled = fill(ex, {"out_h1": typed}, tmp_path / "answers.xlsx")
    result = check_file(filled, NO_LO)
    cell = next(c for c in result.grade.cells if c.id == "out_h1")
    assert (cell.verdict, cell.reason) == (verdict, reason)
    assert result.status == 1


def test_changed_givens_are_reported_and_carried_verdicts_use_them(exercise, tmp_path):
    g, ex = exercise
    graph = Graph(g.shape)
    mine = graph.given_values(g)
    mine["w_1"] = 0.5
    g2 = graph.givens_from_values(mine, g.origin)
    answers = reference_values(graph, g2)
    filled = fill(ex, {"w_1": 0.5, **{q: answers[q] for q in graph.answer_ids}}, tmp_path / "a.xlsx")
    result = check_file(filled, NO_LO)
    assert [(c.id, c.expected, c.value) for c in result.grade.changed_givens] == [("w_1", g.w_hidden[0, 0], 0.5)]
    by_id = {c.id: c.verdict for c in result.grade.cells}
    assert by_id["net_h1"] == "carried" and by_id["net_h2"] == "correct"
    assert result.status == 1


def test_a_deleted_name_falls_back_to_the_recorded_address(exercise, tmp_path):
    import openpyxl

    g, ex = exercise
    graph = Graph(g.shape)
    expected = reference_values(graph, g)
    filled = fill(ex, {q: expected[q] for q in graph.answer_ids}, tmp_path / "a.xlsx")
    wb = openpyxl.load_workbook(filled)
    del wb.defined_names["delta_o1"]
    wb.save(filled)
    result = check_file(filled, NO_LO)
    assert result.status == 0
    assert "names_missing" in result.submission.notes and result.submission.missing_names == ["delta_o1"]


def test_cli_json_document(exercise, tmp_path):
    g, ex = exercise
    graph = Graph(g.shape)
    expected = reference_values(graph, g)
    answers = simulate_student(graph, g, overrides={"delta_o1": expected["delta_o1"] * 2})
    filled = fill(ex, answers, tmp_path / "a.xlsx")
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    res = CliRunner().invoke(cli, ["check", "--json", str(filled), str(junk)])
    assert res.exit_code == 2
    doc = json.loads(res.output)
    good, bad = doc["files"]
    assert bad["error"] and bad["cells"] == [] and bad["status"] == 2
    assert good["error"] is None and good["exercise"]["seed"] == 42
    assert good["first_wrong"] == "delta_o1"
    assert good["score"]["max"] == len(graph.answer_ids)
    cell = next(c for c in good["cells"] if c["id"] == "delta_o1")
    assert set(cell) >= {"id", "cell", "verdict", "value", "reason"}
    assert cell["cell"].startswith("Exercise!C") and cell["verdict"] == "wrong"
    assert "expected" not in cell
    res = CliRunner().invoke(cli, ["check", "--json", "--show-answers", str(filled)])
    assert res.exit_code == 1
    cell = next(c for c in json.loads(res.output)["files"][0]["cells"] if c["id"] == "delta_o1")
    assert cell["expected"] == pytest.approx(expected["delta_o1"])


def test_cli_terminal_report_hides_answers_and_says_where_to_start(exercise, tmp_path):
    g, ex = exercise
    graph = Graph(g.shape)
    expected = reference_values(graph, g)
    answers = simulate_student(graph, g, overrides={"dE_dout_h2": expected["dE_dout_h2"] * 3})
    filled = fill(ex, answers, tmp_path / "a.xlsx")
    res = CliRunner().invoke(cli, ["check", str(filled)])
    assert res.exit_code == 1
    assert "Start here: ∂E_total/∂out_h2 (dE_dout_h2)" in res.output
    assert f"{expected['delta_h2']:.9g}" not in res.output  # the key is not handed out
    res = CliRunner().invoke(cli, ["check", "--show-answers", str(filled)])
    assert f"{expected['delta_h2']:.9g}" in res.output


def test_report_language_follows_the_workbook(tmp_path):
    g = sources.from_seed(5)
    ex, _ = write_pair(g, tmp_path, lang="pt-BR")
    res = CliRunner().invoke(cli, ["check", str(ex)])
    assert "Comece por aqui" in res.output and "em branco" in res.output
    res = CliRunner().invoke(cli, ["check", "--lang", "en", str(ex)])
    assert "Start here" in res.output


def test_exit_status_zero_when_all_correct_and_worst_wins(exercise, tmp_path):
    g, ex = exercise
    graph = Graph(g.shape)
    expected = reference_values(graph, g)
    good = fill(ex, {q: expected[q] for q in graph.answer_ids}, tmp_path / "good.xlsx")
    assert CliRunner().invoke(cli, ["check", str(good)]).exit_code == 0
    assert CliRunner().invoke(cli, ["check", str(good), str(ex)]).exit_code == 1
    assert CliRunner().invoke(cli, ["check", str(good), str(tmp_path / "missing.xlsx")]).exit_code == 2


def test_console_script_and_module_entry_points(exercise, tmp_path):
    g, ex = exercise
    out = subprocess.run([sys.executable, "-m", "sheetprop", "check", "--no-recalculate", str(ex)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "net_h1" in out.stdout and out.stderr == ""
    out = subprocess.run([sys.executable, "-m", "sheetprop", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and "sheetprop" in out.stdout


def test_a_workbook_that_lost_its_metadata_is_rebuilt_from_its_given_cells(exercise, tmp_path):
    """Some programs drop custom document properties on the way; the named cells remain."""
    from . import hostile

    g, ex = exercise
    graph = Graph(g.shape)
    expected = reference_values(graph, g)
    filled = fill(ex, {q: expected[q] for q in graph.answer_ids}, tmp_path / "a.xlsx")
    stripped = tmp_path / "stripped.xlsx"
    hostile.rezip(stripped, [(n, d) for n, d in hostile.entries(filled) if n != "docProps/custom.xml"])
    result = check_file(stripped, NO_LO)
    assert result.status == 0 and "metadata_rebuilt" in result.submission.notes
    res = CliRunner().invoke(cli, ["check", str(stripped)])
    assert "rebuilt from its given cells" in res.output
