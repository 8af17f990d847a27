"""Every catalogued mistake, made by a simulated student who computes everything else correctly
from their own numbers, is named at the cell where it first shows; what follows is carried."""

import pytest

from sheetprop import sources
from sheetprop.answers import reference_values
from sheetprop.grading import grade
from sheetprop.graph import Graph
from sheetprop.mistakes import CODES, mutations
from sheetprop.network import Shape
from sheetprop.values import Reading

from .helpers import simulate_student

SHAPES = [Shape(), Shape(2, 2, 2), Shape(2, 2, 2, "layer", True), Shape(3, 2, 2)]


def readings_of(graph, g, answers):
    r = {q: Reading(v) for q, v in graph.given_values(g).items()}
    r.update({q: Reading(v) for q, v in answers.items()})
    return r


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s.label}-{s.bias_mode}")
def test_each_mistake_is_named_where_it_first_shows_and_carried_after(shape):
    seen_codes = set()
    for seed in range(40):
        g = sources.from_seed(seed, shape)
        graph = Graph(shape)
        expected = reference_values(graph, g)
        for target, muts in mutations(graph).items():
            for m in muts:
                answers = simulate_student(graph, g, mutation=m)
                result = grade(graph, expected, readings_of(graph, g, answers))
                by_id = {c.id: c for c in result.cells}
                cell = by_id[target]
                assert (cell.verdict, cell.mistake) == ("misconception", m.code), (seed, m)
                assert result.first_wrong.id == target
                named = [c.id for c in result.cells if c.verdict == "misconception"]
                assert named == [target], (seed, m, named)  # no other cell given a (wrong) name
                after = [c for c in result.cells[[c.id for c in result.cells].index(target) + 1:]]
                assert all(c.verdict in ("correct", "carried") for c in after), \
                    (seed, m, [(c.id, c.verdict) for c in after if c.verdict not in ("correct", "carried")])
                seen_codes.add(m.code)
    expected_codes = {"M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8", "M9", "M10", "M11", "M16"}
    if shape.n_out > 1:
        expected_codes.add("M12")
    assert seen_codes == expected_codes


def test_catalogue_covers_the_codes_that_apply_per_cell():
    assert set(CODES) >= {"M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8", "M9", "M10", "M11", "M12", "M16"}
