"""A teacher's givens file: a textbook's example, its title and source, and names that are not ids."""

import json

import openpyxl
import pytest
from click.testing import CliRunner

from sheetprop.cli import cli
from sheetprop.submission import load

BASE = {"layers": "2-2-1", "values": {"i_1": 0.05, "i_2": 0.10, "target_o1": 0.01, "w_1": 0.15, "w_2": 0.20,
                                      "w_3": 0.25, "w_4": 0.30, "w_5": 0.40, "w_6": 0.45, "b_1": 0.35,
                                      "b_2": 0.60, "b_3": 0.1, "eta": 0.5}}
SOURCE = "Haykin, Neural Networks and Learning Machines, 3rd ed., example 4.1"


def generate(tmp_path, desc, *args):
    path = tmp_path / "course.json"
    path.write_text(json.dumps(desc), encoding="utf-8")
    return CliRunner().invoke(cli, ["generate", "--givens", str(path), "--out", str(tmp_path / "out"), *args])


@pytest.mark.parametrize("lang, as_in", [("en", "as in " + SOURCE + "."), ("pt-BR", "como em " + SOURCE + ".")])
def test_title_and_source_are_shown_in_place_of_mazur(tmp_path, lang, as_in):
    res = generate(tmp_path, {**BASE, "title": "Exercise 4.1", "source": SOURCE}, "--lang", lang)
    assert res.exit_code == 0, res.output
    exercise = next((tmp_path / "out").glob("*-exercise.xlsx"))
    top = [c.value for row in openpyxl.load_workbook(exercise).active.iter_rows(max_row=6, max_col=1)
           for c in row if c.value]
    assert top[2].endswith(as_in) and "Mazur" not in " ".join(top)
    assert "Exercise 4.1" in top[1]
    meta = load(exercise, recalculate=False).meta
    assert meta["origin"] == {"givens": "course.json", "title": "Exercise 4.1", "source": SOURCE}
    check = CliRunner().invoke(cli, ["check", str(exercise)])
    assert check.exit_code == 1 and "Exercise 4.1" in check.output.splitlines()[0]


def test_without_a_source_it_is_mazurs(tmp_path):
    assert generate(tmp_path, BASE).exit_code == 0
    exercise = next((tmp_path / "out").glob("*-exercise.xlsx"))
    line = openpyxl.load_workbook(exercise).active["A4"].value
    assert line.endswith("as in Matt Mazur's \"A Step by Step Backpropagation Example\".")


@pytest.mark.parametrize("name, message", [
    ("w14", "w14 is not an id: weights are w_1 … w_6, numbered each neuron's incoming weights in input order, "
            "hidden layer first"),
    ("W1", "W1 is not an id: weights are w_1 … w_6"),
    ("b3", "b3 is not an id: biases are b_1 … b_3, hidden layer first"),
    ("x1", "x1 is not an id: inputs are i_1, i_2"),
    ("t1", "t1 is not an id: targets are target_o1, one per output"),
    ("lr", "lr is not an id: the learning rate is eta"),
    ("gamma", "gamma is not an id: the givens of a 2-2-1 net are i_1, i_2, target_o1, w_1"),
])
def test_a_name_that_is_not_an_id_gets_the_pattern(tmp_path, name, message):
    values = {**BASE["values"], name: 0.3}
    res = generate(tmp_path, {**BASE, "values": values})
    assert res.exit_code == 2 and message in res.output, res.output


@pytest.mark.parametrize("title", ["", 7, "x" * 201])
def test_a_bad_title_is_refused(tmp_path, title):
    res = generate(tmp_path, {**BASE, "title": title})
    assert res.exit_code == 2 and "title must be text of 1 to 200 characters" in res.output


def test_a_bias_convention_per_layer(tmp_path):
    """A textbook with one shared hidden bias and a bias per output neuron."""
    from sheetprop import sources
    from sheetprop.network import GivensError, Shape

    path = tmp_path / "book.toml"
    path.write_text('layers = "2-2-2"\n[bias]\nhidden = "layer"\noutput = "neuron"\n[values]\n'
                    'i_1 = 0.1\ni_2 = 0.2\ntarget_o1 = 0.3\ntarget_o2 = 0.7\nw_1 = 0.1\nw_2 = 0.2\nw_3 = 0.3\n'
                    'w_4 = 0.4\nw_5 = 0.5\nw_6 = 0.6\nw_7 = 0.7\nw_8 = 0.8\nb_1 = 0.35\nb_2 = 0.6\nb_3 = -0.6\neta = 0.5\n')
    g = sources.from_file(path)
    assert g.shape.bias_mode == "layer/neuron" and g.shape.bias_counts() == (1, 2)
    assert list(g.b_hidden) == [0.35] and list(g.b_out) == [0.6, -0.6]
    assert sources.from_description(sources.describe(g), {}).shape == g.shape  # what the metadata keeps
    assert Shape(bias_mode="layer/layer").bias_mode == "layer"  # one convention is written once
    with pytest.raises(GivensError, match="HIDDEN/OUTPUT"):
        Shape(bias_mode="layer/weird")
