"""Every hidden activation × output activation × loss: the numpy reference against finite
differences, the graph's rules against the reference, variants, mistakes and the command line."""

import json
import tomllib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sheetprop import reference, sources
from sheetprop.activations import ACTIVATIONS, HIDDEN, LOSSES, OUTPUT, combination_error
from sheetprop.answers import reference_values
from sheetprop.cli import cli
from sheetprop.grading import grade
from sheetprop.graph import Graph, graph_for
from sheetprop.mistakes import CODES, mutations
from sheetprop.network import Givens, GivensError, Shape
from sheetprop.values import Reading

from .helpers import central_difference, random_givens, simulate_student

ROOT = Path(__file__).resolve().parent.parent
COMBOS = [(a, o, l) for a in HIDDEN for o in OUTPUT for l in LOSSES if combination_error(a, o, l, 2) is None]


def combo_id(c):
    return "-".join(c)


def shapes_for(combo):
    """A small and a wider shape of this kind (softmax needs two outputs or more)."""
    a, o, l = combo
    small = (2, 2, 2) if o == "softmax" else (2, 2, 1)
    # A softmax layer cannot share one bias (its gradient is always 0): one per neuron there.
    return [Shape(*small, activation=a, output=o, loss=l),
            Shape(3, 3, 2, "neuron" if o == "softmax" else "layer", True, a, o, l)]


def test_there_are_24_combinations():
    assert len(COMBOS) == 24  # 3 hidden × (3 outputs × 3 losses − cross-entropy on a linear output)


@pytest.mark.parametrize("combo", COMBOS, ids=combo_id)
def test_reference_gradients_match_central_differences(combo):
    rng = np.random.default_rng(COMBOS.index(combo))
    for shape in shapes_for(combo):
        for _ in range(4):
            g = random_givens(rng, shape)
            if shape.activation == "relu" and np.any(np.abs(g.w_hidden @ g.inputs) < 1e-3):
                continue  # a central difference across ReLU's kink measures nothing
            st = reference.step(g)
            for name, analytic in [("w_hidden", st.dE_dw_hidden), ("w_out", st.dE_dw_out),
                                   ("b_hidden", st.dE_db_hidden), ("b_out", st.dE_db_out)]:
                np.testing.assert_allclose(analytic, central_difference(g, name), rtol=1e-6, atol=1e-9,
                                           err_msg=f"{combo} {shape.label} {name}")


@pytest.mark.parametrize("combo", COMBOS, ids=combo_id)
def test_graph_rules_agree_with_the_reference(combo):
    """The rules the workbook's formulas are rendered from, evaluated in Python, against numpy."""
    rng = np.random.default_rng(50 + COMBOS.index(combo))
    for shape in shapes_for(combo):
        graph = Graph(shape)
        for _ in range(3):
            g = random_givens(rng, shape)
            expected = reference_values(graph, g)
            got = simulate_student(graph, g)
            for qid, value in got.items():
                assert value == pytest.approx(expected[qid], rel=1e-10, abs=1e-13), (combo, shape.label, qid)
            for q in graph.answers:  # an equivalent right rule is right too
                for alt in q.alts:
                    assert alt.value({**graph.given_values(g), **got}) == pytest.approx(expected[q.id], rel=1e-10,
                                                                                      abs=1e-13)


def test_the_chain_simplifies_to_out_minus_target_where_the_course_says_so():
    for combo, simplified in [(("sigmoid", "sigmoid", "cross-entropy"), True), (("tanh", "softmax", "cross-entropy"), True),
                              (("sigmoid", "sigmoid", "squared"), False), (("relu", "softmax", "mse"), False)]:
        graph = graph_for(shapes_for(combo)[0])
        alts = graph["delta_o1"].alts
        assert bool(alts) == simplified
        if simplified:
            assert alts[0].text(graph.symbols) == "out_o1 − target_o1"


def test_softmax_has_no_elementwise_derivative_cell():
    graph = graph_for(Shape(2, 2, 3, output="softmax", loss="cross-entropy"))
    assert "dout_dnet_o1" not in graph.ids and "dout_dnet_h1" in graph.ids
    assert graph["delta_o2"].expr.excel() == \
        "out_o2*(dE_dout_o2-(out_o1*dE_dout_o1+out_o2*dE_dout_o2+out_o3*dE_dout_o3))"
    assert graph["out_o1"].expr.excel() == "EXP(net_o1)/(EXP(net_o1)+EXP(net_o2)+EXP(net_o3))"


def test_derivatives_are_written_with_the_output_where_natural():
    assert graph_for(Shape(activation="tanh"))["dout_dnet_h1"].expr.excel() == "1-out_h1^2"
    assert graph_for(Shape())["dout_dnet_h1"].expr.excel() == "out_h1*(1-out_h1)"
    assert graph_for(Shape(activation="relu"))["dout_dnet_h1"].expr.excel() == "IF(net_h1>0,1,0)"
    assert graph_for(Shape(activation="relu"))["out_h1"].expr.excel() == "MAX(0,net_h1)"
    assert graph_for(Shape(output="linear", loss="mse"))["out_o1"].expr.excel() == "net_o1"


@pytest.mark.parametrize("combo", COMBOS, ids=combo_id)
def test_variants_are_good_exercises_of_their_kind(combo):
    for shape in shapes_for(combo):
        for seed in range(5):
            g = sources.from_seed(seed, shape)
            st = reference.step(g)
            if shape.activation == "relu":
                assert np.all(st.forward.net_h >= 0.05)  # no dead unit
            if shape.activation == "tanh":
                assert np.all(1 - st.forward.out_h ** 2 >= 0.1)  # no saturated unit
            if shape.output == "softmax":
                assert np.sum(g.targets) == pytest.approx(1.0) and np.all(g.targets >= 0.05)
            assert g.eta != 1


@pytest.mark.parametrize("combo", COMBOS, ids=combo_id)
def test_each_mistake_is_named_at_its_cell_for_every_combination(combo):
    seen = set()
    for shape in shapes_for(combo):
        graph = Graph(shape)
        for seed in range(8):
            g = sources.from_seed(seed, shape)
            expected = reference_values(graph, g)
            givens = {q: Reading(v) for q, v in graph.given_values(g).items()}
            for target, muts in mutations(graph).items():
                for m in muts:
                    answers = simulate_student(graph, g, mutation=m)
                    if answers[target] == pytest.approx(expected[target], rel=1e-12, abs=1e-15):
                        assert m.may_equal_truth, (combo, seed, m)
                        continue  # the right number here (ReLU′ = 1 on a unit that is on)
                    result = grade(graph, expected, {**givens, **{q: Reading(v) for q, v in answers.items()}})
                    cell = next(c for c in result.cells if c.id == target)
                    assert (cell.verdict, cell.mistake) == ("misconception", m.code), (combo, seed, m, cell)
                    after = result.cells[[c.id for c in result.cells].index(target) + 1:]
                    assert not [c.id for c in after if c.verdict == "misconception"], (combo, seed, m)
                    if not any(abs(answers[q]) <= 1e-3 * abs(expected[q]) for q in answers):
                        # (A mistake that zeroes a cell leaves nothing after it for carried credit to rest on
                        # (grading.DEGENERATE): ½ of one output's ∂E/∂out can cancel a shared bias's sum;
                        # M5 at one output of a two-class softmax with a squared loss does, and so does
                        # M9 over a softmax, whose deltas always add up to 0.)
                        assert all(c.verdict in ("correct", "carried") for c in after), (combo, seed, m)
                    seen.add(m.code)
    a, o, l = combo
    if a == "tanh":
        assert {"M3", "M18"} <= seen
    if o == "softmax":
        assert "M19" in seen
    if l == "cross-entropy":
        assert "M20" in seen


def test_a_student_who_writes_the_simplified_delta_is_following_a_right_rule():
    """δ = out − target from their own numbers, after a wrong ∂E/∂out: carried, not wrong."""
    shape = Shape(output="sigmoid", loss="cross-entropy")
    graph = Graph(shape)
    g = sources.from_seed(3, shape)
    expected = reference_values(graph, g)
    env = graph.given_values(g)
    answers = simulate_student(graph, g, overrides={"out_o1": expected["out_o1"] * 1.1})
    answers["dE_dout_o1"] = 123.0  # wrong, and the chain form would not match it
    answers["delta_o1"] = answers["out_o1"] - env["target_o1"]
    readings = {q: Reading(v) for q, v in {**env, **answers}.items()}
    by_id = {c.id: c for c in grade(graph, expected, readings).cells}
    assert by_id["delta_o1"].verdict == "carried"
    assert by_id["dE_dout_o1"].verdict == "wrong"


def test_catalogue_has_words_in_every_language_for_every_record():
    for lang in ("en", "pt-BR"):
        words = tomllib.loads((ROOT / "templates" / f"{lang}.toml").read_text(encoding="utf-8"))
        assert set(words["mistakes"]) == set(CODES) == set(words["mistakes_short"]), lang
        for name, act in ACTIVATIONS.items():
            keys = {"name", "out"} | ({"dout_dnet"} if act.elementwise else set())
            assert keys <= set(words["activations"][name]), (lang, name)
        for name in LOSSES:
            assert {"name", "rule", "error", "dE_dout"} <= set(words["losses"][name]), (lang, name)


@pytest.mark.parametrize("args, message", [
    (["--output", "softmax"], "softmax output needs two or more outputs"),
    (["--output", "linear", "--loss", "cross-entropy"], "cross-entropy goes with sigmoid or softmax outputs"),
    (["--activation", "softmax"], "Invalid value for '--activation'"),
    (["--layers", "2-2-2", "--bias", "layer", "--output", "softmax"], "bias would never learn"),
])
def test_combinations_that_make_no_sense_get_one_line_and_status_2(tmp_path, args, message):
    res = CliRunner().invoke(cli, ["generate", "--seed", "1", "--out", str(tmp_path), *args])
    assert res.exit_code == 2, res.output
    assert message in res.output and "Traceback" not in res.output
    assert not list(tmp_path.glob("*.xlsx"))


def test_givens_file_chooses_activation_output_and_loss(tmp_path):
    desc = {"layers": "2-2-2", "activation": "tanh", "output": "softmax", "loss": "cross-entropy",
            "values": {"i_1": 0.5, "i_2": -0.3, "target_o1": 0.2, "target_o2": 0.8,
                       "w_1": 0.1, "w_2": -0.2, "w_3": 0.3, "w_4": 0.4, "w_5": -0.5, "w_6": 0.6, "w_7": 0.7,
                       "w_8": -0.8, "b_1": 0.1, "b_2": 0.2, "b_3": -0.1, "b_4": 0.05, "eta": 0.5}}
    path = tmp_path / "course.json"
    path.write_text(json.dumps(desc))
    g = sources.from_file(path)
    assert (g.shape.activation, g.shape.output, g.shape.loss) == ("tanh", "softmax", "cross-entropy")
    assert sources.describe(g)["loss"] == "cross-entropy"
    desc["values"]["target_o2"] = 0.7  # no longer a distribution
    path.write_text(json.dumps(desc))
    with pytest.raises(GivensError, match="target_o1, target_o2 must add up to 1"):
        sources.from_file(path)
    desc["values"]["target_o2"] = 0.8
    desc["loss"] = "hinge"
    path.write_text(json.dumps(desc))
    with pytest.raises(GivensError, match="unknown loss 'hinge'"):
        sources.from_file(path)


def test_a_sigmoid_target_outside_0_1_is_named():
    with pytest.raises(GivensError, match="target_o1 must lie between 0 and 1"):
        Givens(Shape(), [0.1, 0.2], [1.5], np.zeros((2, 2)) + 0.1, np.zeros((1, 2)) + 0.1, [0.1, 0.1], [0.1], 0.5)
    # a linear output can aim anywhere
    Givens(Shape(output="linear", loss="mse"), [0.1, 0.2], [1.5], np.zeros((2, 2)) + 0.1, np.zeros((1, 2)) + 0.1,
           [0.1, 0.1], [0.1], 0.5)


def test_drawing_rules_1_draw_what_sheetprop_0_1_0_drew():
    """Drawing rules version 1 stay drawable: a class made by 0.1.0 can be drawn again, the same.
    The digest is of the givens sheetprop 0.1.0 drew for these 160 seeds and shapes."""
    import hashlib

    h = hashlib.sha256()
    for shape in (Shape(), Shape(2, 2, 2, "layer", False), Shape(3, 2, 2, "none"), Shape(1, 3, 1, "layer", True)):
        for seed in range(40):
            h.update(json.dumps(sources.describe(sources.from_seed(seed, shape, rules=1))["values"],
                                sort_keys=True).encode())
    assert h.hexdigest() == "7e5a23763d8d1fb5702fa86ff8e56d8582dd36de47f87619f9f6ceb3456d8ff6"
    # today's rules are recorded with the seed, so the same workbook can be drawn again later
    assert sources.from_seed(42).origin == {"seed": 42, "rules": 2}
    assert sources.from_seed(42, rules=1).origin == {"seed": 42, "rules": 1}


def test_nodes_of_one_operand_compare_by_their_operand():
    from sheetprop.expr import Ref, Relu, Sigmoid, Step

    for node in (Sigmoid, Relu, Step):
        assert node(Ref("a")) == node(Ref("a")) and node(Ref("a")) != node(Ref("b"))
        assert hash(node(Ref("a"))) == hash(node(Ref("a"))) and repr(node(Ref("a"))) == f"{node.__name__}(Ref('a'))"
