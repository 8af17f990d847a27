"""XOR training (part 2): the numpy training reference, the epoch row's rules, the seeds' screen."""

import numpy as np
import pytest

from sheetprop import reference, training
from sheetprop.epoch_row import data_values, epoch_values, row_for
from sheetprop.network import Givens, GivensError, Shape
from sheetprop.training import XOR_INPUTS, XOR_TARGETS, Params
from sheetprop.xor_task import PERTURBATION, draw

SHAPES = [Shape(), Shape(2, 3, 1), Shape(2, 4, 1), Shape(activation="tanh"), Shape(activation="relu"),
          Shape(loss="cross-entropy"), Shape(loss="mse"), Shape(output="linear")]


def _random_params(shape, seed):
    rng = np.random.default_rng(seed)
    n = shape.n_hidden * 2 + shape.n_hidden + shape.n_hidden + 1
    return rng.uniform(-1.5, 1.5, n)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s.label}-{s.activation}-{s.output}-{s.loss}")
def test_gradient_matches_central_finite_differences(shape):
    flat = _random_params(shape, 3)
    e = training.epoch(shape, Params.from_flat(shape, flat), 1.0)
    h = 1e-6
    numeric = []
    for k in range(flat.size):
        up, down = flat.copy(), flat.copy()
        up[k] += h
        down[k] -= h
        numeric.append((training.epoch(shape, Params.from_flat(shape, up), 1.0).loss
                        - training.epoch(shape, Params.from_flat(shape, down), 1.0).loss) / (2 * h))
    np.testing.assert_allclose(e.grad.flat(), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s.label}-{s.activation}-{s.output}-{s.loss}")
def test_one_epoch_is_the_one_step_reference_summed_over_the_four_patterns(shape):
    flat = _random_params(shape, 5)
    p = Params.from_flat(shape, flat)
    eta = 0.7
    e = training.epoch(shape, p, eta)
    grads, loss = [], 0.0
    for x, t in zip(XOR_INPUTS, XOR_TARGETS):
        g = Givens(shape, x, t, p.w_hidden, p.w_out, p.b_hidden, p.b_out, eta)
        st = reference.step(g)
        grads.append(np.concatenate([st.dE_dw_hidden.ravel(), st.dE_dw_out.ravel(), st.dE_db_hidden,
                                     st.dE_db_out]))
        loss += st.forward.E_total
    np.testing.assert_allclose(e.grad.flat(), np.sum(grads, axis=0), rtol=1e-12, atol=1e-15)
    assert e.loss == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(e.new.flat(), flat - eta * np.sum(grads, axis=0), rtol=1e-12, atol=1e-15)


def test_a_batch_of_rows_gives_each_row_its_own_epoch():
    shape = Shape(2, 3, 1)
    flats = np.array([_random_params(shape, s) for s in range(5)])
    batch = training.epoch(shape, Params.from_flat(shape, flats), np.full(5, 2.0))
    for k in range(5):
        one = training.epoch(shape, Params.from_flat(shape, flats[k]), 2.0)
        np.testing.assert_allclose(batch.new.flat()[k], one.new.flat(), rtol=1e-14)
        assert batch.loss[k] == pytest.approx(float(one.loss), rel=1e-14)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s.label}-{s.activation}-{s.output}-{s.loss}")
def test_the_row_rules_built_from_the_graph_agree_with_numpy(shape):
    """The sheet's formulas (the graph's rules folded into an epoch row) against the witness."""
    row = row_for(shape)
    flat = _random_params(shape, 11)
    values = epoch_values(row, training.epoch(shape, Params.from_flat(shape, flat), 1.5))
    env = {**data_values(), **dict(zip(row.params, flat)), "eta": 1.5}
    for cell in row.cells:
        env[cell.id] = cell.expr.value(env)
        assert env[cell.id] == pytest.approx(float(values[cell.id]), rel=1e-12, abs=1e-14), cell.id


def test_every_mistake_of_the_row_changes_its_cell():
    row = row_for(Shape())
    flat = _random_params(Shape(), 2)
    env = {**data_values(), **dict(zip(row.params, flat)), "eta": 3.0}
    for cell in row.cells:
        env[cell.id] = cell.expr.value(env)
    codes = set()
    for cell in row.cells:
        for code, variant, wrong in cell.mistakes:
            assert wrong.value(env) != pytest.approx(env[cell.id], rel=1e-6), (cell.id, code, variant)
            codes.add(code)
    assert {"M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8", "M9", "M10", "M11", "M16"} <= codes
    m1 = [w for c, _, w in row.cell("delta_o1_p2").mistakes if c == "M1"]
    assert m1 and m1[0].excel() == "out_o1_p2-target_o1_p2"


@pytest.mark.parametrize("shape", [Shape(), Shape(2, 3, 1), Shape(2, 4, 1), Shape(activation="tanh")],
                         ids=lambda s: f"{s.label}-{s.activation}")
def test_a_seed_draws_a_run_that_learns_xor_well_before_the_last_epoch_and_is_stable(shape):
    run = draw(42, shape)
    result = run.train()
    assert result.reached() is not None and result.reached() <= 0.6 * run.epochs
    assert result.all_right()
    assert np.all(np.abs(result.final_out - XOR_TARGETS[:, 0]) < 0.5)
    nudged = run._replace(params=Params.from_flat(shape, run.params.flat() + PERTURBATION)).train()
    assert nudged.reached() == result.reached()
    np.testing.assert_allclose(nudged.params[-1], result.params[-1], atol=1e-6)
    assert draw(42, shape).values() == run.values()  # the same seed, the same run


def test_the_default_run_of_seed_42():
    run = draw(42)
    assert run.eta == 3.0 and run.epochs == 500
    assert run.train().reached() == 298


def test_shapes_that_cannot_learn_xor_in_a_sheet_are_refused_with_a_reason():
    with pytest.raises(GivensError, match="2 inputs and 1 output"):
        draw(1, Shape(2, 2, 2))
    with pytest.raises(GivensError, match="bias"):
        draw(1, Shape(bias_mode="layer"))


def test_momentum_keeps_a_velocity_per_parameter():
    shape = Shape()
    flat = _random_params(shape, 8)
    p, v = Params.from_flat(shape, flat), Params.from_flat(shape, np.linspace(-0.1, 0.1, flat.size))
    e = training.epoch(shape, p, 0.5, velocity=v, beta=0.9)
    gd = training.epoch(shape, p, 0.5)
    want_v = 0.9 * v.flat() + gd.grad.flat()
    np.testing.assert_allclose(e.velocity.flat(), want_v, rtol=1e-14)
    np.testing.assert_allclose(e.new.flat(), flat - 0.5 * want_v, rtol=1e-14)


def test_the_momentum_row_rules_agree_with_numpy():
    shape = Shape(2, 3, 1)
    row = row_for(shape, "momentum")
    flat = _random_params(shape, 4)
    vel = np.linspace(-0.2, 0.2, flat.size)
    ep = training.epoch(shape, Params.from_flat(shape, flat), 0.7, velocity=Params.from_flat(shape, vel), beta=0.9)
    values = epoch_values(row, ep)
    env = {**data_values(), **dict(zip(row.state, np.concatenate([flat, vel]))), "eta": 0.7, "beta": 0.9}
    for cell in row.cells:
        env[cell.id] = cell.expr.value(env)
        assert env[cell.id] == pytest.approx(float(values[cell.id]), rel=1e-12, abs=1e-14), cell.id


def test_a_momentum_seed_learns_xor():
    run = draw(42, optimizer="momentum")
    result = run.train()
    assert run.beta == 0.9 and result.reached() <= 0.6 * run.epochs and result.all_right()


def test_an_sgd_epoch_is_four_one_pattern_steps_and_its_row_rules_agree():
    shape = Shape()
    row = row_for(shape, "sgd")
    flat = _random_params(shape, 6)
    steps = training.epoch_sgd(shape, Params.from_flat(shape, flat), 2.0)
    p = flat.copy()
    for k, (x, t) in enumerate(zip(XOR_INPUTS, XOR_TARGETS)):
        g = Givens(shape, x, t, *[a for a in (Params.from_flat(shape, p).w_hidden, Params.from_flat(shape, p).w_out,
                                               Params.from_flat(shape, p).b_hidden, Params.from_flat(shape, p).b_out)],
                   eta=2.0)
        st = reference.step(g)
        p = np.concatenate([st.new_w_hidden.ravel(), st.new_w_out.ravel(), st.new_b_hidden, st.new_b_out])
        np.testing.assert_allclose(steps[k].new.flat(), p, rtol=1e-12)
    values = epoch_values(row, steps)
    env = {**data_values(), **dict(zip(row.params, flat)), "eta": 2.0}
    for cell in row.cells:
        env[cell.id] = cell.expr.value(env)
        assert env[cell.id] == pytest.approx(float(values[cell.id]), rel=1e-12, abs=1e-14), cell.id


@pytest.mark.parametrize("shape,optimizer", [(Shape(), "gd"), (Shape(2, 4, 1), "gd"), (Shape(2, 3, 1), "momentum"),
                                             (Shape(), "sgd")], ids=["2-2-1", "2-4-1", "momentum", "sgd"])
def test_the_written_sheet_has_each_row_once_in_order_and_its_cells_in_column_order(tmp_path, shape, optimizer):
    """What Excel insists on (it calls a file with a repeated or unordered row damaged);
    the training block's rows are spliced into openpyxl's sheet XML, so this is checked here."""
    import re
    import zipfile

    from openpyxl.utils import column_index_from_string

    from sheetprop.xor_sheet import write_pair

    for path in write_pair(draw(42, shape, optimizer=optimizer), tmp_path):
        xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
        rows = [int(r) for r in re.findall(r'<row r="(\d+)"', xml)]
        assert rows == sorted(set(rows))
        for number, body in re.findall(r'<row r="(\d+)"[^>]*>(.*?)</row>', xml):
            cells = re.findall(r'<c r="([A-Z]+)(\d+)"', body)
            assert all(r == number for _, r in cells)
            columns = [column_index_from_string(c) for c, _ in cells]
            assert columns == sorted(set(columns)), number
        assert re.search(r'<dimension ref="A1:[A-Z]+%d"/>' % rows[-1], xml)
