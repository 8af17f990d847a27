"""The solution's formulas, recalculated by a real LibreOffice and read back from the files it saved,
against the numpy reference."""

import openpyxl
import pytest

from sheetprop import libreoffice, metadata, sources
from sheetprop.answers import reference_values
from sheetprop.graph import Graph
from sheetprop.network import Shape
from sheetprop.write import write_pair

from .helpers import assert_close_to_reference, values_by_name

pytestmark = pytest.mark.libreoffice

SEEDS = range(50)
SHAPES = [Shape(2, 2, 2, "layer", False), Shape(3, 2, 2, "none"), Shape(1, 3, 1, "layer", True), Shape(4, 3, 2),
          Shape(2, 3, 2, "layer/neuron"), Shape(3, 2, 3, "neuron/none")]


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """Every solution in one soffice call (starting it dominates the cost)."""
    src = tmp_path_factory.mktemp("solutions")
    cases = {}
    for seed in SEEDS:
        cases[f"seed{seed}"] = sources.from_seed(seed)
    for n, shape in enumerate(SHAPES):
        cases[f"shape{n}"] = sources.from_seed(1000 + n, shape)
    cases["mazur"] = sources.from_preset("mazur")
    paths = {}
    for name, g in cases.items():
        _, sol = write_pair(g, src / name)
        paths[name] = sol
    renamed = []
    for name, p in paths.items():  # distinct file names for one batch
        target = src / f"{name}.xlsx"
        p.rename(target)
        renamed.append(target)
    outs = libreoffice.recalculate(renamed, tmp_path_factory.mktemp("recalculated"))
    return {name: (cases[name], out) for name, out in zip(cases, outs)}


def test_every_solution_cell_agrees_with_numpy(recalculated):
    assert len(recalculated) >= 51
    for name, (g, out) in recalculated.items():
        assert_close_to_reference(values_by_name(out), reference_values(Graph(g.shape), g), where=name)


def test_mazur_preset_reproduces_the_published_numbers_cell_by_cell(recalculated):
    _, out = recalculated["mazur"]
    got = values_by_name(out)
    published = {"out_h1": "0.593269992", "out_o1": "0.75136507", "out_o2": "0.772928465", "E_total": "0.298371109",
                 "dE_dout_o1": "0.74136507", "dout_dnet_o1": "0.186815602", "dE_dw_5": "0.082167041",
                 "new_w_5": "0.35891648", "new_w_6": "0.408666186", "new_w_7": "0.511301270",
                 "new_w_8": "0.561370121", "delta_o1": "0.138498562", "dE_dout_h1": "0.036350306",
                 "dout_dnet_h1": "0.241300709", "dE_dw_1": "0.000438568", "new_w_1": "0.149780716",
                 "new_w_2": "0.19956143", "new_w_3": "0.24975114", "new_w_4": "0.29950229", "net_h1": "0.3775"}
    for qid, printed in published.items():
        decimals = len(printed.split(".")[1])
        assert round(got[qid], decimals) == pytest.approx(float(printed), abs=1e-12), qid


def test_changing_a_given_recomputes_the_whole_chain(tmp_path):
    g = sources.from_seed(42)
    _, sol = write_pair(g, tmp_path / "orig")
    graph = Graph(g.shape)
    wb = openpyxl.load_workbook(sol)
    ws = wb.worksheets[0]
    changes = {"w_1": 0.37, "w_6": -0.81, "eta": 0.35, "i_2": -0.4}
    for qid, value in changes.items():
        (_, coord), = list(wb.defined_names[qid].destinations)
        ws[coord.replace("$", "")] = value
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    out, = libreoffice.recalculate([edited], tmp_path / "out")
    values = graph.given_values(g)
    values.update(changes)
    g2 = graph.givens_from_values(values, g.origin)
    expected = reference_values(graph, g2)
    assert expected["new_w_1"] != reference_values(graph, g)["new_w_1"]
    assert_close_to_reference(values_by_name(out), expected, where="edited")


def test_metadata_and_names_survive_a_libreoffice_save(tmp_path):
    g = sources.from_seed(8)
    ex, sol = write_pair(g, tmp_path / "src", lang="pt-BR")
    outs = libreoffice.recalculate([ex, sol], tmp_path / "saved")
    for original, saved in zip((ex, sol), outs):
        wb0, wb1 = openpyxl.load_workbook(original), openpyxl.load_workbook(saved)
        meta0 = metadata.decode(next(p.value for p in wb0.custom_doc_props if p.name == metadata.PROPERTY))
        meta1 = metadata.decode(next(p.value for p in wb1.custom_doc_props if p.name == metadata.PROPERTY))
        assert meta0 == meta1
        assert set(wb1.defined_names) == set(wb0.defined_names)
        assert wb1.worksheets[0].title == "Exercício"
