"""Work done by hand: students who round as they go, judged at the precision they typed.

Each simulated student computes every cell from their OWN earlier (rounded) cells, as a
person with a calculator does, and types the rounded number; the file keeps what a
spreadsheet saves (the shortest text of the number: 0.130 typed comes back as 0.13)."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetprop import sources
from sheetprop.answers import reference_values
from sheetprop.check import Options, check_file
from sheetprop.cli import cli
from sheetprop.grading import TOO_FEW_DIGITS, grade
from sheetprop.graph import Graph
from sheetprop.mistakes import mutations
from sheetprop.network import Shape
from sheetprop.values import Precision, Reading, read
from sheetprop.write import write_pair
from sheetprop.xlsx import Cell

from .helpers import fill

ANCHOR = Path(__file__).parent / "anchors" / "mazur.json"
SHAPES = [Shape(), Shape(2, 2, 2), Shape(3, 2, 2, "layer", True)]
SEEDS = range(25)


def rounded(x: float, digits=None, decimals=None) -> str:
    """What a spreadsheet saves for x typed with `digits` significant digits or `decimals` decimals."""
    text = f"{x:.{digits}g}" if digits else f"{x:.{decimals}f}"
    return repr(float(text))


def by_hand(graph, g, digits=None, decimals=None, mutation=None, typed=None, memory=False) -> dict[str, str]:
    """The saved text of every answer of a student who rounds as they go (or, with memory,
    who keeps every result in the calculator and only types it rounded)."""
    typed = typed or {}
    env = graph.given_values(g)
    texts = {}
    for q in graph.answers:
        expr = mutation.expr if mutation is not None and mutation.target == q.id else q.expr
        exact = expr.value(env)
        texts[q.id] = typed[q.id] if q.id in typed else rounded(exact, digits, decimals)
        env[q.id] = exact if memory else float(texts[q.id])
    return texts


def readings(graph, g, texts):
    r = {q: Reading(v) for q, v in graph.given_values(g).items()}
    r.update({q: read(Cell("number", float(t), t)) for q, t in texts.items()})
    return r


def graded(g, texts, **kw):
    graph = Graph(g.shape)
    return grade(graph, reference_values(graph, g), readings(graph, g, texts), **kw)


def test_precision_of_what_a_file_saves():
    def p(text):
        return read(Cell("number", float(text), text)).precision

    assert p("0.1311") == Precision(4, 4) and p("0.1311").half_unit == pytest.approx(5e-5)
    assert p("0.0044") == Precision(2, 4)
    assert p("-1.2E-3") == Precision(2, 4)
    assert p("380") == Precision(3, 0)
    assert p("0.29999999999999999") == Precision(1, 1)  # Excel's binary noise for a typed 0.3
    assert read(Cell("number", 0.5, "0.5", formula="A1/2")).precision is None  # a formula: exact


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s.label}-{s.bias_mode}")
@pytest.mark.parametrize("digits", [3, 4, 5, 6])
def test_significant_digits_from_three_get_full_marks(shape, digits):
    for seed in SEEDS:
        g = sources.from_seed(seed, shape)
        result = graded(g, by_hand(Graph(shape), g, digits=digits))
        bad = [(c.id, c.verdict, c.shown) for c in result.cells if c.verdict != "correct"]
        assert not bad, (seed, bad)
        assert result.points == result.max_points


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s.label}-{s.bias_mode}")
@pytest.mark.parametrize("digits", [3, 5])
def test_a_calculator_that_keeps_every_result_gets_full_marks(shape, digits):
    """Typed rounded, computed unrounded: each cell is off its own rule on the typed inputs by
    their rounding carried through the rule, which is allowed for."""
    for seed in SEEDS:
        g = sources.from_seed(seed, shape)
        result = graded(g, by_hand(Graph(shape), g, digits=digits, memory=True))
        assert [(c.id, c.verdict) for c in result.cells if c.verdict != "correct"] == [], seed


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s.label}-{s.bias_mode}")
def test_fixed_decimals_every_cell_with_enough_digits_is_correct(shape):
    short_seen = 0
    for seed in SEEDS:
        g = sources.from_seed(seed, shape)
        result = graded(g, by_hand(Graph(shape), g, decimals=4))
        for c in result.cells:
            if c.digits >= 3:
                assert c.verdict == "correct", (seed, c.id, c.shown)
            else:  # too few digits: correct only if right to 3 digits anyway (0.0044 for 0.004403)
                assert c.verdict in ("correct", TOO_FEW_DIGITS), (seed, c.id, c.shown)
                short_seen += c.verdict == TOO_FEW_DIGITS
            if c.verdict == TOO_FEW_DIGITS:
                assert c.points == 0 and c.reason == TOO_FEW_DIGITS and c.mistake is None
    assert short_seen > 0  # first-layer gradients at 4 decimals: the student is told where


@pytest.mark.parametrize("digits", [1, 2])
def test_one_or_two_digits_earn_nothing(digits):
    for seed in SEEDS:
        g = sources.from_seed(seed)
        result = graded(g, by_hand(Graph(g.shape), g, digits=digits))
        assert result.points == 0, seed
        assert {c.verdict for c in result.cells} == {TOO_FEW_DIGITS}


def test_the_exercise_sets_the_floor():
    g = sources.from_seed(3)
    texts = by_hand(Graph(g.shape), g, digits=3)
    assert graded(g, texts).points == graded(g, texts).max_points
    at_four = graded(g, texts, min_digits=4)
    assert at_four.points == 0 and at_four.min_digits == 4


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s.label}-{s.bias_mode}")
@pytest.mark.parametrize("how", [{"digits": 3}, {"digits": 4}, {"decimals": 4}], ids=str)
def test_every_mistake_made_by_a_rounding_student_is_named(shape, how):
    graph = Graph(shape)
    for seed in range(15):
        g = sources.from_seed(seed, shape)
        expected = reference_values(graph, g)
        for target, muts in mutations(graph).items():
            for m in muts:
                texts = by_hand(graph, g, mutation=m, **how)
                result = grade(graph, expected, readings(graph, g, texts))
                cell = next(c for c in result.cells if c.id == target)
                if cell.digits < 3:  # saved without trailing zeros, or truly too few digits to tell
                    assert (cell.verdict, cell.mistake) in ((TOO_FEW_DIGITS, None), ("misconception", m.code))
                    continue
                assert (cell.verdict, cell.mistake) == ("misconception", m.code), (seed, m, texts[target])
                before = result.cells[:[c.id for c in result.cells].index(target)]
                assert all(c.verdict in ("correct", TOO_FEW_DIGITS) for c in before), seed


def test_mazurs_printed_numbers_are_correct():
    """Every number Mazur printed (9 decimals) typed into his preset; the cells he did not
    print computed from his numbers and typed with 9 decimals too."""
    anchor = json.loads(ANCHOR.read_text())
    printed = dict(anchor["published"], **anchor["not_printed_but_useful"])
    names = {"dE_total/dout_o1": "dE_dout_o1", "dout_o1/dnet_o1": "dout_dnet_o1", "dE_total/dw5": "dE_dw_5",
             "dE_o1/dnet_o1": "delta_o1", "dE_total/dout_h1": "dE_dout_h1", "dout_h1/dnet_h1": "dout_dnet_h1",
             "dE_total/dw1": "dE_dw_1", "dE_total_dout_h2": "dE_dout_h2", "dout_h2_dnet_h2": "dout_dnet_h2",
             **{f"w{n}+": f"new_w_{n}" for n in range(1, 9)}, **{f"dE_dw{n}": f"dE_dw_{n}" for n in range(2, 9)}}
    g = sources.from_preset("mazur")
    graph = Graph(g.shape)
    typed = {names.get(k, k): v for k, v in printed.items() if names.get(k, k) in graph.answer_ids}
    assert len(typed) >= 25
    result = graded(g, by_hand(graph, g, decimals=9, typed=typed))
    assert [(c.id, c.verdict) for c in result.cells if c.verdict != "correct"] == []


# Han, Kamber & Pei, "Data Mining: Concepts and Techniques" (3rd ed., 2012), the worked
# example of backpropagation (Figure 9.5, Tables 9.1-9.3): a 3-2-1 network, nodes 4 and 5
# hidden, node 6 the output, a bias per neuron, learning rate 0.9, target 1. The book writes
# Err = -delta, prints 3 decimals for outputs and weights and 4 for the errors.
HAN_KAMBER = {
    "layers": "3-2-1", "bias": "neuron", "train_biases": True,
    "values": {"i_1": 1, "i_2": 0, "i_3": 1, "target_o1": 1,
               "w_1": 0.2, "w_2": 0.4, "w_3": -0.5, "w_4": -0.3, "w_5": 0.1, "w_6": 0.2,
               "w_7": -0.3, "w_8": -0.2, "b_1": -0.4, "b_2": 0.2, "b_3": 0.1, "eta": 0.9},
}
HAN_KAMBER_PRINTED = {
    "net_h1": "-0.7", "out_h1": "0.332", "net_h2": "0.1", "out_h2": "0.525", "net_o1": "-0.105",
    "out_o1": "0.474", "delta_o1": "-0.1311", "delta_h2": "0.0065", "delta_h1": "0.0087",
    "new_w_7": "-0.261", "new_w_8": "-0.138", "new_w_1": "0.192", "new_w_4": "-0.306", "new_w_2": "0.4",
    "new_w_5": "0.1", "new_w_3": "-0.508", "new_w_6": "0.194", "new_b_3": "0.218", "new_b_2": "0.194",
    "new_b_1": "-0.408",
}


def test_a_textbook_example_typed_as_the_book_prints_it():
    g = sources.from_description(HAN_KAMBER, {"givens": "han-kamber"})
    graph = Graph(g.shape)
    texts = by_hand(graph, g, digits=4, typed=HAN_KAMBER_PRINTED)
    result = graded(g, texts)
    by_id = {c.id: c for c in result.cells}
    # The book's errors of the hidden nodes have 2 significant digits: too few to grade.
    assert by_id["delta_h1"].verdict == by_id["delta_h2"].verdict == TOO_FEW_DIGITS
    # Every other cell is correct: the book's own numbers (-0.7 and 0.4 are exact) and the
    # cells it does not print, computed from its numbers.
    others = [c for c in result.cells if c.id not in ("delta_h1", "delta_h2")]
    assert all(c.verdict == "correct" for c in others), [(c.id, c.verdict, c.shown) for c in others
                                                         if c.verdict != "correct"]


def test_a_point_read_as_a_thousands_separator_is_explained(tmp_path):
    """In a pt-BR spreadsheet 0.380 is the number 380: the report says why, in Portuguese."""
    g = sources.from_seed(42)
    ex, _ = write_pair(g, tmp_path / "gen", lang="pt-BR")
    graph = Graph(g.shape)
    texts = by_hand(graph, g, decimals=4)
    values = {q: float(t) for q, t in texts.items()}
    values["out_h1"] = round(values["out_h1"], 3) * 1000  # 0.380 typed: 380 stored
    values["E_o1"] = "'0,5"  # an apostrophe kept in a cell formatted as text
    filled = fill(ex, values, tmp_path / "aluno.xlsx")
    result = check_file(filled, Options(recalculate=False))
    cell = next(c for c in result.grade.cells if c.id == "out_h1")
    assert (cell.verdict, cell.reason) == ("wrong", "thousands_separator")
    res = CliRunner().invoke(cli, ["check", str(filled)])
    fixed = f"{values['out_h1'] / 1000:.3f}".replace(".", ",")
    assert "ponto separa milhares" in res.output and f"digite {fixed} (com vírgula)" in res.output
    assert "0,1" in res.output and "arredondados a 4 casas decimais" in res.output
    doc = json.loads(CliRunner().invoke(cli, ["check", "--json", str(filled)]).output)
    cells = {c["id"]: c for c in doc["files"][0]["cells"]}
    assert cells["E_o1"]["reason_code"] == "stray_character"
    assert cells["net_h1"]["precision"] == {"typed": texts["net_h1"], "digits": len(texts["net_h1"].strip("-0.")
                                                                                    .replace(".", "")),
                                            "decimals": len(texts["net_h1"].split(".")[1])}
    assert doc["files"][0]["min_digits"] == 3


def test_error_values_in_the_students_language():
    from sheetprop.report import reason_text
    from sheetprop.text import text

    assert "#NOME?" in reason_text(text("pt-BR"), "error", "#NAME?")
    assert "#NAME?" in reason_text(text("en"), "error", "#NAME?")


def test_min_digits_is_stated_and_used(tmp_path):
    res = CliRunner().invoke(cli, ["generate", "--seed", "5", "--min-digits", "4", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    ex = tmp_path / "sheetprop-seed5-exercise.xlsx"
    import openpyxl

    sheet_text = " ".join(str(c.value) for row in openpyxl.load_workbook(ex).active.iter_rows() for c in row
                          if isinstance(c.value, str))
    assert "at least 4 significant digits" in sheet_text
    g = sources.from_seed(5)
    texts = by_hand(Graph(g.shape), g, digits=3)
    filled = fill(ex, {q: float(t) for q, t in texts.items()}, tmp_path / "three.xlsx")
    doc = json.loads(CliRunner().invoke(cli, ["check", "--json", str(filled)]).output)
    assert doc["files"][0]["min_digits"] == 4
    assert doc["files"][0]["score"]["points"] == 0
    assert {c["reason"] for c in doc["files"][0]["cells"]} == {"give at least 4 significant digits"}


def test_coarse_numbers_upstream_are_no_loophole_downstream():
    """A 0 typed for every gradient (too few digits) does not make the updates, or anything
    computed from it, correct or carried by the slack its coarse rounding would allow."""
    g = sources.from_seed(3)
    graph = Graph(g.shape)
    texts = by_hand(graph, g, digits=4)
    given = graph.given_values(g)
    for q in graph.answers:
        if q.id.startswith("dE_dw_"):
            texts[q.id] = "0"
        if q.old is not None and q.old.startswith("w_"):
            texts[q.id] = repr(round(given[q.old] + 0.0123, 4))  # junk near the weight
    texts["delta_h1"] = "0"
    texts["dE_db_1"] = "0.0123"
    result = graded(g, texts)
    by_id = {c.id: c for c in result.cells}
    for qid, text in texts.items():
        if qid.startswith("new_w_") or qid in ("dE_db_1",):
            assert by_id[qid].verdict not in ("correct", "carried"), (qid, text, by_id[qid].verdict)
        if qid.startswith("dE_dw_") or qid == "delta_h1":
            assert by_id[qid].verdict == TOO_FEW_DIGITS


@pytest.mark.libreoffice
def test_numbers_typed_with_4_decimals_in_libreoffice(tmp_path):
    """A student types every answer with 4 decimals, computed from their own rounded numbers,
    into a real LibreOffice, which saves the file: each cell is judged at what LibreOffice
    saved, and only cells with fewer than 3 significant digits miss their point."""
    from . import lo_robot

    g = sources.from_seed(11)
    graph = Graph(g.shape)
    ex, _ = write_pair(g, tmp_path / "gen")
    texts = by_hand(graph, g, decimals=4)
    job = lo_robot.Job().open(ex)
    for qid, t in texts.items():
        job.type(qid, float(t))
    saved = tmp_path / "four-decimals.xlsx"
    lo_robot.run(job.save(saved).close())
    result = check_file(saved, Options(recalculate=False))
    assert result.error is None
    for c in result.grade.cells:
        assert c.shown == texts[c.id], (c.id, c.shown, texts[c.id])  # as typed, no binary noise
        expect = "correct" if c.digits >= 3 else TOO_FEW_DIGITS
        assert c.verdict == expect or (c.verdict == "correct" and c.digits < 3), (c.id, c.shown, c.verdict)
    assert any(c.verdict == TOO_FEW_DIGITS for c in result.grade.cells)
