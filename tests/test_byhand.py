"""The AI-by-Hand sheet (generate --layout byhand): every quantity in its cell, live formulas that
agree with numpy in LibreOffice and in Gnumeric, one A4 page, and the same verdicts as the row layout."""

import json
import re
import subprocess
import zipfile

import openpyxl
import pytest

from sheetprop import libreoffice, sources
from sheetprop.answers import reference_values
from sheetprop.byhand import lay_out
from sheetprop.check import Options, check_file
from sheetprop.cli import cli
from sheetprop.feedback import write_feedback
from sheetprop.graph import Graph
from sheetprop.mistakes import mutations
from sheetprop.network import Shape
from sheetprop.write import build, write_pair

from .helpers import assert_close_to_reference, fill, values_by_name

SHAPES = [
    Shape(),
    Shape(2, 3, 2, activation="tanh", output="softmax", loss="cross-entropy"),
    Shape(2, 2, 2, "layer", False),
    Shape(3, 2, 2, "none"),
    Shape(1, 3, 1, "layer", True),
    Shape(4, 4, 4, activation="relu", output="linear", loss="mse"),
    Shape(2, 2, 1, activation="tanh", output="sigmoid", loss="cross-entropy"),
    Shape(1, 1, 3, "neuron", output="softmax", loss="squared"),
]


def _ids(shape):
    return f"{shape.label}-{shape.bias_mode}-{shape.activation}-{shape.output}-{shape.loss}"


def _metadata(path):
    with zipfile.ZipFile(path) as z:
        raw = z.read("docProps/custom.xml").decode()
    return json.loads(re.search(r"<vt:lpwstr>(.*)</vt:lpwstr>", raw, re.S).group(1).replace("&quot;", '"'))


@pytest.mark.parametrize("shape", SHAPES, ids=_ids)
def test_every_quantity_has_one_named_cell_recorded_in_the_metadata(shape, tmp_path):
    g = sources.from_seed(11, shape)
    graph = Graph(shape)
    ex, sol = write_pair(g, tmp_path, layout="byhand")
    assert ex.name.endswith("-byhand-exercise.xlsx")
    meta = _metadata(ex)
    assert meta["layout"] == "byhand" and meta["kind"] == "exercise"
    assert set(meta["cells"]) == set(graph.ids)
    assert len(set(meta["cells"].values())) == len(graph.ids)  # no two quantities share a cell
    wb = openpyxl.load_workbook(ex)
    ws = wb[meta["sheet"]]
    givens = graph.given_values(g)
    for qid in graph.ids:
        (sheet, where), = list(wb.defined_names[qid].destinations)
        assert (sheet, where.replace("$", "")) == (meta["sheet"], meta["cells"][qid])
        value = ws[meta["cells"][qid]].value
        if graph[qid].is_given:
            assert value == givens[qid]
        else:
            assert value is None, qid  # the exercise shows the grids with the answer cells empty
    # The only formulas in the exercise are copies of other cells, never an answer.
    formulas = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert formulas and all(re.fullmatch(r'=[A-Z]+\d+|=IF\(ISBLANK\(([A-Z]+\d+)\),"",\1\)', f) for f in formulas)


def test_the_page_is_one_a4_landscape_sheet():
    ws = build(sources.from_seed(42), "exercise", layout="byhand").active
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 1)


def test_the_staircase_puts_each_result_where_its_row_meets_its_column():
    """net_h sits under the input column, in its weight row; out_h beside it; net_o under out_h."""
    graph = Graph(Shape())
    lay = lay_out(graph, 3, "Exercise")
    r_w1, c_w1 = lay.place["w_1"]
    r_net, c_net = lay.place["net_h1"]
    assert r_net == r_w1 and c_net == lay.place["i_1"][1] and lay.place["i_2"][0] < r_net
    assert lay.place["out_h1"] == (r_net, c_net + 1)
    assert lay.place["net_o1"][1] == lay.place["out_h1"][1] and lay.place["net_o1"][0] > lay.place["out_h2"][0]
    assert lay.place["w_5"][0] == lay.place["net_o1"][0] and lay.place["b_3"][1] < lay.place["net_o1"][1]
    # backward: up and to the left; gradients beside the weights, in the same rows; new weights further left
    assert lay.place["delta_h1"][0] < lay.place["delta_o1"][0]
    assert lay.place["dE_dw_5"][0] == lay.place["w_5"][0] and lay.place["dE_dw_5"][1] < lay.place["w_5"][1]
    assert lay.place["new_w_1"][0] == lay.place["w_1"][0] and lay.place["new_w_1"][1] < lay.place["dE_dw_1"][1]
    # the outer product: δ on the left of each gradient row, the input laid on its side above each column
    assert lay.place["delta_h1"] == (lay.place["dE_dw_1"][0], lay.place["dE_dw_1"][1] - 1)
    above = {(m.row, m.col): m.source for m in lay.mirrors}
    assert above[(lay.place["dE_dw_1"][0] - 1, lay.place["dE_dw_1"][1])] == "i_1"
    assert above[(lay.place["dE_dw_5"][0] - 1, lay.place["dE_dw_6"][1])] == "out_h2"


def test_layout_byhand_from_the_command_line(tmp_path):
    from click.testing import CliRunner

    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["generate", "--seed", "42", "--layout", "byhand", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "sheetprop-seed42-byhand-solution.xlsx").exists()
    result = CliRunner().invoke(cli, ["generate", "--roster", "r.csv", "--layout", "byhand", "--out", str(out)])
    assert result.exit_code == 2 and "--layout byhand goes with" in result.output


@pytest.fixture(scope="module")
def solutions(tmp_path_factory):
    src = tmp_path_factory.mktemp("byhand")
    cases = {}
    for n, shape in enumerate(SHAPES):
        g = sources.from_seed(300 + n, shape)
        _, sol = write_pair(g, src / str(n), layout="byhand", lang="pt-BR" if n % 2 else "en")
        cases[n] = (g, sol.rename(src / f"case{n}.xlsx"))
    g = sources.from_preset("mazur")
    _, sol = write_pair(g, src / "mazur", layout="byhand")
    cases["mazur"] = (g, sol.rename(src / "mazur.xlsx"))
    return cases


@pytest.mark.libreoffice
def test_solutions_recalculated_by_libreoffice_agree_with_numpy(solutions, tmp_path):
    outs = libreoffice.recalculate([p for _, p in solutions.values()], tmp_path)
    for (name, (g, _)), out in zip(solutions.items(), outs):
        assert_close_to_reference(values_by_name(out), reference_values(Graph(g.shape), g), where=str(name))


@pytest.mark.gnumeric
@pytest.mark.filterwarnings("ignore:Workbook contains no default style")  # how Gnumeric writes styles
def test_solutions_recalculated_by_gnumeric_agree_with_numpy(solutions, tmp_path):
    for name, (g, path) in solutions.items():
        out = tmp_path / f"{name}.xlsx"
        subprocess.run(["ssconvert", "--recalc", str(path), str(out)], check=True, capture_output=True, timeout=120)
        assert_close_to_reference(values_by_name(out), reference_values(Graph(g.shape), g), where=str(name))


@pytest.mark.libreoffice
@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_2_2_1_prints_on_one_page(lang, tmp_path):
    ex, sol = write_pair(sources.from_seed(42), tmp_path, layout="byhand", lang=lang)
    for pdf in libreoffice.convert([ex, sol], tmp_path / "pdf", "pdf"):
        pages = re.findall(rb"/Type\s*/Page\b(?!s)", pdf.read_bytes())
        assert len(pages) == 1, pdf.name


def _student(graph, g, mutation=None, digits=None):
    """What helpers.simulate_student writes: each cell from the student's own earlier cells. Where a
    rule reads a cell that comes later in the graph's order (a softmax delta reads every output's
    ∂E/∂out, which graph.py yields one output at a time), the reference value stands in."""
    later = reference_values(graph, g)
    env = graph.given_values(g)
    for qid in graph.answer_ids:
        expr = mutation.expr if mutation is not None and mutation.target == qid else graph[qid].expr
        value = expr.value({**later, **env})
        env[qid] = float(f"{value:.{digits}g}") if digits else value
    return {q: env[q] for q in graph.answer_ids}


def _verdicts(path, recalculate=False):
    result = check_file(path, Options(recalculate=recalculate))
    assert result.error is None, result.error
    return [(c.id, c.verdict, c.mistake) for c in result.grade.cells], result


@pytest.mark.libreoffice
@pytest.mark.parametrize("shape", SHAPES[:2], ids=_ids)
def test_a_filled_byhand_sheet_gets_the_verdicts_of_the_row_layout(shape, tmp_path):
    g = sources.from_seed(42, shape)
    graph = Graph(shape)
    rows_ex, _ = write_pair(g, tmp_path / "rows", layout="rows")
    hand_ex, _ = write_pair(g, tmp_path / "hand", layout="byhand")
    target = "delta_h1"
    mistake = next(m for m in mutations(graph)[target] if m.code == "M2")
    students = {
        "numbers": _student(graph, g, digits=7),
        "mistake": _student(graph, g, mutation=mistake, digits=8),
        "formulas": {q: "=" + graph[q].expr.excel() for q in graph.answer_ids},
    }
    files = {}
    for who, values in students.items():
        for name, ex in (("rows", rows_ex), ("hand", hand_ex)):
            files[who, name] = fill(ex, values, tmp_path / "filled" / f"{who}-{name}.xlsx")
    saved = dict(zip(files, libreoffice.recalculate(list(files.values()), tmp_path / "saved")))
    for who in students:
        rows, _ = _verdicts(saved[who, "rows"])
        hand, result = _verdicts(saved[who, "hand"])
        assert hand == rows, who
        if who == "mistake":
            assert result.grade.first_wrong.id == target and result.grade.first_wrong.mistake == "M2"
            assert write_feedback(result, tmp_path / "feedback.xlsx").exists()
        else:
            assert result.status == 0, who
    # A formula saved without its result is recalculated by check itself, as for the row layout.
    hand, result = _verdicts(files["formulas", "hand"], recalculate=True)
    assert result.status == 0 and "recalculated" in result.submission.notes


@pytest.mark.parametrize("bias", ["neuron", "layer", "none"])
def test_no_two_things_share_a_cell_for_any_size(bias):
    for n in range(1, 5):
        for h in range(1, 5):
            for o in range(1, 5):
                # a softmax layer cannot share one bias: layer/neuron there
                softmax = o > 1
                shape = Shape(n, h, o, f"{bias}/neuron" if softmax and bias == "layer" else bias,
                              output="softmax" if softmax else "sigmoid")
                lay = lay_out(Graph(shape), 3, "Exercise")
                cells = list(lay.place.values()) + [(m.row, m.col) for m in lay.mirrors] + \
                    [(label.row, label.col + k) for label in lay.labels for k in range(label.span)]
                assert len(cells) == len(set(cells)), shape
                assert all(1 <= c <= lay.last_col and 1 <= r <= lay.last_row for r, c in cells), shape


@pytest.mark.libreoffice
def test_a_student_typing_into_the_staircase_in_libreoffice(tmp_path):
    """Typed in a real LibreOffice (answer cells take input on the protected sheet), saved as
    .xlsx and .ods, and checked like the row layout."""
    from . import lo_robot

    g = sources.from_seed(5, SHAPES[1])
    graph = Graph(g.shape)
    ex, _ = write_pair(g, tmp_path / "gen", layout="byhand", lang="pt-BR")
    mistake = next(m for m in mutations(graph)["delta_h1"] if m.code == "M2")
    job = lo_robot.Job().open(ex)
    for qid in graph.answer_ids:
        job.type(qid, "=" + graph[qid].expr.excel())
    files = {"formulas": tmp_path / "formulas.xlsx", "ods": tmp_path / "formulas.ods", "m2": tmp_path / "m2.xlsx"}
    job.save(files["formulas"]).save(files["ods"], lo_robot.ODS).close()
    job.open(ex)
    for qid, value in _student(graph, g, mutation=mistake, digits=8).items():
        job.type(qid, value)
    job.save(files["m2"]).close()
    lo_robot.run(job, timeout=120)
    for name in ("formulas", "ods"):
        result = check_file(files[name])
        assert result.status == 0, (name, result.error, result.grade and result.grade.first_wrong)
    result = check_file(files["m2"])
    first = result.grade.first_wrong
    assert (first.id, first.verdict, first.mistake) == ("delta_h1", "misconception", "M2")


def test_each_answer_cell_carries_its_rule_as_a_note_and_no_number():
    g = sources.from_seed(42)
    graph = Graph(g.shape)
    wb = build(g, "exercise", layout="byhand")
    ws = wb.active
    for qid in graph.answer_ids:
        (_, where), = list(wb.defined_names[qid].destinations)
        note = ws[where.replace("$", "")].comment.text
        assert graph[qid].expr.text(graph.symbols) in note
        assert not re.search(r"\d\.\d{3}", note), note  # a rule, never a computed value
